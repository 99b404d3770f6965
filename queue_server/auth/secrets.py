"""Passwords and bearer secrets.

Passwords: Argon2id (memory-hard). Session and device secrets: 256 random bits,
stored only as their SHA-256, so a copy of the database opens no session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 8


class Passwords:
    """Argon2id with argon2-cffi's defaults (RFC 9106's recommendation) unless told otherwise;
    tests pass a small cost. A stored hash carries its own parameters, so both verify."""

    def __init__(self, time_cost: int | None = None, memory_kib: int | None = None) -> None:
        default = PasswordHasher()
        self.hasher = PasswordHasher(
            time_cost=default.time_cost if time_cost is None else time_cost,
            memory_cost=default.memory_cost if memory_kib is None else memory_kib,
        )
        # Verifying against this when the user does not exist keeps the timing the same.
        self.dummy = self.hasher.hash("not a real password, only for timing")

    def hash(self, password: str) -> str:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(
                f"密码至少 {MIN_PASSWORD_LENGTH} 位 / a password needs at least {MIN_PASSWORD_LENGTH} characters"
            )
        return self.hasher.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False


def new_secret(prefix: str) -> str:
    """A bearer secret such as ``hqd_…``: the prefix tells a human what kind it is."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_secret(expected: str, given: str) -> bool:
    """Constant-time comparison that also takes what a caller typed (any characters:
    ``hmac.compare_digest`` refuses non-ASCII ``str``)."""
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
