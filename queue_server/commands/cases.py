"""Follow-up case commands (回访工单): assign, note, call back, resolve, close, appeal and decide.

Each is one transaction on the hall: the case as stored, one rule of ``rules.cases``, the case
written back and its event recorded (the hall channel tells the dashboard). A resolved case
marks its rating followed up too, so the rating lists and the dashboard agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from ..domain import Event, FollowUpCase
from ..errors import NotFound
from ..rules import cases as case_rules
from .unit import Commands, Unit

Change = Callable[[FollowUpCase, datetime], tuple[FollowUpCase, Event]]


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """What a case command answers: the case as stored now, and the events it recorded."""

    case: FollowUpCase
    events: list[Event]


class CaseCommands(Commands):
    def _change(self, slug: str, ticket_id: int, change: Change) -> CaseOutcome:
        with self._unit(slug) as u:
            case, event = change(self._case(u, ticket_id), u.now)
            u.tx.update_case(case)
            if case.resolved_at is not None:
                self._mark_followed_up(u, case)
            u.record(event)
        return CaseOutcome(case, u.events)

    @staticmethod
    def _case(u: Unit, ticket_id: int) -> FollowUpCase:
        case = u.tx.case(ticket_id)
        if case is None:
            raise NotFound(f"票 {ticket_id} 没有回访工单 / ticket {ticket_id} has no follow-up case in {u.hall.slug}")
        return case

    @staticmethod
    def _mark_followed_up(u: Unit, case: FollowUpCase) -> None:
        evaluation = u.tx.evaluation(case.ticket_id)
        if evaluation is not None and evaluation.followed_up_at is None:
            u.tx.update_evaluation(replace(evaluation, followed_up_at=case.resolved_at))

    def assign_case(self, slug: str, ticket_id: int, owner: str, by: str) -> CaseOutcome:
        """A manager names who owns the case (a manager or staff login)."""
        return self._change(slug, ticket_id, lambda c, at: case_rules.assign(c, owner=owner, by=by, at=at))

    def note_case(self, slug: str, ticket_id: int, text: str, by: str) -> CaseOutcome:
        return self._change(slug, ticket_id, lambda c, at: case_rules.add_note(c, text=text, by=by, at=at))

    def call_back_case(
        self, slug: str, ticket_id: int, *, method: str, reached: bool, response: str, by: str
    ) -> CaseOutcome:
        """A call-back to the visitor (回访记录)."""
        return self._change(
            slug,
            ticket_id,
            lambda c, at: case_rules.call_back(c, method=method, reached=reached, response=response, by=by, at=at),
        )

    def resolve_case(self, slug: str, ticket_id: int, *, text: str, satisfied: bool, by: str) -> CaseOutcome:
        return self._change(
            slug, ticket_id, lambda c, at: case_rules.resolve(c, text=text, satisfied=satisfied, by=by, at=at)
        )

    def close_case(self, slug: str, ticket_id: int, by: str) -> CaseOutcome:
        return self._change(slug, ticket_id, lambda c, at: case_rules.close(c, by=by, at=at))

    def appeal_case(self, slug: str, ticket_id: int, reason: str, by: str) -> CaseOutcome:
        """The clerk concerned disputes the rating (申诉)."""
        return self._change(slug, ticket_id, lambda c, at: case_rules.appeal(c, reason=reason, by=by, at=at))

    def decide_case(self, slug: str, ticket_id: int, *, upheld: bool, note: str, by: str) -> CaseOutcome:
        """A manager upholds or rejects the appeal."""
        return self._change(slug, ticket_id, lambda c, at: case_rules.decide(c, upheld=upheld, note=note, by=by, at=at))
