"""What a hall file describes, as validated, immutable values (``HallConfig`` and its parts)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from ..domain import NORMAL_CLASS, Tier, WindowKind

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
    zones: tuple[Zone, ...] = ()
    services: tuple[ServiceConfig, ...] = ()
    windows: tuple[WindowConfig, ...] = ()
    staff: tuple[StaffConfig, ...] = ()
    priority_classes: tuple[PriorityClass, ...] = DEFAULT_PRIORITY_CLASSES
    # [hall.hardware]: serial lines and devices, as written; the hardware room checks them
    # (hardware.config) when the server or the agent starts, with this file's key paths.
    hardware: dict[str, Any] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def service(self, code: str) -> ServiceConfig | None:
        return next((s for s in self.services if s.code == code), None)

    def staff_member(self, login: str) -> StaffConfig | None:
        return next((s for s in self.staff if s.login == login), None)

    def priority_class(self, code: str) -> PriorityClass | None:
        return next((p for p in self.priority_classes if p.code == code), None)


@dataclass(frozen=True, slots=True)
class Config:
    halls: tuple[HallConfig, ...]
    source: str = "<memory>"

    def hall(self, slug: str) -> HallConfig | None:
        return next((h for h in self.halls if h.slug == slug), None)
