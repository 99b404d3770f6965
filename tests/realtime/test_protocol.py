"""``BoundedClose``: a close waits at most its linger for the peer to take what is unsent."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from queue_server.realtime.protocol import BoundedClose

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FakeTransport(asyncio.Transport):
    """A transport with ``buffered`` bytes the peer has not taken; records how it ended."""

    def __init__(self, buffered: int) -> None:
        super().__init__()
        self.buffered = buffered
        self.ended: str | None = None

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default  # no socket: only the event loop's buffer counts

    def is_closing(self) -> bool:
        return self.ended is not None

    def close(self) -> None:
        self.ended = self.ended or "closed"

    def abort(self) -> None:
        self.ended = self.ended or "aborted"


async def test_nothing_unsent_closes_at_once() -> None:
    inner = FakeTransport(0)
    BoundedClose(inner, linger=0.3).close()
    assert inner.ended == "closed"


async def test_a_peer_that_takes_the_rest_in_time_gets_a_normal_close() -> None:
    inner = FakeTransport(1000)
    outer = BoundedClose(inner, linger=1.0)
    outer.close()
    assert inner.ended is None and outer.is_closing()
    await asyncio.sleep(0.15)
    inner.buffered = 0  # it read
    await asyncio.sleep(0.2)
    assert inner.ended == "closed"


async def test_a_peer_that_does_not_read_is_aborted_after_the_linger() -> None:
    inner = FakeTransport(3_000_000)
    outer = BoundedClose(inner, linger=0.3)
    started = asyncio.get_running_loop().time()
    outer.close()
    while inner.ended is None:
        await asyncio.sleep(0.02)
    assert inner.ended == "aborted"
    assert 0.3 <= asyncio.get_running_loop().time() - started < 1.0


async def test_a_connection_lost_meanwhile_leaves_nothing_to_run() -> None:
    inner = FakeTransport(10)
    outer = BoundedClose(inner, linger=0.2)
    outer.close()
    outer.forget()
    await asyncio.sleep(0.4)
    assert inner.ended is None
