"""Which keys a ledger trusts, from its entries alone (ledger/trust.py): the rules, entry
by entry, on a ledger built here without a database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from nacl.signing import SigningKey

from ceasefire.ledger import trust
from ceasefire.ledger.audit import Audit
from ceasefire.ledger.entries import GENESIS, Entry, key_id, sign

AT = datetime(2017, 1, 5, tzinfo=UTC)
SERVER, RU, RU_2, OTHER = (SigningKey(bytes([k]) * 32) for k in (1, 2, 3, 4))


class Ledger:
    def __init__(self) -> None:
        self.entries: list[Entry] = []

    @property
    def prev(self) -> bytes:
        return self.entries[-1].hash() if self.entries else GENESIS

    def add(self, key: SigningKey, action: str, payload: dict, *, party: str | None = None,
            account: str | None = None, on_behalf: bool = False) -> int:
        seq = len(self.entries) + 1
        self.entries.append(sign(Entry(seq, AT, party, account, action, payload, self.prev,
                                       key_id(key.verify_key), on_behalf), key))
        return seq

    def key(self, action: str, party: str | None, new: SigningKey, **extra) -> dict:
        return trust.key_payload(action, party, new, self.prev, **extra)

    def problem(self) -> str | None:
        audit = Audit()
        for e in self.entries:
            audit.add(e, ())
        found = audit.first_problem()
        return None if found is None else str(found)


@pytest.fixture
def ledger() -> Ledger:
    made = Ledger()
    made.add(SERVER, trust.OPENED, made.key(trust.OPENED, None, SERVER))
    return made


def register(ledger: Ledger, party: str = "RU", key: SigningKey = RU) -> int:
    return ledger.add(SERVER, trust.PARTY_REGISTERED,
                      ledger.key(trust.PARTY_REGISTERED, party, key),
                      party="SEC", account="secretariat", on_behalf=True)


def test_a_party_key_registered_by_the_server_signs_for_its_party_alone(ledger):
    register(ledger)
    ledger.add(RU, "report.submitted", {}, party="RU")
    assert ledger.problem() is None
    seq = ledger.add(RU, "report.submitted", {}, party="TR")
    assert ledger.problem() == f"entry {seq}: signed with RU's key for TR"


def test_the_first_entry_must_open_the_ledger_with_the_key_that_signs_it():
    made = Ledger()
    made.add(SERVER, "scenario.loaded", {})
    assert made.problem() == ("entry 1: the ledger opens with 'scenario.loaded', not with "
                              "the registration of its root key")
    other = Ledger()
    other.add(SERVER, trust.OPENED, other.key(trust.OPENED, None, OTHER))
    assert other.problem() == "entry 1: the root key it registers is not the key that signed it"


def test_a_key_that_registers_itself_is_not_trusted(ledger):
    seq = ledger.add(RU, trust.PARTY_REGISTERED, ledger.key(trust.PARTY_REGISTERED, "RU", RU),
                     party="RU")
    assert ledger.problem() == (f"entry {seq}: signed with key {key_id(RU.verify_key)}, "
                                "which no entry registered")


def test_rotation_retires_the_old_key(ledger):
    register(ledger)
    rotated = ledger.add(RU, trust.PARTY_ROTATED,
                         ledger.key(trust.PARTY_ROTATED, "RU", RU_2,
                                    previous=key_id(RU.verify_key)), party="RU")
    ledger.add(RU_2, "report.submitted", {}, party="RU")
    assert ledger.problem() is None
    seq = ledger.add(RU, "report.submitted", {}, party="RU")
    assert ledger.problem() == (f"entry {seq}: signed with key {key_id(RU.verify_key)}, "
                                f"rotated by entry {rotated}")


def test_revocation_by_the_party_itself(ledger):
    register(ledger)
    revoked = ledger.add(RU, trust.PARTY_REVOKED,
                         {"party": "RU", "key_id": key_id(RU.verify_key), "reason": "lost"},
                         party="RU")
    register(ledger, key=RU_2)  # a new first key, after the revocation
    assert ledger.problem() is None
    seq = ledger.add(RU, "report.submitted", {}, party="RU")
    assert ledger.problem().endswith(f"revoked by entry {revoked}") and \
        ledger.problem().startswith(f"entry {seq}:")


def test_a_party_revokes_no_other_partys_key(ledger):
    register(ledger)
    register(ledger, "TR", RU_2)
    seq = ledger.add(RU_2, trust.PARTY_REVOKED,
                     {"party": "RU", "key_id": key_id(RU.verify_key), "reason": "x"},
                     party="TR")
    assert ledger.problem() == (f"entry {seq}: RU's key is revoked by itself or by the "
                                "server on an account's behalf")


def test_the_server_key_is_replaced_only_by_itself(ledger):
    rotated = ledger.add(SERVER, trust.SERVER_ROTATED,
                         ledger.key(trust.SERVER_ROTATED, None, OTHER,
                                    previous=key_id(SERVER.verify_key)))
    ledger.add(OTHER, "scenario.loaded", {})
    assert ledger.problem() is None
    seq = ledger.add(SERVER, "scenario.loaded", {})
    assert ledger.problem() == (f"entry {seq}: signed with key {key_id(SERVER.verify_key)}, "
                                f"rotated by entry {rotated}")


def test_a_registration_proof_made_for_another_place_does_not_hold(ledger):
    payload = trust.key_payload(trust.PARTY_REGISTERED, "RU", RU, GENESIS)  # not `prev`
    seq = ledger.add(SERVER, trust.PARTY_REGISTERED, payload, party="SEC",
                     account="secretariat", on_behalf=True)
    assert ledger.problem() == (f"entry {seq}: the new key {key_id(RU.verify_key)} did not "
                                "sign for its registration")


def test_the_server_key_that_signs_a_checkpoint_is_the_one_current_at_its_size(ledger):
    for _ in range(3):
        ledger.add(SERVER, "scenario.loaded", {})
    rotated = ledger.add(SERVER, trust.SERVER_ROTATED,
                         ledger.key(trust.SERVER_ROTATED, None, OTHER,
                                    previous=key_id(SERVER.verify_key)))
    audit = Audit()
    for e in ledger.entries:
        audit.add(e, ())
    assert audit.trust.server_key_at(key_id(SERVER.verify_key), rotated - 1) is not None
    assert audit.trust.server_key_at(key_id(SERVER.verify_key), rotated) is None
    assert audit.trust.server_key_at(key_id(OTHER.verify_key), rotated) is not None
    assert audit.trust.server_key_at(key_id(OTHER.verify_key), rotated - 1) is None
