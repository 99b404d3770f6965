"""The hall file's follow_up_working_days: 5 by default, 1 to 30, a bad value refused naming the key."""

from __future__ import annotations

import pytest

from queue_server.config import ConfigError, parse_config
from tests.conftest import SMALL_HALL


def with_days(value: str) -> str:
    return SMALL_HALL.replace('slug = "t"', f'slug = "t"\nfollow_up_working_days = {value}', 1)


def test_the_setting_defaults_to_5_and_takes_10() -> None:
    assert parse_config(SMALL_HALL, "small").halls[0].evaluation.follow_up_working_days == 5
    assert parse_config(with_days("10"), "small").halls[0].evaluation.follow_up_working_days == 10


@pytest.mark.parametrize("value", ["0", "31", '"5"', "true"])
def test_a_bad_value_is_refused_naming_the_key(value: str) -> None:
    with pytest.raises(ConfigError, match="follow_up_working_days"):
        parse_config(with_days(value), "small")
