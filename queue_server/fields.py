"""Typed access to a JSON object or a query string, wherever it came from (an HTTP body, a
query string, a caller pad's action): each field checked, named in the error, unknown keys refused."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from .errors import BadRequest
from .text import FIRST_DATE, LAST_DATE, date_problem, text_problem


class Fields:
    """Typed access to a JSON object or a query string; unknown keys are refused."""

    def __init__(self, data: dict[str, Any], where: str) -> None:
        self.data = data
        self.where = where
        self.read: set[str] = set()

    def _get(self, name: str, required: bool) -> Any:
        self.read.add(name)
        value = self.data.get(name)
        if value is None and required:
            raise BadRequest(f"缺少字段 {name} / {self.where}.{name} is required")
        return value

    def _bad(self, name: str, what: str) -> BadRequest:
        return BadRequest(f"字段 {name} 无效 / {self.where}.{name} {what}")

    def str_(
        self,
        name: str,
        *,
        required: bool = True,
        max_len: int = 200,
        default: str | None = None,
        lines: bool = False,
    ) -> str | None:
        """A text field; ``lines`` lets it hold line breaks and tabs (a notice body, a comment)."""
        value = self._get(name, required and default is None)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self._bad(name, "must be a string")
        problem = text_problem(value, lines=lines)
        if problem is not None:
            raise BadRequest(f"字段 {name} {problem[0]} / {self.where}.{name} {problem[1]}")
        value = value.strip()
        if required and not value:
            raise self._bad(name, "must not be empty")
        if len(value) > max_len:
            raise self._bad(name, f"must be at most {max_len} characters")
        return value

    def req_str(self, name: str, max_len: int = 200, *, lines: bool = False) -> str:
        value = self.str_(name, max_len=max_len, lines=lines)
        assert value is not None
        return value

    def int_(self, name: str, *, lo: int, hi: int, required: bool = True) -> int | None:
        value = self._get(name, required)
        if value is None:
            return None
        if self.where == "query" and isinstance(value, str):
            try:
                value = int(value)
            except ValueError:
                raise self._bad(name, "must be a whole number") from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._bad(name, "must be a whole number")
        if not lo <= value <= hi:
            raise self._bad(name, f"must be between {lo} and {hi}")
        return value

    def req_int(self, name: str, *, lo: int, hi: int) -> int:
        value = self.int_(name, lo=lo, hi=hi)
        assert value is not None
        return value

    def bool_(self, name: str, default: bool = False) -> bool:
        value = self._get(name, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self._bad(name, "must be true or false")
        return value

    def weights(self, name: str) -> dict[str, float]:
        value = self._get(name, True)
        if not isinstance(value, dict) or not value:
            raise self._bad(name, 'must be an object of service code to weight, e.g. {"A": 1.0}')
        out: dict[str, float] = {}
        for code, weight in value.items():
            problem = text_problem(code)
            if problem is not None or len(code) > 8:
                raise self._bad(name, f"has a key that is no service code: {problem[1] if problem else 'too long'}")
            if isinstance(weight, bool) or not isinstance(weight, int | float) or not math.isfinite(weight):
                raise self._bad(f"{name}.{code}", "must be a number")
            out[code] = float(weight)
        return out

    def time(self, name: str, *, required: bool = True, local_ok: bool = False) -> datetime | None:
        """An ISO 8601 time; without a UTC offset only where ``local_ok`` (the hall's local time)."""
        value = self.str_(name, required=required, max_len=64)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise self._bad(name, "must be an ISO 8601 time, e.g. 2026-11-23T09:30:00+08:00") from None
        if parsed.tzinfo is None and not local_ok:
            raise self._bad(name, "needs a UTC offset, e.g. +08:00")
        # Converted to UTC and to the hall's zone later: keep to years datetime holds either way.
        if date_problem(parsed.date()) is not None:
            raise self._bad(name, f"must be from {FIRST_DATE} to {LAST_DATE}")
        return parsed

    def date_(self, name: str, *, required: bool = True) -> date | None:
        value = self.str_(name, required=required, max_len=10)
        if value is None:
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise self._bad(name, "must be a date, e.g. 2026-11-23") from None
        # A day's bounds in a hall's time zone must stay within what datetime holds.
        if date_problem(day) is not None:
            raise self._bad(name, f"must be from {FIRST_DATE} to {LAST_DATE}")
        return day

    def flag(self, name: str) -> bool:
        """A query-string switch: 1/true/yes."""
        value = self._get(name, False)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("1", "true", "yes"):
            return True
        if str(value).lower() in ("0", "false", "no", ""):
            return False
        raise self._bad(name, "must be true or false")

    def done(self) -> None:
        """Refuse keys the endpoint does not know: a typo should not pass silently."""
        extra = set(self.data) - self.read
        if extra and self.where == "body":
            name = sorted(extra)[0]
            raise BadRequest(f"未知字段 {name} / unknown field {self.where}.{name}")
