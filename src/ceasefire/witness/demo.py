"""The demo's witnesses: one per guarantor the scenario names, on this machine, each with
its own key, state directory and loopback port, as `make run` starts them. In a real
deployment each guarantor runs `ceasefire witness serve` on a machine of its own."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ceasefire.errors import InvalidInput
from ceasefire.intake.scenario import locate, parse
from ceasefire.store import durable
from ceasefire.witness.config import PASSPHRASE_ENV, new_key, open_key, seal_key


@dataclass(frozen=True)
class DemoWitness:
    party: str
    key_file: Path
    state: Path
    port: int


@dataclass(frozen=True)
class DemoPlan:
    directory: Path
    passphrase: str
    witnesses: tuple[DemoWitness, ...]
    quorum: int


def prepare_demo(directory: Path, scenario: str, log_vkeys: Sequence[str],
                 base_port: int) -> DemoPlan:
    """Make what is missing (a passphrase, each guarantor's key) and write the server's
    witnesses file and the witnesses' log keys; what exists is kept."""
    label, text = locate(scenario)
    plan = parse(text, source=label)
    if not plan.witnesses:
        raise InvalidInput(f"scenario {scenario} names no witnesses ([witnessing])",
                           field="scenario")
    directory.mkdir(parents=True, exist_ok=True)
    secret = directory / "passphrase"
    if not secret.exists():
        durable.create(secret, secrets.token_urlsafe(24).encode())
    passphrase = secret.read_text().strip()
    found, entries = [], [f"quorum = {plan.witness_quorum}\n"]
    for n, party in enumerate(plan.witnesses):
        home = directory / party
        home.mkdir(exist_ok=True)
        key_file = home / "witness.key"
        if not key_file.exists():
            durable.create(key_file, seal_key(new_key(f"witness.{party.lower()}.demo"),
                                              passphrase))
        key = open_key(key_file.read_bytes(), passphrase, source=str(key_file))
        port = base_port + n
        found.append(DemoWitness(party, key_file, home / "state", port))
        entries.append(f'\n[[witness]]\nparty = "{party}"\nurl = "http://127.0.0.1:{port}"\n'
                       f'vkey = "{key.vkey}"\n')
    # Written again each time, from the keys and ports as they are now.
    durable.replace(directory / "witnesses.toml", "".join(entries).encode(),
                    mode=durable.SECRET)
    durable.replace(directory / "log.vkeys", "".join(f"{v}\n" for v in log_vkeys).encode(),
                    mode=durable.SECRET)
    return DemoPlan(directory, passphrase, tuple(found), plan.witness_quorum)


def stop_on_signals() -> threading.Event:
    """An event SIGTERM and SIGINT set. The handler only says so: the main thread stops
    the witnesses, never a handler that may interrupt it while it waits on one."""
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    return stopping


def run_demo(plan: DemoPlan, stopping: threading.Event, *,
             echo: Callable[[str], None]) -> None:
    """Start every witness, then wait until `stopping` is set, the process that started
    this one ends (`make run`, however it was stopped), or a witness stops (the demo is
    its three witnesses or nothing); then stop them all."""
    env = {**os.environ, PASSPHRASE_ENV: plan.passphrase}
    running: list[subprocess.Popen[str]] = []
    parent = os.getppid()
    try:
        for w in plan.witnesses:
            if stopping.is_set():
                return
            # Their own session: a Ctrl-C meant for `make run` reaches them through us.
            proc = subprocess.Popen(
                [sys.executable, "-m", "ceasefire", "witness", "serve", "--key",
                 str(w.key_file), "--state", str(w.state), "--log-file",
                 str(plan.directory / "log.vkeys"), "--port", str(w.port)],
                env=env, stdout=subprocess.PIPE, text=True, start_new_session=True)
            running.append(proc)
            line = proc.stdout.readline() if proc.stdout else ""
            if not re.search(r"listening on", line):
                raise InvalidInput(f"{w.party}'s witness did not start (port {w.port} in "
                                   "use?)", field="base-port")
            echo(f"{w.party}: {line.strip()}")
        while not stopping.wait(0.5) and os.getppid() == parent:
            if any(proc.poll() is not None for proc in running):
                raise InvalidInput("a witness stopped; stopping the others", field="witness")
    finally:
        for proc in running:
            if proc.poll() is None:
                proc.terminate()
        for proc in running:
            proc.wait(timeout=30)
