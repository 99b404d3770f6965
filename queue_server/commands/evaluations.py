"""Evaluation commands (好差评): a visitor's rating of a finished service, the pad's "no score
came", a manager's follow-up of a bad rating, and the ratings of some days. The rating rules
are ``rules.evaluations``'s."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from ..domain import Evaluation, Ticket, TicketAction
from ..errors import BadRequest, Conflict, NotFound
from ..rules import cases as case_rules
from ..rules import evaluations as evaluation_rules
from ..rules.calendar import HallCalendar
from ..views import evaluation_view
from .outcomes import EvaluationOutcome, Outcome
from .unit import Commands, Unit

# A due date is at most 30 working days away; this many calendar days of the hall's own dates
# cover it even across 春节 and 国庆.
CALENDAR_AHEAD = timedelta(days=120)


def _finished_by(u: Unit, ticket: Ticket) -> str | None:
    """The clerk who finished ``ticket``: the finish event's staff, else the window's clerk."""
    finish = f"ticket.{TicketAction.FINISH.value}"
    staff = next((e.staff for e in reversed(u.tx.ticket_events(ticket.id)) if e.kind == finish), None)
    if staff is None and ticket.window is not None:
        window = u.tx.window(ticket.window)
        staff = window.staff if window else None
    return staff


class EvaluationCommands(Commands):
    def evaluate(self, slug: str, ticket_id: int, score: int, channel: str, comment: str = "") -> EvaluationOutcome:
        """The visitor rates a finished service, once, within the hall's rating window."""
        with self._unit(slug) as u:
            ticket = u.ticket(ticket_id)
            if u.tx.evaluation(ticket_id) is not None:
                raise Conflict(
                    f"{ticket.number} 已评价，每次办理只能评价一次 / ticket {ticket.number} has already been rated"
                )
            evaluation, event = evaluation_rules.rate(
                ticket,
                score=score,
                channel=channel,
                comment=comment,
                staff=_finished_by(u, ticket),
                at=u.now,
                rated_on=u.day,
                window_minutes=u.hall.evaluation.rating_window_minutes,
                calendar=HallCalendar(u.hall.hours, u.tx.calendar_overrides(u.day, u.day + CALENDAR_AHEAD)),
                follow_up_days=u.hall.evaluation.follow_up_working_days,
            )
            u.tx.insert_evaluation(evaluation)
            u.record_ticket(ticket, replace(event, detail={**event.detail, "evaluation": evaluation_view(evaluation)}))
            if evaluation.bad:
                # The 差评's follow-up case (回访工单) opens with it, in the same transaction.
                case, opened = case_rules.open_case(replace(evaluation, number=ticket.number), u.now)
                u.tx.insert_case(case)
                u.record(opened)
        return EvaluationOutcome(evaluation, u.events)

    def mark_not_rated(self, slug: str, ticket_id: int, channel: str = "pad") -> Outcome:
        """The evaluation pad asked and no score came in time: recorded once, for the rating rate."""
        with self._unit(slug) as u:
            ticket = u.ticket(ticket_id)
            rated = u.tx.evaluation(ticket_id) is not None
            if rated:
                raise Conflict(f"{ticket.number} 已评价 / ticket {ticket.number} has already been rated")
            already = any(e.kind == evaluation_rules.NOT_RATED for e in u.tx.ticket_events(ticket_id))
            u.record(evaluation_rules.not_rated(ticket, channel=channel, at=u.now, already=already))
        return Outcome(ticket, u.events)

    def record_follow_up(self, slug: str, ticket_id: int, staff: str, note: str) -> EvaluationOutcome:
        """A manager records the follow-up (回访) of a bad rating; the note is kept in the event."""
        with self._unit(slug) as u:
            current = u.tx.evaluation(ticket_id)
            if current is None:
                raise NotFound(f"票 {ticket_id} 没有评价 / ticket {ticket_id} has no rating in {slug}")
            evaluation, event = evaluation_rules.follow_up(current, staff=staff, note=note, at=u.now, today=u.day)
            u.tx.update_evaluation(evaluation)
            u.record(replace(event, detail={**event.detail, "evaluation": evaluation_view(evaluation)}))
            case = u.tx.case(ticket_id)
            if case is not None:
                # The note-only follow-up of before cases: a phone call that reached the visitor,
                # and the case resolved with the note (satisfaction was not asked).
                case, _ = case_rules.call_back(case, method="phone", reached=True, response=note, by=staff, at=u.now)
                case, resolved = case_rules.resolve(case, text=note, satisfied=None, by=staff, at=u.now)
                u.tx.update_case(case)
                u.record(resolved)
        return EvaluationOutcome(evaluation, u.events)

    def evaluations(
        self,
        slug: str,
        first: date,
        last: date | None = None,
        *,
        bad_only: bool = False,
        open_follow_up: bool = False,
    ) -> list[Evaluation]:
        """Ratings given on the hall's local days ``first`` to ``last`` (both included)."""
        hall = self.hall(slug)
        last = first if last is None else last
        if last < first:
            raise BadRequest(f"结束日期早于开始日期 / {last} is before {first}")
        since = datetime.combine(first, time(), hall.tz)
        until = datetime.combine(last + timedelta(days=1), time(), hall.tz)
        with self.store.reader(slug) as r:
            return r.evaluations(since, until, bad_only=bad_only, open_follow_up=open_follow_up)
