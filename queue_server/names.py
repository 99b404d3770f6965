"""What a login and a line of text may hold, wherever they are made: the hall file, the
CLI, the API. Pure functions that say what is wrong (None when nothing is)."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

LOGIN_RE: Final = re.compile(r"[A-Za-z0-9_.-]{1,64}")
LOGIN_RULE: Final = "use 1 to 64 letters, digits, '_', '.' or '-'"
# Marks that reorder or isolate text: a name holding them shows something other than what it is.
DIRECTION_MARKS: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_KINDS: Final = {"Cs": "surrogate", "Cc": "control"}
KIND_EN: Final = {
    "surrogate": "an unpaired surrogate",
    "control": "a control character",
    "direction": "a text-direction mark",
}


def login_problem(login: str) -> str | None:
    """Why ``login`` cannot be a staff login (the same rule as sign-in, which strips nothing)."""
    if not LOGIN_RE.fullmatch(login) or login in (".", ".."):
        return f"{LOGIN_RULE}, got {_shown(login)}"
    return None


def bad_character(value: str, *, lines: bool = False) -> tuple[int, str, str] | None:
    """The first character no stored text may hold, as (position, "U+XXXX", kind): an unpaired
    surrogate (no encoding holds it), a control character (PostgreSQL refuses NUL; the others
    garble screens and logs; newline and tab pass where ``lines``), or a direction mark."""
    for i, ch in enumerate(value):
        if lines and ch in "\n\t\r":
            continue
        kind = _KINDS.get(unicodedata.category(ch)) or ("direction" if ch in DIRECTION_MARKS else None)
        if kind:
            return i, f"U+{ord(ch):04X}", kind
    return None


def text_problem(value: str, *, max_len: int, multiline: bool = False) -> str | None:
    """Why ``value`` cannot be stored as a name or a line of text (too long, or a character
    ``bad_character`` refuses), or None."""
    if len(value) > max_len:
        return f"must be at most {max_len} characters, got {len(value)}"
    found = bad_character(value, lines=multiline)
    if found:
        at, code, kind = found
        what = {
            "surrogate": "an unpaired surrogate",
            "control": "a control character",
            "direction": "a text-direction mark",
        }
        return f"holds {what[kind]} {code} at position {at}"
    return None


def _shown(value: str) -> str:
    shown = value if len(value) <= 40 else value[:40] + "…"
    return repr(shown.encode("unicode_escape", "backslashreplace").decode("ascii"))


__all__ = ["KIND_EN", "LOGIN_RULE", "bad_character", "login_problem", "text_problem"]
