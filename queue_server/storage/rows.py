"""Dataclasses to and from table rows, derived from the dataclass fields and the table.

A field is stored in the column of the same name. Enum fields are stored as their value
and ``dict`` fields as JSON (read back as a fresh dict, ``{}`` for NULL); dates and times
are left to the column types and the prepared-statement converter. ``Stored`` declares
the few real differences. Each map is built once, at import: reading a ticket is on the
call-next path, so a row read is one ``itemgetter`` and a positional constructor call.
"""

from __future__ import annotations

import dataclasses
import enum
import types
from collections.abc import Callable, Mapping
from operator import attrgetter, itemgetter
from typing import Any, Generic, TypeVar, Union, cast, get_args, get_origin, get_type_hints

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping

from ..accounts import ApiSession, AuditRecord, DeviceToken, LoginThrottle, StaffUser
from ..domain import Appointment, DeviceHealth, Evaluation, Event, Notice, Ticket, Window
from .tables import (
    appointment_t,
    audit_t,
    device_health_t,
    device_token_t,
    evaluation_t,
    event_t,
    login_failure_t,
    notice_t,
    session_t,
    ticket_t,
    user_t,
    window_t,
)

T = TypeVar("T")
Convert = Callable[[Any], Any]


@dataclasses.dataclass(frozen=True, slots=True)
class Stored:
    """How one field differs from a same-named column holding its plain value."""

    column: str | None = None  # the column's name, when it is not the field's
    read: Convert | None = None  # column value -> field value (replaces the derived one)
    write: Convert | None = None  # field value -> column value (replaces the derived one)
    written: bool = True  # False: read back, never written (assigned by the database, or joined in)


# The row's key, assigned by the database on insert.
DB_ASSIGNED = Stored(written=False)


def _plain_type(hint: Any) -> Any:
    """``X`` of ``X | None``; the hint itself otherwise."""
    if get_origin(hint) in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


def _or_none(convert: Convert) -> Convert:
    return lambda v: None if v is None else convert(v)


def _json_dict(v: Any) -> dict[str, Any]:
    return dict(v or {})


_enum_value: Convert = attrgetter("value")


def _derived(hint: Any) -> tuple[Convert | None, Convert | None]:
    """The (read, write) conversions a field's type implies."""
    plain = _plain_type(hint)
    optional = plain is not hint
    if isinstance(plain, type) and issubclass(plain, enum.Enum):
        read: Convert = plain
        return (_or_none(read), _or_none(_enum_value)) if optional else (read, _enum_value)
    if plain is dict or get_origin(plain) is dict:
        return _json_dict, None
    return None, None


class RowMap(Generic[T]):
    """The stored form of one dataclass in one table."""

    def __init__(
        self,
        cls: type[T],
        table: sa.Table,
        *,
        fields: Mapping[str, Stored] = {},
        computed: Mapping[str, Callable[[T], Any]] = {},
        given: tuple[str, ...] = (),
    ) -> None:
        """``fields``: the declared differences; ``computed``: columns with no field, written
        from the object; ``given``: fields with no column, passed to ``read`` by the caller."""
        name = cls.__name__
        own = [f.name for f in dataclasses.fields(cast(Any, cls)) if f.init and not f.kw_only]
        if len(own) != len(dataclasses.fields(cast(Any, cls))):
            raise TypeError(f"{name}: only positional init fields are mapped")
        for field in (*fields, *given):
            if field not in own:
                raise TypeError(f"{name} has no field {field}")
        for column in computed:
            if column not in table.c:
                raise TypeError(f"table {table.name} has no column {column}")
        hints = get_type_hints(cls)
        self.cls = cls
        read_keys: list[str] = []
        read_converts: list[tuple[int, Convert]] = []
        write_fields: list[str] = []
        write_columns: list[str] = []
        write_converts: list[tuple[int, Convert]] = []
        for field in own:
            if field in given:
                continue
            decl = fields.get(field, Stored())
            column = decl.column or field
            derived_read, derived_write = _derived(hints[field])
            read, write = decl.read or derived_read, decl.write or derived_write
            if read is not None:
                read_converts.append((len(read_keys), read))
            read_keys.append(column)
            if decl.written:
                if column not in table.c:
                    raise TypeError(f"{name}.{field}: table {table.name} has no column {column}")
                if write is not None:
                    write_converts.append((len(write_fields), write))
                write_fields.append(field)
                write_columns.append(column)
        # The plan, so a row costs no reflection: positions of the values to convert.
        self._get = _tuple_getter(itemgetter, read_keys)
        self._read_converts = tuple(read_converts)
        self._given = tuple((i, field) for i, field in enumerate(own) if field in given)
        self._attrs = _tuple_getter(attrgetter, write_fields)
        self._write_columns = tuple(write_columns)
        self._write_converts = tuple(write_converts)
        self._computed = tuple(computed.items())

    def read(self, row: RowMapping, /, **given: Any) -> T:
        """The object stored in ``row`` (a result mapping); ``given`` fills the ``given`` fields."""
        values = list(self._get(row))
        for i, convert in self._read_converts:
            values[i] = convert(values[i])
        for i, name in self._given:
            values.insert(i, given[name])
        return self.cls(*values)

    def values(self, obj: T) -> dict[str, Any]:
        """Column values of ``obj``, for an insert or update (database-assigned keys left out)."""
        values = list(self._attrs(obj))
        for i, convert in self._write_converts:
            values[i] = convert(values[i])
        out = dict(zip(self._write_columns, values, strict=True))
        for column, compute in self._computed:
            out[column] = compute(obj)
        return out


def _tuple_getter(getter: Callable[..., Callable[[Any], Any]], keys: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """``itemgetter``/``attrgetter`` of ``keys`` that returns a tuple even for one key."""
    if len(keys) == 1:
        one = getter(keys[0])
        return lambda obj: (one(obj),)
    return cast(Callable[[Any], tuple[Any, ...]], getter(*keys))


# -- the stored dataclasses -------------------------------------------------


def _none_as_zero(v: int | None) -> int:
    return v or 0


def _zero_as_none(v: int) -> int | None:
    return v or None


def _or_empty(v: str | None) -> str:
    return v or ""


def _service_seconds(t: Ticket) -> float | None:
    return (t.finished_at - t.started_at).total_seconds() if t.finished_at and t.started_at else None


def _cut(n: int) -> Convert:
    """Keep what fits in the column (the audit log records, it does not refuse)."""
    return lambda v: v[:n]


TICKET = RowMap(
    Ticket,
    ticket_t,
    fields={
        "id": DB_ASSIGNED,
        # 0, not NULL, for "any window": the queue index then seeks on it.
        "target_window": Stored(read=_zero_as_none, write=_none_as_zero),
    },
    computed={"service_seconds": _service_seconds},
)
# seq: the hall's next sequence number, taken inside the insert itself.
EVENT = RowMap(Event, event_t, fields={"seq": Stored(written=False)})
WINDOW = RowMap(Window, window_t, given=("services",))  # services: from window_service
# number: the ticket's, joined in so a manager can name the rating.
EVALUATION = RowMap(Evaluation, evaluation_t, fields={"number": Stored(read=_or_empty, written=False)})
APPOINTMENT = RowMap(Appointment, appointment_t, fields={"id": DB_ASSIGNED})
NOTICE = RowMap(Notice, notice_t, fields={"id": DB_ASSIGNED})
DEVICE_HEALTH = RowMap(DeviceHealth, device_health_t)

STAFF_USER = RowMap(StaffUser, user_t, fields={"id": DB_ASSIGNED})
LOGIN_THROTTLE = RowMap(LoginThrottle, login_failure_t)
API_SESSION = RowMap(ApiSession, session_t)
DEVICE_TOKEN = RowMap(DeviceToken, device_token_t, fields={"id": DB_ASSIGNED})
AUDIT = RowMap(
    AuditRecord,
    audit_t,
    fields={
        "id": DB_ASSIGNED,
        "actor": Stored(write=_cut(80)),
        "action": Stored(write=_cut(80)),
        "target": Stored(write=_cut(200)),
        "ip": Stored(write=_cut(64)),
    },
)
