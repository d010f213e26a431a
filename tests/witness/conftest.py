"""A log (its key and origin), its Merkle trees and signed checkpoints, and a witness app on a
fresh state directory, for the witness's tests."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from nacl.signing import SigningKey
from starlette.testclient import TestClient

from ceasefire.ledger import note
from ceasefire.ledger.merkle import MerkleTree
from ceasefire.witness import Logs, WitnessKey, WitnessSettings, create_app

ORIGIN = "ceasefire.example/ledger"
LOG_KEY = SigningKey(bytes(range(32)))  # deterministic: the same keys every run
WITNESS = WitnessKey("witness.ru.ceasefire", SigningKey(bytes(range(1, 33))))
NOW = 1_765_000_000  # the witness's clock in the tests (Unix seconds)


def tree(size: int, *, fork: str = "") -> MerkleTree:
    """A log of `size` entries; another `fork` gives other entries (another history)."""
    log = MerkleTree()
    log.extend(f"{fork}entry {i}".encode() for i in range(size))
    return log


def checkpoint(log: MerkleTree, size: int | None = None, *, key: SigningKey = LOG_KEY,
               origin: str = ORIGIN, name: str | None = None) -> str:
    """The log's signed checkpoint of the first `size` entries of `log`."""
    size = len(log) if size is None else size
    text = note.checkpoint_text(origin, size, log.root(size))
    return note.sign(text, name or origin, key)


def body(old: int, signed: str, proof: Sequence[bytes] = ()) -> bytes:
    lines = [f"old {old}", *(base64.b64encode(h).decode() for h in proof)]
    return ("\n".join(lines) + "\n\n" + signed).encode()


def verifies(signed: str, lines: str, *, at: int = NOW) -> bool:
    """Whether `lines` is exactly one cosignature by the witness of the note's checkpoint,
    made at `at`."""
    text, _ = note.open_note(signed)
    (line,) = lines.splitlines()
    return note.cosigned_at(text, note.signature_line(line), WITNESS.name,
                            WITNESS.key.verify_key) == at


def settings(state: Path, *, logs: Logs | None = None) -> WitnessSettings:
    logs = logs or Logs({ORIGIN: (LOG_KEY.verify_key,)})
    return WitnessSettings(key=WITNESS, logs=logs, state=state)


@dataclass
class Client:
    """A witness app on a state directory, through Starlette's test client."""

    http: TestClient
    state: Path

    def add(self, old: int, signed: str, proof: Sequence[bytes] = ()):
        return self.http.post("/add-checkpoint", content=body(old, signed, proof))

    def files(self) -> list[str]:
        """Every file the witness wrote under its state (the lock aside)."""
        return sorted(str(p.relative_to(self.state)) for p in self.state.rglob("*")
                      if p.is_file() and p.name != "lock")

    def evidence(self) -> list[Path]:
        return sorted((self.state / "evidence").glob("*.json"))


OpenWitness = Callable[..., Client]


@pytest.fixture
def open_witness(tmp_path: Path) -> Iterator[OpenWitness]:
    """A witness on `tmp_path/state` (or `state`), a new app each call: a restart."""
    clients: list[TestClient] = []

    def opened(state: Path | None = None, **kwargs) -> Client:
        state = state or tmp_path / "state"
        http = TestClient(create_app(settings(state, **kwargs), clock=lambda: NOW))
        clients.append(http)
        return Client(http.__enter__(), state)

    yield opened
    for http in clients:
        http.__exit__(None, None, None)


@pytest.fixture
def witness(open_witness: OpenWitness) -> Client:
    return open_witness()
