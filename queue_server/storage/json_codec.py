"""Reading stored JSON (an event's detail, a cell's histogram) with orjson.

Reports read every event of a month again when they are rebuilt, and the detail's JSON is the
largest part of reading an event; orjson parses it several times faster than the standard
library. What orjson refuses and the standard library reads (an integer wider than 64 bits,
NaN written by an older writer) falls back to ``json.loads``, so nothing stored becomes
unreadable.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


__all__ = ["loads"]
