"""What a witness runs with: its own key and cosigner name, the logs it witnesses (their
verifier keys, several allowed per origin, for a log whose key was rotated), and its state
directory.

The witness's key file is the ledger's sealed key file (ledger.keys: an Ed25519 seed under
argon2id and a passphrase) with one field more, `witness`: the name its cosignatures carry.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from nacl.signing import SigningKey, VerifyKey

from ceasefire.errors import InvalidInput
from ceasefire.ledger import keys, note

PASSPHRASE_ENV = "CEASEFIRE_WITNESS_PASSPHRASE"
MAX_BODY = 64 * 1024  # an add-checkpoint body: 63 proof lines and a note fit many times


@dataclass(frozen=True, slots=True)
class WitnessKey:
    name: str  # the cosigner name, e.g. witness.ru.ceasefire
    key: SigningKey

    @property
    def vkey(self) -> str:
        return note.vkey(self.name, self.key.verify_key)


def seal_key(witness: WitnessKey, passphrase: str, *, opslimit: int = keys.OPSLIMIT,
             memlimit: int = keys.MEMLIMIT) -> bytes:
    """The key file's bytes."""
    data = json.loads(keys.seal(witness.key, passphrase, opslimit=opslimit,
                                memlimit=memlimit))
    data["witness"] = witness.name
    return json.dumps(data, indent=2).encode() + b"\n"


def new_key(name: str) -> WitnessKey:
    try:
        note.key_id(name, b"")  # the name's rules: no spaces, no '+'
    except note.NoteError as exc:
        raise InvalidInput(str(exc), field="name") from None
    return WitnessKey(name, SigningKey.generate())


def open_key(content: bytes, passphrase: str, *, source: str) -> WitnessKey:
    """The witness key a key file seals (InvalidInput naming the file if it cannot)."""
    try:
        name = json.loads(content).get("witness")
    except (ValueError, AttributeError):
        name = None
    if not isinstance(name, str):
        raise InvalidInput("not a witness key file (make one with `ceasefire witness "
                           "keygen`)", source=source)
    try:
        return WitnessKey(name, keys.unseal(content, passphrase))
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field=exc.field, source=source) from None


def parse_vkey(text: str) -> tuple[str, VerifyKey]:
    """A verifier key, name+keyid+key, as Go's sumdb/note reads it."""
    return note.parse_vkey(text)


@dataclass(frozen=True, slots=True)
class Logs:
    """The logs witnessed: each origin's verifier keys."""

    keys: Mapping[str, tuple[VerifyKey, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.keys)


def parse_logs(vkeys: Iterable[tuple[str, int | None, str]]) -> Logs:
    """The logs from verifier keys, each given with where it came from (a source and a line
    number, for the message if it is not one)."""
    found: dict[str, list[VerifyKey]] = {}
    for source, line, text in vkeys:
        try:
            origin, key = parse_vkey(text)
        except note.NoteError as exc:
            raise InvalidInput(f"{exc}: {text.strip()[:80]!r}", source=source, line=line) \
                from None
        have = found.setdefault(origin, [])
        if key not in have:
            have.append(key)
    if not found:
        raise InvalidInput("no log to witness: give its verifier key (--log or --log-file)",
                           field="log")
    return Logs({origin: tuple(ks) for origin, ks in found.items()})


def log_file_lines(path: Path) -> list[tuple[str, int | None, str]]:
    """The verifier keys of a file, one a line (blank lines and '#' comments skipped)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read the log file: {getattr(exc, 'strerror', exc)}",
                           source=str(path)) from None
    return [(str(path), n, line) for n, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.lstrip().startswith("#")]


@dataclass(frozen=True, slots=True)
class WitnessSettings:
    key: WitnessKey
    logs: Logs
    state: Path
    max_body: int = MAX_BODY
