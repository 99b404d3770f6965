"""The hall file's follow_up_working_days: 5 by default, 1 to 30, a bad value refused naming the key;
the due date of a stored case counts it (both backends)."""

from __future__ import annotations

from datetime import date

import pytest

from queue_server.config import ConfigError, parse_config
from queue_server.service import QueueService
from queue_server.storage import Store
from tests.conftest import SMALL_HALL, FakeClock


def with_days(value: str) -> str:
    return SMALL_HALL.replace('slug = "t"', f'slug = "t"\nfollow_up_working_days = {value}', 1)


def test_the_setting_defaults_to_5_and_takes_10() -> None:
    assert parse_config(SMALL_HALL, "small").halls[0].evaluation.follow_up_working_days == 5
    assert parse_config(with_days("10"), "small").halls[0].evaluation.follow_up_working_days == 10


@pytest.mark.parametrize("value", ["0", "31", '"5"', "true"])
def test_a_bad_value_is_refused_naming_the_key(value: str) -> None:
    with pytest.raises(ConfigError, match="follow_up_working_days"):
        parse_config(with_days(value), "small")


def test_the_hall_setting_sets_the_due_date_of_a_stored_case(store: Store, clock: FakeClock) -> None:
    config = parse_config(with_days("10"), "small")
    store.sync_halls(config)
    service = QueueService(store, config, clock=clock)
    service.open_window("t", 1, "li")
    ticket = service.issue("t", "A").ticket
    service.call_next("t", 1)
    service.start("t", 1)
    service.finish("t", 1)
    rated = service.evaluate("t", ticket.id, 2, "pad")  # Monday 2026-11-23
    assert rated.evaluation.follow_up_due == date(2026, 12, 7)  # ten working days on
    assert [e.kind for e in rated.events] == ["evaluation.submit", "case.open"]
    with store.reader("t") as r:
        case = r.case(ticket.id)
    assert case is not None and (case.due, case.state.value, case.clerk) == (date(2026, 12, 7), "open", "li")
