"""The hall's twin: what a simulated day is made of and what it reports, as plain data.

Times are whole seconds (or fractions) from the day's ``start`` (the hall's opening); the
engine works in microseconds like ``Ticket.order_key``, so a replayed day calls in exactly
the order the server did.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ..domain import Tier, WindowKind

SLOT_S = 900  # a quarter of an hour: the planner's unit


# -- service times -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exponential:
    mean_s: float

    def draw(self, rng: random.Random) -> float:
        return rng.expovariate(1.0 / self.mean_s)


@dataclass(frozen=True, slots=True)
class LogNormal:
    mean_s: float
    sd_s: float

    def draw(self, rng: random.Random) -> float:
        # The normal's parameters that give this mean and standard deviation.
        sigma2 = math.log(1.0 + (self.sd_s / self.mean_s) ** 2)
        return rng.lognormvariate(math.log(self.mean_s) - sigma2 / 2, math.sqrt(sigma2))


@dataclass(frozen=True, slots=True)
class Empirical:
    """Service times as recorded: each draw is one of them, equally likely."""

    values_s: tuple[float, ...]

    def draw(self, rng: random.Random) -> float:
        return self.values_s[int(rng.random() * len(self.values_s))]


@dataclass(frozen=True, slots=True)
class Fixed:
    seconds: float

    def draw(self, rng: random.Random) -> float:
        return self.seconds


ServiceTime = Exponential | LogNormal | Empirical | Fixed


# -- inputs ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WindowPlan:
    """One window over the day: open from ``opens_s`` to ``closes_s``, paused (lunch, a
    meeting) over each of ``pauses``; ``skills`` narrows it to its clerk's (None: all). With
    ``serve_out_s`` it goes on calling whoever still waits after ``closes_s`` (延时服务), for up
    to that long, and closes as soon as nobody is left; that time is not in its planned hours."""

    number: int
    services: Mapping[str, float]  # service code -> routing weight
    opens_s: float
    closes_s: float
    pauses: tuple[tuple[float, float], ...] = ()
    kind: WindowKind = WindowKind.COMPREHENSIVE
    skills: frozenset[str] | None = None
    serve_out_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Arrival:
    """One visitor taking a number; ``service_s`` and ``no_show`` as recorded (None: drawn from
    the service's distribution and the day's no-show share); an appointment stands in line
    from ``slot_start_s``."""

    at_s: float
    service: str
    priority: str = "normal"
    tier: Tier = Tier.NORMAL
    slot_start_s: float | None = None
    service_s: float | None = None
    no_show: bool | None = None


@dataclass(frozen=True, slots=True)
class PriorityShare:
    """The share of arrivals taking a priority class (the rest are normal)."""

    priority: str
    tier: Tier
    share: float


@dataclass(frozen=True, slots=True)
class Forecast:
    """Expected walk-in arrivals per (service, slot index): Poisson arrivals, drawn from the
    seed; the day's appointments come on top, as booked."""

    expected: Mapping[tuple[str, int], float]
    priorities: tuple[PriorityShare, ...] = ()
    booked: tuple[Arrival, ...] = ()  # appointments already made: they come as booked


@dataclass(frozen=True, slots=True)
class Transfer:
    """A share of a service's visitors is sent on to another service after being served."""

    share: float
    to_service: str


@dataclass(frozen=True, slots=True)
class TwinDay:
    start: datetime  # the hall's opening, timezone-aware
    closes_s: float  # the hall stops issuing here; still waiting then is counted
    windows: tuple[WindowPlan, ...]
    arrivals: tuple[Arrival, ...] | Forecast
    service_times: Mapping[str, ServiceTime]
    aging_minutes: int = 60
    recall_limit: int = 3
    no_show_share: float = 0.0
    recall_interval_s: float = 30.0  # a no-show is recalled this often, then given up
    walk_up_s: float = 0.0  # from the call to the start of service
    call_gap_s: float = 0.0  # a clerk's pause between one visitor leaving and the next call
    transfers: Mapping[str, Transfer] = field(default_factory=dict)
    target_s: float = 600.0  # "called within" target
    warmup_s: float = 0.0  # tickets issued before this are left out of the statistics
    hall: str = "twin"


# -- outputs -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TicketRecord:
    """One simulated visitor: what the server would have stored of them."""

    id: int
    service: str
    priority: str
    tier: Tier
    issued_s: float
    called_s: float | None  # the first call; None: never called
    window: int | None
    outcome: str  # a final TicketState value, or no_show
    transferred_to: str | None = None

    @property
    def wait_s(self) -> float | None:
        return None if self.called_s is None else self.called_s - self.issued_s


@dataclass(frozen=True, slots=True)
class WaitStats:
    count: int
    mean_s: float
    p50_s: float
    p90_s: float
    max_s: float
    within_target: float  # the share called within the day's target (1.0 with nobody)


@dataclass(frozen=True, slots=True)
class SlotStats:
    """One slot for one service (``service`` "*": the whole hall). Waits are those of the
    visitors who arrived in the slot; utilisation is the hall's (None on a service's row)."""

    slot: int
    start_s: float
    service: str
    arrivals: int
    waits: WaitStats
    queue_mean: float
    queue_max: int
    utilisation: float | None


ALL = "*"


@dataclass(frozen=True, slots=True)
class TwinResult:
    slots: tuple[SlotStats, ...]
    services: Mapping[str, WaitStats]  # over the day, per service and ALL
    waiting_at_closing: Mapping[str, int]  # per service and ALL
    not_served: int  # still waiting when the last window closed
    no_shows: int
    # Busy (from the call until the visitor leaves the window) over staffed window time (open,
    # or paused with a visitor still at the window): the whole day, then per window number.
    utilisation: float
    windows: Mapping[int, float]
    tickets: tuple[TicketRecord, ...]

    def slot(self, slot: int, service: str = ALL) -> SlotStats | None:
        for s in self.slots:
            if s.slot == slot and s.service == service:
                return s
        return None


@dataclass(frozen=True, slots=True)
class Estimate:
    """A replicated measure: the mean over replications with its 95 % confidence interval."""

    mean: float
    half_width: float
    n: int

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width

    def covers(self, value: float) -> bool:
        return self.low <= value <= self.high
