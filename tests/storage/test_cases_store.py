"""Follow-up cases in the store, on both backends: a case written and read back whole, the
filters, and migration 0007 giving the 差评 already stored their case."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig

from queue_server.config import parse_config
from queue_server.domain import CaseState, Evaluation
from queue_server.rules import cases as rules
from queue_server.storage import open_store
from queue_server.storage.tables import evaluation_t
from tests.conftest import TWO_HALLS

from ._util import engine

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def test_a_case_round_trips_with_its_lists(fresh_db_url: str) -> None:
    store = open_store(fresh_db_url)
    try:
        store.migrate()
        store.sync_halls(parse_config(TWO_HALLS, "TWO_HALLS"))
        evaluation = Evaluation(ticket_id=41, hall="t", score=2, at=AT, channel="pad", service="B", window=3,
                                staff="li", comment="慢", follow_up_due=date(2026, 11, 30), number="B001")  # fmt: skip
        case, _ = rules.open_case(evaluation, AT)
        with store.transaction("t") as tx:
            tx.insert_case(case)
            tx.insert_case(replace(case, ticket_id=42, service="A", clerk="zhao", rated_at=AT + timedelta(days=2)))
        case = rules.assign(case, owner="wang", by="boss", at=AT)[0]
        case = rules.add_note(case, text="备注", by="boss", at=AT)[0]
        case = rules.call_back(case, method="visit", reached=True, response="满意", by="wang", at=AT)[0]
        case = rules.resolve(case, text="已解决", satisfied=True, by="wang", at=AT)[0]
        with store.transaction("t") as tx:
            tx.update_case(case)
        with store.reader("t") as r:
            assert r.case(41) == case
            assert r.case(99) is None
            assert [c.ticket_id for c in r.cases()] == [41, 42]
            assert [c.ticket_id for c in r.cases(states=(CaseState.OPEN,))] == [42]
            assert [c.ticket_id for c in r.cases(clerk="li")] == [41]
            assert [c.ticket_id for c in r.cases(service="A")] == [42]
            assert [c.ticket_id for c in r.cases(since=AT + timedelta(days=1))] == [42]
            assert [c.ticket_id for c in r.cases(until=AT + timedelta(days=1))] == [41]
        with store.reader("u") as r:
            assert r.cases() == []  # another hall's cases stay its own
    finally:
        store.close()


def test_migration_0007_gives_every_stored_bad_rating_its_case(fresh_db_url: str) -> None:
    store = open_store(fresh_db_url, migrate=False)
    try:
        cfg = AlembicConfig()
        cfg.set_main_option("script_location", "queue_server.storage:migrations")
        with engine(store).begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0006")
            row = {
                "hall": "t",
                "channel": "pad",
                "service": "A",
                "window": 1,
                "staff": "li",
                "comment": "差",
                "followed_up_at": None,
            }
            conn.execute(sa.insert(evaluation_t), [
                {**row, "ticket_id": 1, "score": 1, "at": AT, "follow_up_due": date(2026, 12, 14)},
                {**row, "ticket_id": 2, "score": 2, "at": AT, "follow_up_due": date(2026, 12, 14),
                 "followed_up_at": AT + timedelta(days=1)},
                {**row, "ticket_id": 3, "score": 5, "at": AT, "follow_up_due": None},
            ])  # fmt: skip
            command.upgrade(cfg, "head")
        store.sync_halls(parse_config(TWO_HALLS, "TWO_HALLS"))
        with store.reader("t") as r:
            cases = {c.ticket_id: c for c in r.cases()}
        assert set(cases) == {1, 2}
        assert (cases[1].state, cases[1].due, cases[1].clerk, cases[1].rated_at) == (
            CaseState.OPEN, date(2026, 12, 14), "li", AT,
        )  # fmt: skip
        assert (cases[2].state, cases[2].resolved_at) == (CaseState.RESOLVED, AT + timedelta(days=1))
    finally:
        store.close()
