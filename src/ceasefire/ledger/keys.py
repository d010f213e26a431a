"""A party's signing key at rest: an Ed25519 seed sealed with a key derived from a
passphrase (argon2id), in a small JSON file that also names the public key."""

from __future__ import annotations

import json
from typing import Any

import nacl.pwhash
import nacl.secret
import nacl.utils
from nacl.exceptions import CryptoError
from nacl.signing import SigningKey, VerifyKey

from ceasefire.errors import InvalidInput
from ceasefire.ledger.entries import key_id

KIND = "ceasefire-ed25519-key"
_KDF = nacl.pwhash.argon2id
# The moderate limits (256 MiB, 3 passes): about a second to open, once per CLI command.
OPSLIMIT, MEMLIMIT = _KDF.OPSLIMIT_MODERATE, _KDF.MEMLIMIT_MODERATE


def seal(key: SigningKey, passphrase: str, *, opslimit: int = OPSLIMIT,
         memlimit: int = MEMLIMIT) -> bytes:
    """The key file's bytes."""
    if len(passphrase) < 12:
        raise InvalidInput("a passphrase needs at least 12 characters", field="passphrase")
    salt = nacl.utils.random(_KDF.SALTBYTES)
    box = nacl.secret.SecretBox(_KDF.kdf(nacl.secret.SecretBox.KEY_SIZE,
                                         passphrase.encode(), salt, opslimit=opslimit,
                                         memlimit=memlimit))
    return json.dumps({
        "kind": KIND, "public": bytes(key.verify_key).hex(), "key_id": key_id(key.verify_key),
        "kdf": "argon2id", "opslimit": opslimit, "memlimit": memlimit, "salt": salt.hex(),
        "sealed": box.encrypt(bytes(key)).hex()}, indent=2).encode() + b"\n"


def public_key(content: bytes) -> VerifyKey:
    """The public key a key file names (no passphrase needed)."""
    return VerifyKey(bytes.fromhex(_read(content)["public"]))


def unseal(content: bytes, passphrase: str) -> SigningKey:
    data = _read(content)
    box = nacl.secret.SecretBox(_KDF.kdf(
        nacl.secret.SecretBox.KEY_SIZE, passphrase.encode(), bytes.fromhex(data["salt"]),
        opslimit=int(data["opslimit"]), memlimit=int(data["memlimit"])))
    try:
        key = SigningKey(box.decrypt(bytes.fromhex(data["sealed"])))
    except CryptoError:
        raise InvalidInput("wrong passphrase, or the key file was altered",
                           field="passphrase") from None
    if bytes(key.verify_key).hex() != data["public"]:
        raise InvalidInput("the key file's public key does not match its sealed key",
                           field="public")
    return key


def _read(content: bytes) -> dict[str, Any]:
    try:
        data = json.loads(content)
        if not isinstance(data, dict):
            raise ValueError(type(data))
        if data.get("kind") != KIND:
            raise ValueError(data.get("kind"))
        bytes.fromhex(data["public"]), bytes.fromhex(data["salt"]), bytes.fromhex(data["sealed"])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InvalidInput(f"not a {KIND} file", field="key") from None
    return data
