"""Asking the guarantors' witnesses to cosign the ledger's checkpoints (c2sp.org/
tlog-witness), keeping their cosignatures, and saying which checkpoint is witnessed.

A witness cosigns a checkpoint only if a consistency proof shows it extends the last one
it cosigned, so the log sends each the proof from the size it holds. Writes never wait
for witnesses: `Witnessing` asks them from a thread of its own, and one that is down,
slow or answering garbage is asked again later with back-off while the others go on.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx2

from ceasefire.config import Settings
from ceasefire.errors import CeasefireError, ConfigError, Conflict, InvalidInput
from ceasefire.ledger.checkpoints import Checkpoint
from ceasefire.ledger.witnesses import NONE, Witness, Witnesses, parse_witnesses
from ceasefire.services import ledger
from ceasefire.store import ledger as store
from ceasefire.store.db import Database, HeldLock
from ceasefire.store.dialects import ASKER_LOCK

log = logging.getLogger(__name__)

BACKOFF = (0.5, 30.0)  # seconds: the first wait after a failure, and the longest


def configured(settings: Settings) -> Witnesses:
    """The witnesses CEASEFIRE_WITNESSES names (NONE if it names no file)."""
    if not settings.witnesses:
        return NONE
    path = Path(settings.witnesses)
    try:
        return parse_witnesses(path.read_text(encoding="utf-8"), str(path))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}",
                          field="CEASEFIRE_WITNESSES") from None
    except InvalidInput as exc:
        raise ConfigError(str(exc), field="CEASEFIRE_WITNESSES") from None


class WitnessFailed(Exception):
    """A witness did not cosign: down, refused, or answered something we cannot use."""


@dataclass(frozen=True, slots=True)
class Witnessed:
    """A checkpoint and the cosignatures it has, each checked against its witness's key."""

    checkpoint: Checkpoint
    cosignatures: tuple[tuple[Witness, str, datetime], ...]  # witness, line, when
    quorum: int

    @property
    def witnessed(self) -> bool:
        return self.quorum > 0 and len(self.cosignatures) >= self.quorum

    def note(self) -> str:
        """The checkpoint as a signed note with its cosignatures: what a reader checks."""
        from ceasefire.ledger.note import add_signatures

        return add_signatures(self.checkpoint.note or "", [line for _, line, _ in
                                                           self.cosignatures])

    def as_json(self) -> dict[str, object]:
        return {"size": self.checkpoint.size, "root": self.checkpoint.root.hex(),
                "note": self.note() if self.checkpoint.note else None,
                "witnessed": self.witnessed, "quorum": self.quorum,
                "cosignatures": [{"party": w.party, "witness": w.name, "vkey": w.vkey,
                                  "at": at.isoformat(), "line": line}
                                 for w, line, at in self.cosignatures]}


def request_body(old: int, proof: list[bytes], signed_note: str) -> bytes:
    """An add-checkpoint request: the size the witness holds, the proof from it, the note."""
    lines = [f"old {old}", *(base64.b64encode(h).decode() for h in proof), ""]
    return ("\n".join(lines) + "\n" + signed_note).encode()


def _proof(db: Database, old: int, size: int) -> list[bytes]:
    if old in (0, size):
        return []
    return ledger.consistency(db, old, size)[4]


def ask(db: Database, witness: Witness, checkpoint: Checkpoint, client: httpx2.Client) -> str:
    """Ask one witness to cosign `checkpoint`; its cosignature line, stored. A witness that
    holds another size than we thought (409) is sent the proof from its size, once."""
    if checkpoint.note is None:
        raise WitnessFailed("a checkpoint signed as JSON cannot be witnessed")
    with db.session() as session:
        old = min(store.cosigned_size(session, witness.name), checkpoint.size)
    for _ in range(2):
        body = request_body(old, _proof(db, old, checkpoint.size), checkpoint.note)
        try:
            answer = client.post(f"{witness.url}/add-checkpoint", content=body,
                                 timeout=witness.timeout)
        except httpx2.HTTPError as exc:
            raise WitnessFailed(f"{witness.party}'s witness is unreachable: {exc}") from None
        if answer.status_code == 409:
            held = answer.text.strip()
            if not held.isdigit() or int(held) > checkpoint.size or int(held) == old:
                raise WitnessFailed(f"{witness.party}'s witness holds size {held[:20]!r}, "
                                    f"not an earlier state of this ledger")
            old = int(held)
            continue
        if answer.status_code != 200:
            raise WitnessFailed(f"{witness.party}'s witness refused checkpoint "
                                f"{checkpoint.size}: {answer.status_code} "
                                f"{answer.text.strip()[:200]}")
        return _keep(db, witness, checkpoint, answer.text)
    raise WitnessFailed(f"{witness.party}'s witness keeps changing its size")


def _keep(db: Database, witness: Witness, checkpoint: Checkpoint, answer: str) -> str:
    text = checkpoint.text()
    for line in answer.splitlines():
        at = witness.cosigned_at(text, line)
        if at is not None:
            with db.session(write=True) as session:
                store.add_cosignature(session, store.StoredCosignature(
                    checkpoint.size, witness.name, witness.vkey, line.strip(),
                    datetime.fromtimestamp(at, UTC)))
            return line.strip()
    raise WitnessFailed(f"{witness.party}'s witness answered no cosignature of its key")


def cosigned(db: Database, witnesses: Witnesses, size: int) -> Witnessed | None:
    """The checkpoint of `size` and the cosignatures of it that verify (None: no such
    checkpoint). A row whose line does not verify by its witness's key is left out."""
    with db.session() as session:
        made = store.checkpoint(session, size)
        rows = store.cosignatures(session, size)
    if made is None:
        return None
    good = []
    if made.note is not None:
        text = made.text()
        kept = {row.witness: row for row in rows}
        for w in witnesses.witnesses:  # in the order the deployment lists them
            row = kept.get(w.name)
            if row is not None and w.vkey == row.vkey and w.cosigned_at(text, row.line):
                good.append((w, row.line, row.cosigned_at))
    return Witnessed(made, tuple(good), witnesses.quorum)


def latest_witnessed(db: Database, witnesses: Witnesses, at_least: int = 0,
                     ) -> Witnessed | None:
    """The largest checkpoint (of at least `at_least` entries) a quorum has cosigned."""
    if not witnesses:
        return None
    with db.session() as session:
        sizes = store.witnessed_sizes(session, [w.name for w in witnesses.witnesses],
                                      witnesses.quorum, at_least)
    for size in sizes:
        found = cosigned(db, witnesses, size)
        if found is not None and found.witnessed:
            return found
    return None


@dataclass(frozen=True, slots=True)
class Standing:
    """What every page says of the ledger's witnessing."""

    configured: bool
    quorum: int
    latest: Witnessed | None


def standing(db: Database) -> Standing:
    """The latest witnessed checkpoint, read again only when a cosignature was kept."""
    if not db.witnesses:
        return Standing(False, 0, None)
    with db.session() as session:
        mark = store.latest_cosigned(session)
    memo = db.memo.get("witnessed")
    if isinstance(memo, tuple) and memo[0] == mark:
        return memo[1]
    found = Standing(True, db.witnesses.quorum, latest_witnessed(db, db.witnesses))
    db.memo["witnessed"] = (mark, found)
    return found


def status(db: Database) -> dict[str, object]:
    """Who witnesses, the quorum, and the latest witnessed checkpoint, for the API."""
    found = latest_witnessed(db, db.witnesses)
    return {"witnesses": [{"party": w.party, "witness": w.name, "vkey": w.vkey}
                          for w in db.witnesses.witnesses],
            "quorum": db.witnesses.quorum, "latest": found.as_json() if found else None}


def round_of(db: Database, witnesses: Witnesses, client: httpx2.Client,
             only: list[Witness] | None = None) -> tuple[Checkpoint, dict[str, str]]:
    """Ask witnesses (all, or `only`) at once to cosign the checkpoint of the ledger now;
    the checkpoint and, by witness name, why each that did not cosign did not."""
    made = ledger.checkpoint(db)
    with db.session() as session:
        have = {c.witness for c in store.cosignatures(session, made.size)}
    asked = [w for w in (only if only is not None else witnesses.witnesses)
             if w.name not in have]
    failed: dict[str, str] = {}
    if asked:
        with ThreadPoolExecutor(len(asked)) as pool:
            futures = {w.name: pool.submit(ask, db, w, made, client) for w in asked}
        for name, future in futures.items():
            try:
                future.result()
            except WitnessFailed as exc:
                failed[name] = str(exc)
    return made, failed


def witness_now(db: Database, witnesses: Witnesses, *, at_least: int,
                client: httpx2.Client | None = None) -> Witnessed:
    """A witnessed checkpoint covering the first `at_least` entries, asking the witnesses
    once if there is none yet; Conflict, naming who did not cosign, if the quorum is not
    reached."""
    found = latest_witnessed(db, witnesses, at_least)
    if found is not None:
        return found
    with client or httpx2.Client() as http:
        made, failed = round_of(db, witnesses, http)
    found = latest_witnessed(db, witnesses, at_least)
    if found is not None:
        return found
    why = "; ".join(failed.values()) or "too few cosignatures"
    raise Conflict(f"checkpoint {made.size} is not witnessed (a quorum of "
                   f"{witnesses.quorum} cosignatures is needed): {why}", field="witnesses")


@dataclass
class Witnessing:
    """Asks the witnesses to cosign each new state of the ledger, from a thread of its own.

    A round makes the checkpoint of the ledger as it is and asks every witness that is not
    waiting out a back-off; the next round starts when the ledger has grown or a witness
    is due again. A failing witness waits 0.5 s, then twice as long each time, up to 30 s.
    """

    db: Database
    witnesses: Witnesses
    poll: float = 0.1  # seconds between looks at the ledger's head
    client: Callable[[], httpx2.Client] = httpx2.Client
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _wait: dict[str, float] = field(default_factory=dict)  # name -> back-off now
    _due: dict[str, float] = field(default_factory=dict)  # name -> monotonic time
    _next_try: float = 0.0  # when this process may try again to be the one that asks

    def start(self) -> None:
        if self.witnesses and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="witnessing", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(w.timeout for w in self.witnesses.witnesses) + 1)

    def _run(self) -> None:
        done = 0  # the size every witness has been asked about without failing
        held: HeldLock | None = None  # the asker's lock, while this process asks
        said = ""  # what the last failed round said, so that a lasting fault is said once
        try:
            with self.client() as http:
                while not self._stop.wait(self.poll):
                    try:
                        held = held or self._asker()
                        if held is not None:
                            done = self._round(http, done)
                        said = ""
                    except Exception as exc:  # the thread must outlive any one bad round
                        if isinstance(exc, CeasefireError):  # e.g. the key is not open
                            if str(exc) != said:
                                log.warning("asking the witnesses failed: %s", exc)
                            said = str(exc)
                        else:
                            log.exception("asking the witnesses failed")
                        if held is not None:
                            held.release()  # a lost connection, say: take the lock again
                            held = None
        finally:
            if held is not None:
                held.release()

    def _asker(self) -> HeldLock | None:
        """The asker's lock, if this process may ask: of several
        server processes (`serve --workers`) one asks the witnesses, and another takes
        over when it ends. Tried again once a second while another holds it."""
        now = time.monotonic()
        if now < self._next_try:
            return None
        self._next_try = now + 1.0
        return self.db.try_hold(ASKER_LOCK)

    def _round(self, http: httpx2.Client, done: int) -> int:
        with self.db.session() as session:
            size, _ = store.head(session)
        now = time.monotonic()
        due = [w for w in self.witnesses.witnesses if self._due.get(w.name, 0) <= now]
        if not size or (size == done and len(due) == len(self.witnesses.witnesses)):
            return done
        if not due:
            return done
        made, failed = round_of(self.db, self.witnesses, http, due)
        for w in due:
            if w.name in failed:
                wait = min(BACKOFF[1], max(BACKOFF[0], 2 * self._wait.get(w.name, 0)))
                self._wait[w.name], self._due[w.name] = wait, time.monotonic() + wait
                log.warning("witness %s: %s; asking again in %.1f s", w.name,
                            failed[w.name], wait)
            else:
                self._wait.pop(w.name, None)
        return made.size if not failed and len(due) == len(self.witnesses.witnesses) else done
