"""Hall configuration: one TOML file describes one or more halls.

``load_config(path)`` returns validated, immutable ``HallConfig`` values or
raises ``ConfigError`` naming the file, the key and what is wrong, so a bad
file is refused at start instead of surprising a clerk at noon.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .domain import CONFIGURABLE_TIERS, NORMAL_CLASS, Tier, WindowKind
from .rules.names import login_problem, text_problem

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


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), "-", f"cannot read the file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), "-", "not UTF-8 text: save the file as UTF-8") from exc
    return parse_config(text, str(path))


def demo_config() -> Config:
    text = resources.files("queue_server").joinpath("demo_hall.toml").read_text("utf-8")
    return parse_config(text, "queue_server/demo_hall.toml")


def parse_config(text: str, source: str = "<memory>") -> Config:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, "-", f"not valid TOML: {exc}") from exc
    except RecursionError:
        # tomllib recurses per nesting level; no hall file nests more than a few.
        raise ConfigError(source, "-", "nested too deeply (arrays or tables inside each other)") from None
    reader = TomlReader(source)
    unknown = set(raw) - {"hall"}
    if unknown:
        raise ConfigError(source, sorted(unknown)[0], "unknown key (expected [[hall]] tables)")
    halls_raw = raw.get("hall")
    if not isinstance(halls_raw, list) or not halls_raw:
        raise ConfigError(source, "hall", "at least one [[hall]] table is required")
    halls = tuple(reader.hall(h, f"hall[{i}]") for i, h in enumerate(halls_raw))
    reader.unique([h.slug for h in halls], "hall", "slug")
    return Config(halls=halls, source=source)


class TomlReader:
    """Walks the parsed TOML, keeping the key path for error messages (rooms reuse it for their tables)."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, reason: str) -> ConfigError:
        return ConfigError(self.source, key, reason)

    def table(self, value: Any, key: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table")
        extra = set(value) - allowed
        if extra:
            name = sorted(extra)[0]
            raise self.fail(f"{key}.{name}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
        return value

    def str_(
        self, t: dict[str, Any], key: str, name: str, default: str | None = None, *, max_len: int = MAX_TEXT
    ) -> str:
        value = t.get(name, default)
        if value is None:
            raise self.fail(f"{key}.{name}", "is required")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{key}.{name}", "must be a non-empty string")
        problem = text_problem(value.strip(), max_len=max_len)
        if problem:
            raise self.fail(f"{key}.{name}", problem)
        return value.strip()

    def int_(self, t: dict[str, Any], key: str, name: str, default: int, lo: int, hi: int) -> int:
        value = t.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{key}.{name}", "must be a whole number")
        if not lo <= value <= hi:
            raise self.fail(f"{key}.{name}", f"must be between {lo} and {hi}, got {value}")
        return value

    def num(self, value: Any, key: str, lo: float, hi: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, "must be a number")
        if not lo <= value <= hi:
            raise self.fail(key, f"must be between {lo:g} and {hi:g}, got {value}")
        return float(value)

    def list_(self, t: dict[str, Any], key: str, name: str) -> list[Any]:
        value = t.get(name, [])
        if not isinstance(value, list):
            raise self.fail(f"{key}.{name}", "must be an array of tables")
        return value

    def unique(self, values: list[Any], key: str, name: str) -> None:
        seen: set[Any] = set()
        for i, v in enumerate(values):
            if v in seen:
                raise self.fail(f"{key}[{i}].{name}", f"duplicate value {v!r}")
            seen.add(v)

    def hall(self, value: Any, key: str) -> HallConfig:
        allowed = {
            "slug",
            "name_zh",
            "name_en",
            "timezone",
            "recall_limit",
            "aging_minutes",
            "no_show",
            "thresholds",
            "display",
            "evaluation",
            "appointments",
            "zones",
            "services",
            "windows",
            "staff",
            "priority_classes",
            "hardware",
        }
        t = self.table(value, key, allowed)
        slug = self.str_(t, key, "slug")
        if not SLUG_RE.fullmatch(slug):
            raise self.fail(f"{key}.slug", "use lower-case letters, digits and '-' (e.g. 'demo')")
        tz = self.str_(t, key, "timezone", "Asia/Shanghai")
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise self.fail(f"{key}.timezone", f"unknown time zone {tz!r}") from exc

        zones = tuple(self.zone(z, f"{key}.zones[{i}]") for i, z in enumerate(self.list_(t, key, "zones")))
        self.unique([z.code for z in zones], f"{key}.zones", "code")
        zone_codes = {z.code for z in zones}

        services = tuple(
            self.service(s, f"{key}.services[{i}]", zone_codes) for i, s in enumerate(self.list_(t, key, "services"))
        )
        if not services:
            raise self.fail(f"{key}.services", "a hall needs at least one service")
        self.unique([s.code for s in services], f"{key}.services", "code")
        codes = {s.code for s in services}

        windows = tuple(
            self.window(w, f"{key}.windows[{i}]", codes) for i, w in enumerate(self.list_(t, key, "windows"))
        )
        self.unique([w.number for w in windows], f"{key}.windows", "number")

        staff = tuple(self.staff(s, f"{key}.staff[{i}]", codes) for i, s in enumerate(self.list_(t, key, "staff")))
        self.unique([s.login for s in staff], f"{key}.staff", "login")

        classes_raw = self.list_(t, key, "priority_classes")
        if classes_raw:
            classes = tuple(self.priority_class(p, f"{key}.priority_classes[{i}]") for i, p in enumerate(classes_raw))
            self.unique([p.code for p in classes], f"{key}.priority_classes", "code")
            if not any(p.code == NORMAL_CLASS for p in classes):
                classes = (DEFAULT_PRIORITY_CLASSES[0], *classes)
        else:
            classes = DEFAULT_PRIORITY_CLASSES

        no_show_key, thr_key = f"{key}.no_show", f"{key}.thresholds"
        no_show_t = self.table(t.get("no_show", {}), no_show_key, {"requeue_after", "max_reactivations"})
        thr_t = self.table(t.get("thresholds", {}), thr_key, {"yellow_minutes", "red_minutes"})
        thresholds = WaitThresholds(
            yellow_minutes=self.int_(thr_t, thr_key, "yellow_minutes", 20, 1, 1440),
            red_minutes=self.int_(thr_t, thr_key, "red_minutes", 40, 1, 1440),
        )
        if thresholds.red_minutes <= thresholds.yellow_minutes:
            raise self.fail(f"{key}.thresholds.red_minutes", "must be greater than yellow_minutes")
        display_key = f"{key}.display"
        display_t = self.table(t.get("display", {}), display_key, {"announce_repeat"})
        display = DisplaySettings(announce_repeat=self.int_(display_t, display_key, "announce_repeat", 2, 1, 5))
        eval_key = f"{key}.evaluation"
        eval_t = self.table(t.get("evaluation", {}), eval_key, {"rating_window_minutes"})
        evaluation = EvaluationPolicy(
            rating_window_minutes=self.int_(eval_t, eval_key, "rating_window_minutes", 30, 1, 1440),
        )
        return HallConfig(
            slug=slug,
            name_zh=self.str_(t, key, "name_zh"),
            name_en=self.str_(t, key, "name_en", slug),
            timezone=tz,
            recall_limit=self.int_(t, key, "recall_limit", 3, 0, 20),
            aging_minutes=self.int_(t, key, "aging_minutes", 60, 1, 1440),
            no_show=NoShowPolicy(
                requeue_after=self.int_(no_show_t, no_show_key, "requeue_after", 3, 0, 1000),
                max_reactivations=self.int_(no_show_t, no_show_key, "max_reactivations", 1, 0, 20),
            ),
            thresholds=thresholds,
            evaluation=evaluation,
            display=display,
            appointments=self.appointments(t.get("appointments", {}), f"{key}.appointments"),
            zones=zones,
            services=services,
            windows=windows,
            staff=staff,
            priority_classes=classes,
            hardware=self.table(t.get("hardware", {}), f"{key}.hardware", set(t.get("hardware", {}))),
        )

    def appointments(self, value: Any, key: str) -> AppointmentPolicy:
        t = self.table(value, key, {"early_minutes", "late_minutes", "late_policy"})
        late_policy = self.str_(t, key, "late_policy", "walk_in")
        if late_policy not in LATE_POLICIES:
            raise self.fail(
                f"{key}.late_policy",
                f"must be {' or '.join(repr(p) for p in LATE_POLICIES)}, got {late_policy!r}",
            )
        return AppointmentPolicy(
            early_minutes=self.int_(t, key, "early_minutes", 30, 0, 1440),
            late_minutes=self.int_(t, key, "late_minutes", 15, 0, 1440),
            late_policy=late_policy,
        )

    def zone(self, value: Any, key: str) -> Zone:
        t = self.table(value, key, {"code", "name_zh", "name_en"})
        code = self.str_(t, key, "code")
        return Zone(
            code=code,
            name_zh=self.str_(t, key, "name_zh"),
            name_en=self.str_(t, key, "name_en", code),
        )

    def service(self, value: Any, key: str, zones: set[str]) -> ServiceConfig:
        t = self.table(value, key, {"code", "name_zh", "name_en", "zone", "expected_minutes"})
        code = self.str_(t, key, "code")
        if not PREFIX_RE.match(code):
            raise self.fail(f"{key}.code", f"must be one capital letter A-Z (the ticket prefix), got {code!r}")
        zone = self.str_(t, key, "zone") if "zone" in t else ""
        if zone and zone not in zones:
            raise self.fail(f"{key}.zone", f"unknown zone {zone!r} (declare it under zones)")
        return ServiceConfig(
            code=code,
            name_zh=self.str_(t, key, "name_zh"),
            name_en=self.str_(t, key, "name_en", code),
            zone=zone,
            expected_minutes=self.num(t.get("expected_minutes", 10), f"{key}.expected_minutes", 0.5, 480),
        )

    def window(self, value: Any, key: str, services: set[str]) -> WindowConfig:
        t = self.table(value, key, {"number", "kind", "services"})
        number = self.int_(t, key, "number", 0, 1, 9999)
        kind_raw = self.str_(t, key, "kind", WindowKind.COMPREHENSIVE.value)
        try:
            kind = WindowKind(kind_raw)
        except ValueError as exc:
            raise self.fail(f"{key}.kind", "must be 'comprehensive' or 'dedicated'") from exc
        raw = t.get("services")
        weights: dict[str, float] = {}
        if isinstance(raw, list):
            for i, code in enumerate(raw):
                if not isinstance(code, str):
                    raise self.fail(f"{key}.services[{i}]", "must be a service code")
                weights[code] = 1.0
        elif isinstance(raw, dict):
            for code, w in raw.items():
                weights[code] = self.num(w, f"{key}.services.{code}", 0.1, 100)
        else:
            raise self.fail(f"{key}.services", "is required: a list of service codes or a table code = weight")
        if not weights:
            raise self.fail(f"{key}.services", "a window must serve at least one service")
        for code in weights:
            if code not in services:
                raise self.fail(f"{key}.services.{code}", f"unknown service {code!r}")
        return WindowConfig(number=number, kind=kind, services=weights)

    def staff(self, value: Any, key: str, services: set[str]) -> StaffConfig:
        t = self.table(value, key, {"login", "name", "skills"})
        raw_login = t.get("login")
        problem = login_problem(raw_login) if isinstance(raw_login, str) else "must be a string"
        if problem:
            raise self.fail(f"{key}.login", problem)
        login = str(raw_login)
        skills_raw = t.get("skills", [])
        if not isinstance(skills_raw, list) or not all(isinstance(s, str) for s in skills_raw):
            raise self.fail(f"{key}.skills", "must be a list of service codes")
        for i, code in enumerate(skills_raw):
            if code not in services:
                raise self.fail(f"{key}.skills[{i}]", f"unknown service {code!r}")
        return StaffConfig(login=login, name=self.str_(t, key, "name"), skills=tuple(skills_raw))

    def priority_class(self, value: Any, key: str) -> PriorityClass:
        t = self.table(value, key, {"code", "name_zh", "name_en", "tier"})
        code = self.str_(t, key, "code")
        tier_raw = self.str_(t, key, "tier")
        if tier_raw not in CONFIGURABLE_TIERS:
            raise self.fail(f"{key}.tier", f"must be one of {', '.join(CONFIGURABLE_TIERS)}")
        if code == "appointment":
            raise self.fail(f"{key}.code", "'appointment' is reserved for checked-in appointments")
        return PriorityClass(
            code=code,
            name_zh=self.str_(t, key, "name_zh"),
            name_en=self.str_(t, key, "name_en", code),
            tier=CONFIGURABLE_TIERS[tier_raw],
        )
