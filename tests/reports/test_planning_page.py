"""The 规划 page as the server serves it: both languages, the header's link to it from the other
staffing pages and the dashboard, the vendored ECharts (with its licence) from our own static
route, never a CDN, and a 404 for an unknown hall."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.staffing_support import HALL

ECHARTS = "/static/reports/vendor/echarts-6.1.0.min.js"


def test_the_page_is_served_in_both_languages(client: TestClient) -> None:
    page = client.get(f"/dashboard/{HALL}/planning")
    assert page.status_code == 200
    assert "规划" in page.text and "模拟排班" in page.text and "假设分析" in page.text
    assert '"business_day": "2026-11-23"' in page.text  # the service's clock
    assert f'src="{ECHARTS}"' in page.text and "/static/reports/planning.js" in page.text
    assert not re.search(r'src="(https?:)?//', page.text)  # nothing from another host
    en = client.get(f"/dashboard/{HALL}/planning?lang=en").text
    assert "Planning" in en and "Simulate the roster" in en and "What if" in en
    assert 'aria-current="page">Planning</a>' in en
    assert client.get("/dashboard/nowhere/planning").status_code == 404


def test_the_scripts_and_the_chart_library_are_ours(client: TestClient) -> None:
    for name in ("planning.js", "planning-run.js", "planning-charts.js", "planning-whatif.js", "planning.css"):
        assert client.get(f"/static/reports/{name}").status_code == 200, name
    lib = client.get(ECHARTS)
    assert lib.status_code == 200 and len(lib.content) > 500_000 and b"echarts" in lib.content[:2000]
    licence = client.get("/static/reports/vendor/echarts-LICENSE")
    assert licence.status_code == 200 and "Apache License" in licence.text
    assert "Apache ECharts" in client.get("/static/reports/vendor/echarts-NOTICE").text


def test_every_staffing_page_and_the_dashboard_link_it(client: TestClient) -> None:
    link = f'href="/dashboard/{HALL}/planning"'
    for path in ("", "/roster", "/staff", "/attendance"):
        assert link in client.get(f"/dashboard/{HALL}{path}").text, path
