"""The roster as an XLSX workbook (导出 XLSX): one sheet, the hall's name, the period and when it
was made in the header rows, then staff × days with each duty's shift code, post and lunch break,
and who is away. Pure: the caller reads the roster; this only lays it out."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import xlsxwriter  # type: ignore[import-untyped]

from queue_server import EN, Assignment, Leave, StaffMember

WEEKDAYS = {"zh": "一二三四五六日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
LEAVE_WORDS = {
    "zh": {"leave": "请假", "out": "外出", "training": "培训"},
    "en": {"leave": "Leave", "out": "Out", "training": "Training"},
}
WORDS = {
    "zh": {
        "title": "{hall} 排班表",
        "period": "排班期：{first} 至 {last}",
        "generated": "生成时间：{at}",
        "draft": "（草稿，未发布）",
        "name": "姓名",
        "login": "工号",
        "lunch": "午休",
    },
    "en": {
        "title": "{hall} roster",
        "period": "Period: {first} to {last}",
        "generated": "Generated: {at}",
        "draft": "(draft, not published)",
        "name": "Name",
        "login": "Login",
        "lunch": "Lunch",
    },
}
HEADER_ROWS = 4  # title, period, generation time, column heads


@dataclass(frozen=True, slots=True)
class RosterSheet:
    """What one exported sheet shows."""

    hall_name: str
    first: date
    last: date
    generated_at: datetime  # aware
    tz: ZoneInfo
    staff: Sequence[StaffMember]
    assignments: Sequence[Assignment]
    leave: Sequence[Leave]
    draft: bool = False
    lang: str = "zh"


def _hhmm(at: datetime, tz: ZoneInfo) -> str:
    return f"{at.astimezone(tz):%H:%M}"


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def cell_text(sheet: RosterSheet, login: str, day: date, duties: Sequence[Assignment]) -> str:
    """One clerk's day: each of their ``duties`` that day as ``code post`` with its lunch break
    below, then any leave."""
    lang = EN if sheet.lang == EN else "zh"
    lines: list[str] = []
    for a in sorted(duties, key=lambda a: a.start):
        lines.append(f"{a.shift} {a.post}" if a.post else a.shift)
        if a.lunch_start is not None and a.lunch_end is not None:
            span = f"{_hhmm(a.lunch_start, sheet.tz)}-{_hhmm(a.lunch_end, sheet.tz)}"
            lines.append(f"{WORDS[lang]['lunch']} {span}")
    start = datetime.combine(day, time(0), tzinfo=sheet.tz)
    end = start + timedelta(days=1)
    kinds = sorted({lv.kind.value for lv in sheet.leave if lv.login == login and lv.covers(start, end)})
    lines += [LEAVE_WORDS[lang][k] for k in kinds]
    return "\n".join(lines)


def roster_workbook(sheet: RosterSheet) -> bytes:
    """The XLSX file's bytes."""
    lang = EN if sheet.lang == EN else "zh"
    words = WORDS[lang]
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = book.add_worksheet(f"{sheet.first:%Y%m%d}-{sheet.last:%Y%m%d}")
    bold = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#DDE6F2", "border": 1, "align": "center", "text_wrap": True})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top", "font_size": 9})
    days = _days(sheet.first, sheet.last)
    title = words["title"].format(hall=sheet.hall_name) + (words["draft"] if sheet.draft else "")
    ws.write(0, 0, title, bold)
    ws.write(1, 0, words["period"].format(first=sheet.first.isoformat(), last=sheet.last.isoformat()))
    ws.write(2, 0, words["generated"].format(at=f"{sheet.generated_at.astimezone(sheet.tz):%Y-%m-%d %H:%M}"))
    row = HEADER_ROWS - 1
    ws.write(row, 0, words["name"], head)
    ws.write(row, 1, words["login"], head)
    for i, d in enumerate(days):
        ws.write(row, 2 + i, f"{d:%m-%d}\n{WEEKDAYS[lang][d.weekday()]}", head)
    by_cell: dict[tuple[str, date], list[Assignment]] = defaultdict(list)
    for a in sheet.assignments:
        by_cell[a.login, a.day].append(a)
    working = {a.login for a in sheet.assignments}
    people = [m for m in sheet.staff if m.active or m.login in working]
    for n, member in enumerate(people, start=row + 1):
        ws.write(n, 0, member.name, cell)
        ws.write(n, 1, member.login, cell)
        for i, d in enumerate(days):
            ws.write(n, 2 + i, cell_text(sheet, member.login, d, by_cell.get((member.login, d), [])), cell)
    ws.set_column(0, 1, 10)
    ws.set_column(2, 1 + len(days), 14)
    ws.freeze_panes(HEADER_ROWS, 2)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    book.close()
    return out.getvalue()


__all__ = ["RosterSheet", "cell_text", "roster_workbook"]
