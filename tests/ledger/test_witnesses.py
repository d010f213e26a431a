"""The witnesses file (CEASEFIRE_WITNESSES): each fault named by its place, nothing half
read; and when cosignatures make a quorum."""

from __future__ import annotations

import pytest
from nacl.signing import SigningKey

from ceasefire.errors import InvalidInput
from ceasefire.ledger import note
from ceasefire.ledger.witnesses import parse_witnesses

KEYS = {p: SigningKey(bytes([n + 1]) * 32) for n, p in enumerate(("RU", "TR", "IR"))}


def entry(party: str, **more: object) -> str:
    fields = {"party": party, "url": f"http://127.0.0.1:81{len(party)}",
              "vkey": note.vkey(f"witness.{party.lower()}", KEYS[party].verify_key), **more}
    return "\n[[witness]]\n" + "".join(
        f"{k} = {v!r}\n".replace("'", '"') for k, v in fields.items())


def test_a_file_of_three_with_their_quorum():
    found = parse_witnesses("quorum = 2\n" + "".join(entry(p) for p in KEYS), "w.toml")
    assert found.quorum == 2 and [w.party for w in found.witnesses] == ["RU", "TR", "IR"]
    assert found.reached(["witness.ru", "witness.ir"])
    assert not found.reached(["witness.ru", "witness.xx"])  # an unknown name counts not
    assert parse_witnesses(entry("RU")).quorum == 1  # all of them, unless it says


@pytest.mark.parametrize(("text", "field"), [
    ("quorum = ", "w.toml"),  # not TOML
    ("quorum = 1\n", "witness"),
    ("quorum = 4\n" + "".join(entry(p) for p in KEYS), "quorum"),
    ("quorum = 0\n" + entry("RU"), "quorum"),
    (entry("RU", url="ftp://x"), "url"),
    (entry("RU", vkey="witness.ru+00+AA=="), "vkey"),
    (entry("RU", timeout=0), "timeout"),
    (entry("RU") + "timeout = true\n", "timeout"),
    (entry("RU") + entry("RU"), "vkey"),  # named twice
    ("[[witness]]\nparty = \"RU\"\n", "vkey"),  # what it lacks
])
def test_a_bad_witnesses_file_is_refused_naming_what(text, field):
    with pytest.raises(InvalidInput) as refused:
        parse_witnesses(text, "w.toml")
    assert refused.value.field == field or field in str(refused.value)
