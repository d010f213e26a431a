"""POST /api/v1/reports with the ledger witnessed and mirrored, beside the same load
unwitnessed, in one run.

Both arms are api_submit's load (its server, wrk script and simulated bodies; 8
connections, BENCH_SECONDS, default 10, after a 3 s warm-up), each on a fresh SQLite
record of the Syria scenario. The witnessed arm also runs three guarantors' witnesses (RU,
TR, IR: `ceasefire witness serve`, each its own process, key and state, on loopback;
quorum 3), which the server's Witnessing thread asks to cosign each new state of the
ledger, and a mirror (services.mirroring) pulling and verifying the log's tiles from the
served app, pass after pass, from a thread here.

A thread here asks `latest_witnessed` every 10 ms and notes when it grows. Each report
submitted in the measured window is timed from its ledger entry's `at` (made before its
commit; the answer follows the commit, so the lag is if anything overstated) to the first
look that saw a witnessed checkpoint covering its seq. The aim: witnesses keep up, the
lag's p99 under a second.
"""

from __future__ import annotations

import bisect
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx2
import nacl.pwhash
from nacl.signing import SigningKey

from bench import PASSPHRASE
from bench.api_submit import CONNECTIONS, _bodies, _script, _server, _wrk
from ceasefire.intake.scenario import locate, parse
from ceasefire.ledger.witnesses import Witness, Witnesses
from ceasefire.services.ledger import log_vkeys
from ceasefire.services.scenarios import load_scenario
from ceasefire.services.witnessing import latest_witnessed
from ceasefire.store import ledger as store
from ceasefire.store.db import Database
from ceasefire.witness.config import WitnessKey, seal_key
from ceasefire.witness.process import WitnessProcess, stop_all

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
WARM_UP = 3  # seconds of load before each measured run
PARTIES = ("RU", "TR", "IR")
QUORUM = 3
LOOK = 0.01  # seconds between looks at the latest witnessed checkpoint
SETTLE = 10.0  # seconds the last writes have, after the load, to be witnessed
AIM_LAG = 1.0  # seconds: the witnessed checkpoint's lag behind a write, at p99
WITNESS_PASSPHRASE = "benchmark witness passphrase"
FACTORY = "ceasefire.app:from_env"


def _record(url: str) -> tuple[str, list[str]]:
    """A fresh record of the scenario: the officer's token, and the log's verifier keys
    (its server keys, named by its origin) for the witnesses to know it by."""
    db = Database(url, server_passphrase=PASSPHRASE)
    try:
        db.upgrade()
        source, body = locate("syria-2016")
        token = load_scenario(db, parse(body, source=source)).tokens["tr-officer"]
        return token, log_vkeys(db)
    finally:
        db.dispose()


@contextmanager
def _witnesses(directory: Path, vkeys: list[str]) -> Iterator[Witnesses]:
    """One `ceasefire witness serve` per guarantor on a free loopback port, each with its
    own key (fixed seeds; sealed with argon2id's minimum cost, as the tests do) and state;
    and the witnesses file naming them, at directory/witnesses.toml."""
    directory.mkdir(parents=True, exist_ok=True)
    running: list[WitnessProcess] = []
    named: list[Witness] = []
    try:
        for n, party in enumerate(PARTIES):
            key = WitnessKey(f"witness.{party.lower()}.bench", SigningKey(bytes([n + 7] * 32)))
            key_file = directory / f"{party}.key"
            key_file.write_bytes(seal_key(key, WITNESS_PASSPHRASE,
                                          opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN,
                                          memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN))
            running.append(WitnessProcess(key_file=key_file, state=directory / f"{party}-state",
                                          passphrase=WITNESS_PASSPHRASE, logs=vkeys,
                                          errors=directory / f"{party}.log",
                                          name=f"{party}'s witness"))
            running[-1].start()
            named.append(Witness(party, key.name, running[-1].url, key.key.verify_key))
        (directory / "witnesses.toml").write_text(
            f"quorum = {QUORUM}\n" + "".join(
                f'\n[[witness]]\nparty = "{w.party}"\nurl = "{w.url}"\nvkey = "{w.vkey}"\n'
                for w in named), encoding="utf-8")
        yield Witnesses(QUORUM, tuple(named))
    finally:
        stop_all(running, timeout=10)


class _Loop:
    """A thread doing one thing again and again until stopped."""

    def __init__(self, name: str) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        raise NotImplementedError


class _Watch(_Loop):
    """Looks at the latest witnessed checkpoint every LOOK seconds; notes (monotonic time,
    wall time, size) whenever it grows."""

    def __init__(self, db: Database) -> None:
        super().__init__("bench-watch")
        self.db = db
        self.seen: list[tuple[float, float, int]] = []
        self.size = 0
        self.failures: list[str] = []

    def _run(self) -> None:
        while not self._stop.wait(LOOK):
            try:
                found = latest_witnessed(self.db, self.db.witnesses, self.size + 1)
            except Exception as exc:  # noqa: BLE001 - noted, and reported
                self.failures.append(f"{type(exc).__name__}: {exc}")
                continue
            if found is not None:
                self.size = found.checkpoint.size
                self.seen.append((time.monotonic(), time.time(), self.size))

    def witnessed_at(self, seq: int) -> float | None:
        """The wall time of the first look that saw a witnessed checkpoint holding seq."""
        i = bisect.bisect_left(self.seen, seq, key=lambda look: look[2])
        return self.seen[i][1] if i < len(self.seen) else None


@dataclass
class _Pass:
    ended: float  # monotonic
    seconds: float
    size: int


class _Mirror(_Loop):
    """mirror(base, directory) pass after pass, against the served app."""

    def __init__(self, base: str, directory: Path) -> None:
        super().__init__("bench-mirror")
        self.base, self.directory = base, directory
        self.passes: list[_Pass] = []
        self.failures: list[str] = []
        self.missing: str | None = None
        try:
            from ceasefire.services.mirroring import mirror
        except ImportError as exc:  # HOOK: the mirror is being finished elsewhere
            self.missing = f"services.mirroring.mirror is not importable: {exc}"
        else:
            self._mirror = mirror

    def start(self) -> None:
        if self.missing is None:
            super().start()

    def stop(self) -> None:
        if self.missing is None:
            super().stop()

    def _run(self) -> None:
        with httpx2.Client(timeout=30.0) as http:
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    result = self._mirror(self.base, self.directory, client=http)
                except Exception as exc:  # noqa: BLE001 - noted, and reported
                    self.failures.append(f"{type(exc).__name__}: {exc}")
                    self._stop.wait(0.5)
                    continue
                now = time.monotonic()
                self.passes.append(_Pass(now, now - started, result.size))


@dataclass
class _Snapshot:
    at: float  # monotonic
    head: int
    cosignatures: int
    witnessed: int  # checkpoints a quorum has cosigned (as stored)


def _snapshot(db: Database) -> _Snapshot:
    with db.session() as session:
        head = store.head(session)[0]
        cosignatures, witnessed = store.cosignature_counts(session, db.witnesses.quorum)
    return _Snapshot(time.monotonic(), head, cosignatures, witnessed)


@dataclass
class _Witnessed:
    rate: tuple[float, float, float]  # wrk's req/s, p50 ms, p99 ms
    seconds: float
    before: _Snapshot
    after: _Snapshot
    lags: list[float]  # seconds, one a report submitted in the window
    unwitnessed: int  # reports in the window no witnessed checkpoint covered by the end
    mirror: _Mirror
    look_failures: list[str] = field(default_factory=list)


def _unwitnessed_arm(workdir: Path, bodies: list[str]) -> tuple[float, float, float]:
    url = f"sqlite:///{workdir}/unwitnessed.db"
    token, _ = _record(url)
    script = _script(workdir / "unwitnessed.lua", token, bodies)
    env = {"CEASEFIRE_DATABASE_URL": url, "CEASEFIRE_SERVER_PASSPHRASE": PASSPHRASE}
    with _server(FACTORY, env) as base:
        _wrk(base + "/api/v1/reports", script, WARM_UP)
        return _wrk(base + "/api/v1/reports", script, SECONDS)


def _witnessed_arm(workdir: Path, bodies: list[str]) -> _Witnessed:
    url = f"sqlite:///{workdir}/witnessed.db"
    token, vkeys = _record(url)
    script = _script(workdir / "witnessed.lua", token, bodies)
    with ExitStack() as stack:
        witnesses = stack.enter_context(_witnesses(workdir / "witnesses", vkeys))
        env = {"CEASEFIRE_DATABASE_URL": url, "CEASEFIRE_SERVER_PASSPHRASE": PASSPHRASE,
               "CEASEFIRE_WITNESSES": str(workdir / "witnesses" / "witnesses.toml")}
        base = stack.enter_context(_server(FACTORY, env))
        db = Database(url, witnesses=witnesses)
        stack.callback(db.dispose)
        watch, mirrors = _Watch(db), _Mirror(base, workdir / "mirror")
        watch.start()
        stack.callback(watch.stop)
        mirrors.start()
        stack.callback(mirrors.stop)

        _wrk(base + "/api/v1/reports", script, WARM_UP)
        before = _snapshot(db)
        rate = _wrk(base + "/api/v1/reports", script, SECONDS)
        after = _snapshot(db)
        seconds = after.at - before.at
        mirrors.stop()
        deadline = time.monotonic() + SETTLE
        while watch.size < after.head and time.monotonic() < deadline:
            time.sleep(LOOK)
        watch.stop()

        with db.session() as session:
            submitted = [e for e in store.entries_between(session, before.head + 1, after.head)
                         if e.action == "report.submitted"]
        lags, unwitnessed = [], 0
        for entry in submitted:
            at = watch.witnessed_at(entry.seq)
            if at is None:
                unwitnessed += 1
            else:
                lags.append(at - entry.at.timestamp())
        return _Witnessed(rate, seconds, before, after, lags, unwitnessed, mirrors,
                          watch.failures)


def _percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ceasefire-bench-") as tmp:
        workdir = Path(tmp)
        bodies = _bodies()
        plain = _unwitnessed_arm(workdir, bodies)
        w = _witnessed_arm(workdir, bodies)

    print(f"\nwitnessing: {CONNECTIONS} connections, {SECONDS} s each after a {WARM_UP} s "
          f"warm-up, one uvicorn worker, SQLite; witnesses {'/'.join(PARTIES)} "
          f"(quorum {QUORUM}) as processes on loopback, a mirror pulling in a loop")
    print(f"  {'POST /api/v1/reports':<36}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'vs unwitnessed':>16}")
    for label, (rate, p50, p99) in (("unwitnessed", plain),
                                    ("witnessed (3 witnesses) + mirror", w.rate)):
        print(f"  {label:<36}{rate:>9,.0f}{p50:>9.1f}{p99:>9.1f}{rate / plain[0]:>16.2f}")
    cosigned = w.after.cosignatures - w.before.cosignatures
    witnessed = w.after.witnessed - w.before.witnessed
    print(f"  in {w.seconds:.1f} s: {w.after.head - w.before.head:,} entries; {cosigned:,} "
          f"cosignatures ({cosigned / w.seconds:,.1f}/s); {witnessed:,} checkpoints "
          f"witnessed ({witnessed / w.seconds:,.1f}/s)")
    p50, p99 = _percentile(w.lags, 50), _percentile(w.lags, 99)
    verdict = "met" if w.lags and not w.unwitnessed and p99 < AIM_LAG else "NOT met"
    print(f"  write -> its witnessed checkpoint, {len(w.lags):,} reports: p50 "
          f"{p50 * 1000:,.0f} ms, p99 {p99 * 1000:,.0f} ms"
          + (f"; {w.unwitnessed:,} never witnessed within {SETTLE:.0f} s"
             if w.unwitnessed else ""))
    print(f"  aim: witnesses keep up: lag p99 < {AIM_LAG:.0f} s ({verdict}); "
          f"witnessed {w.rate[0]:,.0f} req/s beside unwitnessed {plain[0]:,.0f} req/s "
          f"({w.rate[0] / plain[0]:.2f})")
    m = w.mirror
    if m.missing is not None:
        print(f"  mirror: NOT RUN ({m.missing})")
    else:
        done = [p for p in m.passes if p.ended <= w.after.at]
        size = done[-1].size if done else 0
        during = [p for p in done if p.ended >= w.before.at]
        mean = statistics.fmean(p.seconds for p in during) if during else float("nan")
        # Behind by the entries written since its last pass began: a pass's worth or two.
        per_second = (w.after.head - w.before.head) / w.seconds
        behind = (w.after.head - size) / per_second if per_second else 0.0
        kept = "kept up" if during and behind <= 2 * mean + 1 else "fell behind"
        print(f"  mirror: {len(m.passes):,} passes ({len(during):,} in the window, "
              f"{mean:.2f} s each on average); at the end of the load it held "
              f"{size:,} of the ledger's {w.after.head:,} entries, {behind:.1f} s of "
              f"writes behind ({kept}: aim, within two passes and a second)"
              + (f"; {len(m.failures)} failed, last: {m.failures[-1][:200]}"
                 if m.failures else ""))
    if w.look_failures:
        print(f"  ({len(w.look_failures)} looks at the witnessed checkpoint failed, last: "
              f"{w.look_failures[-1][:200]})")


if __name__ == "__main__":
    main()
