"""预约: the check-in time rule, new appointments and the CSV import, without storage."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_server.config import AppointmentPolicy
from queue_server.domain import Appointment
from queue_server.errors import BadRequest, Conflict, NotEligible, NotFound
from queue_server.rules import appointments as rules
from queue_server.rules import appointments_csv as csv_rules
from queue_server.rules.appointments import Arrival
from tests.rules.support import NOW, assert_bilingual

TZ = ZoneInfo("Asia/Shanghai")
SLOT = NOW + timedelta(hours=1)  # 10:00 in Shanghai
POLICY = AppointmentPolicy(early_minutes=30, late_minutes=15, late_policy="walk_in")
SERVICES = {"A", "B"}
HEADER = "code,service,slot_start,slot_end,name\n"


def booking(**fields: object) -> Appointment:
    base = Appointment(
        id=7,
        hall="t",
        code="YY-001",
        service="A",
        slot_start=SLOT,
        slot_end=SLOT + timedelta(minutes=30),
        created_at=NOW - timedelta(days=1),
        name="张三",
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


# --- the time rule ------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (-24 * 60, Arrival.EARLY),
        (-30.01, Arrival.EARLY),
        (-30, Arrival.ON_TIME),  # check-in opens exactly early_minutes before
        (-1, Arrival.ON_TIME),
        (0, Arrival.ON_TIME),
        (0.01, Arrival.LATE),
        (15, Arrival.LATE),  # priority kept up to exactly late_minutes after
        (15.01, Arrival.TOO_LATE),
        (24 * 60, Arrival.TOO_LATE),
    ],
)
def test_classify_boundaries(offset: float, expected: Arrival) -> None:
    assert rules.classify(SLOT, SLOT + minutes(offset), POLICY) is expected


def test_zero_minutes_means_no_early_check_in_and_no_grace() -> None:
    strict = AppointmentPolicy(early_minutes=0, late_minutes=0)
    assert rules.classify(SLOT, SLOT - minutes(0.01), strict) is Arrival.EARLY
    assert rules.classify(SLOT, SLOT, strict) is Arrival.ON_TIME
    assert rules.classify(SLOT, SLOT + minutes(0.01), strict) is Arrival.TOO_LATE


def test_only_on_time_and_late_keep_priority() -> None:
    assert {a for a in Arrival if a.keeps_priority} == {Arrival.ON_TIME, Arrival.LATE}


def test_admit_too_early_says_from_when() -> None:
    with pytest.raises(BadRequest) as info:
        rules.admit(booking(), SLOT - minutes(45), POLICY, TZ)
    assert_bilingual(info.value.message, "YY-001", "09:30", "10:00")


def test_admit_too_early_on_another_day_names_the_date() -> None:
    with pytest.raises(BadRequest) as info:
        rules.admit(booking(), SLOT - timedelta(days=1), POLICY, TZ)
    assert_bilingual(info.value.message, "2026-11-23 09:30")


@pytest.mark.parametrize("offset", [-30, 0, 10, 15])
def test_admit_on_time_and_within_grace(offset: float) -> None:
    assert rules.admit(booking(), SLOT + minutes(offset), POLICY, TZ).keeps_priority


def test_admit_too_late_walk_in_is_let_in_without_priority() -> None:
    arrival = rules.admit(booking(), SLOT + minutes(16), POLICY, TZ)
    assert arrival is Arrival.TOO_LATE and not arrival.keeps_priority


def test_admit_too_late_refused_under_refuse_policy() -> None:
    refuse = replace(POLICY, late_policy="refuse")
    assert rules.admit(booking(), SLOT + minutes(15), refuse, TZ) is Arrival.LATE
    with pytest.raises(NotEligible) as info:
        rules.admit(booking(), SLOT + minutes(16), refuse, TZ)
    assert_bilingual(info.value.message, "YY-001", "10:00", "15")


def test_check_open_refuses_cancelled_and_checked_in() -> None:
    rules.check_open(booking())
    with pytest.raises(NotFound) as gone:
        rules.check_open(booking(cancelled=True))
    assert_bilingual(gone.value.message, "YY-001")
    with pytest.raises(Conflict) as twice:
        rules.check_open(booking(ticket_id=3, checked_in_at=NOW), "A003")
    assert_bilingual(twice.value.message, "YY-001", "A003")


def test_checked_in_records_ticket_and_time() -> None:
    done = rules.checked_in(booking(), 42, NOW)
    assert (done.ticket_id, done.checked_in_at) == (42, NOW)


def test_cancel() -> None:
    new, event = rules.cancel(booking(), NOW, "mgr")
    assert new.cancelled and not booking().cancelled
    assert (event.kind, event.staff, event.at) == ("appointment.cancel", "mgr", NOW)
    with pytest.raises(Conflict):
        rules.cancel(new, NOW, None)
    with pytest.raises(Conflict) as info:
        rules.cancel(booking(ticket_id=3), NOW, None)
    assert_bilingual(info.value.message, "YY-001")


# --- new appointments -----------------------------------------------------------


def new(**overrides: object) -> Appointment:
    args: dict[str, object] = {
        "hall": "t",
        "code": " YY-001 ",
        "service": "A",
        "slot_start": datetime(2026, 11, 23, 10, 0),
        "slot_end": datetime(2026, 11, 23, 10, 30),
        "name": " 张三 ",
        "at": NOW,
        "tz": TZ,
        "services": SERVICES,
    }
    args.update(overrides)
    return rules.new_appointment(**args)  # type: ignore[arg-type]


def test_new_appointment_reads_naive_times_as_hall_time_and_stores_utc() -> None:
    a = new()
    assert (a.code, a.name, a.id, a.created_at) == ("YY-001", "张三", 0, NOW)
    assert a.slot_start == SLOT and a.slot_start.tzinfo is UTC
    assert a.slot_end == SLOT + minutes(30)
    aware = new(slot_start=SLOT, slot_end=SLOT.astimezone(TZ) + minutes(30))
    assert (aware.slot_start, aware.slot_end) == (a.slot_start, a.slot_end)


@pytest.mark.parametrize(
    ("overrides", "error", "needle"),
    [
        ({"code": "  "}, BadRequest, "empty"),
        ({"code": "YY 001"}, BadRequest, "without spaces"),
        ({"code": "Y" * 65}, BadRequest, "1..64"),
        ({"service": "Z"}, NotFound, "'Z'"),
        ({"slot_end": datetime(2026, 11, 23, 10, 0)}, BadRequest, "after slot_start"),
        ({"slot_end": datetime(2026, 11, 23, 9, 0)}, BadRequest, "after slot_start"),
        ({"name": "名" * 101}, BadRequest, "100"),
    ],
)
def test_new_appointment_refuses(overrides: dict[str, object], error: type[Exception], needle: str) -> None:
    with pytest.raises(error) as info:
        new(**overrides)
    assert needle in str(info.value)
    assert_bilingual(str(info.value))


# --- the CSV import -------------------------------------------------------------


def rows_of(text: str, taken: Collection[str] = ()) -> list[csv_rules.RowCheck]:
    """The import's rows as the hall judges them (open all day, every slot ahead of NOW)."""
    rows = csv_rules.read_rows(text, hall="t", at=NOW, tz=TZ, services=SERVICES)
    return csv_rules.judge(
        rows, now=NOW - timedelta(days=1), tz=TZ, opening=lambda _: (time(0), time(23, 59)), taken=taken
    )


def parse(text: str, taken: Collection[str] = ()) -> list[tuple[int, Appointment]]:
    """The appointments an import would store, with their lines; a BadRequest naming the first bad line."""
    rows = rows_of(text, taken)
    stored = csv_rules.refuse_bad(rows)
    return [(r.line, a) for r, a in zip(rows, stored, strict=True)]


def refused(text: str) -> str:
    with pytest.raises(BadRequest) as info:
        parse(text)
    assert_bilingual(info.value.message)
    return info.value.message


def test_parse_csv_rows_with_line_numbers() -> None:
    rows = parse(
        HEADER + "YY-1,A,2026-11-23T10:00,2026-11-23T10:30,张三\n"
        "\n"
        'YY-2,B,2026-11-23 10:30:00+08:00,2026-11-23T03:00:00Z,"王, 五"\n'
    )
    assert [(line, a.code, a.service, a.name) for line, a in rows] == [
        (2, "YY-1", "A", "张三"),
        (4, "YY-2", "B", "王, 五"),
    ]
    assert rows[0][1].slot_start == SLOT
    assert rows[1][1].slot_start == SLOT + minutes(30)
    assert rows[1][1].slot_end == datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def test_parse_csv_accepts_excel_bom_crlf_and_no_name_column() -> None:
    rows = parse("\ufeffcode,service,slot_start,slot_end\r\nYY-1,A,2026-11-23T10:00,2026-11-23T10:30\r\n")
    assert [(line, a.code, a.name) for line, a in rows] == [(2, "YY-1", "")]


def test_parse_csv_header_only_is_empty() -> None:
    assert parse(HEADER) == []


@pytest.mark.parametrize(
    ("body", "line", "column", "needle"),
    [
        ("YY-1,A,2026-11-23T10:00,2026-11-23T10:30,\n ,A,2026-11-23T10:00,2026-11-23T10:30,\n", 3, "code", "missing"),
        ("YY-1,Z,2026-11-23T10:00,2026-11-23T10:30,\n", 2, "service", "'Z'"),
        ("YY-1,A,tomorrow,2026-11-23T10:30,\n", 2, "slot_start", "'tomorrow'"),
        ("YY-1,A,2026-11-23,2026-11-23T10:30,\n", 2, "slot_start", "ISO 8601"),
        ("YY-1,A,2026-11-23T10:00,2026-11-23T25:00,\n", 2, "slot_end", "ISO 8601"),
        ("YY-1,A,2026-11-23T10:00,2026-11-23T09:30,\n", 2, "slot_end", "after slot_start"),
        ("YY-1,A,2026-11-23T10:00,2026-11-23T10:30," + "名" * 101 + "\n", 2, "name", "100"),
        (
            "YY-1,A,2026-11-23T10:00,2026-11-23T10:30,\nYY-2,A,2026-11-23T10:00,2026-11-23T10:30,\n"
            "YY-1,B,2026-11-23T11:00,2026-11-23T11:30,\n",
            4,
            "code",
            "repeats line 2",
        ),
        ("YY-1,Z,bad,bad,\n", 2, "service", "'Z'"),  # the first bad column is named
    ],
)
def test_parse_csv_names_line_and_column(body: str, line: int, column: str, needle: str) -> None:
    message = refused(HEADER + body)
    assert f"line {line}, column {column}:" in message
    assert f"第 {line} 行「{column}」列" in message
    assert needle in message


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "line 1: the file is empty"),
        ("\n\n", "line 1: the file is empty"),
        ("code,service,start,end,name\n", "line 1: the header must be code,service,slot_start,slot_end,name"),
        ("YY-1,A,2026-11-23T10:00,2026-11-23T10:30,\n", "line 1: the header must be"),
        (HEADER + "YY-1,A,2026-11-23T10:00\n", "line 2: expected 5 columns, got 3"),
        (HEADER + 'YY-1,A,2026-11-23T10:00,2026-11-23T10:30,"unclosed\n', "malformed CSV"),
    ],
)
def test_parse_csv_refuses_bad_files(text: str, needle: str) -> None:
    assert needle in refused(text)


def test_parse_csv_row_limit() -> None:
    rows = "".join(f"YY-{i},A,2026-11-23T10:00,2026-11-23T10:30,\n" for i in range(csv_rules.MAX_IMPORT_ROWS + 1))
    message = refused(HEADER + rows)
    assert f"line {csv_rules.MAX_IMPORT_ROWS + 2}: at most {csv_rules.MAX_IMPORT_ROWS} rows" in message


def test_check_codes_free_names_the_first_taken_line() -> None:
    text = HEADER + "YY-1,A,2026-11-23T10:00,2026-11-23T10:30,\nYY-2,A,2026-11-23T10:00,2026-11-23T10:30,\n"
    assert len(parse(text, set())) == 2
    with pytest.raises(BadRequest) as info:
        parse(text, {"YY-2", "other"})
    assert "line 3, column code: appointment code 'YY-2' already exists" in info.value.message
