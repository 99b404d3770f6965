"""Reading a hall's opening hours, noon policy, calendar overrides and shift templates.

Times are written "HH:MM" (or as TOML times), spans "HH:MM-HH:MM". Every error names the
key path, like the rest of the hall file.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import TYPE_CHECKING, Any

from ..staffing import SLOT_MINUTES, CalendarDay, DayKind, NoonPolicy, OpeningHours, ShiftTemplate
from .model import DEFAULT_HOURS, DEFAULT_NOON, default_shifts

if TYPE_CHECKING:  # the reader calls in here for these sections
    from .reader import TomlReader

TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
CLOSED = "closed"
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# What [[hall.calendar]] kind may say; "closed" (闭厅) is a day off that is no public holiday.
CALENDAR_KINDS = {
    "holiday": DayKind.HOLIDAY,
    "workday": DayKind.WORKDAY,
    "adjusted_workday": DayKind.ADJUSTED_WORKDAY,
    "closed": DayKind.HOLIDAY,
}
CLOSED_NAME = "闭厅"

Span = tuple[time, time]


def minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def fmt(span: Span) -> str:
    return f"{span[0]:%H:%M}-{span[1]:%H:%M}"


def read_time(r: TomlReader, value: Any, key: str) -> time:
    if isinstance(value, time):
        if value.tzinfo is not None or value.second or value.microsecond:
            raise r.fail(key, "must be a wall-clock time in whole minutes, like 09:00")
        return value
    if not isinstance(value, str) or not TIME_RE.fullmatch(value.strip()):
        raise r.fail(key, f"must be a time 'HH:MM' (00:00 to 23:59), got {value!r}")
    hour, minute = value.strip().split(":")
    return time(int(hour), int(minute))


def read_span(r: TomlReader, value: Any, key: str) -> Span:
    """ "HH:MM-HH:MM", ending after it starts."""
    if not isinstance(value, str) or value.count("-") != 1:
        raise r.fail(key, f"must be a span 'HH:MM-HH:MM', got {value!r}")
    first, last = value.split("-")
    start, end = read_time(r, first, key), read_time(r, last, key)
    if end <= start:
        raise r.fail(key, f"ends at {end:%H:%M}, not after it starts at {start:%H:%M}")
    return start, end


def read_hours(r: TomlReader, value: Any, key: str) -> OpeningHours:
    """`weekdays` for Monday to Friday, then any day on its own ("closed" closes it)."""
    t = r.table(value, key, {"weekdays", *DAY_NAMES})

    def day(name: str, default: Span | None) -> Span | None:
        raw = t.get(name)
        if raw is None:
            return default
        if isinstance(raw, str) and raw.strip().lower() == CLOSED:
            return None
        return read_span(r, raw, f"{key}.{name}")

    weekdays = day("weekdays", DEFAULT_HOURS.on(0))
    return OpeningHours(weekdays=tuple(day(name, weekdays if i < 5 else None) for i, name in enumerate(DAY_NAMES)))


def usual_hours(hours: OpeningHours) -> Span | None:
    """The hours most of Monday to Friday keep: what a 调休 workday opens with."""
    spans = [s for s in (hours.on(d) for d in range(5)) if s is not None]
    return max(spans, key=spans.count) if spans else None


def read_noon(r: TomlReader, value: Any, key: str, hours: OpeningHours, windows: int) -> NoonPolicy:
    t = r.table(value, key, {"start", "end", "min_windows"})
    start = read_time(r, t["start"], f"{key}.start") if "start" in t else DEFAULT_NOON.start
    end = read_time(r, t["end"], f"{key}.end") if "end" in t else DEFAULT_NOON.end
    if end <= start:
        raise r.fail(f"{key}.end", f"ends at {end:%H:%M}, not after the noon period starts at {start:%H:%M}")
    usual = usual_hours(hours)
    if ("start" in t or "end" in t) and usual is not None and not (usual[0] <= start and end <= usual[1]):
        raise r.fail(key, f"the noon period {fmt((start, end))} must lie within the weekday hours {fmt(usual)}")
    min_windows = r.int_(t, key, "min_windows", min(DEFAULT_NOON.min_windows, windows), 0, 9999)
    if min_windows > windows:
        raise r.fail(f"{key}.min_windows", f"is {min_windows}, more than the hall's {windows} windows")
    return NoonPolicy(start=start, end=end, min_windows=min_windows)


def read_date(r: TomlReader, value: Any, key: str) -> date:
    if isinstance(value, date) and type(value) is date:
        return value
    if isinstance(value, str) and DATE_RE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise r.fail(key, f"must be a date YYYY-MM-DD, got {value!r}")


def read_calendar(r: TomlReader, items: list[Any], key: str) -> tuple[CalendarDay, ...]:
    days: list[CalendarDay] = []
    for i, item in enumerate(items):
        k = f"{key}[{i}]"
        t = r.table(item, k, {"date", "kind", "name"})
        if "date" not in t:
            raise r.fail(f"{k}.date", "is required")
        day = read_date(r, t["date"], f"{k}.date")
        kind = r.str_(t, k, "kind")
        if kind not in CALENDAR_KINDS:
            raise r.fail(f"{k}.kind", f"unknown kind {kind!r} (allowed: {', '.join(CALENDAR_KINDS)})")
        name = r.str_(t, k, "name") if "name" in t else (CLOSED_NAME if kind == "closed" else "")
        days.append(CalendarDay(day=day, kind=CALENDAR_KINDS[kind], name=name, source="hall"))
    r.unique([d.day for d in days], key, "date")
    return tuple(days)


def on_slot(r: TomlReader, t: time, key: str) -> None:
    # Coverage and lunch breaks are planned per slot; an off-grid time could never be placed.
    if minutes(t) % SLOT_MINUTES:
        raise r.fail(key, f"{t:%H:%M} is not on the {SLOT_MINUTES}-minute grid rosters are planned on")


def read_shift(r: TomlReader, value: Any, key: str, hall: str, noon: NoonPolicy) -> ShiftTemplate:
    allowed = {"code", "name_zh", "name_en", "start", "end", "lunch_minutes", "lunch_between", "noon_duty"}
    t = r.table(value, key, allowed)
    code = r.str_(t, key, "code")
    if not CODE_RE.fullmatch(code):
        raise r.fail(f"{key}.code", "use letters, digits, '_' and '-', up to 32 (e.g. 'early')")
    for name in ("start", "end"):
        if name not in t:
            raise r.fail(f"{key}.{name}", "is required")
    start, end = read_time(r, t["start"], f"{key}.start"), read_time(r, t["end"], f"{key}.end")
    on_slot(r, start, f"{key}.start")
    on_slot(r, end, f"{key}.end")
    if end <= start:
        raise r.fail(f"{key}.end", f"ends at {end:%H:%M}, not after the shift starts at {start:%H:%M}")
    lunch = r.int_(t, key, "lunch_minutes", 0, 0, minutes(end) - minutes(start) - SLOT_MINUTES)
    if lunch % SLOT_MINUTES:
        raise r.fail(f"{key}.lunch_minutes", f"must be a multiple of {SLOT_MINUTES} minutes, got {lunch}")
    window: Span | None = None
    if "lunch_between" in t:
        window = read_span(r, t["lunch_between"], f"{key}.lunch_between")
        if not lunch:
            raise r.fail(f"{key}.lunch_between", "set lunch_minutes too, or drop lunch_between")
    elif lunch:
        window = (start, end)  # no window written: the break may fall anywhere in the shift
    if window is not None:
        wkey = f"{key}.lunch_between"
        on_slot(r, window[0], wkey)
        on_slot(r, window[1], wkey)
        if not (start <= window[0] and window[1] <= end):
            raise r.fail(wkey, f"{fmt(window)} lies outside the shift {fmt((start, end))}")
        if lunch > minutes(window[1]) - minutes(window[0]):
            raise r.fail(f"{key}.lunch_minutes", f"a {lunch}-minute lunch does not fit between {fmt(window)}")
    noon_duty = t.get("noon_duty", False)
    if not isinstance(noon_duty, bool):
        raise r.fail(f"{key}.noon_duty", "must be true or false")
    if noon_duty:
        period = fmt((noon.start, noon.end))
        if not (start <= noon.start and noon.end <= end):
            raise r.fail(f"{key}.noon_duty", f"a noon-duty shift must cover the noon period {period}")
        if window is not None and window[0] < noon.end and noon.start < window[1]:
            raise r.fail(f"{key}.lunch_between", f"a noon-duty lunch must lie outside the noon period {period}")
    return ShiftTemplate(
        hall=hall,
        code=code,
        name_zh=r.str_(t, key, "name_zh"),
        name_en=r.str_(t, key, "name_en", code),
        start=start,
        end=end,
        lunch_minutes=lunch,
        lunch_earliest=window[0] if window else None,
        lunch_latest=window[1] if window else None,
        noon_duty=noon_duty,
    )


def read_shifts(r: TomlReader, items: list[Any], key: str, hall: str, noon: NoonPolicy) -> tuple[ShiftTemplate, ...]:
    """The hall's templates; none written: the defaults."""
    shifts = tuple(read_shift(r, s, f"{key}[{i}]", hall, noon) for i, s in enumerate(items))
    r.unique([s.code for s in shifts], key, "code")
    return shifts or default_shifts(hall)
