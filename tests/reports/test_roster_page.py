"""The 排班 and 工作人员 pages as the server serves them, the dashboard's links to them, and the
roster's XLSX export (read back with openpyxl): header rows, staff × days with shift, post,
lunch and leave, the draft on demand, and each refusal a 4xx naming the field."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl  # type: ignore[import-untyped]
import pytest
from starlette.testclient import TestClient

from queue_server.service import QueueService
from queue_server.staffing import LeaveKind
from queue_server.storage import Store
from tests.api.conftest import login
from tests.conftest import FakeClock
from tests.staffing_support import HALL, MONDAY, at, staffed
from tests.test_roster_commands import duty

SUNDAY = MONDAY + timedelta(days=6)


@pytest.fixture
def service(store: Store, clock: FakeClock) -> QueueService:
    return staffed(store, clock)


def test_the_pages_are_served_in_both_languages(client: TestClient) -> None:
    page = client.get(f"/dashboard/{HALL}/roster")
    assert page.status_code == 200
    assert "排班" in page.text and "/static/reports/roster.js" in page.text and "自动排班" in page.text
    assert '"business_day": "2026-11-23"' in page.text  # the service's clock, not the PC's
    en = client.get(f"/dashboard/{HALL}/roster?lang=en").text
    assert "Rosters" in en and "Auto roster" in en and f'href="/dashboard/{HALL}/staff?lang=en"' in en
    staff = client.get(f"/dashboard/{HALL}/staff")
    assert staff.status_code == 200 and "工作人员" in staff.text and "/static/reports/staff.js" in staff.text
    assert client.get("/dashboard/nowhere/roster").status_code == 404
    assert client.get("/dashboard/nowhere/staff").status_code == 404
    for script in ("roster.js", "roster-panels.js", "roster-util.js", "staff.js", "pages-auth.js", "roster.css"):
        assert client.get(f"/static/reports/{script}").status_code == 200, script


def test_the_dashboard_links_the_pages_and_knows_whether_to_poll_the_roster_now(client: TestClient) -> None:
    board = client.get(f"/dashboard/{HALL}").text
    assert f'href="/dashboard/{HALL}/roster"' in board and f'href="/dashboard/{HALL}/staff"' in board
    assert '"roster_now": true' in board  # this server answers GET …/rosters/now: the page polls it


def a_published_week(service: QueueService) -> None:
    floater = duty("zhang", MONDAY, shift="early", post=None, hours=(8, 12), lunch=None)
    duties = [duty("li", MONDAY, post="W01"), floater, duty("li", MONDAY + timedelta(days=1), post="W02")]
    draft = service.save_roster(HALL, MONDAY, SUNDAY, duties, by="boss").value
    assert draft.id is not None
    service.publish_roster(HALL, draft.id, by="boss")
    service.add_leave(HALL, "wang", LeaveKind.TRAINING, at(MONDAY, 9), at(MONDAY, 17), "培训", "boss")


def workbook(content: bytes) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def test_the_export_reads_back_with_the_header_rows_and_a_row_per_clerk(
    client: TestClient, service: QueueService
) -> None:
    a_published_week(service)
    r = client.get(f"/dashboard/{HALL}/roster.xlsx?from=2026-11-23&to=2026-11-29", headers=login(client, "boss"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="roster-t-20261123-20261129.xlsx"' in r.headers["content-disposition"]
    rows = workbook(r.content)
    assert rows[0][0] == "测试大厅 排班表"
    assert rows[1][0] == "排班期：2026-11-23 至 2026-11-29"
    assert rows[2][0] == "生成时间：2026-11-23 09:00"  # the service's clock, in the hall's time
    assert rows[3][:3] == ["姓名", "工号", "11-23\n一"] and len(rows[3]) == 2 + 7
    by_login = {row[1]: row for row in rows[4:]}
    assert set(by_login) == {"li", "wang", "zhang"}
    assert by_login["li"][2] == "full W01\n午休 12:00-13:00"
    assert by_login["li"][3] == "full W02\n午休 12:00-13:00"
    assert by_login["zhang"][2] == "early"  # a floater without a lunch break
    assert by_login["wang"][2] == "培训"
    assert by_login["li"][4] == ""


def test_the_export_in_english_and_of_the_draft(client: TestClient, service: QueueService) -> None:
    a_published_week(service)
    service.save_roster(HALL, MONDAY, MONDAY, [duty("zhang", MONDAY, post="W03")])
    boss = login(client, "boss")
    one_day = f"/dashboard/{HALL}/roster.xlsx?from=2026-11-23&to=2026-11-23"
    published = workbook(client.get(one_day, headers=boss).content)
    assert {row[1]: row[2] for row in published[4:]}["zhang"] == "early"
    r = client.get(f"{one_day}&draft=1&lang=en", headers=boss)
    rows = workbook(r.content)
    assert rows[0][0] == "Test hall roster(draft, not published)"
    assert rows[3][:3] == ["Name", "Login", "11-23\nMon"]
    cells = {row[1]: row[2] for row in rows[4:]}
    assert cells["zhang"] == "full W03\nLunch 12:00-13:00" and cells["li"] == ""  # the draft stands in that day
    # without from/to: the week of the business day
    week = workbook(client.get(f"/dashboard/{HALL}/roster.xlsx", headers=boss).content)
    assert week[1][0] == "排班期：2026-11-23 至 2026-11-29"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13-01", "from"),
        ("from=2026-11-23&to=yesterday", "to"),
        ("from=2026-11-23&to=2026-11-22", "to"),
        ("from=2026-01-01&to=2026-12-31", "to"),
        ("draft=maybe", "draft"),
    ],
)
def test_a_bad_period_is_a_400_naming_the_field(client: TestClient, query: str, field: str) -> None:
    r = client.get(f"/dashboard/{HALL}/roster.xlsx?{query}", headers=login(client, "boss"))
    assert r.status_code == 400, r.text
    assert r.json()["error"]["message"].startswith(f"{field}") or f" {field}" in r.json()["error"]["message"]


def test_only_managers_export(client: TestClient) -> None:
    assert client.get(f"/dashboard/{HALL}/roster.xlsx").status_code == 401
    assert client.get(f"/dashboard/{HALL}/roster.xlsx", headers=login(client, "li")).status_code == 403
    assert client.get("/dashboard/nowhere/roster.xlsx", headers=login(client, "boss")).status_code == 404
