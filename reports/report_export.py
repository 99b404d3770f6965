"""The 报表 as an XLSX workbook (导出 Excel): one sheet per table — 总览, 按事项, 按窗口, 按人员,
按时段, 排名, 回访, 考勤 — each headed by the hall's name, the period and when it was made (the
service clock), then a frozen row of column heads; numbers are numbers, shares are formatted as
percentages and durations in minutes. Pure: the caller reads the figures; this lays them out
(and ``columns``/``figure`` serve the printed bulletin the same way)."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]

from queue_server import EN

Row = Mapping[str, Any]
HEADER_ROWS = 4  # title, period, generation time, column heads
# Sheet names (zh, en), the group tables' key in ``ReportBook.groups`` where they are one.
SHEETS = {
    "overview": ("总览", "Overview"),
    "service": ("按事项", "By service"),
    "window": ("按窗口", "By window"),
    "clerk": ("按人员", "By clerk"),
    "hour": ("按时段", "By hour"),
    "rankings": ("排名", "Rankings"),
    "follow_ups": ("回访", "Follow-ups"),
    "attendance": ("考勤", "Attendance"),
}
WORDS = {
    "zh": {"title": "{hall} 政务服务报表", "period": "统计期：{first} 至 {last}", "generated": "生成时间：{at}"},
    "en": {"title": "{hall} service report", "period": "Period: {first} to {last}", "generated": "Generated: {at}"},
}


def _minutes(seconds: Any) -> float | None:
    return None if seconds is None else round(float(seconds) / 60, 2)


def _dig(row: Row, *path: str) -> Any:
    value: Any = row
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


@dataclass(frozen=True, slots=True)
class Column:
    zh: str
    en: str
    get: Callable[[Row], Any]
    kind: str = "count"  # count | share | minutes | text | score


# The measures of a report row (``report_view.cell_view``), as every group table shows them.
COLUMNS: tuple[Column, ...] = (
    Column("取号量", "Issued", lambda r: r["issued"]),
    Column("办结量", "Served", lambda r: r["served"]),
    Column("过号", "No-show", lambda r: r["no_show"]),
    Column("取消", "Cancelled", lambda r: r["cancelled"]),
    Column("转移", "Transferred", lambda r: r["transferred"]),
    Column("平均等候（分）", "Mean wait (min)", lambda r: _minutes(_dig(r, "wait", "mean_s")), "minutes"),
    Column("90% 等候（分）", "p90 wait (min)", lambda r: _minutes(_dig(r, "wait", "p90_s")), "minutes"),
    Column("最长等候（分）", "Longest wait (min)", lambda r: _minutes(_dig(r, "wait", "max_s")), "minutes"),
    Column("按时叫号率", "Called within target", lambda r: _dig(r, "within_target", "share"), "share"),
    Column("平均办理（分）", "Mean service (min)", lambda r: _minutes(_dig(r, "service_time", "mean_s")), "minutes"),
    Column("评价数", "Ratings", lambda r: _dig(r, "ratings", "count")),
    Column("满意率", "Satisfaction", lambda r: _dig(r, "ratings", "satisfied_share"), "share"),
    Column("差评", "Bad ratings", lambda r: _dig(r, "ratings", "bad")),
)


def columns(lang: str) -> list[tuple[str, Column]]:
    return [(c.en if lang == EN else c.zh, c) for c in COLUMNS]


def figure(value: Any, kind: str) -> str:
    """A figure as text (the printed bulletin): shares as percentages, minutes to one decimal."""
    if value is None:
        return "—"
    if kind == "share":
        return f"{float(value) * 100:.1f}%"
    if kind in ("minutes", "score"):
        # half up, as the page rounds (Math.round), so 8.25 minutes reads 8.3 on both
        return f"{math.floor(float(value) * 10 + 0.5) / 10:.1f}"
    return str(value)


@dataclass(frozen=True, slots=True)
class ReportBook:
    """What the workbook shows: the summary's totals and group rows (``groups``: service,
    window, clerk, hour), each group's display name, the rankings answers and the supervision."""

    hall_name: str
    first: date
    last: date
    generated_at: datetime  # local
    totals: Row
    groups: Mapping[str, Sequence[Row]]
    names: Mapping[str, Mapping[str, str]]
    rankings: Sequence[Row] = ()
    supervision: Row = field(default_factory=dict)
    lang: str = "zh"

    def word(self, zh: str, en: str) -> str:
        return en if self.lang == EN else zh

    def name(self, of: str, group: str) -> str:
        if group == "":
            return self.word("（未叫号）", "(never called)")
        return self.names.get(of, {}).get(group, group)


class _Writer:
    def __init__(self, book: ReportBook, out: io.BytesIO) -> None:
        self.book = book
        self.wb = xlsxwriter.Workbook(out, {"in_memory": True})
        self.bold = self.wb.add_format({"bold": True})
        self.title = self.wb.add_format({"bold": True, "font_size": 14})
        self.head = self.wb.add_format({"bold": True, "bg_color": "#DDE6F3", "border": 1, "text_wrap": True})
        self.formats = {
            "share": self.wb.add_format({"num_format": "0.0%"}),
            "minutes": self.wb.add_format({"num_format": "0.0"}),
            "score": self.wb.add_format({"num_format": "0.00"}),
            "count": None,
            "text": None,
        }

    def sheet(self, key: str, heads: Sequence[str]) -> Any:
        b = self.book
        ws = self.wb.add_worksheet(SHEETS[key][1 if b.lang == EN else 0])
        lang = EN if b.lang == EN else "zh"
        ws.write(0, 0, WORDS[lang]["title"].format(hall=b.hall_name), self.title)
        ws.write(1, 0, WORDS[lang]["period"].format(first=b.first.isoformat(), last=b.last.isoformat()))
        ws.write(2, 0, WORDS[lang]["generated"].format(at=f"{b.generated_at:%Y-%m-%d %H:%M}"))
        for i, h in enumerate(heads):
            ws.write(HEADER_ROWS - 1, i, h, self.head)
        ws.set_column(0, 0, 22)
        ws.set_column(1, max(1, len(heads) - 1), 13)
        ws.freeze_panes(HEADER_ROWS, 0)
        # Printed, a sheet is A4 one page wide (landscape when its table is wide), its heading
        # repeated on every page: a centre files the printout with the month's papers.
        ws.set_paper(9)
        if len(heads) > 6:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0, HEADER_ROWS - 1)
        ws.center_horizontally()
        return ws

    def cell(self, ws: Any, row: int, col: int, value: Any, kind: str = "count") -> None:
        if value is None:
            ws.write_blank(row, col, None)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            ws.write_number(row, col, value, self.formats.get(kind))
        else:
            ws.write_string(row, col, str(value))

    def overview(self) -> None:
        b = self.book
        ws = self.sheet("overview", [b.word("指标", "Measure"), b.word("数值", "Value")])
        for i, (label, col) in enumerate(columns(b.lang)):
            ws.write(HEADER_ROWS + i, 0, label)
            self.cell(ws, HEADER_ROWS + i, 1, col.get(b.totals), col.kind)
        n = HEADER_ROWS + len(COLUMNS)
        follow = b.supervision.get("follow_ups", {})
        ws.write(n, 0, b.word("按期回访率", "Follow-ups on time"))
        self.cell(ws, n, 1, follow.get("on_time_share"), "share")
        ws.write(n + 1, 0, b.word("中午不停歇办结", "Served at noon"))
        self.cell(ws, n + 1, 1, _dig(b.totals, "noon", "served"))

    def group_table(self, key: str) -> None:
        b = self.book
        cols = columns(b.lang)
        ws = self.sheet(key, [b.word("分组", "Group"), *(label for label, _ in cols)])
        for i, row in enumerate(b.groups.get(key, ())):
            ws.write_string(HEADER_ROWS + i, 0, b.name(key, str(row["group"])))
            for j, (_, col) in enumerate(cols, start=1):
                self.cell(ws, HEADER_ROWS + i, j, col.get(row), col.kind)

    def rankings(self) -> None:
        b = self.book
        heads = [b.word(*w) for w in (("对象", "Of"), ("名称", "Name"), ("指标", "Measure"), ("名次", "Rank"),
                                       ("本期", "Value"), ("上期", "Previous"), ("上期名次", "Previous rank"),
                                       ("变化", "Change"), ("样本不足", "Too few"))]  # fmt: skip
        ws = self.sheet("rankings", heads)
        n = HEADER_ROWS
        for answer in b.rankings:
            m = answer["measure"]
            kind = {"share": "share", "seconds": "minutes", "score": "score"}.get(m["unit"], "count")
            scale = (lambda v: _minutes(v)) if m["unit"] == "seconds" else (lambda v: v)
            for r in answer["rows"]:
                values = [SHEETS[answer["of"]][1 if b.lang == EN else 0], b.name(answer["of"], r["group"]),
                          m["en"] if b.lang == EN else m["zh"]]  # fmt: skip
                for j, v in enumerate(values):
                    ws.write_string(n, j, v)
                self.cell(ws, n, 3, r["rank"])
                self.cell(ws, n, 4, scale(r["value"]), kind)
                self.cell(ws, n, 5, scale(r["previous_value"]), kind)
                self.cell(ws, n, 6, r["previous_rank"])
                self.cell(ws, n, 7, scale(r["change"]), kind)
                ws.write_string(n, 8, "✓" if r["too_few"] else "")
                n += 1

    def follow_ups(self) -> None:
        b = self.book
        keys = ("number", "service", "window", "clerk", "score", "rated_at", "due", "state", "done_on")
        heads = [b.word(*w) for w in (("票号", "Number"), ("事项", "Service"), ("窗口", "Window"),
                                       ("人员", "Clerk"), ("评分", "Score"), ("评价时间", "Rated at"),
                                       ("回访期限", "Due"), ("状态", "State"), ("办结日", "Done on"))]  # fmt: skip
        ws = self.sheet("follow_ups", heads)
        for i, case in enumerate(b.supervision.get("cases", ())):
            for j, k in enumerate(keys):
                value = case[k]
                if k == "state":
                    value = case["state_label_en"] if b.lang == EN else case["state_label_zh"]
                elif k == "rated_at":
                    value = str(value)[:16].replace("T", " ")
                elif k == "clerk":
                    value = b.name("clerk", value or "")
                self.cell(ws, HEADER_ROWS + i, j, value)

    def attendance(self) -> None:
        b = self.book
        keys = ("duty_days", "late_days", "late_minutes", "early_days", "early_minutes", "absent_days", "leave_days")
        words = (("人员", "Clerk"), ("在岗天数", "Duty days"), ("迟到", "Late"),
                 ("迟到分钟", "Minutes late"), ("早退", "Left early"), ("早退分钟", "Minutes early"),
                 ("缺勤", "Absent"), ("请假", "Leave"))  # fmt: skip
        heads = [b.word(*w) for w in words]
        ws = self.sheet("attendance", heads)
        for i, clerk in enumerate(_dig(b.supervision, "attendance", "clerks") or ()):
            ws.write_string(HEADER_ROWS + i, 0, clerk["name"])
            for j, k in enumerate(keys, start=1):
                self.cell(ws, HEADER_ROWS + i, j, clerk[k])


def report_workbook(book: ReportBook) -> bytes:
    out = io.BytesIO()
    w = _Writer(book, out)
    w.overview()
    for key in ("service", "window", "clerk", "hour"):
        w.group_table(key)
    w.rankings()
    w.follow_ups()
    w.attendance()
    w.wb.close()
    return out.getvalue()


__all__ = ["COLUMNS", "HEADER_ROWS", "SHEETS", "Column", "ReportBook", "columns", "figure", "report_workbook"]
