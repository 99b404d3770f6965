"""Levels and parents in the hall file: the tree read at start, and each wrong tree refused with
the file, the key and what is wrong."""

from __future__ import annotations

import pytest

from queue_server.config import ConfigError, children, demo_city_path, load_config, parse_config, reach, subtree

SOURCE = "city.toml"


def hall(slug: str, extra: str = "") -> str:
    return f"""
[[hall]]
slug = "{slug}"
name_zh = "{slug} 中心"
{extra}
[[hall.services]]
code = "A"
name_zh = "综合受理"
[[hall.windows]]
number = 1
services = ["A"]
"""


def refused(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_config(text, SOURCE)
    assert info.value.source == SOURCE
    return info.value


def test_a_lone_hall_is_a_county_hall_at_the_top_of_its_own_tree() -> None:
    config = parse_config(hall("solo"), SOURCE)
    (only,) = config.halls
    assert (only.level, only.parent) == ("county", None)
    assert [h.slug for h in subtree(config, "solo")] == ["solo"]


def test_a_child_defaults_to_the_level_below_its_parent_and_a_given_level_may_skip_one() -> None:
    text = (
        hall("city", 'level = "city"')
        + hall("county", 'parent = "city"')
        + hall("town", 'parent = "county"')
        + hall("district-town", 'parent = "city"\nlevel = "township"')
        + hall("village", 'parent = "town"')
    )
    config = parse_config(text, SOURCE)
    levels = {h.slug: (h.level, h.parent) for h in config.halls}
    assert levels == {
        "city": ("city", None),
        "county": ("county", "city"),
        "town": ("township", "county"),
        "district-town": ("township", "city"),
        "village": ("village", "town"),
    }
    assert [h.slug for h in subtree(config, "city")] == ["city", "county", "town", "village", "district-town"]
    assert [h.slug for h in children(config, "city")] == ["county", "district-town"]
    assert reach(config, "county") == {"county", "town", "village"}
    assert subtree(config, "nowhere") == ()


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        (hall("a", 'level = "province"'), "hall[0].level", "must be one of city, county, township, village"),
        (hall("a", "level = 3"), "hall[0].level", "must be one of"),
        (hall("a", 'parent = "b"'), "hall[0].parent", "unknown hall 'b'"),
        (hall("a", "parent = 7"), "hall[0].parent", "slug of another hall"),
        (hall("a", 'parent = "a"'), "hall[0].parent", "its own parent"),
        (hall("a", 'parent = "b"') + hall("b", 'parent = "a"'), "hall[0].parent", "cycle: a → b → a"),
        (
            hall("top", 'level = "city"') + hall("a", 'parent = "top"\nlevel = "city"'),
            "hall[1].level",
            "'city' is not below its parent 'top''s level 'city'",
        ),
        (
            hall("c", 'level = "county"') + hall("t", 'parent = "c"\nlevel = "city"'),
            "hall[1].level",
            "not below",
        ),
        (hall("v", 'level = "village"') + hall("w", 'parent = "v"'), "hall[1].parent", "no level lies below it"),
        (hall("a", 'levels = "city"'), "hall[0].levels", "unknown key"),
    ],
)
def test_a_wrong_tree_is_refused_naming_the_key(text: str, key: str, words: str) -> None:
    error = refused(text)
    assert error.key == key
    assert words in error.reason
    assert str(error).startswith(f"{SOURCE}: {key}: ")


def test_the_demo_city_is_a_city_two_counties_and_three_townships() -> None:
    config = load_config(demo_city_path())
    by_level = {lvl: [h.slug for h in config.halls if h.level == lvl] for lvl in ("city", "county", "township")}
    assert by_level == {
        "city": ["qingshan"],
        "county": ["baihe", "lushui"],
        "township": ["baihe-dongguan", "baihe-xiping", "lushui-hekou"],
    }
    assert reach(config, "qingshan") == {h.slug for h in config.halls}
    assert all(h.windows and h.services and h.staff for h in config.halls)
