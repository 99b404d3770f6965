"""Hall configuration: one TOML file describes one or more halls.

``load_config(path)`` returns validated, immutable ``HallConfig`` values or
raises ``ConfigError`` naming the file, the key and what is wrong, so a bad
file is refused at start instead of surprising a clerk at noon.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from .levels import LEVEL_NAMES, LEVELS, children, place_halls, reach, subtree
from .model import (
    DEFAULT_HOURS,
    DEFAULT_NOON,
    DEFAULT_PRIORITY_CLASSES,
    LATE_POLICIES,
    MAX_TEXT,
    PREFIX_RE,
    RANKING_MEASURES,
    RANKING_OF,
    SLUG_RE,
    AppointmentPolicy,
    Config,
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
    default_shifts,
)
from .reader import TomlReader

__all__ = [
    "DEFAULT_HOURS",
    "DEFAULT_NOON",
    "DEFAULT_PRIORITY_CLASSES",
    "LATE_POLICIES",
    "LEVELS",
    "LEVEL_NAMES",
    "MAX_TEXT",
    "PREFIX_RE",
    "RANKING_MEASURES",
    "RANKING_OF",
    "SLUG_RE",
    "AppointmentPolicy",
    "Config",
    "ConfigError",
    "DisplaySettings",
    "EvaluationPolicy",
    "HallConfig",
    "NoShowPolicy",
    "PriorityClass",
    "RankingChoice",
    "ServiceConfig",
    "ServiceTarget",
    "StaffConfig",
    "TomlReader",
    "WaitThresholds",
    "WindowConfig",
    "Zone",
    "children",
    "default_shifts",
    "demo_city_path",
    "demo_config",
    "load_config",
    "parse_config",
    "reach",
    "subtree",
]


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


def demo_city_path() -> Path:
    """The built-in demo city's hall file (``python run.py --demo-city``): a city centre, two
    county halls and three township halls."""
    return Path(str(resources.files("queue_server").joinpath("demo_city.toml")))


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
    return Config(halls=place_halls(halls, halls_raw, source), source=source)
