"""The CSV import checked row by row (pure): the encodings Excel saves, every problem of a row
rather than the first, and what only the hall knows (now, its hours and calendar, its codes)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_server.config import parse_config
from queue_server.errors import BadRequest
from queue_server.rules import appointments_csv as rows_csv
from queue_server.staffing import CalendarDay, DayKind
from tests.conftest import SMALL_HALL

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
HEADER = "code,service,slot_start,slot_end,name\n"
HOURS = (time(9), time(17))


def read(body: str) -> list[rows_csv.RowCheck]:
    return rows_csv.read_rows(HEADER + body, hall="t", at=NOW, tz=TZ, services={"A", "B"})


def judged(body: str, taken: set[str] | None = None, closed: set[date] | None = None) -> list[rows_csv.RowCheck]:
    def opening(day: date) -> tuple[time, time] | None:
        return None if day in (closed or set()) else HOURS

    return rows_csv.judge(read(body), now=NOW, tz=TZ, opening=opening, taken=taken or set())


def reasons(row: rows_csv.RowCheck) -> list[tuple[str, str | None]]:
    return [(p.reason, p.column) for p in row.problems]


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        ((HEADER + "Y-1,A,x,y,张三\n").encode("utf-8"), "utf-8"),
        (("\ufeff" + HEADER + "Y-1,A,x,y,张三\n").encode("utf-8"), "utf-8"),
        ((HEADER + "Y-1,A,x,y,张三\n").encode("gbk"), "gbk"),
    ],
)
def test_utf8_its_bom_and_gbk_decode_to_the_same_text(raw: bytes, encoding: str) -> None:
    text, found = rows_csv.decode(raw)
    assert found == encoding and text.removeprefix("\ufeff") == HEADER + "Y-1,A,x,y,张三\n"


def test_bytes_neither_utf8_nor_gbk_are_refused_saying_so() -> None:
    with pytest.raises(BadRequest) as info:
        rows_csv.decode(b"code\xff\xfe\x00")
    assert "neither UTF-8 nor GBK" in info.value.message and "GBK" in info.value.message.partition(" / ")[0]


def test_every_problem_of_a_row_is_given_not_only_the_first() -> None:
    [row] = read("bad code,Z,soon,2026-11-23T10:00," + "名" * 101 + "\n")
    assert reasons(row) == [("code", "code"), ("service", "service"), ("time", "slot_start"), ("name", "name")]
    assert row.appointment is None and row.cells["service"] == "Z"
    assert all(p.zh and p.en for p in row.problems)


def test_a_control_character_is_the_rows_problem_not_the_files() -> None:
    good, bad = read("Y-1,A,2026-11-23T10:00,2026-11-23T10:30,\nY-2,A,2026-11-23T10:00,2026-11-23T10:30,a\x01b\n")
    assert good.ok and reasons(bad) == [("text", "name")]


def test_a_date_too_far_to_move_between_zones_is_the_rows_problem() -> None:
    [row] = read("Y-1,A,9999-12-31T23:00-14:00,1969-12-31T23:00+14:00,\n")
    assert reasons(row) == [("time", "slot_start"), ("time", "slot_end")]
    assert "must be from 1970-01-01 to 2999-12-31" in row.problems[0].en


def test_a_good_row_is_its_appointment_in_utc() -> None:
    [row] = read("Y-1,B,2026-11-23T10:00,2026-11-23T10:30, 张三 \n")
    a = row.appointment
    assert row.ok and a is not None
    assert (a.hall, a.code, a.service, a.name, a.created_at) == ("t", "Y-1", "B", "张三", NOW)
    assert (a.slot_start, a.slot_end) == (NOW + timedelta(hours=1), NOW + timedelta(hours=1, minutes=30))


def test_a_repeated_code_names_its_first_line_on_every_repeat() -> None:
    rows = read(
        "Y-1,A,2026-11-23T10:00,2026-11-23T10:30,\n"
        "Y-1,A,2026-11-23T11:00,2026-11-23T11:30,\n"
        "Y-1,B,2026-11-23T12:00,2026-11-23T12:30,\n"
    )
    assert [r.ok for r in rows] == [True, False, False]
    assert ["repeats line 2" in r.problems[0].en for r in rows[1:]] == [True, True]


@pytest.mark.parametrize(
    ("slot", "expected"),
    [
        (("2026-11-23T09:00", "2026-11-23T09:30"), []),  # from the opening, exactly
        (("2026-11-23T16:30", "2026-11-23T17:00"), []),  # to the closing, exactly
        (("2026-11-23T08:45", "2026-11-23T09:15"), [("past", "slot_start"), ("hours", "slot_start")]),
        (("2026-11-24T16:45", "2026-11-24T17:15"), [("hours", "slot_start")]),
        (("2026-11-24T16:45", "2026-11-25T09:15"), [("hours", "slot_start")]),  # into the next day
        (("2026-11-25T10:00", "2026-11-25T10:30"), [("closed", "slot_start")]),
        (("2026-11-23T10:00+00:00", "2026-11-23T10:30+00:00"), [("hours", "slot_start")]),  # 18:00 local
    ],
)
def test_a_slot_is_judged_by_now_and_the_days_hours(slot: tuple[str, str], expected: list[tuple[str, str]]) -> None:
    [row] = judged(f"Y-1,A,{slot[0]},{slot[1]},\n", closed={date(2026, 11, 25)})
    assert reasons(row) == expected
    assert (row.appointment is None) == bool(expected)


def test_a_taken_code_is_named_and_an_unreadable_slot_is_not_judged_again() -> None:
    taken, unreadable = judged("Y-1,A,2026-11-23T10:00,2026-11-23T10:30,\nY-2,A,never,2026-11-23T10:30,\n", {"Y-1"})
    assert reasons(taken) == [("taken", "code")] and "already exists" in taken.problems[0].en
    assert reasons(unreadable) == [("time", "slot_start")]


def test_check_file_reads_the_halls_calendar_for_the_days_the_rows_span() -> None:
    hall = parse_config(SMALL_HALL).halls[0]
    asked: list[tuple[date, date]] = []

    def overrides(first: date, last: date) -> list[CalendarDay]:
        asked.append((first, last))
        return [CalendarDay(day=date(2026, 11, 24), kind=DayKind.HOLIDAY, name="闭厅", source="hall")]

    text = HEADER + "Y-1,A,2026-11-24T10:00,2026-11-24T10:30,\nY-2,A,2026-11-26T10:00,2026-11-26T10:30,\n"
    rows = rows_csv.check_file(text, hall=hall, now=NOW, taken=lambda codes: {c for c in codes if c == "Y-2"},
                               overrides=overrides)  # fmt: skip
    assert asked == [(date(2026, 11, 24), date(2026, 11, 26))]
    assert [reasons(r) for r in rows] == [[("closed", "slot_start")], [("taken", "code")]]
    with pytest.raises(BadRequest) as info:
        rows_csv.refuse_bad(rows)
    assert "line 2, column slot_start: the hall is closed on 2026-11-24" in info.value.message
    assert "第 2 行「slot_start」列" in info.value.message
