"""The 预约 and 电子监察 pages in a real Chromium against a real server (the demo hall), a manager
signed in:

- 预约: a CSV with bad rows is uploaded: the preview lists them red by line with their reasons
  and 导入 stays disabled; the fixed file (saved as GBK, as Excel in China saves it) previews
  clean, imports, and the day's list shows its appointments; one is booked with the form and
  cancelled after a confirm;
- 电子监察: the log filtered by person and action shows what the API gives for the same filters,
  and the CSV export downloads those rows (read back with the csv module).

The server runs on the real clock: the appointments go on the first day after today that the
hall opens (found by asking the preview), so the test holds whatever the date. Each page lays
out at 1280×800, 1366×768, 1920×1080 and portrait 1080×1920 without sideways scrolling or
overlap and with no console error. Writes test-artifacts/<page>-<w>x<h>.png.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.browser_support import (
    NEEDS_CHROMIUM,
    accepting,
    layout_problems,
    new_page,
    open_dashboard_page,
    settle,
    shot,
    sign_in,
)
from tests.server_support import MANAGER_PASSWORD, Server, bearer

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

SIZES = [(1280, 800), (1366, 768), (1920, 1080), (1080, 1920)]
HEADER = "code,service,slot_start,slot_end,name\n"


@pytest.fixture(scope="module")
def manager(server: Server) -> dict[str, str]:
    """wangju's bearer headers, signed in once (every sign-in from this address counts against its limit)."""
    return bearer(server.base, "wangju", MANAGER_PASSWORD)


@pytest.fixture(scope="module")
def day(server: Server, manager: dict[str, str]) -> str:
    """The first day after the hall's business day on which a 10:00-11:30 slot is open."""
    today = date.fromisoformat(httpx.get(f"{server.base}/api/halls/demo").json()["business_day"])
    headers = {**manager, "content-type": "text/csv"}
    for ahead in range(1, 30):
        d = (today + timedelta(days=ahead)).isoformat()
        probe = f"{HEADER}PROBE,A,{d}T10:00,{d}T11:30,\n"
        r = httpx.post(f"{server.base}/api/halls/demo/appointments/import/preview", headers=headers, content=probe)
        assert r.status_code == 200, r.text
        if r.json()["bad"] == 0:
            return d
    raise AssertionError("the demo hall opens on no day of the next four weeks")


@pytest.fixture(scope="module")
def page(browser: Any, server: Server) -> Iterator[Any]:
    p = new_page(browser, server, {"width": 1280, "height": 800}, accept_downloads=True)
    p.goto(f"{server.base}/dashboard/demo/appointments")
    sign_in(p, "wangju", MANAGER_PASSWORD)
    p.wait_for_selector("body[data-ready='1']")
    yield p
    p.context.close()


def appointments(server: Server, manager: dict[str, str], day: str) -> dict[str, dict[str, Any]]:
    r = httpx.get(f"{server.base}/api/halls/demo/appointments", headers=manager, params={"date": day})
    return {a["code"]: a for a in r.json()["appointments"]}


def upload(page: Any, path: Path, text: str, encoding: str) -> None:
    path.write_bytes(text.encode(encoding))
    page.set_input_files("#csv-file", str(path))


def test_a_csv_with_bad_rows_is_previewed_and_cannot_be_imported_until_fixed(
    page: Any, server: Server, manager: dict[str, str], day: str, tmp_path: Path
) -> None:
    open_dashboard_page(page, server, "appointments")
    good = [f"BT-1,A,{day}T10:00,{day}T10:30,张三\n", f"BT-4,C,{day}T11:00,{day}T11:30,赵六\n"]
    bad = HEADER + good[0] + f"BT-2,Z,{day}T10:00,{day}T10:30,李四\n" + f"BT-3,B,明天十点,{day}T10:30,王五\n" + good[1]
    upload(page, tmp_path / "bad.csv", bad, "utf-8-sig")
    page.wait_for_selector("#preview tr.bad")
    assert page.locator("#preview tbody tr").count() == 4
    assert [page.get_attribute(f"#preview tr.bad >> nth={i}", "data-line") for i in range(2)] == ["3", "4"]
    assert "没有事项 Z" in page.inner_text('#preview tr[data-line="3"]')
    assert "slot_start" in page.inner_text('#preview tr[data-line="4"]')
    assert page.locator('#preview tr[data-line="2"].good').count() == 1
    assert page.is_disabled("#import")
    assert "2 行无误，2 行有误" in page.inner_text("#import-status")
    assert appointments(server, manager, day) == {}  # the preview stored nothing
    shot(page, "appointments-preview-bad.png")

    fixes = f"BT-2,B,{day}T10:00,{day}T10:30,李四\n" + f"BT-3,B,{day}T10:30,{day}T11:00,王五\n"
    fixed = HEADER + good[0] + fixes + good[1]
    upload(page, tmp_path / "fixed.csv", fixed, "gbk")  # as Excel in China saves it
    page.wait_for_selector("#import:not([disabled])")
    assert page.locator("#preview tr.bad").count() == 0 and page.locator("#preview tr.good").count() == 4
    assert "GBK" in page.inner_text("#import-status")
    page.click("#import")
    page.wait_for_function("() => document.getElementById('import-status').textContent.includes('已导入 4 条预约')")
    page.wait_for_selector('#appointments tr[data-code="BT-4"]')
    assert page.input_value("#day") == day  # the list went to the imported day
    for code, name in [("BT-1", "张三"), ("BT-2", "李四"), ("BT-3", "王五"), ("BT-4", "赵六")]:
        shown = page.inner_text(f'#appointments tr[data-code="{code}"]')
        assert name in shown and "已预约" in shown
    stored = appointments(server, manager, day)
    assert sorted(stored) == ["BT-1", "BT-2", "BT-3", "BT-4"] and stored["BT-3"]["name"] == "王五"
    assert page.js_errors == [] and page.console_errors == []


def test_an_appointment_is_booked_and_cancelled_after_a_confirm(
    page: Any, server: Server, manager: dict[str, str], day: str
) -> None:
    open_dashboard_page(page, server, "appointments")
    page.fill("#b-code", "BK-1")
    page.select_option("#b-service", "B")
    page.fill("#b-day", day)
    page.fill("#b-start", "11:00")
    page.fill("#b-end", "11:30")
    page.fill("#b-name", "孙八")
    page.click("#b-save")
    page.wait_for_selector('#appointments tr[data-code="BK-1"]')
    assert "已预约 BK-1" in page.inner_text("#book-status")
    row = page.locator('#appointments tr[data-code="BK-1"]')
    assert "孙八" in row.inner_text() and "11:00–11:30" in row.inner_text()
    assert appointments(server, manager, day)["BK-1"]["state"] == "booked"
    with accepting(page) as said:
        row.locator("button.cancel").click()
        page.wait_for_selector('#appointments tr[data-code="BK-1"].cancelled')
    assert len(said) == 1 and "BK-1" in said[0] and "孙八" in said[0]
    assert "已取消" in row.inner_text() and row.locator("button").count() == 0
    assert "已取消预约 BK-1" in page.inner_text("#appt-status")
    assert appointments(server, manager, day)["BK-1"]["state"] == "cancelled"
    assert page.js_errors == [] and page.console_errors == []


def test_the_audit_log_is_filtered_by_person_and_action_and_exported(
    page: Any, server: Server, manager: dict[str, str], tmp_path: Path
) -> None:
    clerk = server.clerk_headers()
    assert httpx.post(f"{server.base}/api/halls/demo/windows/1/open", headers=clerk).status_code == 200
    assert httpx.post(f"{server.base}/api/halls/demo/windows/1/close", headers=clerk).status_code == 200
    open_dashboard_page(page, server, "audit")
    page.fill("#f-actor", "wangju")
    page.fill("#f-action", "appointment.")
    page.click("#f-apply")
    page.wait_for_function("() => [...document.querySelectorAll('#audit tbody tr')].every("
                           "(tr) => tr.querySelector('.actor').textContent === 'wangju')")  # fmt: skip
    api = httpx.get(f"{server.base}/api/halls/demo/audit", headers=manager,
                    params={"actor": "wangju", "action": "appointment.", "limit": 50}).json()["records"]  # fmt: skip
    ids = [int(x) for x in page.eval_on_selector_all("#audit tbody tr", "(trs) => trs.map((tr) => tr.dataset.id)")]
    assert ids == [r["id"] for r in api]
    actions = {r["action"] for r in api}
    assert {"appointment.import", "appointment.create", "appointment.cancel"} <= actions
    assert all(a.startswith("appointment.") for a in actions)
    assert "window.open" not in page.inner_text("#audit")
    shot(page, "audit-filtered.png")

    with page.expect_download() as info:
        page.click("#export")
    download = info.value
    assert download.suggested_filename.startswith("audit-demo-") and download.suggested_filename.endswith(".csv")
    saved = tmp_path / download.suggested_filename
    download.save_as(str(saved))
    raw = saved.read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel reads the Chinese right
    header, *rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert header[:4] == ["编号", "时间", "人员", "操作"]
    assert [int(row[0]) for row in rows] == ids
    assert {row[2] for row in rows} == {"wangju"} and {row[3] for row in rows} == actions
    page.wait_for_function("() => document.getElementById('audit-status').textContent.includes('已导出')")
    assert f"已导出 {len(ids)} 条" in page.inner_text("#audit-status")

    # The clerk's window, by person and window.
    page.click("#f-reset")
    page.fill("#f-actor", "zhangwei")
    page.select_option("#f-window", "1")
    page.click("#f-apply")
    only = (
        "() => { const tds = [...document.querySelectorAll('#audit tbody tr .actor')];"
        " return tds.length > 0 && tds.every((td) => td.textContent === 'zhangwei'); }"
    )
    page.wait_for_function(only)
    shown = page.eval_on_selector_all("#audit tbody tr .action", "(tds) => tds.map((td) => td.textContent)")
    assert shown[:2] == ["window.close", "window.open"]
    assert page.js_errors == [] and page.console_errors == []


@pytest.mark.parametrize("path", ["appointments", "audit"])
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_pages_lay_out(page: Any, server: Server, path: str, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    open_dashboard_page(page, server, path)
    settle(page)
    assert layout_problems(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    shot(page, f"{path}-{width}x{height}.png")
    assert page.js_errors == [] and page.console_errors == []


def test_the_pages_speak_english_with_lang_en(page: Any, server: Server) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    open_dashboard_page(page, server, "appointments?lang=en")
    assert "Appointments of the day" in page.inner_text("#board") and page.inner_text("#import") == "Import"
    assert page.get_attribute('.nav a[aria-current="page"]', "href") == "/dashboard/demo/appointments?lang=en"
    open_dashboard_page(page, server, "audit?lang=en")
    assert page.inner_text("#export") == "Export CSV" and "Audit log" in page.inner_text(".nav")
    assert page.js_errors == [] and page.console_errors == []
