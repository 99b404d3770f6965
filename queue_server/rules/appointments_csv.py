"""预约 CSV import, checked row by row: every line's appointment, or every reason it is bad.

The preview shows the manager all of it before anything is stored; the import refuses the
file if any row is bad, naming the first. Pure: the time, the hall's time zone, its opening
hours and the codes it already has are passed in.

A whole-file fault (undecodable bytes, malformed CSV, a wrong header, no header, too many
rows) is a ``BadRequest``: there are no rows to show then.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import TypeVar
from zoneinfo import ZoneInfo

from ..config import HallConfig
from ..domain import Appointment
from ..errors import BadRequest
from ..staffing import CalendarDay
from ..text import date_problem, text_problem
from .appointments import _code, _Invalid, _name, _service, _time
from .calendar import HallCalendar

# What a file from Excel may be: UTF-8 (with or without its BOM), or the Chinese Windows code
# page (GBK; GB18030 is its superset and also reads the rare characters of some names).
ENCODINGS = ("utf-8-sig", "gb18030")
CSV_COLUMNS = ("code", "service", "slot_start", "slot_end", "name")
MAX_IMPORT_ROWS = 5000
Opening = Callable[[date], tuple[time, time] | None]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a row is bad: a reason code, the column (None: the whole line), in both languages."""

    reason: str
    column: str | None
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class RowCheck:
    """One data line of the file: its cells as given, what could be read of them, and its problems."""

    line: int
    cells: dict[str, str]
    code: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    appointment: Appointment | None = None  # when every field is good
    problems: tuple[Problem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems


def decode(raw: bytes) -> tuple[str, str]:
    """The file's text and the encoding that read it ("utf-8" or "gbk"); a BadRequest when
    neither does."""
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), "utf-8" if encoding == "utf-8-sig" else "gbk"
        except UnicodeDecodeError:
            continue
    raise BadRequest(
        "CSV 文件编码无法识别，请在 Excel 中另存为「CSV UTF-8」或 GBK 编码的 CSV / "
        "the CSV is neither UTF-8 nor GBK text; save it from Excel as 'CSV UTF-8' or as GBK CSV"
    )


def _slot_time(column: str, tz: ZoneInfo) -> Callable[[str], datetime]:
    """A slot column's reader: ``rules.appointments``'s, within the years every date may be
    (one near the limits of datetime cannot be moved between zones)."""

    def read(value: str) -> datetime:
        try:
            day: date | None = datetime.fromisoformat(value.strip()).date()
        except ValueError:
            day = None  # ``_time`` says what a time must look like
        why = date_problem(day) if day is not None else None
        if why is not None:
            raise _Invalid(column, f"日期{why[0]}", f"the date {why[1]}")
        return _time(value, column, tz)

    return read


def _row_error(line: int, column: str | None, zh: str, en: str) -> BadRequest:
    if column is None:
        return BadRequest(f"第 {line} 行：{zh} / line {line}: {en}")
    return BadRequest(f"第 {line} 行「{column}」列：{zh} / line {line}, column {column}: {en}")


def _header(row: list[str], line: int) -> tuple[str, ...]:
    header = tuple(cell.strip().lower() for cell in row)
    if header not in (CSV_COLUMNS, CSV_COLUMNS[:-1]):
        expected = ",".join(CSV_COLUMNS)
        raise _row_error(
            line, None, f"表头须为 {expected}（name 列可省略）", f"the header must be {expected} (name may be left out)"
        )
    return header


def _missing(column: str) -> Problem:
    return Problem("missing", column, f"缺少「{column}」", f"{column} is missing")


class _Fields:
    """One row's cells, read one column at a time; each bad one adds its problem."""

    def __init__(self, cells: dict[str, str]) -> None:
        self.cells = cells
        self.problems: list[Problem] = []

    def read(self, column: str, reason: str, parse: Callable[[str], T], *, required: bool = True) -> T | None:
        value = self.cells.get(column, "")
        if not value.strip():
            if required:
                self.problems.append(_missing(column))
            return None
        try:
            return parse(value)
        except _Invalid as bad:
            self.problems.append(Problem(reason, bad.column, bad.zh, bad.en))
            return None


def _check_row(
    line: int, cells: dict[str, str], *, hall: str, at: datetime, tz: ZoneInfo, services: Collection[str]
) -> RowCheck:
    """Every field of one row checked, not only the first bad one."""
    unreadable = [(column, text_problem(value)) for column, value in cells.items()]
    if any(why for _, why in unreadable):
        problems = tuple(Problem("text", column, why[0], why[1]) for column, why in unreadable if why)
        return RowCheck(line, cells, problems=problems)
    f = _Fields(cells)
    code = f.read("code", "code", _code)
    service = f.read("service", "service", lambda v: _service(v, services))
    start = f.read("slot_start", "time", _slot_time("slot_start", tz))
    end = f.read("slot_end", "time", _slot_time("slot_end", tz))
    name = f.read("name", "name", _name, required=False) or ""
    if start is not None and end is not None and end <= start:
        f.problems.append(Problem("order", "slot_end", "结束时间须晚于开始时间", "slot_end must be after slot_start"))
    appointment = None
    if not f.problems and code is not None and service is not None and start is not None and end is not None:
        appointment = Appointment(id=0, hall=hall, code=code, service=service, slot_start=start, slot_end=end,
                                  created_at=at, name=name)  # fmt: skip
    return RowCheck(line, cells, code, start, end, appointment, tuple(f.problems))


def read_rows(text: str, *, hall: str, at: datetime, tz: ZoneInfo, services: Collection[str]) -> list[RowCheck]:
    """Every data line of a CSV import (header ``code,service,slot_start,slot_end[,name]``), each
    with all its field problems and repeats of an earlier line's code; blank lines skipped, a
    UTF-8 BOM accepted. ``services`` are the hall's active service codes."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")), strict=True)
    header: tuple[str, ...] | None = None
    seen: dict[str, int] = {}
    out: list[RowCheck] = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = _header(row, line)
                continue
            if len(out) == MAX_IMPORT_ROWS:
                raise _row_error(
                    line, None, f"一次最多导入 {MAX_IMPORT_ROWS} 条", f"at most {MAX_IMPORT_ROWS} rows per import"
                )
            out.append(_one(row, line, header, seen, hall=hall, at=at, tz=tz, services=services))
    except csv.Error as exc:
        raise _row_error(reader.line_num, None, f"CSV 格式错误（{exc}）", f"malformed CSV ({exc})") from None
    if header is None:
        raise _row_error(1, None, "文件为空，缺少表头", "the file is empty; the header is missing")
    return out


def _one(
    row: list[str],
    line: int,
    header: tuple[str, ...],
    seen: dict[str, int],
    *,
    hall: str,
    at: datetime,
    tz: ZoneInfo,
    services: Collection[str],
) -> RowCheck:
    if len(row) != len(header):
        cells = dict(zip(header, row, strict=False))
        wrong = Problem(
            "columns",
            None,
            f"应有 {len(header)} 列，实际 {len(row)} 列",
            f"expected {len(header)} columns, got {len(row)}",
        )
        return RowCheck(line, cells, problems=(wrong,))
    checked = _check_row(line, dict(zip(header, row, strict=True)), hall=hall, at=at, tz=tz, services=services)
    if checked.code is not None:
        first = seen.setdefault(checked.code, line)
        if first != line:
            repeat = Problem(
                "duplicate",
                "code",
                f"预约号 {checked.code} 与第 {first} 行重复",
                f"code {checked.code!r} repeats line {first}",
            )
            checked = replace(checked, appointment=None, problems=(*checked.problems, repeat))
    return checked


def days_spanned(rows: Sequence[RowCheck], tz: ZoneInfo) -> tuple[date, date] | None:
    """The first and last local day a readable slot of ``rows`` starts on (for the calendar)."""
    days = [r.start.astimezone(tz).date() for r in rows if r.start is not None]
    return (min(days), max(days)) if days else None


def _hours(at: datetime, tz: ZoneInfo) -> str:
    return f"{at.astimezone(tz):%H:%M}"


def _when(start: datetime, end: datetime, now: datetime, tz: ZoneInfo, opening: Opening) -> list[Problem]:
    problems: list[Problem] = []
    if start < now:
        now_at = _hours(now, tz)
        problems.append(
            Problem(
                "past", "slot_start", f"时段已开始或已过（现在 {now_at}）", f"the slot starts before now ({now_at})"
            )
        )
    day = start.astimezone(tz).date()
    hours = opening(day)
    if hours is None:
        problems.append(Problem("closed", "slot_start", f"{day} 大厅不办公", f"the hall is closed on {day}"))
        return problems
    opens, closes = hours
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    if local_start.time() < opens or local_end.date() != day or local_end.time() > closes:
        span = f"{opens:%H:%M}-{closes:%H:%M}"
        slot = f"{_hours(start, tz)}-{_hours(end, tz)}"
        problems.append(
            Problem("hours", "slot_start", f"时段 {slot} 不在当日办公时间 {span} 内",
                    f"the slot {slot} is outside the day's opening hours {span}")
        )  # fmt: skip
    return problems


def judge(
    rows: Sequence[RowCheck], *, now: datetime, tz: ZoneInfo, opening: Opening, taken: Collection[str]
) -> list[RowCheck]:
    """``rows`` with what only the hall knows added: a slot already begun, on a day the hall is
    closed or outside its hours (``opening``: a local day's hours, None when closed), and a code
    the hall already has (``taken``, cancelled ones included)."""
    out: list[RowCheck] = []
    for row in rows:
        problems = list(row.problems)
        if row.code is not None and row.code in taken:
            problems.append(
                Problem("taken", "code", f"预约号 {row.code} 已存在", f"appointment code {row.code!r} already exists")
            )
        if row.start is not None and row.end is not None and row.end > row.start:
            problems.extend(_when(row.start, row.end, now, tz, opening))
        ok = len(problems) == len(row.problems)
        out.append(replace(row, problems=tuple(problems), appointment=row.appointment if ok else None))
    return out


def refuse_bad(rows: Sequence[RowCheck]) -> list[Appointment]:
    """The appointments of ``rows`` when every row is good; otherwise a BadRequest naming the
    first bad line and its first problem (an import is all rows or none)."""
    for row in rows:
        if row.problems:
            first = row.problems[0]
            raise _row_error(row.line, first.column, first.zh, first.en)
    return [row.appointment for row in rows if row.appointment is not None]


def check_file(
    text: str,
    *,
    hall: HallConfig,
    now: datetime,
    taken: Callable[[list[str]], Collection[str]],
    overrides: Callable[[date, date], Iterable[CalendarDay]],
) -> list[RowCheck]:
    """``read_rows`` then ``judge`` for ``hall`` at ``now``: ``taken`` answers which of some
    codes the hall has, ``overrides`` the hall's calendar dates of a span (both read by the
    caller's transaction or reader)."""
    rows = read_rows(text, hall=hall.slug, at=now, tz=hall.tz, services={s.code for s in hall.services})
    span = days_spanned(rows, hall.tz)
    calendar = HallCalendar(hall.hours, overrides(*span) if span else ())
    codes = [r.code for r in rows if r.code is not None]
    return judge(rows, now=now, tz=hall.tz, opening=calendar.opening, taken=taken(codes))
