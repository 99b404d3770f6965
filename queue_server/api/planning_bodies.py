"""The request bodies of the planning simulation (simulate, compare), as OpenAPI schemas, and
the time of day ``HH:MM`` other bodies share: kept beside ``routes.py`` so the list of every
operation stays one module of reasonable size."""

from __future__ import annotations

from .spec import Schema, integer, number, obj, string

HHMM = string(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["09:00"])
SIM_FIELDS: dict[str, Schema] = {
    "day": string(format="date"), "roster": string(enum=["published", "draft", "required"], default="published"),
    "replications": integer(minimum=1, maximum=50, default=10),
    "seed": integer(minimum=0, maximum=2147483647, default=1),
}  # fmt: skip
SIMULATE = obj(("day",), **SIM_FIELDS)
VARIATION = obj(
    ("kind",), kind=string(enum=["departmental", "add_clerk", "noon", "service_time"]), to=HHMM,
    count=integer(minimum=-50, maximum=50), on={"type": "boolean"}, service=string(maxLength=8),
    cut=number(minimum=0, maximum=0.9), **{"from": HHMM},
)  # fmt: skip

__all__ = ["HHMM", "SIMULATE", "SIM_FIELDS", "VARIATION"]
