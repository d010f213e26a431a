"""Passwords for the web pages: argon2id through libsodium (PyNaCl); only the hash is kept.

Unlike API tokens, passwords are chosen by people and guessable, so they get a slow,
memory-hard hash. libsodium's "interactive" limits (64 MiB, 2 passes) cost about 50-100 ms.
"""

from __future__ import annotations

import secrets
from functools import cache

from nacl.exceptions import InvalidkeyError
from nacl.pwhash import argon2id

from ceasefire.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 1024  # room for any passphrase, and a bound on what one request makes us hash


def check_password(password: str, *, field: str = "password") -> str:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"must be at least {MIN_LENGTH} characters, got {len(password)}",
                           field=field)
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"must be at most {MAX_LENGTH} characters", field=field)
    return password


def hash_password(password: str) -> str:
    """The PHC string of an argon2id hash with a random salt (``$argon2id$v=19$m=…``)."""
    return argon2id.str(check_password(password).encode("utf-8")).decode("ascii")


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``. Without a stored hash (no such account, or
    no password set) it is checked against a dummy hash and refused, so the answer takes as
    long as for a wrong password and timing does not tell the two apart."""
    target = stored or _dummy_hash()
    candidate = password[:MAX_LENGTH + 1].encode("utf-8", "replace")
    try:
        matched = argon2id.verify(target.encode("ascii"), candidate)
    except InvalidkeyError:
        matched = False
    return matched and stored is not None


@cache
def _dummy_hash() -> str:
    # Made on first use, not at import; the same limits as real hashes, so the same cost.
    return argon2id.str(secrets.token_bytes(32)).decode("ascii")
