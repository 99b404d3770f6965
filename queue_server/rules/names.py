"""What a login and a line of text may hold, wherever they are made: the hall file, the
CLI, the API. Pure functions that say what is wrong (None when nothing is)."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

LOGIN_RE: Final = re.compile(r"[A-Za-z0-9_.-]{1,64}")
LOGIN_RULE: Final = "use 1 to 64 letters, digits, '_', '.' or '-'"
# Marks that reorder or hide text: a name holding them shows something other than what it is.
BIDI_CONTROLS: Final = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def login_problem(login: str) -> str | None:
    """Why ``login`` cannot be a staff login (the same rule as sign-in, which strips nothing)."""
    if not LOGIN_RE.fullmatch(login) or login in (".", ".."):
        return f"{LOGIN_RULE}, got {_shown(login)}"
    return None


def text_problem(value: str, *, max_len: int, multiline: bool = False) -> str | None:
    """Why ``value`` cannot be stored as a name or a line of text: too long, a control
    character (newline and tab only where ``multiline``), a lone surrogate, or a mark that
    reorders text."""
    if len(value) > max_len:
        return f"must be at most {max_len} characters, got {len(value)}"
    for i, ch in enumerate(value):
        if multiline and ch in "\n\t":
            continue
        category = unicodedata.category(ch)
        if category == "Cs":
            return f"holds an unpaired surrogate at position {i}"
        if category == "Cc":
            return f"holds a control character U+{ord(ch):04X} at position {i}"
        if ch in BIDI_CONTROLS:
            return f"holds a text-direction mark U+{ord(ch):04X} at position {i}"
    return None


def _shown(value: str) -> str:
    shown = value if len(value) <= 40 else value[:40] + "…"
    return repr(shown.encode("unicode_escape", "backslashreplace").decode("ascii"))


__all__ = ["LOGIN_RULE", "login_problem", "text_problem"]
