"""`ceasefire serve` as `make run` starts it: a real process on a free port."""

import os
import re
import subprocess
import sys

import httpx2
from click.testing import CliRunner

from ceasefire.cli import cli


def test_serve_answers_health_and_openapi(tmp_path):
    url = f"sqlite:///{tmp_path / 'run.db'}"
    assert CliRunner().invoke(cli, ["--database-url", url, "db", "upgrade"]).exit_code == 0
    env = {**os.environ, "CEASEFIRE_DATABASE_URL": url, "CEASEFIRE_PORT": "0"}
    with subprocess.Popen([sys.executable, "-m", "ceasefire", "serve"], env=env,
                          stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True) as proc:
        try:
            # Reading blocks until uvicorn reports the port it bound: no polling.
            for line in proc.stderr:
                if match := re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line):
                    base = match.group(1)
                    break
            else:
                raise AssertionError("the server exited before it listened")
            assert httpx2.get(f"{base}/health").json()["status"] == "ok"
            assert httpx2.get(f"{base}/openapi.json").json()["info"]["title"] == "Ceasefire Monitor"
            assert "swagger-ui" in httpx2.get(f"{base}/docs").text
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def test_serve_refuses_an_unmigrated_database(tmp_path):
    env = {**os.environ, "CEASEFIRE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    proc = subprocess.run([sys.executable, "-m", "ceasefire", "serve"], env=env,
                          capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode == 1 and "ceasefire db upgrade" in proc.stderr
