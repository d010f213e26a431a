"""POST /api/v1/reports throughput and latency, against a bare endpoint of the same
framework that validates the same body and inserts one row.

Both are served the same way (uvicorn, one worker, no access log, SQLite in WAL mode) and
loaded the same way: wrk with 8 connections for BENCH_SECONDS (default 15) after a warm-up,
one after the other in this run. Ours also authenticates the token, geocodes the point,
resolves the actor names, de-duplicates, stores the report with its actor links, and
correlates it into its incident. The bodies are BODIES simulated reports (the project's
simulator, 16 events a day), sent in turn by each wrk thread: reports of the same event
arrive near one another, as they would, and so do repeats.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import PASSPHRASE
from ceasefire.intake.scenario import locate, parse
from ceasefire.services.scenarios import load_scenario
from ceasefire.store.db import Database

SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
CONNECTIONS = 8
BODIES = 4000
AIM = 0.5  # of the bare endpoint's rate, with correlation and the ledger on


def _bodies() -> list[str]:
    """Simulated reports as API bodies (without what the record adds: id, party, arrival)."""
    from datetime import date

    from ceasefire.geo.admin import syria
    from ceasefire.geo.gazetteer import syria_gazetteer
    from ceasefire.intake.report_in import record_of
    from ceasefire.simulate import simulate

    source, body = locate("syria-2016")
    sim = simulate(3, events=round(BODIES / 2.39), start=date(2017, 1, 1),
                   days=round(BODIES / 2.39 / 16), admin=syria(), gazetteer=syria_gazetteer(),
                   actors=parse(body, source=source).actors)
    drop = ("id", "submitted_by", "received_at")
    bodies = []
    for report in sim.reports:
        body = {k: v for k, v in record_of(report).items() if k not in drop}
        # Officers' submissions carry no dataset key: a key already stored is refused
        # (409), and the bodies are sent more than once.
        body["source"] = {**body["source"], "key": None}
        bodies.append(json.dumps(body))
    return bodies


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _server(factory: str, env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1",
               "--port", str(port), "--no-access-log", "--log-level", "info"]
    with subprocess.Popen(command, env={**os.environ, **env}, stderr=subprocess.PIPE,
                          text=True) as process:
        try:
            for line in process.stderr:  # wait for uvicorn to say it is ready
                if "Application startup complete" in line:
                    break
            else:
                raise RuntimeError(f"{factory} did not start")
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait()


def _wrk(url: str, script: Path, seconds: int) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms)."""
    command = ["wrk", f"-t{min(2, CONNECTIONS)}", f"-c{CONNECTIONS}", f"-d{seconds}s",
               "--latency", "-s", str(script), url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"failed requests against {url}:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(label: str) -> float:
        value, unit = re.search(rf"\s{label}\s+([\d.]+)(us|ms|s)\b", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return rate, ms("50%"), ms("99%")


def _script(path: Path, token: str | None, bodies: list[str]) -> Path:
    headers = 'wrk.headers["Content-Type"] = "application/json"\n'
    if token:
        headers += f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    listed = ",\n".join(json.dumps(b) for b in bodies)
    path.write_text(
        f'wrk.method = "POST"\n{headers}bodies = {{\n{listed}\n}}\nsent = 0\n'
        'request = function()\n  sent = sent + 1\n'
        '  return wrk.format(nil, nil, nil, bodies[(sent % #bodies) + 1])\nend\n',
        encoding="utf-8")
    return path


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ceasefire-bench-") as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{workdir}/ours.db"
        db = Database(url, server_passphrase=PASSPHRASE)
        db.upgrade()
        source, body = locate("syria-2016")
        token = load_scenario(db, parse(body, source=source)).tokens["tr-officer"]
        db.dispose()
        bodies = _bodies()
        runs = {
            "bare endpoint (validate + insert)": (
                "bench.bare_app:app", {"BARE_DATABASE": str(workdir / "bare.db")},
                _script(workdir / "bare.lua", None, bodies), "/reports"),
            "POST /api/v1/reports": (
                "ceasefire.app:from_env", {"CEASEFIRE_DATABASE_URL": url,
                                               "CEASEFIRE_SERVER_PASSPHRASE": PASSPHRASE},
                _script(workdir / "ours.lua", token, bodies), "/api/v1/reports"),
        }
        results = {}
        for label, (factory, env, script, path) in runs.items():
            with _server(factory, env) as base:
                _wrk(base + path, script, 3)  # warm-up
                results[label] = _wrk(base + path, script, SECONDS)
        floor = results["bare endpoint (validate + insert)"][0]
        print(f"\napi_submit: {CONNECTIONS} connections, {SECONDS} s each, one uvicorn worker")
        print(f"  {'endpoint':<36}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'vs bare':>9}")
        for label, (rate, p50, p99) in results.items():
            print(f"  {label:<36}{rate:>9,.0f}{p50:>9.1f}{p99:>9.1f}{rate / floor:>9.2f}")
        ratio = results["POST /api/v1/reports"][0] / floor
        print(f"  aim: POST /api/v1/reports at least {AIM:.2f} of the bare endpoint: "
              f"{ratio:.2f} {'ok' if ratio >= AIM else 'UNDER'}")


if __name__ == "__main__":
    main()
