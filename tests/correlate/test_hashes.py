"""The hashes of many reports at once (compiled) equal those of one report at a time (plain
Python, the definition): on simulated narratives, on the characters that make the rules
hard, and on any text."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ceasefire.correlate import hashes
from ceasefire.correlate.hashes import NAMES, names_of, names_table, tiebreak, tiebreaks


def one_by_one(texts):
    table = np.zeros((len(texts), NAMES), np.int64)
    for k, text in enumerate(texts):
        found = names_of(text)
        table[k, :len(found)] = found
    return table


# What the rules turn on: names start with a capital or a letter of the Arabic block,
# words hold letters, digits, _ ' and -, figures are digits of any script, and names are
# case-folded (ß, ﬁ, İ and Σ fold to other lengths or letters).
HARD = ("A", "Z", "a", "z", "0", "9", "_", "'", "-", " ", ".", "\n", "\u00a0", "ß", "ẞ",
        "ﬁ", "İ", "ı", "Ş", "ş", "Σ", "ς", "ǅ", "Å", "ſ", "K", "\u0301", "Ⅻ", "²", "\u0600",
        "\u060c", "\u0627", "\u0644", "\u0660", "\u06f5", "\u06ff", "\u0700", "\U0001d7d8",
        "\U0001f600", "The", "May", "Sunday", "Kafr", "Laha", "12", "Ar-Raqqa", "al-Bab",
        "DEAŞ", "الرقة", "Dar'a")
texts = st.lists(st.lists(st.one_of(st.sampled_from(HARD), st.characters()), max_size=60)
                 .map("".join), max_size=30)


@settings(deadline=None, max_examples=300)
@given(texts)
def test_names_of_many_texts_equal_names_of_each(given_texts):
    assert np.array_equal(names_table(given_texts), one_by_one(given_texts))


@settings(deadline=None, max_examples=100)
@given(texts.map(lambda t: [" ".join(t)] * 3))
def test_more_names_than_are_kept_keep_the_first_ones(given_texts):
    assert np.array_equal(names_table(given_texts), one_by_one(given_texts))


def test_names_of_simulated_narratives_a_few_at_a_time(monkeypatch):
    from tests.correlate.columns import simulated

    cols, _ = simulated(2, events=200, days=10)
    narratives = cols.narrative.tolist()
    assert any(not t.isascii() for t in narratives)  # both of the compiled loop's paths
    monkeypatch.setattr(hashes, "_CHUNK", 37)  # texts cut into chunks, ASCII and not mixed
    assert np.array_equal(names_table(narratives), one_by_one(narratives))
    assert np.array_equal(names_table(narratives), cols.names)


@settings(deadline=None, max_examples=300)
@given(st.lists(st.text(max_size=300), max_size=20))
def test_tiebreaks_of_many_ids_equal_the_tiebreak_of_each(ids):
    assert tiebreaks(ids).tolist() == [tiebreak(u) for u in ids]


@pytest.mark.parametrize("length", [0, 1, 127, 128, 129, 256, 257, 1000])
def test_tiebreaks_of_ids_of_one_or_several_blocks(length):
    ids = ["x" * length, "é" * length, "4047a926-77ed-4da3-b3f4-5de116a21427"]
    assert tiebreaks(ids).tolist() == [tiebreak(u) for u in ids]


def test_nothing_has_no_hashes():
    assert names_table([]).shape == (0, NAMES)
    assert tiebreaks([]).shape == (0,)


def as_utf8(texts):
    """The texts as Arrow holds them: their UTF-8 bytes one after the other, and where
    each begins."""
    encoded = [t.encode() for t in texts]
    return (np.frombuffer(b"".join(encoded), np.uint8),
            np.concatenate([[0], np.cumsum([len(e) for e in encoded], dtype=np.int64)]))


def encodable(texts):
    return all(not any(0xD800 <= ord(c) <= 0xDFFF for c in t) for t in texts)


@settings(deadline=None, max_examples=300)
@given(texts)
def test_names_of_texts_given_as_utf8_too_equal_names_of_each(given_texts):
    assume(encodable(given_texts))  # a database holds no lone surrogate
    assert np.array_equal(names_table(given_texts, as_utf8(given_texts)),
                          one_by_one(given_texts))


def test_names_of_simulated_narratives_as_utf8_in_chunks_ascii_or_not(monkeypatch):
    from tests.correlate.columns import simulated

    cols, _ = simulated(2, events=200, days=10)
    narratives = cols.narrative.tolist()
    monkeypatch.setattr(hashes, "_CHUNK", 37)
    chunks = [narratives[k:k + 37] for k in range(0, len(narratives), 37)]
    assert any(all(t.isascii() for t in c) for c in chunks)  # read from the bytes
    assert any(not all(t.isascii() for t in c) for c in chunks)  # from the strings
    assert np.array_equal(names_table(narratives, as_utf8(narratives)), cols.names)


@settings(deadline=None, max_examples=300)
@given(st.lists(st.text(max_size=300), max_size=20))
def test_tiebreaks_of_ids_given_as_utf8_too_equal_the_tiebreak_of_each(ids):
    assume(encodable(ids))
    assert tiebreaks(ids, as_utf8(ids)).tolist() == [tiebreak(u) for u in ids]
