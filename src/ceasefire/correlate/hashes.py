"""The hashes the columns hold: a report id's tie-break and a narrative's names and figures.

Each is defined once in plain Python (`tiebreak`, `names_of`), for a report at a time, and
computed again by a compiled loop for many reports at once (`tiebreaks`, `names_table`),
which a batch run needs: the plain versions take some 6.5 µs a report, the compiled ones
under 2. The compiled loops follow the definitions to the bit (BLAKE2b; Python's own regular
expression rules for words and digits, and its case folding, read from Python for each
character the texts hold), and tests hold them equal on real, simulated and random text.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import TypeAlias, cast

import numpy as np
from numba import njit
from numpy.typing import NDArray

NAMES = 12  # names and figures kept per narrative: the first ones, where the facts are
# Names and figures carry what tells two events apart ("Kafr Laha", "4 killed"); the
# template words every report shares ("positions", "reported") do not.
_SALIENT = re.compile(r"\b(?:[A-Z\u0600-\u06FF][\w'-]+|\d+)")
_COMMON = frozenset({
    "The", "A", "An", "In", "On", "At", "Near", "There", "No", "Local", "Details",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday",
    "Friday", "Saturday", "Sunday"})


@lru_cache(maxsize=1 << 16)  # incremental runs read the same stored narratives again
def names_of(text: str) -> tuple[int, ...]:
    """The narrative's names and figures, case-folded and hashed (CRC-32, never 0)."""
    found: dict[int, None] = {}
    for word in _SALIENT.findall(text):
        if word not in _COMMON:
            found[zlib.crc32(word.casefold().encode()) + 1] = None
            if len(found) == NAMES:
                break
    return tuple(sorted(found))


@lru_cache(maxsize=1 << 16)  # incremental runs read the same stored reports again
def tiebreak(uid: str) -> int:
    return int.from_bytes(hashlib.blake2b(uid.encode(), digest_size=8).digest(), "little")


# --- many at once --------------------------------------------------------------------------

_CHUNK = 1 << 16  # texts per compiled call: bounds the UTF-32 copy of the texts
Strings: TypeAlias = Sequence[str] | NDArray[np.object_]
Points: TypeAlias = NDArray[np.uint8] | NDArray[np.uint32]
Utf8: TypeAlias = tuple[NDArray[np.uint8], NDArray[np.int64]]
"""The same texts as their UTF-8 bytes one after the other, and where each begins (one
entry more: the end), as Arrow holds a column of text: read so, no text is encoded again."""


def names_table(texts: Strings, utf8: Utf8 | None = None) -> NDArray[np.int64]:
    """`names_of` of each text, as rows of NAMES (ascending, then zeros)."""
    table = np.zeros((len(texts), NAMES), np.int64)
    every = np.asarray(texts, dtype=object)
    for start in range(0, len(every), _CHUNK):
        chunk = every[start:start + _CHUNK]
        if utf8 is not None:
            data, at = utf8
            ascii = data[at[start]:at[start + len(chunk)]]
            if not len(ascii) or ascii.max() < 128:  # all ASCII: the bytes are code points
                _names(ascii, at[start + 1:start + len(chunk) + 1] - at[start],
                       *_characters(ascii), _common(), table[start:start + len(chunk)])
                continue
        # ASCII texts as bytes (a copy), the others as code points (UTF-32: four bytes a
        # character), as Python sees them: a lone surrogate comes through as itself.
        plain = np.fromiter(map(str.isascii, chunk), np.bool_, len(chunk))
        for which, encoding, dtype in ((plain, "ascii", np.uint8),
                                       (~plain, "utf-32-le", np.uint32)):
            positions = np.flatnonzero(which)
            if not len(positions):
                continue
            part = chunk[positions]
            points = cast(Points, np.frombuffer(
                "".join(part).encode(encoding, "surrogatepass"), dtype))
            ends = np.cumsum(np.fromiter(map(len, part), np.int64, len(part)))
            kinds, folded, fold_at, others = _characters(points)
            rows = np.zeros((len(part), NAMES), np.int64)
            _names(points, ends, kinds, folded, fold_at, others, _common(), rows)
            table[start + positions] = rows
    return table


_WORD, _DIGIT, _FIRST, _INNER = 1, 2, 4, 8  # what a character can be in _SALIENT
_WORD_RE, _DIGIT_RE = re.compile(r"\w"), re.compile(r"\d")


def _what(c: int) -> int:
    """What character c can be in _SALIENT, as Python's own regular expressions say."""
    char = chr(c)
    word = bool(_WORD_RE.match(char))
    return (_WORD * word | _DIGIT * bool(_DIGIT_RE.match(char))
            | _FIRST * (65 <= c <= 90 or 0x600 <= c <= 0x6FF)  # [A-Z\u0600-\u06FF]
            | _INNER * (word or char in "'-"))  # [\w'-]


@cache
def _ascii() -> tuple[NDArray[np.uint8], list[bytes]]:
    return np.array([_what(c) for c in range(128)], np.uint8), [
        chr(c).casefold().encode() for c in range(128)]


def _characters(points: Points) -> tuple[
        NDArray[np.uint8], NDArray[np.uint8], NDArray[np.int64], NDArray[np.uint32]]:
    """What each character of these texts is in _SALIENT, and its case-folded UTF-8
    bytes: ASCII at its own index, then each other character the texts hold, in the order
    of `others`."""
    kinds, folds = _ascii()
    others = np.unique(points[points >= 128]).astype(np.uint32)
    kinds = np.concatenate([kinds, np.array([_what(c) for c in others.tolist()], np.uint8)])
    folds = [*folds, *map(_folded, others.tolist())]
    lengths = np.array([len(f) for f in folds], np.int64)
    fold_at = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    folded = np.frombuffer(b"".join(folds), np.uint8)
    return kinds, folded, fold_at, others


def _folded(c: int) -> bytes:
    try:
        return chr(c).casefold().encode()
    except UnicodeEncodeError:  # a lone surrogate: never in a name (it is not \w)
        return b""


@cache
def _common() -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
    """The common words (all ASCII) as code points, one after the other, and where each
    begins (one more entry: the end)."""
    words = sorted(_COMMON)
    points = np.array([ord(c) for w in words for c in w], np.uint32)
    return points, np.concatenate([[0], np.cumsum([len(w) for w in words])]).astype(np.int64)


def _crc_table() -> NDArray[np.int64]:
    table = np.zeros(256, np.int64)
    for n in range(256):
        c = n
        for _ in range(8):
            c = 0xEDB88320 ^ (c >> 1) if c & 1 else c >> 1
        table[n] = c
    return table


_CRC = _crc_table()


@njit(cache=True)
def _names(points: Points, ends: NDArray[np.int64],
           kinds: NDArray[np.uint8], folded: NDArray[np.uint8], fold_at: NDArray[np.int64],
           others: NDArray[np.uint32], common: tuple[NDArray[np.uint32], NDArray[np.int64]],
           rows: NDArray[np.int64]) -> None:  # pragma: no cover (compiled)
    """`names_of` of each text into ``rows``: text k is ``points[ends[k - 1]:ends[k]]``.
    A character c is of kind ``kinds[c]`` (_WORD, ...) with its case-folded UTF-8 bytes
    ``folded[fold_at[c]:fold_at[c + 1]]`` when ASCII; other characters are numbered from
    128 in the order of ``others``."""
    words, word_at = common
    crc = _CRC
    limit = rows.shape[1]
    found = np.zeros(limit, np.int64)
    begin = 0
    for k in range(len(ends)):
        n = ends[k]
        count = 0
        at = begin
        before = False  # the character before `at` is a word character (\w)
        while at < n and count < limit:
            # _SALIENT at `at`: a word boundary, then [A-Z\u0600-\u06FF][\w'-]+ or \d+.
            kind = _kind(points[at], kinds, others)
            end = at
            if ((kind & 1) != 0) != before:
                if kind & 4:
                    end = at + 1
                    while end < n and _kind(points[end], kinds, others) & 8:
                        end += 1
                    if end == at + 1:
                        end = at
                if end == at and kind & 2:
                    end = at + 1
                    while end < n and _kind(points[end], kinds, others) & 2:
                        end += 1
            if end == at:
                before = (kind & 1) != 0
                at += 1
                continue
            if not _is_common(points, at, end, words, word_at):
                value = np.int64(0xFFFFFFFF)  # CRC-32 as zlib computes it
                for c in range(at, end):
                    index = _number(points[c], others)
                    for b in range(fold_at[index], fold_at[index + 1]):
                        value = crc[(value ^ folded[b]) & 0xFF] ^ (value >> 8)
                name = (value ^ np.int64(0xFFFFFFFF)) + 1
                seen = False
                for m in range(count):
                    seen = seen or found[m] == name
                if not seen:  # kept in ascending order
                    m = count
                    while m > 0 and found[m - 1] > name:
                        found[m] = found[m - 1]
                        m -= 1
                    found[m] = name
                    count += 1
            before = (_kind(points[end - 1], kinds, others) & 1) != 0
            at = end
        rows[k, :count] = found[:count]
        begin = n


@njit(cache=True, inline="always")
def _number(c: int, others: NDArray[np.uint32]) -> int:  # pragma: no cover (compiled)
    return c if c < 128 else 128 + int(np.searchsorted(others, c))


@njit(cache=True, inline="always")
def _kind(c: int, kinds: NDArray[np.uint8],
          others: NDArray[np.uint32]) -> int:  # pragma: no cover (compiled)
    return int(kinds[_number(c, others)])


@njit(cache=True, inline="always")
def _is_common(text: Points, at: int, end: int, words: NDArray[np.uint32],
               word_at: NDArray[np.int64]) -> bool:  # pragma: no cover (compiled)
    for w in range(len(word_at) - 1):
        if word_at[w + 1] - word_at[w] == end - at and words[word_at[w]] == text[at]:
            same = True
            for m in range(end - at):
                if words[word_at[w] + m] != text[at + m]:
                    same = False
                    break
            if same:
                return True
    return False


def tiebreaks(uids: Strings, utf8: Utf8 | None = None) -> NDArray[np.uint64]:
    """`tiebreak` of each id."""
    if utf8 is not None:
        # The starts copied: writable, as the compiled loop was first compiled for.
        return _blake2b_64(utf8[0], utf8[1][:-1].copy(), np.diff(utf8[1]))
    data = "".join(uids).encode()
    lengths = np.fromiter(map(len, uids), np.int64, len(uids))
    if len(data) != lengths.sum():  # not all ASCII: a character is not always a byte
        lengths = np.fromiter(map(len, map(str.encode, uids)), np.int64, len(uids))
    return _blake2b_64(np.frombuffer(data, np.uint8), np.cumsum(lengths) - lengths, lengths)


_IV = np.array([0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B,
                0xA54FF53A5F1D36F1, 0x510E527FADE682D1, 0x9B05688C2B3E6C1F,
                0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179], np.uint64)
_SIGMA = np.array([
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0]], np.int64)


@njit(cache=True, inline="always")
def _rotr(x: np.uint64, n: int) -> np.uint64:  # pragma: no cover (compiled)
    return (x >> np.uint64(n)) | (x << np.uint64(64 - n))


@njit(cache=True, inline="always")
def _g(a: np.uint64, b: np.uint64, c: np.uint64, d: np.uint64, x: np.uint64, y: np.uint64,
       ) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64]:  # pragma: no cover
    """BLAKE2b's mix of four working words with two message words."""
    a = a + b + x
    d = _rotr(d ^ a, 32)
    c = c + d
    b = _rotr(b ^ c, 24)
    a = a + b + y
    d = _rotr(d ^ a, 16)
    c = c + d
    b = _rotr(b ^ c, 63)
    return a, b, c, d


@njit(cache=True)
def _blake2b_64(data: NDArray[np.uint8], starts: NDArray[np.int64],
                lengths: NDArray[np.int64]) -> NDArray[np.uint64]:  # pragma: no cover
    """BLAKE2b with an 8-byte digest (RFC 7693; no key) of each message
    ``data[starts[k]:starts[k] + lengths[k]]``, read as a little-endian integer."""
    out = np.empty(len(starts), np.uint64)
    iv, sigma = _IV, _SIGMA
    h = np.empty(8, np.uint64)
    m = np.empty(16, np.uint64)
    for k in range(len(starts)):
        h[:] = iv
        h[0] ^= np.uint64(0x01010008)  # digest length 8, no key, fan-out and depth 1
        length, done = lengths[k], 0
        while True:
            last = length - done <= 128
            size = length - done if last else 128
            at = starts[k] + done
            m[:] = 0
            for b in range(size):
                m[b >> 3] |= np.uint64(data[at + b]) << np.uint64(8 * (b & 7))
            done += size
            v0, v1, v2, v3, v4, v5, v6, v7 = h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]
            v8, v9, v10, v11 = iv[0], iv[1], iv[2], iv[3]
            v12, v13 = iv[4] ^ np.uint64(done), iv[5]
            v14 = ~iv[6] if last else iv[6]
            v15 = iv[7]
            for r in range(12):
                s = sigma[r % 10]
                v0, v4, v8, v12 = _g(v0, v4, v8, v12, m[s[0]], m[s[1]])
                v1, v5, v9, v13 = _g(v1, v5, v9, v13, m[s[2]], m[s[3]])
                v2, v6, v10, v14 = _g(v2, v6, v10, v14, m[s[4]], m[s[5]])
                v3, v7, v11, v15 = _g(v3, v7, v11, v15, m[s[6]], m[s[7]])
                v0, v5, v10, v15 = _g(v0, v5, v10, v15, m[s[8]], m[s[9]])
                v1, v6, v11, v12 = _g(v1, v6, v11, v12, m[s[10]], m[s[11]])
                v2, v7, v8, v13 = _g(v2, v7, v8, v13, m[s[12]], m[s[13]])
                v3, v4, v9, v14 = _g(v3, v4, v9, v14, m[s[14]], m[s[15]])
            h[0] ^= v0 ^ v8
            h[1] ^= v1 ^ v9
            h[2] ^= v2 ^ v10
            h[3] ^= v3 ^ v11
            h[4] ^= v4 ^ v12
            h[5] ^= v5 ^ v13
            h[6] ^= v6 ^ v14
            h[7] ^= v7 ^ v15
            if last:
                break
        out[k] = h[0]
    return out
