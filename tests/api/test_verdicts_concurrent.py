"""Two guarantor officers change their parties' verdicts on the same incidents at once,
500 times each: every change is either written in full or refused with the current state,
and the history holds every change that was written, in version order."""

import threading

import pytest

from ceasefire.domain.agreement import Position
from ceasefire.services import verification
from tests.api.test_verdicts_api import SHELLING, report

pytestmark = pytest.mark.slow  # many concurrent writers on both backends

CHANGES = 500
INCIDENTS = 4


def test_two_parties_changing_verdicts_at_once_lose_no_update(client, tokens, database):
    incidents = [report(client, tokens, {
        **SHELLING, "when": {"earliest": f"2017-01-{10 + k}T10:00:00Z"}}) for k in range(
            INCIDENTS)]
    start = threading.Barrier(2)
    written: dict[str, list[tuple[str, str]]] = {"ru-officer": [], "tr-officer": []}
    refused = {"ru-officer": 0, "tr-officer": 0}
    failures: list[BaseException] = []

    def officer(who: str) -> None:
        positions = [Position.CONFIRM, Position.REJECT, Position.ABSTAIN]
        versions = {i: 0 for i in incidents}
        try:
            start.wait()
            for n in range(CHANGES):
                incident = incidents[n % INCIDENTS]
                position = positions[n % 3]
                while True:  # as a client does on a 409: take the current version, retry
                    try:
                        view = verification.cast(database, tokens[who], incident,
                                                 position=position,
                                                 seen_version=versions[incident])
                    except verification.StaleVerdict as stale:
                        refused[who] += 1
                        versions[incident] = stale.current.version
                        continue
                    versions[incident] = view.version
                    written[who].append((incident, position.value))
                    break
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=officer, args=(w,)) for w in written]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    assert len(written["ru-officer"]) == len(written["tr-officer"]) == CHANGES
    total = 0
    for incident in incidents:
        (view,) = verification.read(database, incident)
        history = view.history
        total += len(history)
        # Versions run 1..n without a gap or a repeat: no write was lost or doubled.
        assert [v.version for v in history] == list(range(1, len(history) + 1))
        assert view.version == len(history)
        for party, who in (("RU", "ru-officer"), ("TR", "tr-officer")):
            mine = [p for i, p in written[who] if i == incident]
            assert [v.position for v in history if v.party == party] == mine
            assert view.latest[party].position == mine[-1]
    assert total == 2 * CHANGES
    # The two really did collide: each was refused and had to decide again.
    assert refused["ru-officer"] > 0 and refused["tr-officer"] > 0, refused
