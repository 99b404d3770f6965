"""The evaluation pads' questions: which service a score belongs to, and when a
question expires into "not rated".

Pure, with the time passed in. One question per window at a time: a new finished
service at the same window ends the previous question (it went unrated), so a
late key press can never be stored against the wrong ticket.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Question:
    window: int
    ticket_id: int
    deadline: float


class RatingPrompts:
    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._open: dict[int, Question] = {}

    def ask(self, window: int, ticket_id: int, now: float) -> Question | None:
        """Start asking about ``ticket_id``; returns the question it replaced, if any (now unrated)."""
        replaced = self._open.get(window)
        self._open[window] = Question(window, ticket_id, now + self.timeout_s)
        return replaced if replaced is not None and replaced.ticket_id != ticket_id else None

    def answer(self, window: int, now: float) -> int | None:
        """The ticket a score from ``window``'s pad rates (consumed), or None: nobody was asked."""
        question = self._open.get(window)
        if question is None or now > question.deadline:
            return None
        del self._open[window]
        return question.ticket_id

    def expired(self, now: float) -> list[Question]:
        """Questions past their deadline, removed: each is a service that went unrated."""
        gone = [q for q in self._open.values() if now > q.deadline]
        for q in gone:
            del self._open[q.window]
        return gone

    def next_deadline(self) -> float | None:
        return min((q.deadline for q in self._open.values()), default=None)
