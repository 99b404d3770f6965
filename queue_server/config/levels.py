"""Where each hall stands in a city: its level (市 city, 县 county, 乡 township, 村 village)
and the hall above it (``parent``), both read from the hall file and checked across its halls.

A parent is another hall of the same file: one file lists a city's halls, so the tree is
known whole when the server starts. A hall without a parent is the top of its own tree
(a lone county hall is just that); its level defaults to ``county``, the common
stand-alone centre. A hall with a parent defaults to the level just below its parent's,
and a level given must lie below the parent's (a township hall may sit right under a city,
as a 市辖区's do). Unknown parents and cycles are refused with the key that names them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .model import SLUG_RE, Config, ConfigError, HallConfig

LEVELS: tuple[str, ...] = ("city", "county", "township", "village")
LEVEL_NAMES: dict[str, tuple[str, str]] = {
    "city": ("市", "City"),
    "county": ("县", "County"),
    "township": ("乡", "Township"),
    "village": ("村", "Village"),
}
DEFAULT_LEVEL = "county"


def _raw(source: str, table: dict[str, Any], key: str) -> tuple[str | None, str | None]:
    """The level and parent a hall's table gives (None: not given), each checked on its own."""
    level, parent = table.get("level"), table.get("parent")
    if level is not None and level not in LEVELS:
        raise ConfigError(source, f"{key}.level", f"must be one of {', '.join(LEVELS)}, got {str(level)[:40]!r}")
    if parent is not None and (not isinstance(parent, str) or not SLUG_RE.fullmatch(parent)):
        raise ConfigError(source, f"{key}.parent", "must be the slug of another hall in this file")
    return level, parent


def place_halls(halls: tuple[HallConfig, ...], tables: list[Any], source: str) -> tuple[HallConfig, ...]:
    """``halls`` (read from ``tables``, the file's ``[[hall]]`` tables, in order) with their level
    and parent set; ConfigError naming ``hall[i].parent`` or ``hall[i].level`` when the tree is wrong."""
    keys = {h.slug: f"hall[{i}]" for i, h in enumerate(halls)}
    raw = {h.slug: _raw(source, t, keys[h.slug]) for h, t in zip(halls, tables, strict=True)}
    for slug, (_, parent) in raw.items():
        if parent is None:
            continue
        if parent == slug:
            raise ConfigError(source, f"{keys[slug]}.parent", "a hall cannot be its own parent")
        if parent not in raw:
            known = ", ".join(raw)
            raise ConfigError(source, f"{keys[slug]}.parent", f"unknown hall {parent!r} (halls in this file: {known})")
    for slug in raw:
        chain = [slug]
        while (up := raw[chain[-1]][1]) is not None:
            if up in chain:
                loop = " → ".join([*chain[chain.index(up) :], up])
                raise ConfigError(source, f"{keys[slug]}.parent", f"the halls' parents form a cycle: {loop}")
            chain.append(up)
    levels: dict[str, str] = {}

    def level_of(slug: str) -> str:
        if slug not in levels:
            given, parent = raw[slug]
            levels[slug] = (given or DEFAULT_LEVEL) if parent is None else _below(slug, given, parent, level_of(parent))
        return levels[slug]

    def _below(slug: str, given: str | None, parent: str, above: str) -> str:
        rank = LEVELS.index(above)
        if given is None:
            if rank + 1 == len(LEVELS):
                raise ConfigError(
                    source, f"{keys[slug]}.parent", f"hall {parent!r} is a village hall: no level lies below it"
                )
            return LEVELS[rank + 1]
        if LEVELS.index(given) <= rank:
            raise ConfigError(
                source,
                f"{keys[slug]}.level",
                f"{given!r} is not below its parent {parent!r}'s level {above!r} (use one of "
                f"{', '.join(LEVELS[rank + 1 :]) or 'none: a village hall has no hall below it'})",
            )
        return given

    return tuple(replace(h, level=level_of(h.slug), parent=raw[h.slug][1]) for h in halls)


def children(config: Config, slug: str) -> tuple[HallConfig, ...]:
    """The halls right below ``slug``, in the file's order."""
    return tuple(h for h in config.halls if h.parent == slug)


def subtree(config: Config, slug: str) -> tuple[HallConfig, ...]:
    """Hall ``slug`` and every hall below it, each right after its parent (the file's order
    among siblings); empty for a hall the file does not hold."""
    top = config.hall(slug)
    if top is None:
        return ()
    out = [top]
    for child in children(config, slug):
        out.extend(subtree(config, child.slug))
    return tuple(out)


def reach(config: Config, slug: str) -> frozenset[str]:
    """The slugs of hall ``slug`` and every hall below it."""
    return frozenset(h.slug for h in subtree(config, slug))


__all__ = ["DEFAULT_LEVEL", "LEVELS", "LEVEL_NAMES", "children", "place_halls", "reach", "subtree"]
