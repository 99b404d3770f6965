from __future__ import annotations

from queue_server.domain import TicketState
from queue_server.service import QueueService
from tests.conftest import FakeClock


def test_issue_call_finish(service: QueueService, clock: FakeClock) -> None:
    service.open_window("t", 1, "clerk1")
    a1 = service.issue("t", "A")
    a2 = service.issue("t", "A")
    assert (a1.ticket.number, a2.ticket.number) == ("A001", "A002")
    assert (a1.ahead, a2.ahead) == (0, 1)
    clock.advance(60)
    called = service.call_next("t", 1, "clerk1")
    assert called.ticket is not None and called.ticket.number == "A001"
    assert called.ticket.state is TicketState.CALLED
    service.start("t", 1)
    clock.advance(300)
    done = service.finish("t", 1)
    assert done.ticket is not None and done.ticket.state is TicketState.DONE
    seqs = [e.seq for e in done.events]
    assert seqs == [6]
