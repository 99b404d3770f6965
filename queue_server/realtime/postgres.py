"""The PostgreSQL bus: every server process LISTENs on one channel.

Each writing transaction sends ``pg_notify('hallq_events', '{"hall": …, "seq": …}')``
(storage/postgres.py), which PostgreSQL delivers when, and only if, it commits.
This bus keeps one dedicated connection (psycopg, async, autocommit) listening.
If that connection drops, notices sent meanwhile are gone: the bus reconnects
with backoff, LISTENs again, and only then asks its subscribers to resync, so
whatever they reload already includes everything it could have missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

import psycopg
import sqlalchemy as sa
from psycopg import sql

from ..storage.postgres import NOTIFY_CHANNEL
from .bus import Backoff, EventBus

log = logging.getLogger("hallq.realtime.postgres")


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL (``postgresql+psycopg://…``) as psycopg wants it."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresBus(EventBus):
    def __init__(
        self,
        url: str,
        *,
        channel: str = NOTIFY_CHANNEL,
        backoff: Backoff | None = None,
        health_interval: float = 15.0,
        connect_timeout: int = 5,
        start_timeout: float = 10.0,
        application_name: str = "hallq-bus",
    ) -> None:
        super().__init__()
        self.url = libpq_url(url)
        self.channel = channel
        self.backoff = backoff or Backoff()
        # A quiet connection is checked this often: a dead peer must not look like a quiet hall.
        self.health_interval = health_interval
        self.connect_timeout = connect_timeout
        self.start_timeout = start_timeout
        self.application_name = application_name
        self.connections = 0  # successful LISTENs so far (the first, then each reconnection)
        self._conn: psycopg.AsyncConnection | None = None
        self._listening = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def backend_pid(self) -> int | None:
        """The PostgreSQL backend of the listening connection (None while reconnecting)."""
        conn = self._conn
        return conn.info.backend_pid if conn is not None and not conn.closed else None

    async def start(self) -> None:
        if self._task is not None:
            return
        self._bind()
        self._listening = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="hallq-bus-listen")
        try:
            # Serve only once notices flow, so no command after start goes unheard;
            # but a database that is down must not keep the server from starting.
            await asyncio.wait_for(self._listening.wait(), self.start_timeout)
        except TimeoutError:
            log.warning("not listening on %s after %.0f s; still trying", self.channel, self.start_timeout)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._unbind()

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except (psycopg.Error, OSError, TimeoutError) as exc:
                log.warning("listening connection lost (%s); reconnecting", exc)
            except Exception:
                # Whatever it was, a bus that stops listening would leave every screen stale.
                log.exception("the listening connection failed; reconnecting")
            await asyncio.sleep(self.backoff.next())

    async def _listen(self) -> None:
        conn = await psycopg.AsyncConnection.connect(
            self.url,
            autocommit=True,
            connect_timeout=self.connect_timeout,
            application_name=self.application_name,
            # A peer that vanished without a word (cable, NAT) is noticed within ~30 s.
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            keepalives_count=3,
        )
        try:
            await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self._conn = conn
            self.connections += 1
            self.backoff.reset()
            self._listening.set()
            log.info("listening on %s (backend %d)", self.channel, conn.info.backend_pid)
            # Notices before this LISTEN were not heard: subscribers reload what they show.
            self._resync()
            while True:
                async for notice in conn.notifies(timeout=self.health_interval):
                    self._on_payload(notice.payload)
                await asyncio.wait_for(conn.execute("SELECT 1"), self.health_interval)
        finally:
            self._conn = None
            self._listening.clear()
            with contextlib.suppress(psycopg.Error, OSError):
                await conn.close()

    def _on_payload(self, payload: str) -> None:
        try:
            data = json.loads(payload)
            hall, seq = str(data["hall"]), int(data["seq"])
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed notice on %s: %r", self.channel, payload[:200])
            return
        self._deliver(hall, seq)
