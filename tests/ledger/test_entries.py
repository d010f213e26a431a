"""A chain of signed entries: any change to a field, a deleted or reordered entry, or a
swapped signature is named by the first entry that no longer holds."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey

from ceasefire.errors import InvalidInput
from ceasefire.ledger.entries import GENESIS, Entry, key_id, sign, verify_chain
from ceasefire.ledger.keys import public_key, seal, unseal

RU = SigningKey(bytes(range(32)))
SERVER = SigningKey(bytes(range(1, 33)))
KEYS = {key_id(k.verify_key): k.verify_key for k in (RU, SERVER)}
T0 = datetime(2017, 1, 5, 12, tzinfo=UTC)


def chain(n: int = 6) -> list[Entry]:
    entries, prev = [], GENESIS
    for seq in range(1, n + 1):
        key = RU if seq % 2 else SERVER
        entry = sign(Entry(seq, T0 + timedelta(minutes=seq), "RU",
                           None if key is RU else "ru-officer",
                           "verdict.cast" if seq % 3 else "report.submitted",
                           {"incident": f"inc-{seq}", "position": "confirm", "n": seq},
                           prev, key_id(key.verify_key), key is SERVER), key)
        entries.append(entry)
        prev = entry.hash()
    return entries


def test_an_untouched_chain_holds():
    assert verify_chain(chain(), KEYS) is None


@pytest.mark.parametrize("change", [
    {"party": "TR"}, {"account": "tr-officer"}, {"action": "verdict.withdrawn"},
    {"payload": {"incident": "inc-3", "position": "reject", "n": 3}},
    {"at": T0 + timedelta(days=1)}, {"on_behalf": True},
])
def test_a_changed_field_is_named(change):
    entries = chain()
    entries[2] = replace(entries[2], **change)
    problem = verify_chain(entries, KEYS)
    assert problem is not None and problem.seq == 3 and "signature" in problem.reason


def test_a_deleted_entry_is_named():
    entries = chain()
    del entries[3]
    problem = verify_chain(entries, KEYS)
    assert problem.seq == 4 and "4 was due" in problem.reason  # the one missing


def test_two_swapped_entries_are_named():
    entries = chain()
    entries[1], entries[2] = entries[2], entries[1]
    problem = verify_chain(entries, KEYS)
    assert problem.seq == 2 and "2 was due" in problem.reason  # the first out of place


def test_a_swapped_signature_is_named():
    entries = chain()
    entries[1] = replace(entries[1], signature=entries[3].signature)  # same key, other entry
    assert verify_chain(entries, KEYS).seq == 2


def test_a_re_signed_edit_still_breaks_the_link_after_it():
    """Whoever holds a key can re-sign an edited entry, but the next entry holds the hash
    of the original: the chain breaks there."""
    entries = chain()
    entries[2] = sign(replace(entries[2], payload={"forged": True}), RU)
    problem = verify_chain(entries, KEYS)
    assert problem.seq == 4 and "previous-entry hash" in problem.reason


def test_an_unknown_key_is_named():
    assert verify_chain(chain(), {key_id(RU.verify_key): RU.verify_key}).seq == 2


def test_the_signed_body_is_canonical_json():
    entry = chain(1)[0]
    assert entry.body().startswith(b'{"account":null,"action":"verdict.cast","at":'
                                   b'"2017-01-05T12:01:00.000000Z"')
    assert b"signature" not in entry.body() and b"signature" in entry.leaf()


FAST = {"opslimit": 1, "memlimit": 8192}  # the KDF's minimum: the tests test the format


def test_a_key_file_opens_with_its_passphrase_only():
    content = seal(RU, "correct horse battery", **FAST)
    assert public_key(content) == RU.verify_key
    assert bytes(unseal(content, "correct horse battery")) == bytes(RU)
    with pytest.raises(InvalidInput, match="wrong passphrase"):
        unseal(content, "wrong horse battery!")
    tampered = content.replace(b'"sealed": "', b'"sealed": "00', 1)
    with pytest.raises(InvalidInput):
        unseal(tampered, "correct horse battery")
    with pytest.raises(InvalidInput, match="at least 12"):
        seal(RU, "short", **FAST)
    with pytest.raises(InvalidInput, match="not a ceasefire-ed25519-key"):
        public_key(b"{}")


@settings(max_examples=300, deadline=None)
@given(payload=st.recursive(
    st.none() | st.booleans() | st.integers(-2**53 + 1, 2**53 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["signer", "signature", "a", "z", "é", "\U0001f600", '"signer":"x']) |
        st.text(), inner, max_size=3), max_leaves=8),
       party=st.sampled_from(["RU", None]))
def test_the_leaf_is_the_canonical_json_of_the_whole_entry(payload, party):
    entry = sign(Entry(7, T0, party, "a", "verdict.cast", {"x": payload}, GENESIS,
                       key_id(RU.verify_key), False), RU)
    whole = rfc8785.dumps({**entry._fields(), "signature": entry.signature.hex()})
    assert entry.leaf() == whole
