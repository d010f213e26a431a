"""The demo's witnesses: one per guarantor the scenario names, on this machine, each with
its own key, state directory and loopback port, as `make run` starts them. In a real
deployment each guarantor runs `ceasefire witness serve` on a machine of its own."""

from __future__ import annotations

import os
import secrets
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ceasefire.errors import InvalidInput
from ceasefire.intake.scenario import locate, parse
from ceasefire.store import durable
from ceasefire.witness.config import new_key, open_key, seal_key
from ceasefire.witness.process import WitnessProcess, stop_all


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
    # Their own session: a Ctrl-C meant for `make run` reaches them through us.
    running = [WitnessProcess(key_file=w.key_file, state=w.state, passphrase=plan.passphrase,
                              log_file=plan.directory / "log.vkeys", port=w.port,
                              own_session=True, name=f"{w.party}'s witness")
               for w in plan.witnesses]
    parent = os.getppid()
    try:
        for w, process in zip(plan.witnesses, running, strict=True):
            if stopping.is_set():
                return
            try:
                echo(f"{w.party}: {process.start()}")
            except InvalidInput as exc:
                raise InvalidInput(f"{exc.message} (port {w.port} in use?)",
                                   field="base-port") from None
        while not stopping.wait(0.5) and os.getppid() == parent:
            if any(process.exited for process in running):
                raise InvalidInput("a witness stopped; stopping the others", field="witness")
    finally:
        stop_all(running)
