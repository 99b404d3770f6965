"""A hall's calendar: the hall's own dates, China's holidays and 调休 workdays, the weekly pattern
past the package's data, opening hours per date, and counting working days."""

from __future__ import annotations

from datetime import date, time, timedelta

import chinese_calendar
import pytest

from queue_server.config import DEFAULT_HOURS
from queue_server.rules.calendar import HallCalendar, holiday_name_en
from queue_server.staffing import CalendarDay, DayKind, OpeningHours

WEEKDAY = (time(9), time(17))
SATURDAY = (time(9), time(12))
WITH_SATURDAY = OpeningHours(weekdays=(WEEKDAY,) * 5 + (SATURDAY, None))
NATIONAL_DAY = [date(2026, 10, 1) + timedelta(days=i) for i in range(7)]
SPRING_FESTIVAL = [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]  # 2026-02-15..23
BEYOND = date(2027, 3, 10)  # a Wednesday in a year chinese-calendar 1.11 has no data for
FAR = date(2099, 3, 11)  # a Wednesday no release will cover soon


def package_knows(day: date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def worked_weekend_days(first: date, last: date) -> list[date]:
    """The 调休 workdays in [first, last], asked of the package itself: only to pick the dates."""
    return [d for d in chinese_calendar.get_workdays(first, last) if d.weekday() >= 5]


@pytest.fixture
def calendar() -> HallCalendar:
    return HallCalendar(WITH_SATURDAY)


def test_national_day_is_a_named_holiday_and_closed(calendar: HallCalendar) -> None:
    for d in NATIONAL_DAY:
        day = calendar.day(d)
        assert (day.kind, day.name, day.source) == (DayKind.HOLIDAY, "国庆节", "chinese_calendar"), d
        assert not day.is_workday and not day.beyond_data
        assert calendar.opening(d) is None, d  # not even the Saturday 10-03 opens
    assert holiday_name_en("国庆节") == "National Day"


def test_national_day_adjusted_workdays_open_with_the_weekday_hours(calendar: HallCalendar) -> None:
    worked = worked_weekend_days(date(2026, 9, 1), date(2026, 10, 31))
    assert worked  # the package knows 2026's 调休
    for d in worked:
        day = calendar.day(d)
        assert day.kind is DayKind.ADJUSTED_WORKDAY and day.is_workday, d
        assert calendar.opening(d) == WEEKDAY, d  # a Saturday too: not the Saturday morning hours


def test_spring_festival_2026(calendar: HallCalendar) -> None:
    for d in SPRING_FESTIVAL:
        assert (calendar.day(d).kind, calendar.day(d).name) == (DayKind.HOLIDAY, "春节"), d
        assert calendar.opening(d) is None
    for d in worked_weekend_days(date(2026, 2, 1), date(2026, 3, 1)):
        assert calendar.day(d).kind is DayKind.ADJUSTED_WORKDAY, d
        assert calendar.opening(d) == WEEKDAY
    assert calendar.day(date(2026, 2, 24)).kind is DayKind.WORKDAY
    assert calendar.opening(date(2026, 2, 24)) == WEEKDAY


def test_ordinary_weekdays_and_weekends(calendar: HallCalendar) -> None:
    monday, saturday, sunday = date(2026, 11, 23), date(2026, 11, 28), date(2026, 11, 29)
    assert calendar.day(monday).kind is DayKind.WORKDAY
    assert calendar.day(saturday).kind is DayKind.WEEKEND and calendar.day(saturday).name == ""
    assert calendar.opening(monday) == WEEKDAY
    assert calendar.opening(saturday) == SATURDAY  # Saturday morning service
    assert calendar.opening(sunday) is None
    assert HallCalendar(DEFAULT_HOURS).opening(saturday) is None


def test_the_halls_own_dates_beat_the_package() -> None:
    overrides = (
        CalendarDay(date(2026, 10, 5), DayKind.WORKDAY, source="hall"),  # opens during National Day
        CalendarDay(date(2026, 11, 25), DayKind.HOLIDAY, "闭厅", source="hall"),  # a Wednesday closed
        CalendarDay(date(2026, 11, 28), DayKind.ADJUSTED_WORKDAY, source="hall"),  # a Saturday worked
    )
    calendar = HallCalendar(WITH_SATURDAY, overrides)
    assert calendar.day(date(2026, 10, 5)) == overrides[0]
    assert calendar.opening(date(2026, 10, 5)) == WEEKDAY
    assert calendar.day(date(2026, 10, 6)).kind is DayKind.HOLIDAY  # the rest of the holiday stays
    assert calendar.opening(date(2026, 11, 25)) is None and calendar.day(date(2026, 11, 25)).name == "闭厅"
    assert calendar.opening(date(2026, 11, 28)) == WEEKDAY


def test_a_weekday_the_hall_closes_stays_closed_unless_its_own_date_opens_it() -> None:
    hours = OpeningHours(weekdays=(None,) + (WEEKDAY,) * 4 + (None, None))  # closed on Mondays
    monday = date(2026, 11, 23)
    assert HallCalendar(hours).opening(monday) is None
    opened = HallCalendar(hours, (CalendarDay(monday, DayKind.WORKDAY, source="hall"),))
    assert opened.opening(monday) == WEEKDAY


def test_adjusted_workdays_take_the_hours_most_weekdays_keep() -> None:
    early_friday = (time(9), time(15))
    hours = OpeningHours(weekdays=(WEEKDAY,) * 4 + (early_friday, None, None))
    worked = worked_weekend_days(date(2026, 9, 1), date(2026, 10, 31))[0]
    assert HallCalendar(hours).opening(worked) == WEEKDAY


@pytest.mark.parametrize("wednesday", [BEYOND, FAR], ids=["2027", "2099"])
def test_past_the_package_data_the_weekly_pattern_guesses(calendar: HallCalendar, wednesday: date) -> None:
    if package_knows(wednesday):
        pytest.skip(f"this chinese-calendar has data for {wednesday.year}")
    day = calendar.day(wednesday)
    assert (day.kind, day.source, day.beyond_data) == (DayKind.WORKDAY, "pattern", True)
    assert calendar.opening(wednesday) == WEEKDAY
    saturday = wednesday + timedelta(days=3)
    assert calendar.day(saturday).kind is DayKind.WEEKEND and calendar.day(saturday).beyond_data
    assert calendar.opening(saturday) == SATURDAY
    assert calendar.beyond_data(wednesday - timedelta(days=1), wednesday) == [wednesday - timedelta(days=1), wednesday]


def test_the_dashboard_hears_which_dates_were_guessed(calendar: HallCalendar) -> None:
    if package_knows(BEYOND):
        pytest.skip("this chinese-calendar has data for 2027")
    assert calendar.beyond_data(date(2026, 12, 30), date(2027, 1, 2)) == [date(2027, 1, 1), date(2027, 1, 2)]


def test_the_halls_own_date_silences_the_beyond_data_warning() -> None:
    if package_knows(date(2027, 1, 1)):
        pytest.skip("this chinese-calendar has data for 2027")
    new_year = CalendarDay(date(2027, 1, 1), DayKind.HOLIDAY, "元旦", source="hall")
    calendar = HallCalendar(DEFAULT_HOURS, (new_year,))
    assert calendar.beyond_data(date(2027, 1, 1), date(2027, 1, 3)) == [date(2027, 1, 2), date(2027, 1, 3)]
    assert calendar.opening(date(2027, 1, 1)) is None


def test_working_days_after_skips_the_holiday_and_counts_the_adjusted_workday(calendar: HallCalendar) -> None:
    worked = worked_weekend_days(date(2026, 10, 8), date(2026, 10, 11))
    assert worked  # the premise: a weekend day right after the holiday is worked
    # Thursday 10-08 and Friday 10-09, the 调休 weekend day(s), then the next week.
    expected = [date(2026, 10, 8), date(2026, 10, 9), *worked, date(2026, 10, 12), date(2026, 10, 13)]
    # From the last working day before the holiday, the seven days off count for nothing.
    for n, deadline in enumerate(expected, start=1):
        assert calendar.working_days_after(date(2026, 9, 30), n) == deadline, n
    assert calendar.working_days_after(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Friday -> Monday
    assert calendar.working_days_after(date(2026, 11, 27), 0) == date(2026, 11, 27)
    with pytest.raises(ValueError):
        calendar.working_days_after(date(2026, 11, 27), -1)


def test_working_days_after_runs_past_the_package_data(calendar: HallCalendar) -> None:
    assert calendar.working_days_after(FAR + timedelta(days=2), 1) == FAR + timedelta(days=5)  # Friday -> Monday


def test_days_are_remembered(calendar: HallCalendar) -> None:
    assert calendar.day(date(2026, 10, 1)) is calendar.day(date(2026, 10, 1))
