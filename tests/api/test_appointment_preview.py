"""预约 over HTTP for the manager's page, on both backends: a day's appointments with their
state, and the CSV import's preview, which answers every row with its line and either the
appointment or every reason it is bad, stores nothing, reads UTF-8 (with Excel's BOM) and
GBK, and agrees with the import (all rows or none)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from queue_server.auth.service import AuthService
from queue_server.service import QueueService
from tests.api.conftest import login
from tests.conftest import FakeClock

# FakeClock: Monday 2026-11-23, 09:00 in Shanghai; hall "t" opens Monday to Friday 09:00-17:00.
HEADER = "code,service,slot_start,slot_end,name\n"
GOOD = "YY-1,A,2026-11-23T10:00,2026-11-23T10:30,张三\n"
CSV = {"content-type": "text/csv"}


def preview(client: TestClient, headers: dict[str, str], body: bytes) -> Any:
    return client.post("/api/halls/t/appointments/import/preview", headers={**headers, **CSV}, content=body)


def stored(service: QueueService) -> tuple[int, list[str]]:
    """What a preview must leave alone: the event log's end and every appointment code."""
    with service.store.reader("t") as r:
        codes = [a.code for a in r.appointments(service.clock().replace(year=2000), service.clock().replace(year=2100))]
        return r.last_seq(), codes


def test_the_preview_gives_every_bad_rows_line_and_reasons_and_stores_nothing(
    client: TestClient, service: QueueService
) -> None:
    boss = login(client, "boss")
    booked = {"code": "OLD-1", "service": "C", "slot_start": "2026-11-24T10:00", "slot_end": "2026-11-24T10:30"}
    assert client.post("/api/halls/t/appointments", headers=boss, json=booked).status_code == 201
    rows = [
        GOOD,  # line 2
        "YY-2,Z,2026-11-23T10:00,2026-11-23T10:30,\n",  # 3: unknown service
        "YY-3,A,tomorrow,2026-11-23T10:30,\n",  # 4: not a time
        "YY-4,A,2026-11-20T10:00,2026-11-20T10:30,\n",  # 5: last Friday
        "YY-5,B,2026-11-23T16:45,2026-11-23T17:15,\n",  # 6: past closing
        "YY-6,B,2026-11-28T10:00,2026-11-28T10:30,\n",  # 7: a Saturday
        "YY-1,C,2026-11-23T11:00,2026-11-23T11:30,\n",  # 8: line 2's code again
        "OLD-1,C,2026-11-23T11:00,2026-11-23T11:30,\n",  # 9: booked already
        ",C,,2026-11-23T11:30,\n",  # 10: no code, no start
        "YY-7,C,2026-11-23T11:00,2026-11-23T11:30," + "名" * 101 + "\n",  # 11: name too long
        "YY-8,C,2026-11-23T11:00\n",  # 12: three columns
        "YY-9,C,2026-11-23T12:00,2026-11-23T11:30,李四\n",  # 13: ends before it starts
    ]
    before = stored(service)
    r = preview(client, boss, (HEADER + "".join(rows)).encode())
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["encoding"], body["good"], body["bad"]) == ("utf-8", 1, 11)
    reasons = {row["line"]: [(p["reason"], p["column"]) for p in row["problems"]] for row in body["rows"]}
    assert reasons == {
        2: [],
        3: [("service", "service")],
        4: [("time", "slot_start")],
        5: [("past", "slot_start")],
        6: [("hours", "slot_start")],
        7: [("closed", "slot_start")],
        8: [("duplicate", "code")],
        9: [("taken", "code")],
        10: [("missing", "code"), ("missing", "slot_start")],
        11: [("name", "name")],
        12: [("columns", None)],
        13: [("order", "slot_end")],
    }
    good = body["rows"][0]
    assert good["ok"] and good["appointment"] == {
        "code": "YY-1",
        "service": "A",
        "slot_start": "2026-11-23T02:00:00+00:00",
        "slot_end": "2026-11-23T02:30:00+00:00",
        "name": "张三",
    }
    by_line = {row["line"]: row for row in body["rows"]}
    assert by_line[3]["appointment"] is None and by_line[3]["cells"]["service"] == "Z"
    for row in body["rows"][1:]:
        for p in row["problems"]:
            assert p["zh"] and p["en"]  # both languages, for the page to pick
    assert "repeats line 2" in by_line[8]["problems"][0]["en"]
    assert "09:00-17:00" in by_line[6]["problems"][0]["en"]
    assert stored(service) == before
    # The import refuses the same file, naming the first bad line, and stores none of it.
    refused = client.post("/api/halls/t/appointments/import", headers={**boss, **CSV}, content=HEADER + "".join(rows))
    assert refused.status_code == 400 and "line 3, column service" in refused.json()["error"]["message"]
    assert stored(service) == before


def test_the_import_refuses_what_only_the_preview_of_the_hall_sees(client: TestClient, service: QueueService) -> None:
    """A slot already begun, or outside the hall's hours: the import and its preview agree."""
    boss = login(client, "boss")
    before = stored(service)
    for row, needle in [
        ("YY-4,A,2026-11-23T08:30,2026-11-23T08:45,\n", "line 2, column slot_start: the slot starts before now"),
        ("YY-5,A,2026-11-23T17:00,2026-11-23T17:30,\n", "outside the day's opening hours 09:00-17:00"),
    ]:
        r = client.post("/api/halls/t/appointments/import", headers={**boss, **CSV}, content=(HEADER + row).encode())
        assert r.status_code == 400 and needle in r.json()["error"]["message"], r.text
    assert stored(service) == before


def test_gbk_and_bom_files_are_read_and_an_undecodable_one_says_so(client: TestClient, service: QueueService) -> None:
    boss = login(client, "boss")
    text = HEADER + GOOD + "YY-2,B,2026-11-23T11:00,2026-11-23T11:30,王五\n"
    gbk = preview(client, boss, text.encode("gbk")).json()
    assert gbk["encoding"] == "gbk" and gbk["bad"] == 0
    assert [row["appointment"]["name"] for row in gbk["rows"]] == ["张三", "王五"]
    bom = preview(client, boss, ("\ufeff" + text).encode("utf-8")).json()
    assert bom["encoding"] == "utf-8" and [row["cells"]["code"] for row in bom["rows"]] == ["YY-1", "YY-2"]
    bad = preview(client, boss, b"\xff\xfe" + text.encode("utf-16-le"))
    assert bad.status_code == 400 and "neither UTF-8 nor GBK" in bad.json()["error"]["message"]
    # What the preview passed imports, GBK as it is.
    done = client.post("/api/halls/t/appointments/import", headers={**boss, **CSV}, content=text.encode("gbk"))
    assert done.status_code == 201 and done.json() == {"imported": 2}
    listed = client.get("/api/halls/t/appointments", headers=boss, params={"date": "2026-11-23"}).json()
    assert [(a["code"], a["name"]) for a in listed["appointments"]] == [("YY-1", "张三"), ("YY-2", "王五")]


def test_a_file_that_is_not_an_import_is_refused_whole(client: TestClient) -> None:
    boss = login(client, "boss")
    for body, needle in [
        (b"", "line 1: the file is empty"),
        (b"code,service,start\nYY-1,A,x\n", "line 1: the header must be"),
        ((HEADER + 'YY-1,A,2026-11-23T10:00,2026-11-23T10:30,"unclosed\n').encode(), "malformed CSV"),
    ]:
        r = preview(client, boss, body)
        assert r.status_code == 400 and needle in r.json()["error"]["message"], r.text
    assert preview(client, boss, b" " * (2 * 1024 * 1024 + 1)).status_code == 413


def test_the_preview_and_the_day_are_for_managers(client: TestClient) -> None:
    li = login(client, "li")
    assert preview(client, {}, (HEADER + GOOD).encode()).status_code == 401
    assert preview(client, li, (HEADER + GOOD).encode()).status_code == 403
    assert client.get("/api/halls/t/appointments", headers=li).status_code == 403
    assert client.get("/api/halls/t/appointments").status_code == 401


def test_a_days_appointments_with_their_state_and_ticket(
    client: TestClient, auth: AuthService, clock: FakeClock
) -> None:
    boss = login(client, "boss")
    rows = (
        "YY-1,A,2026-11-23T09:10,2026-11-23T09:40,张三\n"  # checked in below
        "YY-2,B,2026-11-23T09:15,2026-11-23T09:30,李四\n"  # nobody comes
        "YY-3,C,2026-11-23T10:00,2026-11-23T10:30,王五\n"  # cancelled
        "YY-4,A,2026-11-23T11:00,2026-11-23T11:30,赵六\n"  # still to come
        "YY-5,A,2026-11-24T10:00,2026-11-24T10:30,钱七\n"  # another day
    )
    imported = client.post("/api/halls/t/appointments/import", headers={**boss, **CSV}, content=HEADER + rows)
    assert imported.status_code == 201
    assert client.post("/api/halls/t/appointments/check-in", json={"code": "YY-1"}).status_code == 201
    assert client.delete("/api/halls/t/appointments/YY-3", headers=boss).status_code == 200
    clock.advance(35 * 60)  # 09:35: YY-2's slot is over
    day = client.get("/api/halls/t/appointments", headers=boss).json()  # the business day by default
    assert day["date"] == "2026-11-23"
    assert [(a["code"], a["state"], a["ticket_number"], a["name"]) for a in day["appointments"]] == [
        ("YY-1", "checked_in", "A001", "张三"),
        ("YY-2", "missed", None, "李四"),
        ("YY-3", "cancelled", None, "王五"),
        ("YY-4", "booked", None, "赵六"),
    ]
    next_day = client.get("/api/halls/t/appointments", headers=boss, params={"date": "2026-11-24"}).json()
    assert [a["code"] for a in next_day["appointments"]] == ["YY-5"]
    bad = client.get("/api/halls/t/appointments", headers=boss, params={"date": "11/24"})
    assert bad.status_code == 400 and "query.date" in bad.json()["error"]["message"]


def test_times_at_the_edge_of_what_datetime_holds_are_a_rows_problem(client: TestClient) -> None:
    boss = login(client, "boss")
    edge = HEADER + "YY-1,A,9999-12-31T23:59:59-14:00,0001-01-01T00:00:00+14:00,\n"
    r = preview(client, boss, edge.encode())
    assert r.status_code == 200, r.text
    [row] = r.json()["rows"]
    assert [(p["reason"], p["column"]) for p in row["problems"]] == [("time", "slot_start"), ("time", "slot_end")]
