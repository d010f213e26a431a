"""The suite runs as from a clean shell: whoever starts it may also run a server, with its
passphrase, database URL and port in the environment. Those must change nothing here."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SERVER_PASSPHRASE, TEST_SWITCHES, clean_environment

pytestmark = pytest.mark.slow  # runs part of the suite in a subprocess

ROOT = Path(__file__).resolve().parent.parent


def test_the_callers_variables_go_and_the_suites_own_are_set():
    environ = {"CEASEFIRE_SERVER_PASSPHRASE": "the caller's", "CEASEFIRE_DATABASE_URL": "x",
               "CEASEFIRE_KEY_PASSPHRASE": "y", "PATH": "/bin",
               **{name: "kept" for name in TEST_SWITCHES}}
    clean_environment(environ)
    assert environ == {"CEASEFIRE_SERVER_PASSPHRASE": SERVER_PASSPHRASE, "PATH": "/bin",
                       **{name: "kept" for name in TEST_SWITCHES}}
    assert os.environ["CEASEFIRE_SERVER_PASSPHRASE"] == SERVER_PASSPHRASE
    assert "CEASEFIRE_DATABASE_URL" not in os.environ


def test_tests_that_load_a_scenario_pass_from_a_servers_shell(tmp_path):
    """`scenario load` once exited 1 here when the caller's shell held another server
    passphrase; the database URL must not send anything to the caller's database."""
    elsewhere = tmp_path / "the-callers.db"
    env = {**os.environ, "CEASEFIRE_SERVER_PASSPHRASE": "the caller's server",
           "CEASEFIRE_DATABASE_URL": f"sqlite:///{elsewhere}", "CEASEFIRE_PORT": "1"}
    env.pop("PYTEST_XDIST_WORKER", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "sqlite",
         "tests/test_cli.py::test_scenario_load_prints_tokens_once",
         "tests/test_cli_ledger.py"],
        cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
    assert not elsewhere.exists()
