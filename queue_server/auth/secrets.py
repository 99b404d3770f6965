"""Passwords and bearer secrets.

Passwords: Argon2id (memory-hard). Session and device secrets: 256 random bits,
stored only as their SHA-256, so a copy of the database opens no session.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2-cffi's defaults follow RFC 9106's recommendation

MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(
            f"密码至少 {MIN_PASSWORD_LENGTH} 位 / a password needs at least {MIN_PASSWORD_LENGTH} characters"
        )
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


# Verifying against this when the user does not exist keeps the timing the same.
DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def new_secret(prefix: str) -> str:
    """A bearer secret such as ``hqk_…``: the prefix tells a human what kind it is."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
