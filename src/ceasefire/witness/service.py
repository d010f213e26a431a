"""A witness: the protocol's decisions, applied to its state, and its cosignatures."""

from __future__ import annotations

import time
from collections.abc import Callable

from ceasefire.ledger import note
from ceasefire.witness.config import WitnessSettings
from ceasefire.witness.protocol import Held, check_signed, decide, parse_request
from ceasefire.witness.state import WitnessState


def unix_now() -> int:
    return int(time.time())


class Witness:
    def __init__(self, settings: WitnessSettings, *, state: WitnessState | None = None,
                 clock: Callable[[], int] = unix_now) -> None:
        self.settings = settings
        self.state = state if state is not None else WitnessState(settings.state)
        self._clock = clock

    @property
    def name(self) -> str:
        return self.settings.key.name

    @property
    def vkey(self) -> str:
        return self.settings.key.vkey

    def add_checkpoint(self, body: bytes) -> str:
        """The cosignature line(s) for the request's checkpoint, once it is held; else the
        refusal (protocol's errors, each with its HTTP status). A refused checkpoint the
        log signed that conflicts with what is held is kept as evidence first."""
        request = parse_request(body)
        check_signed(request, self.settings.logs.keys)
        origin, size = request.checkpoint.origin, request.checkpoint.size
        with self.state.locked():
            latest = self.state.latest(origin)
            earlier = (self.state.accepted(origin, size)
                       if latest is not None and size < latest.size else None)
            outcome = decide(request, latest=latest, earlier=earlier)
            if outcome.evidence is not None:
                self.state.keep(outcome.evidence)
            if outcome.refusal is not None:
                raise outcome.refusal
            if outcome.advance:
                self.state.advance(Held(request.note, request.checkpoint))
        key = self.settings.key
        return note.cosign(request.text, key.name, key.key, self._clock())
