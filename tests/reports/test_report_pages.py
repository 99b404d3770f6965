"""The 报表's rankings and supervision APIs and its exports (XLSX, tickets CSV, the printed 月度通报)
over HTTP on both backends, on two weeks of traffic played through the commands on the fake
clock: every figure read back equals what the summary API answers for the same days; bad input
is refused naming the field; only the hall's managers get the exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from starlette.testclient import TestClient

import reports
from queue_server.auth.service import AuthService
from queue_server.config import RankingChoice
from queue_server.service import QueueService
from tests.api.conftest import login, make_auth, room_client
from tests.conftest import FakeClock
from tests.reports.report_traffic import Played, play_days

FIRST = date(2026, 11, 9)  # the two weeks before the fake clock's Monday 2026-11-23
LAST = date(2026, 11, 20)
BASE = "/api/halls/t/reports"


@pytest.fixture
def auth(service: QueueService, clock: FakeClock) -> AuthService:
    return make_auth(service, clock, "li", "boss")


@pytest.fixture
def played(service: QueueService, clock: FakeClock) -> Played:
    start = clock.now
    days = [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
    out = play_days(service, clock, "t", [d for d in days if d.weekday() < 5], {1: "li", 2: "zhao"}, "ABC")
    clock.now = start
    return out


@pytest.fixture
def client(service: QueueService, auth: AuthService, played: Played) -> Iterator[TestClient]:
    with room_client(service, auth, reports.plugin) as c:
        yield c


def get(client: TestClient, path: str, who: str = "boss", status: int = 200) -> Any:
    r = client.get(path, headers=login(client, who))
    assert r.status_code == status, r.text
    return r


def summary(client: TestClient, first: date, last: date, by: str) -> dict[str, Any]:
    return dict(get(client, f"{BASE}/summary?from={first}&to={last}&by={by}").json())


def test_rankings_of_a_week_against_the_week_before(client: TestClient) -> None:
    found = get(client, f"{BASE}/rankings?period=week&from=2026-11-18&of=window&measure=within_share").json()
    assert (found["from"], found["to"]) == ("2026-11-16", "2026-11-22")
    assert found["previous"] == {"from": "2026-11-09", "to": "2026-11-15"}
    assert found["measure"]["better"] == "higher"
    now = {r["group"]: r for r in summary(client, date(2026, 11, 16), date(2026, 11, 22), "window")["rows"]}
    before = {r["group"]: r for r in summary(client, FIRST, date(2026, 11, 15), "window")["rows"]}
    rows = found["rows"]
    assert [r["group"] for r in rows] and all(r["group"] != "" for r in rows)
    for r in rows:
        assert r["value"] == now[r["group"]]["within_target"]["share"]
        assert r["previous_value"] == before[r["group"]]["within_target"]["share"]
        assert r["change"] == pytest.approx(r["value"] - r["previous_value"])
        assert r["name_zh"] == f"{r['group']} 号窗口"
    ranked = [r for r in rows if r["rank"] is not None]
    assert [r["value"] for r in ranked] == sorted((r["value"] for r in ranked), reverse=True)
    assert ranked[0]["rank"] == 1


def test_lower_is_better_and_too_few_last(client: TestClient) -> None:
    q = f"{BASE}/rankings?period=range&from={FIRST}&to={LAST}&of=window&measure=wait_mean"
    rows = get(client, q).json()["rows"]
    values = [r["value"] for r in rows if r["rank"] is not None]
    assert values == sorted(values) and len(values) == 2
    assert all(r["previous_value"] is None for r in rows)  # nothing was played before FIRST
    none = get(client, f"{q}&min_tickets=100000").json()["rows"]
    assert none and all(r["rank"] is None and r["too_few"] for r in none)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=year", "query.period"),
        ("of=desk", "query.of"),
        ("measure=speed", "query.measure"),
        ("period=range&from=2026-11-20&to=2026-11-01", "to"),
        ("period=range&from=2025-01-01&to=2026-11-20", "to"),
        ("min_tickets=-1", "query.min_tickets"),
        ("from=2026-13-01", "query.from"),
    ],
)
def test_rankings_refusals_name_the_field(client: TestClient, query: str, field: str) -> None:
    r = get(client, f"{BASE}/rankings?{query}", status=400)
    assert field in r.json()["error"]["message"]


def test_supervision_counts_the_periods_bad_ratings(client: TestClient, played: Played) -> None:
    found = get(client, f"{BASE}/supervision?from={FIRST}&to={LAST}").json()
    bad = sum(1 for s in played.scores if s <= 2)
    assert bad > 0
    f = found["follow_ups"]
    assert f["opened"] == bad == len(found["cases"])
    assert f["done"] == 0 and f["pending"] + f["overdue"] == bad  # nobody worked the cases
    assert found["attendance"] == {  # no roster published: nobody was on duty
        "totals": {"duty_days": 0, "late_days": 0, "early_days": 0, "absent_days": 0},
        "clerks": [],
    }
    assert "to" in get(client, f"{BASE}/supervision?from={LAST}&to={FIRST}", status=400).json()["error"]["message"]


def test_xlsx_read_back(client: TestClient) -> None:
    r = get(client, f"/dashboard/t/reports.xlsx?from={FIRST}&to={LAST}")
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["总览", "按事项", "按窗口", "按人员", "按时段", "排名", "回访", "考勤"]
    for ws in book.worksheets:
        assert ws["A1"].value == "测试大厅 政务服务报表"
        assert ws["A2"].value == f"统计期：{FIRST} 至 {LAST}"
        assert ws["A3"].value == "生成时间：2026-11-23 09:00"  # the service clock, in the hall's zone
        assert ws.freeze_panes == "A5"
        # printed: A4, one page wide, the heading on every page, wide tables in landscape
        assert ws.page_setup.paperSize == 9 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth or 1) == 1 and ws.page_setup.fitToHeight == 0  # absent: 1
        assert ws.print_title_rows == "$1:$4"
        assert ws.page_setup.orientation == ("portrait" if ws.max_column <= 6 else "landscape")
    by_service = summary(client, FIRST, LAST, "service")
    ws = book["按事项"]
    heads = [c.value for c in ws[4]]
    assert heads[:3] == ["分组", "取号量", "办结量"]
    rows = {ws.cell(i, 1).value: [c.value for c in ws[i]] for i in range(5, ws.max_row + 1)}
    for row in by_service["rows"]:
        name = {"A": "企业开办", "B": "不动产登记", "C": "社保"}[row["group"]]
        assert rows[name][1] == row["issued"] and rows[name][2] == row["served"]
        share = rows[name][heads.index("按时叫号率")]
        assert share == pytest.approx(row["within_target"]["share"])
    overview = book["总览"]
    assert overview["B5"].value == by_service["totals"]["issued"]
    within = next(r for r in overview.iter_rows(min_row=5) if r[0].value == "按时叫号率")[1]
    assert "%" in within.number_format and within.value == pytest.approx(by_service["totals"]["within_target"]["share"])
    assert book["回访"].max_row - 4 == by_service["totals"]["ratings"]["bad"]


def test_tickets_csv_read_back(client: TestClient, played: Played) -> None:
    r = get(client, f"/dashboard/t/reports/tickets.csv?from={FIRST}&to={LAST}")
    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["票号", "事项", "优先级", "取号时间"]
    assert len(rows) - 1 == sum(played.issued.values())
    served = [row for row in rows[1:] if row[9] == "served"]
    assert len(served) == summary(client, FIRST, LAST, "service")["totals"]["served"]
    assert all(row[7] and row[8] and row[5] in ("1", "2") for row in served)
    assert sorted(int(row[12]) for row in rows[1:] if row[12]) == sorted(played.scores)
    one_day = get(client, f"/dashboard/t/reports/tickets.csv?from={LAST}&to={LAST}")
    assert len(one_day.text.splitlines()) - 1 == played.issued[LAST]
    too_long = get(client, "/dashboard/t/reports/tickets.csv?from=2026-01-01&to=2026-11-20", status=400)
    assert "to" in too_long.json()["error"]["message"]


def test_print_page_is_the_months_bulletin(client: TestClient) -> None:
    page = get(client, "/dashboard/t/reports/print?period=month&from=2026-11-09").text
    assert "测试大厅 2026年11月 政务服务情况通报" in page
    month = summary(client, date(2026, 11, 1), date(2026, 11, 30), "service")["totals"]
    assert f"大厅共取号 {month['issued']} 人次，办结 {month['served']} 件" in page
    assert f"差评 {month['ratings']['bad']} 条" in page
    assert "红榜" in page and "末位" in page and "@page" in page and "A4 portrait" in page
    assert "<script" not in page and 'class="nav"' not in page
    en = get(client, "/dashboard/t/reports/print?period=month&from=2026-11-09&lang=en").text
    assert "Test hall: government service bulletin, November 2026" in en
    assert "query.period" in get(client, "/dashboard/t/reports/print?period=year", status=400).text


def test_the_exports_rank_what_the_hall_is_judged_on(
    client: TestClient, service: QueueService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """[hall.rankings]: the workbook's 排名 sheet and the bulletin's boards rank the hall's chosen
    groups on its chosen measures, in its order, and the page's ranking opens on the first."""
    hall = replace(service.hall("t"), rankings=RankingChoice(of=("service",), measures=("served", "wait_mean")))
    monkeypatch.setattr(service, "config", replace(service.config, halls=(hall,)))
    book = openpyxl.load_workbook(io.BytesIO(get(client, f"/dashboard/t/reports.xlsx?from={FIRST}&to={LAST}").content))
    ws = book["排名"]
    ranked = [(ws.cell(i, 1).value, ws.cell(i, 3).value) for i in range(5, ws.max_row + 1)]
    assert ranked == [("按事项", "办结量")] * 3 + [("按事项", "平均等候")] * 3  # services A, B, C on each
    page = get(client, "/dashboard/t/reports/print?period=month&from=2026-11-09").text
    assert page.index("<h3>事项 · 办结量</h3>") < page.index("<h3>事项 · 平均等候</h3>")
    assert page.count("<h3>") == 2
    html = get(client, "/dashboard/t/reports").text
    said = json.loads(html.split('<script type="application/json" id="hallq-page">', 1)[1].split("</script>", 1)[0])
    assert said["rankings"] == {"of": ["service"], "measures": ["served", "wait_mean"]}


def test_only_managers_export(client: TestClient) -> None:
    for path in ("/dashboard/t/reports.xlsx", "/dashboard/t/reports/tickets.csv", "/dashboard/t/reports/print"):
        assert client.get(path).status_code == 401
        get(client, path, who="li", status=403)
    page = client.get("/dashboard/t/reports")
    assert page.status_code == 200 and 'href="/dashboard/t/reports"' in page.text
