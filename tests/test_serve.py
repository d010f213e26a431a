"""`ceasefire serve` as `make run` starts it: a real process on a free port."""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest
from click.testing import CliRunner

from ceasefire.cli import cli
from ceasefire.web.cookies import LOGIN_COOKIE

pytestmark = pytest.mark.slow  # starts the server as a process


@contextmanager
def served(database: Path, **settings: str) -> Iterator[tuple[str, list[str]]]:
    """`ceasefire serve` on a migrated SQLite file: its address, and what it wrote to
    stderr before it listened."""
    url = f"sqlite:///{database}"
    if not database.exists():
        assert CliRunner().invoke(cli, ["--database-url", url, "db", "upgrade"]).exit_code == 0
    env = {**os.environ, "CEASEFIRE_DATABASE_URL": url, "CEASEFIRE_PORT": "0", **settings}
    with subprocess.Popen([sys.executable, "-m", "ceasefire", "serve"], env=env,
                          stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True) as proc:
        try:
            # Reading blocks until uvicorn reports the port it bound: no polling.
            said = []
            for line in proc.stderr:
                if match := re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line):
                    base = match.group(1)
                    break
                said.append(line)
            else:
                raise AssertionError(f"the server exited before it listened: {said}")
            yield base, said
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def test_serve_answers_health_and_openapi(tmp_path):
    with served(tmp_path / "run.db") as (base, said):
        assert httpx2.get(f"{base}/health").json()["status"] == "ok"
        assert httpx2.get(f"{base}/openapi.json").json()["info"]["title"] == "Ceasefire Monitor"
        assert "swagger-ui" in httpx2.get(f"{base}/docs").text
    assert not any("warning" in line for line in said)


def test_serve_warns_when_others_may_read_the_database_file(tmp_path):
    path = tmp_path / "run.db"
    assert CliRunner().invoke(cli, ["--database-url", f"sqlite:///{path}", "db",
                                    "upgrade"]).exit_code == 0
    path.chmod(0o640)
    with served(path) as (base, said):
        assert httpx2.get(f"{base}/health").status_code == 200
    assert f"warning: {path} may be read by others than its owner (mode 640)" in "".join(said)


def failed_logins(base: str, addresses: list[str], *, username: str = "guess") -> list[int]:
    """A wrong password for one username from each address in turn, as X-Forwarded-For
    says: the statuses."""
    with httpx2.Client(base_url=base, timeout=60) as http:
        page = http.get("/login")
        # The cookie is Secure and this is plain http, which httpx's jar does not carry.
        cookie = {"Cookie": f"{LOGIN_COOKIE}={page.cookies[LOGIN_COOKIE]}"}
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)
        return [http.post("/login", headers={**cookie, "X-Forwarded-For": address},
                          data={"username": username, "password": "wrong password",
                                "csrf_token": token}).status_code
                for address in addresses]


ROTATING = [f"203.0.113.{n}" for n in range(1, 8)]


@pytest.mark.parametrize("trusted", [None, ""])
def test_x_forwarded_for_does_not_escape_the_login_limit_by_default(tmp_path, trusted):
    settings = {} if trusted is None else {"CEASEFIRE_TRUSTED_PROXIES": trusted}
    with served(tmp_path / "run.db", **settings) as (base, _):
        # Three failures for one username from 127.0.0.1, whatever the header claims:
        # the fourth waits.
        assert failed_logins(base, ROTATING) == [400] * 3 + [429] * 4


def test_a_trusted_proxy_gives_the_client_address(tmp_path):
    with served(tmp_path / "run.db", CEASEFIRE_TRUSTED_PROXIES="127.0.0.1") as (base, _):
        assert failed_logins(base, ROTATING) == [400] * 7  # seven clients, one failure each
        assert failed_logins(base, ["203.0.113.99"] * 4, username="other") == [400] * 3 + [429]


def test_serve_refuses_an_unmigrated_database(tmp_path):
    env = {**os.environ, "CEASEFIRE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    proc = subprocess.run([sys.executable, "-m", "ceasefire", "serve"], env=env,
                          capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode == 1 and "ceasefire db upgrade" in proc.stderr


@pytest.mark.parametrize("name, value, message", [
    ("CEASEFIRE_TRUSTED_PROXIES", "127.0.0.1, proxy.local",
     "'proxy.local' is not an IP address or network"),
    ("CEASEFIRE_MAX_BODY_BYTES", "100", "must be at least 1024, got 100"),
    ("CEASEFIRE_MAX_BODY_BYTES", "1MB", "must be a whole number, got '1MB'"),
])
def test_bad_proxy_and_body_settings_are_refused_at_start(name, value, message):
    from ceasefire.config import Settings
    from ceasefire.errors import ConfigError

    with pytest.raises(ConfigError) as refused:
        Settings.from_env({name: value})
    assert (refused.value.field, refused.value.message) == (name, message)


def test_trusted_proxies_are_addresses_and_networks():
    from ceasefire.config import Settings, proxies

    settings = Settings.from_env({"CEASEFIRE_TRUSTED_PROXIES": " 127.0.0.1, 10.0.0.0/8,::1 "})
    assert proxies(settings.trusted_proxies) == ["127.0.0.1", "10.0.0.0/8", "::1"]
    assert proxies(Settings.from_env({}).trusted_proxies) == []
