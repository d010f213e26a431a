"""`make run` as its user meets it: a second run keeps the demo's passwords and sessions,
and stopping the server is said plainly, not as make's "Error 143"."""

import os
import signal
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from ceasefire.cli import cli

pytestmark = pytest.mark.slow  # runs make and a server process

ROOT = Path(__file__).resolve().parent.parent


def _make_env() -> dict[str, str]:
    # Not the outer make's (make test) jobs and flags, nor a caller's server settings.
    drop = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKE_TERMOUT", "MAKE_TERMERR")
    env = {k: v for k, v in os.environ.items()
           if k not in drop and not k.startswith("CEASEFIRE_")}
    return {**env, "CEASEFIRE_PORT": "0"}


@pytest.fixture
def demo(tmp_path) -> Path:
    """An existing demo database, as the first `make run` left it (migrated; its
    passphrase and logins files beside it)."""
    database = tmp_path / "ceasefire.db"
    (tmp_path / "server-passphrase").write_text("a passphrase for this test\n")
    (tmp_path / "demo-logins").write_text("analyst a-password-kept\n")
    # Its key sealed with the passphrase beside it, as `make run` sealed it.
    upgraded = CliRunner().invoke(cli, ["--database-url", f"sqlite:///{database}", "db",
                                        "upgrade"],
                                  env={"CEASEFIRE_SERVER_PASSPHRASE": "a passphrase for this test"})
    assert upgraded.exit_code == 0, upgraded.output
    return database


def test_a_second_make_run_keeps_the_database_and_its_passwords(demo):
    planned = subprocess.run(["make", "-n", "run", f"DATABASE={demo}"], cwd=ROOT,
                             env=_make_env(), capture_output=True, text=True, check=True)
    # What it would do: upgrade and serve, never build the record or set passwords again.
    assert "db upgrade" in planned.stdout and " serve" in planned.stdout
    for rebuilt in ("scenario load", "account password", "import ", "rm -f"):
        assert rebuilt not in planned.stdout, planned.stdout
    assert (demo.parent / "demo-logins").read_text() == "analyst a-password-kept\n"


def _server_of(session: int) -> int:
    """The pid of `ceasefire serve` among the processes of a session."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # it ended meanwhile
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) == session and b"serve" in command and b"make" not in command[0]:
            return int(entry.name)
    raise AssertionError("no server process in the session")


def test_stopping_the_server_says_so_and_make_succeeds(demo):
    with subprocess.Popen(["make", "--no-print-directory", "run", f"DATABASE={demo}"],
                          cwd=ROOT, env=_make_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True,
                          start_new_session=True) as make:
        assert make.stdout is not None
        said = []
        for line in make.stdout:  # blocks until uvicorn says it listens: no polling
            said.append(line)
            if "Uvicorn running on" in line:
                break
        else:
            raise AssertionError(f"make run ended before the server listened: {said}")
        os.kill(_server_of(make.pid), signal.SIGTERM)  # as a service manager stops it
        rest = make.stdout.read()
        assert make.wait(timeout=60) == 0, said + [rest]
    assert "server stopped" in rest
    assert "Error" not in rest
