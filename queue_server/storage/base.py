"""The storage interface. One file per backend implements it (sqlite.py,
postgres.py, sharing sql.py and its sql_*.py parts); the commands and queries see only these methods.

A ``HallTx`` is one atomic unit of work on one hall: it holds the hall's write
lock from the start, so the rules always see a consistent hall and two windows
can never take the same ticket. Nothing is visible to others until it commits;
an exception rolls everything back.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime

from ..config import Config
from ..domain import Appointment, CaseState, DeviceHealth, Evaluation, Event, FollowUpCase, Notice, Ticket, Tier, Window
from ..staffing import CalendarDay, Leave, Post, Roster, RosterState, ShiftTemplate, StaffMember
from .accounts import Accounts

# Where a hall's calendar override (``CalendarDay.source``) came from: its hall file, synced at
# each start, or the dashboard, which beats the file on a day both name.
FILE_SOURCE = "hall"
DASHBOARD_SOURCE = "dashboard"


@dataclass(frozen=True, slots=True)
class LineStats:
    ahead: int
    open_windows: int
    all_windows: int
    recent_mean_s: float | None
    recent_count: int
    paused_reason: str | None = None  # not None: the service's issuing is paused


class HallReader(ABC):
    """Reads of one hall's state."""

    hall: str

    @abstractmethod
    def ticket(self, ticket_id: int) -> Ticket | None: ...

    @abstractmethod
    def window(self, number: int) -> Window | None: ...

    @abstractmethod
    def windows(self) -> list[Window]: ...

    @abstractmethod
    def current_ticket(self, window: int) -> Ticket | None:
        """The ticket called to or served at ``window`` right now, if any."""

    @abstractmethod
    def current_tickets(self, windows: Collection[int]) -> dict[int, Ticket]:
        """``current_ticket`` of each of ``windows`` that has one, in one round trip."""

    @abstractmethod
    def held_tickets(self, window: int) -> list[Ticket]: ...

    @abstractmethod
    def window_changes(self, windows: Collection[int]) -> dict[int, datetime]:
        """When each of ``windows`` last changed state (opened, paused, resumed, closed) or
        current ticket (one was called to it, or finished, left or moved away): for an open
        window with nobody at it, the time it became free. From the event log, newest first;
        a window with no such event is left out."""

    @abstractmethod
    def heads(self, window: Window, day: date) -> list[Ticket]:
        """The head of every line ``window`` may call from: per served service and
        tier, tickets transferred to this window, and held tickets whose visitor is back."""

    @abstractmethod
    def count_ahead(self, ticket: Ticket) -> int:
        """Waiting people who stand ahead of ``ticket`` in its own line."""

    @abstractmethod
    def line_keys(self, day: date, service: str, tier: Tier, limit: int) -> list[int]:
        """Order keys of the first ``limit`` people in one line, sorted."""

    @abstractmethod
    def line_stats(self, ticket: Ticket, recent: int) -> LineStats:
        """What a new ticket's answer needs, in one round trip: people ahead, the
        windows serving its service, and its last ``recent`` service times."""

    @abstractmethod
    def window_counts(self, window: int, day: date) -> dict[str, int]:
        """Tickets of ``day`` that ended at ``window``, by state (done, no_show, …)."""

    @abstractmethod
    def paused_services(self) -> dict[str, str]:
        """Services whose issuing a manager paused, with the reason."""

    @abstractmethod
    def waiting_counts(self, day: date) -> dict[str, int]:
        """Waiting tickets per service on ``day``."""

    @abstractmethod
    def active_tickets(self, day: date) -> list[Ticket]:
        """Tickets of ``day`` still in the hall: waiting, called, serving, held or no-show."""

    @abstractmethod
    def events(self, after_seq: int = 0, limit: int = 1000) -> list[Event]: ...

    @abstractmethod
    def ticket_events(self, ticket_id: int) -> list[Event]: ...

    @abstractmethod
    def last_seq(self) -> int: ...

    # -- evaluations, appointments, notices (not on the hot path) -------------

    @abstractmethod
    def evaluation(self, ticket_id: int) -> Evaluation | None: ...

    @abstractmethod
    def evaluations(
        self, since: datetime, until: datetime, *, bad_only: bool = False, open_follow_up: bool = False
    ) -> list[Evaluation]:
        """Ratings given in ``[since, until)``, oldest first; ``bad_only`` keeps the 差评,
        ``open_follow_up`` the 差评 not followed up yet."""

    @abstractmethod
    def appointment(self, code: str) -> Appointment | None: ...

    @abstractmethod
    def appointments(self, since: datetime, until: datetime) -> list[Appointment]:
        """Appointments whose slot starts in ``[since, until)``, cancelled ones included, by slot."""

    @abstractmethod
    def appointment_codes(self, codes: Collection[str]) -> set[str]:
        """Which of ``codes`` the hall already has (cancelled ones included)."""

    @abstractmethod
    def notice(self, notice_id: int) -> Notice | None: ...

    @abstractmethod
    def notices(self, now: datetime) -> list[Notice]:
        """Notices shown at ``now``: active and not expired, newest first."""

    @abstractmethod
    def devices(self) -> list[DeviceHealth]:
        """Every device's last reported health, by device id."""

    @abstractmethod
    def device(self, device: str) -> DeviceHealth | None: ...

    # -- staffing: the registry, posts, shift templates, leave, calendar, rosters --

    @abstractmethod
    def staff(self) -> list[StaffMember]:
        """The hall's staff registry, inactive members included, by login, with their skills."""

    @abstractmethod
    def staff_member(self, login: str) -> StaffMember | None: ...

    @abstractmethod
    def has_staff(self) -> bool:
        """Whether the registry names anyone (a hall without one lets any login open a window)."""

    @abstractmethod
    def posts(self) -> list[Post]: ...

    @abstractmethod
    def post(self, code: str) -> Post | None: ...

    @abstractmethod
    def shift_templates(self) -> list[ShiftTemplate]:
        """The hall's shift templates, by start time."""

    @abstractmethod
    def shift_template(self, code: str) -> ShiftTemplate | None: ...

    @abstractmethod
    def leave(self, leave_id: int) -> Leave | None: ...

    @abstractmethod
    def leaves(self, since: datetime, until: datetime, login: str | None = None) -> list[Leave]:
        """Leave overlapping ``[since, until)`` (of ``login`` only, if given), by start."""

    @abstractmethod
    def calendar_overrides(self, first: date, last: date) -> list[CalendarDay]:
        """The hall's overrides of the days in ``[first, last]``, one per day: the dashboard's
        where it set one, else the hall file's."""

    @abstractmethod
    def roster(self, roster_id: int) -> Roster | None: ...

    @abstractmethod
    def rosters(self, first: date, last: date, state: RosterState | None = None) -> list[Roster]:
        """Rosters overlapping ``[first, last]`` (all their assignments), by first day and version."""

    @abstractmethod
    def last_roster_version(self) -> int:
        """The hall's highest roster version (0: none published yet)."""

    @abstractmethod
    def case(self, ticket_id: int) -> FollowUpCase | None:
        """The follow-up case (回访工单) of the 差评 of ``ticket_id``."""

    @abstractmethod
    def cases(
        self,
        *,
        states: Collection[CaseState] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        clerk: str | None = None,
        service: str | None = None,
    ) -> list[FollowUpCase]:
        """The hall's cases (of those states, rated in ``[since, until)``, of that clerk and
        service when given), by due date."""


class HallTx(HallReader):
    """A reader that may also write, inside one transaction holding the hall's lock."""

    @abstractmethod
    def next_number(self, service: str, day: date) -> int:
        """The next running number of ``service`` on ``day`` (1 on a new day)."""

    @abstractmethod
    def insert_ticket(self, ticket: Ticket) -> Ticket:
        """Store a new ticket; returns it with its id."""

    @abstractmethod
    def update_ticket(self, ticket: Ticket) -> None: ...

    @abstractmethod
    def update_window(self, window: Window) -> None: ...

    @abstractmethod
    def append(self, event: Event) -> Event:
        """Store an event with the hall's next sequence number."""

    @abstractmethod
    def set_service_pause(self, service: str, reason: str | None) -> None:
        """Pause issuing for ``service`` with ``reason``, or resume it (None)."""

    @abstractmethod
    def stale_tickets(self, before: date) -> list[Ticket]:
        """Tickets of earlier days still waiting, held or no-show (for the rollover)."""

    @abstractmethod
    def insert_evaluation(self, evaluation: Evaluation) -> None: ...

    @abstractmethod
    def update_evaluation(self, evaluation: Evaluation) -> None: ...

    @abstractmethod
    def insert_appointment(self, appointment: Appointment) -> Appointment:
        """Store a new appointment; returns it with its id."""

    @abstractmethod
    def update_appointment(self, appointment: Appointment) -> None: ...

    @abstractmethod
    def insert_notice(self, notice: Notice) -> Notice:
        """Store a new notice; returns it with its id."""

    @abstractmethod
    def update_notice(self, notice: Notice) -> None: ...

    @abstractmethod
    def put_device(self, health: DeviceHealth) -> None:
        """Store ``health`` as the device's current state (insert or replace)."""

    @abstractmethod
    def delete_device(self, device: str) -> None:
        """Forget ``device`` (the hall file no longer declares it)."""

    @abstractmethod
    def put_staff(self, member: StaffMember) -> None:
        """Store ``member`` and exactly their skills (insert or replace)."""

    @abstractmethod
    def put_post(self, post: Post) -> None: ...

    @abstractmethod
    def put_shift_template(self, template: ShiftTemplate) -> None: ...

    @abstractmethod
    def delete_shift_template(self, code: str) -> None: ...

    @abstractmethod
    def insert_leave(self, leave: Leave) -> Leave:
        """Store new leave; returns it with its id."""

    @abstractmethod
    def delete_leave(self, leave_id: int) -> None: ...

    @abstractmethod
    def put_calendar_day(self, day: CalendarDay) -> None:
        """Store an override of ``day.source`` (insert or replace)."""

    @abstractmethod
    def delete_calendar_day(self, day: date, source: str) -> bool:
        """Drop ``source``'s override of ``day``; whether there was one."""

    @abstractmethod
    def replace_file_calendar(self, days: list[CalendarDay]) -> None:
        """The hall file's overrides become exactly ``days`` (the dashboard's are kept)."""

    @abstractmethod
    def insert_roster(self, roster: Roster) -> Roster:
        """Store a new roster with its assignments; returns it with its id."""

    @abstractmethod
    def update_roster(self, roster: Roster) -> None:
        """Store the roster's state, version and publication time (not its assignments)."""

    @abstractmethod
    def delete_roster(self, roster_id: int) -> None: ...

    @abstractmethod
    def set_pinned(self, roster_id: int, login: str, start: datetime, pinned: bool) -> None:
        """Pin or unpin the assignment of ``login`` starting at ``start``."""

    @abstractmethod
    def insert_case(self, case: FollowUpCase) -> None: ...

    @abstractmethod
    def update_case(self, case: FollowUpCase) -> None: ...


class Store(ABC):
    url: str
    accounts: Accounts  # staff, sessions, device tokens, secrets, audit log

    @abstractmethod
    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision."""

    @abstractmethod
    def sync_halls(self, config: Config) -> None:
        """Create or update the halls, services and windows that ``config`` describes."""

    @abstractmethod
    def transaction(self, hall: str) -> AbstractContextManager[HallTx]: ...

    @abstractmethod
    def reader(self, hall: str) -> AbstractContextManager[HallReader]: ...

    @abstractmethod
    def halls(self) -> list[str]: ...

    @abstractmethod
    def hall_of_ticket(self, ticket_id: int) -> str | None:
        """The hall a ticket belongs to (ticket ids are unique across halls)."""

    @abstractmethod
    def close(self) -> None: ...
