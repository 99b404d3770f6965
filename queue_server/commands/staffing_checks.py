"""Checks the staffing commands share: text fields, logins, members of the registry, instants,
and what they answer. Each check raises the precise error, naming the field, before anything
is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from ..domain import Event
from ..errors import BadRequest, NotFound
from ..names import login_problem, text_problem
from ..staffing import StaffMember
from .unit import Unit

T = TypeVar("T")

MAX_NAME = 100  # a name or department on the roster and the screens
MAX_NOTE = 200


@dataclass(frozen=True, slots=True)
class Changed(Generic[T]):
    """What a staffing command stored, and the events it recorded."""

    value: T
    events: list[Event]


def text_field(value: str, field: str, zh: str, *, max_len: int = MAX_NAME, required: bool = False) -> str:
    """``value`` stripped, or BadRequest naming ``field`` (``zh``: its Chinese name)."""
    text = value.strip()
    if required and not text:
        raise BadRequest(f"{zh}不能为空 / {field} must not be empty")
    problem = text_problem(text, max_len=max_len)
    if problem:
        raise BadRequest(f"{zh}不合规 / {field} {problem}")
    return text


def login_field(login: str, field: str = "login") -> str:
    problem = login_problem(login)
    if problem:
        raise BadRequest(f"登录名不合规 / {field}: {problem}")
    return login


def named_member(u: Unit, login: str, field: str, *, active: bool = True) -> StaffMember:
    """The registry's ``login`` named by ``field`` of a request (BadRequest: the request is wrong)."""
    found = u.tx.staff_member(login)
    if found is None:
        raise BadRequest(
            f"{field}: 本大厅没有工作人员 {login} / {field}: {login!r} is not on the staff of {u.hall.slug}"
        )
    if active and not found.active:
        raise BadRequest(f"{field}: 工作人员 {login} 已停用 / {field}: {login!r} is no longer active in {u.hall.slug}")
    return found


def target_member(u: Unit, login: str) -> StaffMember:
    """The registry's ``login`` a command acts on (NotFound: there is no such thing)."""
    found = u.tx.staff_member(login)
    if found is None:
        raise NotFound(f"本大厅没有工作人员 {login} / {login!r} is not on the staff of {u.hall.slug}")
    return found


def instant(value: datetime, tz: ZoneInfo) -> datetime:
    """``value`` in UTC; a naive value is the hall's local time."""
    return (value.replace(tzinfo=tz) if value.tzinfo is None else value).astimezone(UTC)
