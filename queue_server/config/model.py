"""What a hall file describes, as validated, immutable values (``HallConfig`` and its parts)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any, Literal
from zoneinfo import ZoneInfo

from ..domain import NORMAL_CLASS, Tier, WindowKind
from ..staffing import CalendarDay, NoonPolicy, OpeningHours, ShiftTemplate

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
PREFIX_RE = re.compile(r"^[A-Z]$")
MAX_TEXT = 100  # names shown on screens and slips; a longer one is a mistake, not a name


class ConfigError(ValueError):
    def __init__(self, source: str, key: str, reason: str) -> None:
        super().__init__(f"{source}: {key}: {reason}")
        self.source = source
        self.key = key
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Zone:
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    code: str  # the ticket prefix letter
    name_zh: str
    name_en: str
    zone: str
    expected_minutes: float
    # Visitors a day, to seed the planner's forecast before the hall has history (None: no seed).
    expected_daily: float | None = None


@dataclass(frozen=True, slots=True)
class WindowConfig:
    number: int
    kind: WindowKind
    services: Mapping[str, float]  # service code -> routing weight


@dataclass(frozen=True, slots=True)
class StaffConfig:
    login: str
    name: str
    skills: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PriorityClass:
    code: str
    name_zh: str
    name_en: str
    tier: Tier


@dataclass(frozen=True, slots=True)
class NoShowPolicy:
    # A late visitor goes back in line behind this many waiting people.
    requeue_after: int = 3
    # How often one ticket may be reactivated after a no-show.
    max_reactivations: int = 1


@dataclass(frozen=True, slots=True)
class WaitThresholds:
    yellow_minutes: int = 20
    red_minutes: int = 40


@dataclass(frozen=True, slots=True)
class DisplaySettings:
    # How many times the hall display speaks each call ("请A017号到3号窗口办理").
    announce_repeat: int = 2


@dataclass(frozen=True, slots=True)
class EvaluationPolicy:
    # A visitor may rate a service only this long after it finished (they have left by then).
    rating_window_minutes: int = 30
    # A 差评 is followed up within this many working days of the hall calendar (the
    # hall file's ``follow_up_working_days``).
    follow_up_working_days: int = 5


@dataclass(frozen=True, slots=True)
class ServiceTarget:
    """What the planner sizes windows for: ``share`` of visitors called within
    ``called_within_minutes``, and (if set) nine in ten called within ``p90_wait_minutes``."""

    called_within_minutes: float = 10
    share: float = 0.8
    p90_wait_minutes: float | None = 15


# What a ranking may rank, and on what (rules/report_rankings.py defines each measure; named here
# so a hall file is checked when it is read).
RANKING_OF = ("window", "clerk", "service")
RANKING_MEASURES = (
    "within_share", "wait_mean", "wait_p90", "served", "service_mean", "satisfied_share", "mean_score", "bad",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class RankingChoice:
    """What the hall is judged on ([hall.rankings]): the workbook's and the 月度通报's boards rank
    each of ``of`` on each of ``measures``, and the report page opens on the first of each."""

    of: tuple[str, ...] = ("window", "clerk")
    measures: tuple[str, ...] = ("within_share", "satisfied_share")


LatePolicy = Literal["walk_in", "refuse"]
LATE_POLICIES: tuple[LatePolicy, ...] = ("walk_in", "refuse")


@dataclass(frozen=True, slots=True)
class AppointmentPolicy:
    # Check-in opens this long before the slot starts.
    early_minutes: int = 30
    # Up to this long after the slot start, a check-in keeps its appointment priority.
    late_minutes: int = 15
    # Later than that: "walk_in" issues a normal ticket, "refuse" turns the visitor away.
    late_policy: LatePolicy = "walk_in"


DEFAULT_PRIORITY_CLASSES = (
    PriorityClass(NORMAL_CLASS, "普通", "Normal", Tier.NORMAL),
    PriorityClass("green", "绿色通道", "Green channel", Tier.GREEN),
    PriorityClass("elderly", "老年人优先", "Elderly", Tier.PRIORITY),
    PriorityClass("disabled", "残障人士优先", "Disabled", Tier.PRIORITY),
)


# A hall file without [hall.hours]: Monday to Friday 09:00-17:00, closed at the weekend.
DEFAULT_HOURS = OpeningHours(weekdays=((time(9), time(17)),) * 5 + (None, None))
# Without [hall.noon]: 中午不停歇 from 12:00 to 14:00 with at least one window open.
DEFAULT_NOON = NoonPolicy(start=time(12), end=time(14), min_windows=1)


def default_shifts(hall: str) -> tuple[ShiftTemplate, ...]:
    """The shift templates (班次) a hall starts with when its file lists none."""
    return (
        ShiftTemplate(hall, "full", "全天", "Full day", time(9), time(17), 60, time(11, 30), time(13, 30)),
        ShiftTemplate(hall, "early", "早班", "Early", time(8, 30), time(12, 30)),
        ShiftTemplate(hall, "late", "午后班", "Afternoon", time(13), time(17)),
        # Covers 12:00-14:00 and eats after it, so the windows stay open through noon.
        ShiftTemplate(
            hall, "noon", "午间值班", "Noon duty", time(9), time(17), 60, time(14), time(15, 30), noon_duty=True
        ),
    )


@dataclass(frozen=True, slots=True)
class HallConfig:
    slug: str
    name_zh: str
    name_en: str
    timezone: str = "Asia/Shanghai"
    recall_limit: int = 3
    aging_minutes: int = 60
    no_show: NoShowPolicy = field(default_factory=NoShowPolicy)
    thresholds: WaitThresholds = field(default_factory=WaitThresholds)
    evaluation: EvaluationPolicy = field(default_factory=EvaluationPolicy)
    display: DisplaySettings = field(default_factory=DisplaySettings)
    appointments: AppointmentPolicy = field(default_factory=AppointmentPolicy)
    target: ServiceTarget = field(default_factory=ServiceTarget)
    rankings: RankingChoice = field(default_factory=RankingChoice)
    zones: tuple[Zone, ...] = ()
    services: tuple[ServiceConfig, ...] = ()
    windows: tuple[WindowConfig, ...] = ()
    staff: tuple[StaffConfig, ...] = ()
    priority_classes: tuple[PriorityClass, ...] = DEFAULT_PRIORITY_CLASSES
    # [hall.hardware]: serial lines and devices, as written; the hardware room checks them
    # (hardware.config) when the server or the agent starts, with this file's key paths.
    hardware: dict[str, Any] = field(default_factory=dict)
    # [hall.hours], [hall.noon], [[hall.calendar]] (the hall's own dates, beating the national
    # calendar) and [[hall.shifts]]: what rosters are made from.
    hours: OpeningHours = DEFAULT_HOURS
    noon: NoonPolicy = DEFAULT_NOON
    calendar: tuple[CalendarDay, ...] = ()
    shifts: tuple[ShiftTemplate, ...] = ()
    # Where the hall stands in its city (config/levels.py): city, county, township or village,
    # and the slug of the hall above it in the same file (None: the top of its own tree).
    level: str = "county"
    parent: str | None = None

    def __post_init__(self) -> None:
        # The templates belong to a hall, so their default can only be made once the slug is known.
        if not self.shifts:
            object.__setattr__(self, "shifts", default_shifts(self.slug))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def service(self, code: str) -> ServiceConfig | None:
        return next((s for s in self.services if s.code == code), None)

    def staff_member(self, login: str) -> StaffConfig | None:
        return next((s for s in self.staff if s.login == login), None)

    def priority_class(self, code: str) -> PriorityClass | None:
        return next((p for p in self.priority_classes if p.code == code), None)

    def shift(self, code: str) -> ShiftTemplate | None:
        return next((s for s in self.shifts if s.code == code), None)


@dataclass(frozen=True, slots=True)
class Config:
    halls: tuple[HallConfig, ...]
    source: str = "<memory>"

    def hall(self, slug: str) -> HallConfig | None:
        return next((h for h in self.halls if h.slug == slug), None)
