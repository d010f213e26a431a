"""`ceasefire witness …`: keygen, serve (in-process for its refusals, as a real process for
the rest: killed with SIGKILL and restarted, stopped with SIGTERM) and show."""

from __future__ import annotations

import base64
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import nacl.pwhash
import pytest
from click.testing import CliRunner

from ceasefire.cli import cli
from ceasefire.ledger import note
from ceasefire.witness.config import PASSPHRASE_ENV, parse_vkey, seal_key
from tests.witness.conftest import LOG_KEY, ORIGIN, WITNESS, body, checkpoint, tree, verifies

PASSPHRASE = "a witness passphrase"
LOG = tree(9)
LOG_VKEY = note.vkey(ORIGIN, LOG_KEY.verify_key)


def run(*args: str, **env: str):
    return CliRunner(env={PASSPHRASE_ENV: PASSPHRASE, **env}).invoke(cli, ["witness", *args])


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    """The witness's key file, sealed with argon2's least cost."""
    path = tmp_path / "witness.key"
    path.write_bytes(seal_key(WITNESS, PASSPHRASE, opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN,
                              memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN))
    return path


@pytest.mark.slow  # seals with the moderate argon2id limits, as a witness's real key is
def test_keygen_prints_the_verifier_key_and_never_overwrites(tmp_path):
    out = tmp_path / "w.key"
    made = run("keygen", "--name", "witness.ru.ceasefire", "--out", str(out))
    assert made.exit_code == 0, made.output
    name, _ = parse_vkey(made.stdout.strip())
    assert name == "witness.ru.ceasefire" and out.stat().st_mode & 0o077 == 0
    again = run("keygen", "--name", "witness.ru.ceasefire", "--out", str(out))
    assert again.exit_code == 1 and "never overwritten" in again.stderr


def test_keygen_refuses_a_name_with_a_space(tmp_path):
    made = run("keygen", "--name", "a witness", "--out", str(tmp_path / "w.key"))
    assert made.exit_code == 1 and "name" in made.stderr and not (tmp_path / "w.key").exists()


def serve_args(key_file: Path, state: Path, *logs: str) -> list[str]:
    return ["serve", "--key", str(key_file), "--state", str(state),
            *(a for v in logs or (LOG_VKEY,) for a in ("--log", v))]


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.splitlines()
    return line


def test_serve_names_a_malformed_log_key(key_file, tmp_path):
    line = one_error_line(run(*serve_args(key_file, tmp_path / "s", "example.org+00+AAAA")))
    assert line.startswith("error: --log: not a verifier key") and "example.org+00" in line
    listed = tmp_path / "logs.txt"
    listed.write_text(f"{LOG_VKEY}\nnot a key\n")
    line = one_error_line(run("serve", "--key", str(key_file), "--state", str(tmp_path / "s"),
                              "--log-file", str(listed)))
    assert line.startswith(f"error: {listed}, line 2: not a verifier key")


def test_serve_names_a_missing_key_file(tmp_path):
    line = one_error_line(run(*serve_args(tmp_path / "nowhere.key", tmp_path / "s")))
    assert line == f"error: {tmp_path / 'nowhere.key'}: cannot read the key file: " \
        "No such file or directory"


def test_serve_names_a_wrong_passphrase(key_file, tmp_path):
    line = one_error_line(run(*serve_args(key_file, tmp_path / "s"),
                              **{PASSPHRASE_ENV: "not the passphrase"}))
    assert line.startswith(f"error: {key_file}, passphrase: wrong passphrase")


def test_serve_names_a_state_directory_it_cannot_write(key_file, tmp_path):
    (tmp_path / "file").write_text("")
    line = one_error_line(run(*serve_args(key_file, tmp_path / "file" / "state")))
    assert line.startswith(f"error: state: the state directory {tmp_path / 'file' / 'state'} "
                           "is not writable")


def test_serve_wants_a_log(key_file, tmp_path):
    line = one_error_line(run("serve", "--key", str(key_file), "--state", str(tmp_path)))
    assert "no log to witness" in line


def test_show_prints_what_it_holds(open_witness, tmp_path):
    witness = open_witness()
    assert witness.add(0, checkpoint(LOG, 5)).status_code == 200
    witness.add(5, checkpoint(tree(5, fork="other ")))  # a split view: evidence
    shown = run("show", "--state", str(witness.state))
    assert shown.exit_code == 0, shown.output
    root = note.parse_checkpoint(note.open_note(checkpoint(LOG, 5))[0]).root
    assert f"{ORIGIN}  size 5  root {base64.b64encode(root).decode()}" in shown.stdout
    assert "evidence: 1 file in" in shown.stdout and "two roots for size 5" in shown.stdout
    missing = run("show", "--state", str(tmp_path / "nowhere"))
    assert "is not a witness state directory" in one_error_line(missing)


@contextmanager
def served(key_file: Path, state: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    """`ceasefire witness serve` as a process on a free port: it and its address."""
    env = {**os.environ, PASSPHRASE_ENV: PASSPHRASE}
    with subprocess.Popen([sys.executable, "-m", "ceasefire", "witness",
                           *serve_args(key_file, state), "--port", "0"], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        try:
            line = proc.stdout.readline()  # blocks until it listens, or exits
            match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
            assert match, f"it did not listen: {line!r} {proc.stderr.read()!r}"
            yield proc, match.group(1)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)


@pytest.mark.slow  # starts the witness as a process, twice
def test_a_killed_witness_restarts_on_what_it_cosigned(key_file, tmp_path):
    state = tmp_path / "state"
    signed = checkpoint(LOG, 5)
    with served(key_file, state) as (proc, base):
        assert httpx2.get(f"{base}/").text.splitlines() == [WITNESS.name, WITNESS.vkey]
        answer = httpx2.post(f"{base}/add-checkpoint", content=body(0, signed))
        assert answer.status_code == 200
        # Cosigned now, by the witness's key.
        assert abs(stamped(answer.text) - time.time()) < 60
        assert verifies(signed, answer.text, at=stamped(answer.text))
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    with served(key_file, state) as (proc, base):
        again = httpx2.post(f"{base}/add-checkpoint", content=body(0, checkpoint(LOG, 7)))
        assert (again.status_code, again.text) == (409, "5\n")
        assert again.headers["content-type"] == "text/x.tlog.size"
        grown = httpx2.post(f"{base}/add-checkpoint", content=body(
            5, checkpoint(LOG, 7), LOG.consistency_proof(5, 7)))
        assert grown.status_code == 200
        assert verifies(checkpoint(LOG, 7), grown.text, at=stamped(grown.text))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0  # stopped cleanly
        assert proc.stderr.read() == ""


def stamped(line: str) -> int:
    """The timestamp a cosignature line carries (its signature checked apart)."""
    return int.from_bytes(note.signature_line(line).data[:8], "big")
