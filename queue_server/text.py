"""What text a request may carry, on SQLite and PostgreSQL alike.

PostgreSQL cannot store NUL, an unpaired UTF-16 surrogate (``"\\ud800"`` in JSON) cannot be
encoded at all, and control characters in a name or a reason only garble the screens and the
audit log. So text fields refuse them all, wherever they come from (JSON bodies, query
strings, path parameters, CSV cells); a field that legitimately holds several lines (a notice
body, a comment) keeps its newlines and tabs. Times are held to the years that every
conversion (UTC, a hall's time zone, a day's bounds) can represent.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from .errors import BadRequest
from .names import KIND_EN, bad_character

FIRST_DATE, LAST_DATE = date(1970, 1, 1), date(2999, 12, 31)

_KIND_ZH = {"surrogate": "不成对的代理字符", "control": "控制字符", "direction": "文字方向控制符"}
_KIND_EN = {
    "surrogate": "an unpaired surrogate",
    "control": "the control character",
    "direction": "a text-direction mark",
}


def text_problem(value: str, *, lines: bool = False) -> tuple[str, str] | None:
    """Why ``value`` may not be stored, in Chinese and English, or None when it may."""
    found = bad_character(value, lines=lines)
    if found is None:
        return None
    at, code, kind = found
    return f"含有{_KIND_ZH[kind]} {code}", f"contains {KIND_EN[kind]} {code} at position {at}"


def date_problem(day: date) -> tuple[str, str] | None:
    if FIRST_DATE <= day <= LAST_DATE:
        return None
    return f"须在 {FIRST_DATE} 至 {LAST_DATE} 之间", f"must be from {FIRST_DATE} to {LAST_DATE}"


def check_period(
    first: date,
    last: date,
    most_days: int,
    span: tuple[str, str] = ("一次最多", "a range covers at most"),
    *,
    start: str = "first",
    end: str = "last",
    given: bool = True,
) -> None:
    """BadRequest naming the field when ``first..last`` is no period of at most ``most_days``
    days: a date out of the range dates may take (when the dates are ``given`` by a caller, not
    derived, as a week around a day at the edge is), the end before the start, or too long
    (said as ``span``, in Chinese and English, before the count)."""
    for day, name in ((first, start), (last, end)) if given else ():
        problem = date_problem(day)
        if problem:
            raise BadRequest(f"{name}: 日期{problem[0]} / {name}: {problem[1]}")
    if last < first:
        raise BadRequest(f"{end}: 结束日期早于开始日期 / {end}: {last} is before {start} {first}")
    if (last - first).days + 1 > most_days:
        raise BadRequest(f"{end}: {span[0]} {most_days} 天 / {end}: {span[1]} {most_days} days")


def printable(value: str) -> str:
    """``value`` as JSON can always encode it (lone surrogates written as ``\\udXXX``)."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


TIME_COLUMNS = ("slot_start", "slot_end")


def csv_problem(text: str) -> tuple[str, str] | None:
    """The first cell of a CSV import that no row may hold (a control character, a line break
    inside a cell, a time out of range), as ``(中文, English)`` naming its line and column;
    None when every cell is acceptable text. Malformed CSV is left to the importer's parser."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")), strict=True)
    header: list[str] | None = None
    line = 1  # where the row starts (a quoted cell may span lines)
    try:
        for row in reader:
            first, line = line, reader.line_num + 1
            if header is None and not any(cell.strip() for cell in row):
                continue
            names = header or []
            for i, cell in enumerate(row):
                column = names[i] if i < len(names) else f"{i + 1}"
                why = text_problem(cell) or (_time_problem(cell) if column in TIME_COLUMNS else None)
                if why is not None:
                    line = first
                    zh, en = why
                    return f"第 {line} 行「{column}」列{zh}", f"line {line}, column {column}: {en}"
            if header is None:
                header = [cell.strip().lower() for cell in row]
    except csv.Error:
        return None
    return None


def _time_problem(cell: str) -> tuple[str, str] | None:
    try:
        parsed = datetime.fromisoformat(cell.strip())
    except ValueError:
        return None  # the importer says what a time must look like
    return date_problem(parsed.date())
