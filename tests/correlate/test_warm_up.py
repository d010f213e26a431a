"""`warm_up` loads every compiled loop the live path runs, so a new server process's first
write loads none (inside a write transaction it would hold other processes' writers back).

Checked in a fresh process, where nothing is loaded yet: warm_up loads loops, and then
reports stored and correlated one batch after another, near one another so that they are
scored, linked and clustered again, load no further loop."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ceasefire.services.scenarios import load_scenario
from ceasefire.store.db import Database
from tests.conftest import SERVER_PASSPHRASE

_CHILD = r"""
import json, sys
from numba.core.registry import CPUDispatcher
from ceasefire.correlate import candidates, cluster, hashes, scoring
from ceasefire.intake.report_in import ReportIn
from ceasefire.services.correlation import warm_up
from ceasefire.services.reports import Submission, submit_reports
from ceasefire.store.db import Database

def loaded():
    return {f"{m.__name__}.{name}": len(d.signatures)
            for m in (candidates, cluster, hashes, scoring)
            for name, d in vars(m).items() if isinstance(d, CPUDispatcher)}

url, passphrase, token, bodies = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
before = loaded()
warm_up()
warm = loaded()
db = Database(url, server_passphrase=passphrase)
for body in bodies:  # one write each, as requests that arrive apart
    (result,) = submit_reports(db, [Submission(ReportIn.model_validate(body), token)])
    assert not isinstance(result, Exception), result
print(json.dumps({"before": before, "warm": warm, "after": loaded()}))
"""


def _body(hour: int, town: tuple[float, float], narrative: str) -> dict[str, object]:
    return {"when": {"earliest": f"2017-01-15T{hour:02d}:00:00Z"},
            "place": {"lat": town[0], "lon": town[1]}, "violation": "shelling",
            "perpetrators": ["syrian-government"], "targets": ["syrian-opposition"],
            "narrative": narrative}


def test_after_warm_up_the_live_path_loads_no_compiled_loop(tmp_path: Path,
                                                            syria_scenario) -> None:
    url = f"sqlite:///{tmp_path}/warm.db"
    db = Database(url, server_passphrase=SERVER_PASSPHRASE)
    db.upgrade()
    token = load_scenario(db, syria_scenario).tokens["tr-officer"]
    db.dispose()
    aleppo, near = (36.2021, 37.1343), (36.2050, 37.1400)
    bodies = [_body(10, aleppo, "Shelling of the eastern districts, 3 killed."),
              _body(11, near, "Shelling in eastern Aleppo, 3 killed."),
              _body(12, aleppo, "Eastern districts shelled again, 3 killed."),
              _body(9, (33.5138, 36.2765), "Shelling of Jobar.")]
    out = subprocess.run([sys.executable, "-c", _CHILD, url, SERVER_PASSPHRASE, token,
                          json.dumps(bodies)], capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout)
    assert not any(seen["before"].values())  # a fresh process: nothing loaded yet
    # The reports run the scoring, candidate and clustering loops (several of each).
    assert sum(seen["after"].values()) >= 5
    grew = {name for name, n in seen["after"].items() if n != seen["warm"][name]}
    assert not grew, f"loaded inside a write, after warm_up: {sorted(grew)}"
