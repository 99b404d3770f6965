"""Ranking rules (pure): the better direction per measure, ties sharing a rank, groups standing on
too few tickets listed last and marked, the previous period's value and rank and the change, and
the periods (a week, a month, a range) with the one before each."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from queue_server.errors import BadRequest
from queue_server.queries.report_supervision import attendance_figures, case_figures
from queue_server.rules.report_rankings import MEASURES, check_choice, compared, periods, rank
from queue_server.rules.roster_presence import Attendance


def row(group: str, share: float | None, called: int, mean_s: float | None = None, issued: int = 20) -> dict[str, Any]:
    return {
        "group": group,
        "issued": issued,
        "served": issued,
        "wait": {"count": called, "mean_s": mean_s},
        "within_target": {"share": share},
        "ratings": {"count": 0, "bad": 0},
    }


def test_higher_is_better_and_ties_share_a_rank() -> None:
    rows = [row("1", 0.8, 30), row("2", 0.95, 30), row("3", 0.8, 30), row("4", 0.5, 30)]
    ranked = rank(rows, MEASURES["within_share"], 10)
    assert [(r.group, r.rank) for r in ranked] == [("2", 1), ("1", 2), ("3", 2), ("4", 4)]
    assert not any(r.too_few for r in ranked)


def test_lower_is_better_for_waits() -> None:
    rows = [row("1", None, 30, 300.0), row("2", None, 30, 120.0), row("3", None, 30, 600.0)]
    assert [r.group for r in rank(rows, MEASURES["wait_mean"], 10)] == ["2", "1", "3"]
    assert MEASURES["wait_mean"].better == "lower" and MEASURES["satisfied_share"].better == "higher"


def test_too_few_and_no_value_listed_last_unranked_and_no_group_left_out() -> None:
    rows = [row("1", 1.0, 3), row("2", 0.7, 30), row("3", None, 0), row("", 0.1, 50)]
    ranked = rank(rows, MEASURES["within_share"], 10)
    assert [(r.group, r.rank, r.too_few) for r in ranked] == [("2", 1, False), ("1", None, True), ("3", None, True)]
    assert [r.rank for r in rank(rows, MEASURES["within_share"], 3)] == [1, 2, None]


def test_compared_with_the_previous_period() -> None:
    m = MEASURES["within_share"]
    now = rank([row("1", 0.9, 30), row("2", 0.8, 30), row("3", 0.7, 30)], m, 10)
    before = rank([row("1", 0.6, 30), row("2", 0.85, 30)], m, 10)
    out = {r["group"]: r for r in compared(now, before, m)}
    assert (out["1"]["previous_rank"], out["1"]["rank_change"], out["1"]["improved"]) == (2, 1, True)
    assert out["1"]["change"] == pytest.approx(0.3)
    assert (out["2"]["rank_change"], out["2"]["improved"]) == (-1, False)
    assert out["3"]["previous_value"] is None and out["3"]["change"] is None and out["3"]["improved"] is None
    waits = MEASURES["wait_mean"]
    faster = compared(rank([row("1", None, 30, 100.0)], waits, 10), rank([row("1", None, 30, 200.0)], waits, 10), waits)
    assert faster[0]["improved"] is True and faster[0]["change"] == -100.0


def test_periods_and_the_one_before() -> None:
    assert periods("week", date(2026, 11, 18), None) == (
        (date(2026, 11, 16), date(2026, 11, 22)),
        (date(2026, 11, 9), date(2026, 11, 15)),
    )
    assert periods("month", date(2026, 3, 31), None) == (
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
    )
    assert periods("month", date(2026, 1, 5), None)[1] == (date(2025, 12, 1), date(2025, 12, 31))
    assert periods("range", date(2026, 11, 10), date(2026, 11, 12)) == (
        (date(2026, 11, 10), date(2026, 11, 12)),
        (date(2026, 11, 7), date(2026, 11, 9)),
    )


def test_a_bad_choice_names_the_field() -> None:
    assert check_choice("of", None, ("window",), "window") == "window"
    with pytest.raises(BadRequest, match=r"query\.measure"):
        check_choice("measure", "speed", tuple(MEASURES), "within_share")


def test_case_and_attendance_figures() -> None:
    tz = ZoneInfo("Asia/Shanghai")

    def case(state: str, due: str, done_at: str | None, overdue: bool = False) -> dict[str, Any]:
        history = [{"at": "2026-11-02T02:00:00+00:00", "state": "open"}]
        if done_at:
            history.append({"at": done_at, "state": state})
        return {"state": state, "due": due, "overdue": overdue, "history": history, "updated_at": done_at or ""}

    cases = [
        case("closed", "2026-11-06", "2026-11-05T03:00:00+00:00"),
        case("resolved", "2026-11-06", "2026-11-06T17:00:00+00:00"),  # 01:00 on the 7th in Shanghai: late
        case("in_progress", "2026-11-06", None, overdue=True),
        case("open", "2026-12-06", None),
    ]
    assert case_figures(cases, tz) == {
        "opened": 4, "done": 2, "done_on_time": 1, "done_late": 1, "overdue": 1, "pending": 1,
        "on_time_share": 0.333333,
    }  # fmt: skip

    def at(hour: int) -> datetime:
        return datetime(2026, 11, 2, hour, tzinfo=tz)

    rows = [
        Attendance("li", date(2026, 11, 2), at(9), at(17), at(9), at(17), 20, 0, False, False),
        Attendance("li", date(2026, 11, 3), at(9), at(17), None, None, 0, 0, True, False),
        Attendance("li", date(2026, 11, 4), at(9), at(17), at(9), at(16), 0, 60, False, False),
        Attendance("li", date(2026, 11, 5), at(9), at(17), None, None, 0, 0, False, False, upcoming=True),
        Attendance("zhao", date(2026, 11, 2), None, None, at(9), at(12), 0, 0, False, False),
    ]
    assert attendance_figures(rows, {"li": "李"}) == [{
        "login": "li", "name": "李", "duty_days": 3, "late_days": 1, "late_minutes": 20, "early_days": 1,
        "early_minutes": 60, "absent_days": 1, "leave_days": 0,
    }]  # fmt: skip
