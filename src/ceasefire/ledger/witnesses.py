"""The witnesses a log asks to cosign its checkpoints, and when a checkpoint is witnessed.

Each guarantor runs a witness on its own machine with its own key (`ceasefire witness
serve`). A checkpoint is witnessed once a quorum of them has cosigned it: from then on no
one, the server's host included, can show another history of that size to those parties
without the conflict being signed evidence in their hands.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass

from nacl.signing import VerifyKey

from ceasefire.errors import InvalidInput
from ceasefire.ledger import note

TIMEOUT = 5.0  # seconds a witness has to answer, unless the witnesses file says


@dataclass(frozen=True, slots=True)
class Witness:
    party: str  # the guarantor that runs it
    name: str  # its key's name in its cosignatures
    url: str  # where it answers add-checkpoint
    key: VerifyKey
    timeout: float = TIMEOUT  # seconds it has to answer one request

    @property
    def vkey(self) -> str:
        return note.vkey(self.name, self.key)

    def cosigned_at(self, text: str, line: str) -> int | None:
        """When this witness cosigned the checkpoint `text`, if `line` is its cosignature."""
        try:
            signature = note.signature_line(line)
        except note.NoteError:
            return None
        return note.cosigned_at(text, signature, self.name, self.key)


@dataclass(frozen=True, slots=True)
class Witnesses:
    quorum: int
    witnesses: tuple[Witness, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.witnesses)

    def named(self, name: str) -> Witness | None:
        return next((w for w in self.witnesses if w.name == name), None)

    def reached(self, cosigners: Iterable[str]) -> bool:
        """Whether these witnesses' cosignatures make a quorum (unknown names count not)."""
        return bool(self) and len({n for n in cosigners if self.named(n)}) >= self.quorum


NONE = Witnesses(0)


def parse_witnesses(text: str, source: str = "witnesses") -> Witnesses:
    """The witnesses file: `quorum = N` and one `[[witness]]` table per witness with its
    `party`, `url` and `vkey` (and, if not 5, the `timeout` in seconds it has to answer).
    Every fault names its place; nothing is half-read."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{source} is not TOML: {exc}", field=source) from None
    tables = data.get("witness", [])
    if not isinstance(tables, list) or not tables:
        raise InvalidInput(f"{source} names no [[witness]]", field="witness", source=source)
    found: list[Witness] = []
    for n, table in enumerate(tables, 1):
        where = f"witness {n}"
        try:
            name, key = note.parse_vkey(str(table["vkey"]))
            party, url = str(table["party"]), str(table["url"])
        except KeyError as exc:
            raise InvalidInput(f"{where} has no {exc.args[0]}", field=str(exc.args[0]),
                               source=source) from None
        except note.NoteError as exc:
            raise InvalidInput(f"{where}: {exc}", field="vkey", source=source) from None
        if not url.startswith(("http://", "https://")):
            raise InvalidInput(f"{where}: its url is http(s)://…, not {url!r}", field="url",
                               source=source)
        timeout = table.get("timeout", TIMEOUT)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) \
                or not 0 < timeout <= 60:
            raise InvalidInput(f"{where}: its timeout is 0 to 60 seconds, not {timeout!r}",
                               field="timeout", source=source)
        if any(w.name == name or w.party == party for w in found):
            raise InvalidInput(f"{where}: {party} or {name} is named twice", field="vkey",
                               source=source)
        found.append(Witness(party, name, url.rstrip("/"), key, float(timeout)))
    quorum = data.get("quorum", len(found))
    if not isinstance(quorum, int) or not 1 <= quorum <= len(found):
        raise InvalidInput(f"the quorum is 1 to {len(found)} witnesses, not {quorum!r}",
                           field="quorum", source=source)
    return Witnesses(quorum, tuple(found))
