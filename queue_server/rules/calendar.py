"""What a date is for a hall, and when the hall opens on it.

The hall's own ``[[hall.calendar]]`` dates come first; then China's public holidays and 调休
workdays from the chinese-calendar package; past the package's data (a year not announced
yet) the weekly pattern guesses, and the day says so (``beyond_data``) for the dashboard.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time, timedelta
from functools import lru_cache

import chinese_calendar

from ..config.staffing_reader import usual_hours
from ..staffing import CalendarDay, DayKind, OpeningHours

# The package names holidays in English; the roster shows Chinese first.
_ZH_BY_EN: dict[str, str] = {h.value: h.chinese for h in chinese_calendar.Holiday}
_EN_BY_ZH: dict[str, str] = {zh: en for en, zh in _ZH_BY_EN.items()}


def holiday_name_en(name: str) -> str:
    """The English name of a holiday named in Chinese (a hall's own name stays as written)."""
    return _EN_BY_ZH.get(name, name)


def _pattern(day: date, *, beyond_data: bool) -> CalendarDay:
    kind = DayKind.WORKDAY if day.weekday() < 5 else DayKind.WEEKEND
    return CalendarDay(day=day, kind=kind, source="pattern", beyond_data=beyond_data)


@lru_cache(maxsize=4096)
def national_day(day: date) -> CalendarDay:
    """The day by the national calendar alone; the weekly pattern where the package has no data."""
    try:
        on_holiday, name_en = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return _pattern(day, beyond_data=True)
    name = _ZH_BY_EN.get(name_en, name_en) if name_en else ""
    weekend = day.weekday() >= 5
    if on_holiday:
        kind = DayKind.HOLIDAY if name else DayKind.WEEKEND  # a plain weekend has no name
    else:
        # A weekend day not off is worked instead of a holiday; its name is that holiday's.
        kind = DayKind.ADJUSTED_WORKDAY if weekend else DayKind.WORKDAY
    return CalendarDay(day=day, kind=kind, name=name, source="chinese_calendar")


class HallCalendar:
    """One hall's calendar: its hours and its own dates over the national calendar."""

    def __init__(self, hours: OpeningHours, overrides: Iterable[CalendarDay] = ()) -> None:
        self.hours = hours
        self._overrides = {o.day: o for o in overrides}
        # A 调休 workday replaces some weekday: it keeps the hours most weekdays keep.
        self._weekday_hours = usual_hours(hours)
        self._days: dict[date, CalendarDay] = {}

    def day(self, day: date) -> CalendarDay:
        known = self._days.get(day)
        if known is None:
            known = self._overrides.get(day) or national_day(day)
            self._days[day] = known
        return known

    def opening(self, day: date) -> tuple[time, time] | None:
        """When the hall serves on ``day``; None: closed."""
        found = self.day(day)
        if found.kind is DayKind.HOLIDAY:
            return None
        weekday = day.weekday()
        if found.kind is DayKind.WEEKEND:
            return self.hours.on(weekday)  # Saturday service, if the hall has it
        if weekday < 5:
            own = self.hours.on(weekday)
            # A weekday the hall always closes stays closed, unless the hall's own date says it works.
            if own is not None or found.source != "hall":
                return own
        return self._weekday_hours

    def beyond_data(self, first: date, last: date) -> list[date]:
        """The dates of ``[first, last]`` only the weekly pattern could tell (the dashboard warns)."""
        days = (first + timedelta(days=i) for i in range((last - first).days + 1))
        return [d for d in days if self.day(d).beyond_data]

    def working_days_after(self, day: date, n: int) -> date:
        """The ``n``-th working day (工作日, 调休 included) after ``day``; ``day`` itself for n = 0."""
        if n < 0:
            raise ValueError(f"n must be 0 or more, got {n}")
        current = day
        while n:
            current += timedelta(days=1)
            if self.day(current).is_workday:
                n -= 1
        return current
