"""Reading a hall file's TOML into ``HallConfig`` values, keeping the key path for errors."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..domain import CONFIGURABLE_TIERS, NORMAL_CLASS, WindowKind
from ..names import login_problem, text_problem
from .model import (
    DEFAULT_PRIORITY_CLASSES,
    LATE_POLICIES,
    MAX_TEXT,
    PREFIX_RE,
    RANKING_MEASURES,
    RANKING_OF,
    SLUG_RE,
    AppointmentPolicy,
    ConfigError,
    DisplaySettings,
    EvaluationPolicy,
    HallConfig,
    NoShowPolicy,
    PriorityClass,
    RankingChoice,
    ServiceConfig,
    ServiceTarget,
    StaffConfig,
    WaitThresholds,
    WindowConfig,
    Zone,
)
from .staffing_reader import read_calendar, read_hours, read_noon, read_shifts


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
            "hours",
            "noon",
            "calendar",
            "shifts",
            "target",
            "rankings",
            "follow_up_working_days",
            # Checked across the file's halls once all are read (config/levels.py).
            "level",
            "parent",
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
            follow_up_working_days=self.int_(t, key, "follow_up_working_days", 5, 1, 30),
        )
        hours = read_hours(self, t.get("hours", {}), f"{key}.hours")
        noon = read_noon(self, t.get("noon", {}), f"{key}.noon", hours, len(windows))
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
            target=self.target(t.get("target", {}), f"{key}.target"),
            rankings=self.rankings(t.get("rankings", {}), f"{key}.rankings"),
            zones=zones,
            services=services,
            windows=windows,
            staff=staff,
            priority_classes=classes,
            hardware=self.table(t.get("hardware", {}), f"{key}.hardware", set(t.get("hardware", {}))),
            hours=hours,
            noon=noon,
            calendar=read_calendar(self, self.list_(t, key, "calendar"), f"{key}.calendar"),
            shifts=read_shifts(self, self.list_(t, key, "shifts"), f"{key}.shifts", slug, noon),
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

    def target(self, value: Any, key: str) -> ServiceTarget:
        t = self.table(value, key, {"called_within_minutes", "share", "p90_wait_minutes"})
        p90 = t.get("p90_wait_minutes", 15)
        return ServiceTarget(
            called_within_minutes=self.num(t.get("called_within_minutes", 10), f"{key}.called_within_minutes", 0, 480),
            share=self.num(t.get("share", 0.8), f"{key}.share", 0.01, 0.99),
            # 0 switches the p90 bound off (TOML has no null).
            p90_wait_minutes=self.num(p90, f"{key}.p90_wait_minutes", 0, 480) or None,
        )

    def rankings(self, value: Any, key: str) -> RankingChoice:
        t = self.table(value, key, {"of", "measures"})
        default = RankingChoice()
        return RankingChoice(
            of=self.choices(t, key, "of", RANKING_OF, default.of),
            measures=self.choices(t, key, "measures", RANKING_MEASURES, default.measures),
        )

    def choices(
        self, t: dict[str, Any], key: str, name: str, allowed: tuple[str, ...], default: tuple[str, ...]
    ) -> tuple[str, ...]:
        """A non-empty list of distinct names out of ``allowed`` (``default`` when absent)."""
        if name not in t:
            return default
        values = t[name]
        if not isinstance(values, list):
            raise self.fail(f"{key}.{name}", f"must be an array of names, e.g. {list(default)!r}")
        if not values:
            raise self.fail(f"{key}.{name}", f"must name at least one of {', '.join(allowed)}")
        for i, v in enumerate(values):
            if v not in allowed:
                raise self.fail(f"{key}.{name}[{i}]", f"must be one of {', '.join(allowed)}, got {v!r}")
            if v in values[:i]:
                raise self.fail(f"{key}.{name}[{i}]", f"{v!r} is named twice")
        return tuple(values)

    def zone(self, value: Any, key: str) -> Zone:
        t = self.table(value, key, {"code", "name_zh", "name_en"})
        code = self.str_(t, key, "code")
        return Zone(
            code=code,
            name_zh=self.str_(t, key, "name_zh"),
            name_en=self.str_(t, key, "name_en", code),
        )

    def service(self, value: Any, key: str, zones: set[str]) -> ServiceConfig:
        t = self.table(value, key, {"code", "name_zh", "name_en", "zone", "expected_minutes", "expected_daily"})
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
            expected_daily=(
                self.num(t["expected_daily"], f"{key}.expected_daily", 0, 100_000) if "expected_daily" in t else None
            ),
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
