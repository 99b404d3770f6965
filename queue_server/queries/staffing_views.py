"""Staffing records as JSON: what the staffing events carry and the staffing reads answer."""

from __future__ import annotations

import dataclasses
import enum
from datetime import date, time
from typing import Any


def plain(value: Any) -> Any:
    """``value`` as JSON values: a dataclass as an object of its fields, an enum as its value,
    dates and times in ISO 8601 (instants with their offset), tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date | time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value
