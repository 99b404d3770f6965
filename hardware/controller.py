"""One hall's serial devices, driven from the hall's live events.

``HallDevices`` keeps a ``HallMirror`` of the hall from the hall channel, decides what
every screen and pad shows, turns caller-pad keys into window actions (the same ones
the clerk console sends, through ``HallClient``), asks for and stores ratings, prints
slips, and forwards device health. The same controller runs in the server (local
ports) and in ``run.py agent`` (ports on the hall PC): only the client differs.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import datetime
from typing import Any, Protocol

from counters.pad_keys import PadContext, Refusal, ShowState, WindowCommand, command_for
from displays.led import hall_screen_lines, window_screen_lines
from queue_server import DeviceState, EventKind, EventView, TicketState, WindowState, WindowView

from . import padbus, printer
from .config import DeviceConfig, HardwareConfig, Kind
from .config import Protocol as LineProtocol
from .drivers import PadBus, PrinterPort, PrinterUnavailable, ScreenBus
from .link import Opener, open_port
from .mirror import JSON, Changes, HallMirror
from .rating import RatingPrompts

log = logging.getLogger("hallq.hardware")


class ActionRefused(Exception):
    """The server refused a pad's action (nothing waiting, wrong state, ...): the pad beeps."""


class HallClient(Protocol):
    """How the devices reach the server: in-process (``hardware.local``) or over the network
    (``hardware.agent``). Every call may raise ``ActionRefused`` or ``ConnectionError``."""

    def messages(self) -> AsyncIterator[JSON]:
        """The hall channel's messages, forever; after every (re)connect a snapshot comes first."""
        ...

    async def resync(self) -> None: ...
    async def window_action(self, window: int, action: str, body: dict[str, Any]) -> bool:
        """Do ``action`` as the clerk console would; False when there was nothing to do (nobody waits)."""
        ...

    async def rate(self, ticket_id: int, score: int) -> None: ...
    async def not_rated(self, ticket_id: int) -> None: ...
    async def report(self, device: DeviceConfig, state: DeviceState, error: str) -> None: ...
    async def slip(self, ticket_id: int) -> JSON: ...


class HallDevices:
    def __init__(
        self,
        config: HardwareConfig,
        client: HallClient,
        *,
        opener: Opener = open_port,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.client = client
        self.clock = clock
        self.mirror = HallMirror(config.hall)
        self._devices = {d.id: d for d in config.devices}
        self.prompts = RatingPrompts(config.rating_timeout_s)
        self.screens: dict[str, ScreenBus] = {}  # line id -> bus
        self.pads: dict[str, PadBus] = {}
        self.printers: dict[str, PrinterPort] = {}  # device id -> port
        self._health: dict[str, tuple[DeviceState, str]] = {}
        self._pad_shown: dict[str, bytes] = {}  # caller pad id -> the last display frame sent
        self.dropped_ratings = 0  # scores that came with no question open (logged, never stored)
        self._reports: asyncio.Queue[DeviceConfig] = asyncio.Queue()
        self._deadline = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()  # fire-and-forget work, kept from the garbage collector
        for line in config.lines:
            devices = config.on_line(line.id)
            if not devices:
                continue
            if line.protocol is LineProtocol.ONBON:
                self.screens[line.id] = ScreenBus(line, devices, self._report, opener)
            elif line.protocol is LineProtocol.PADBUS:
                self.pads[line.id] = PadBus(
                    line, devices, self._report, on_key=self._on_key, on_rating=self._on_rating,
                    on_up=functools.partial(self._refresh_pads, line.id), opener=opener,
                )  # fmt: skip
            else:
                for device in devices:
                    self.printers[device.id] = PrinterPort(line, device, self._report, opener)

    # -- running -------------------------------------------------------------

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            for bus in self.screens.values():
                tasks.create_task(bus.run())
            for pads in self.pads.values():
                tasks.create_task(pads.run())
            for port in self.printers.values():
                tasks.create_task(port.run())
            tasks.create_task(self._follow())
            tasks.create_task(self._send_reports())
            tasks.create_task(self._expire_questions())

    async def _follow(self) -> None:
        async for message in self.client.messages():
            changes = self.mirror.apply(message)
            if changes.resync:
                await self.client.resync()
                continue
            if changes.snapshot:
                # After a (re)connect, say again what the server's snapshot does not know of our health.
                for device_id, (state, error) in self._health.items():
                    known = self.mirror.devices.get(device_id)
                    said = (known.get("state"), known.get("error")) if known else (None, None)
                    if said != (state.value, error):
                        self._reports.put_nowait(self._devices[device_id])
            elif (unknown := _said_unknown(changes.event)) is not None and unknown in self._health:
                # The server thinks nothing drives it (it restarted, or saw an earlier connection
                # of ours close late): it is driven, so say how it is.
                self._reports.put_nowait(self._devices[unknown])
            self._refresh(changes)
            if changes.event:
                await self._on_event(changes.event)

    # -- what devices show ---------------------------------------------------

    def _refresh(self, changes: Changes) -> None:
        for device in self.config.devices:
            if device.kind is Kind.HALL_LED:
                if changes.calls or changes.snapshot:
                    calls = [
                        (str(c["number"]), int(window))
                        for c in self.mirror.calls
                        if c.get("number") and (window := c.get("window")) is not None  # a call has its window
                    ]
                    self.screens[device.line].show(device.id, hall_screen_lines(calls, device.geometry.rows))
                continue
            if device.window is None:
                continue
            called_here = changes.call_window == device.window
            touched = (
                changes.snapshot
                or device.window in changes.windows
                or self.mirror.serves_any(device.window, changes.waiting)
            )
            if device.kind is Kind.WINDOW_LED and (touched or called_here):
                self._show_window(device, again=called_here)
            elif device.kind is Kind.CALLER_PAD and touched:
                self._show_pad(device)

    def _show_window(self, device: DeviceConfig, *, again: bool = False) -> None:
        assert device.window is not None
        window = self.mirror.windows.get(device.window)
        if window is None:
            return
        lines = window_screen_lines(
            self.mirror.current_number(device.window),
            device.window,
            str(window.get("state", WindowState.CLOSED)),
            self.mirror.window_waiting(device.window),
            reason=window.get("pause_reason"),
        )
        self.screens[device.line].show(device.id, lines, again=again)

    def _show_pad(self, pad: DeviceConfig, *, force: bool = False) -> None:
        """The called number, else how many wait for the window's services."""
        assert pad.window is not None
        number = self.mirror.current_number(pad.window)
        digits = "".join(ch for ch in number or "" if ch.isdigit())
        if digits:
            frame = padbus.show_number(pad.address, int(digits[-6:]))
        else:
            frame = padbus.show_count(pad.address, min(self.mirror.window_waiting(pad.window), 999))
        if not force and self._pad_shown.get(pad.id) == frame:
            return  # every issued ticket changes a waiting count: spare the bus the repeats
        self._pad_shown[pad.id] = frame
        self._spawn(self.pads[pad.line].send(frame))

    def _refresh_pads(self, line_id: str) -> None:
        """The line is (back) up: what the pads show is unknown, so show it all again."""
        for device in self.config.on_line(line_id):
            if device.kind is Kind.CALLER_PAD and self.mirror.seq is not None:
                self._show_pad(device, force=True)

    # -- keys and ratings ----------------------------------------------------

    async def _on_key(self, pad: DeviceConfig, key: padbus.KeyPress) -> None:
        if pad.kind is not Kind.CALLER_PAD or pad.window is None:
            return
        window = self.mirror.windows.get(pad.window)
        current = window.get("current") if window else None
        ctx = PadContext(
            window_state=_window_state(window),
            held_ticket_ids=tuple(int(i) for i in (window.get("held", ()) if window else ())),
        )
        command = command_for(key.key, key.digits, ctx)
        bus = self.pads[pad.line]
        if isinstance(command, ShowState):
            self._show_pad(pad, force=True)
            return
        if isinstance(command, Refusal):
            log.info("pad %s: %s", pad.id, command.reason_en)
            await bus.send(padbus.beep(pad.address))
            return
        assert isinstance(command, WindowCommand)
        try:
            if command.action == "finish" and current and current.get("state") == TicketState.CALLED:
                # A pad has no start key: finishing a called visitor means they came and were served.
                await self.client.window_action(pad.window, "start", {})
            done = await self.client.window_action(pad.window, command.action, dict(command.body))
        except (ActionRefused, ConnectionError) as exc:
            log.info("pad %s: %s refused: %s", pad.id, command.action, exc)
            done = False
        if not done:
            await bus.send(padbus.beep(pad.address))

    async def _on_rating(self, pad: DeviceConfig, key: padbus.RatingKey) -> None:
        if pad.kind is not Kind.EVALUATION_PAD or pad.window is None:
            return
        score = pad.score_of(key.key)
        if score is None:
            log.warning(
                "evaluation pad %s sent key byte %d; its scores map only 1..%d: dropped",
                pad.id, key.key, len(pad.scores),
            )  # fmt: skip
            return
        ticket_id = self.prompts.answer(pad.window, self.clock())
        if ticket_id is None:
            self.dropped_ratings += 1
            log.warning("evaluation pad %s: a rating with no service awaiting one: dropped", pad.id)
            return
        try:
            await self.client.rate(ticket_id, score)
        except (ActionRefused, ConnectionError) as exc:
            log.warning("evaluation pad %s: rating of ticket %d not stored: %s", pad.id, ticket_id, exc)

    async def _on_event(self, event: EventView) -> None:
        kind, window, ticket_id = event.get("kind"), event.get("window"), event.get("ticket_id")
        if kind == EventKind.TICKET_FINISH and window is not None and ticket_id is not None:
            await self._ask(int(window), int(ticket_id))
        elif kind == EventKind.DEVICE_PRINT:
            device = str((event.get("detail") or {}).get("device"))
            if device in self.printers and ticket_id is not None:
                self._spawn(self._print(self.printers[device], int(ticket_id)))

    async def _ask(self, window: int, ticket_id: int) -> None:
        pad = self.config.at_window(window, Kind.EVALUATION_PAD)
        if pad is None:
            return
        replaced = self.prompts.ask(window, ticket_id, self.clock())
        if replaced is not None:
            self._spawn(self._unrated(replaced.ticket_id))
        self._deadline.set()
        await self.pads[pad.line].send(padbus.ask_rating(pad.address))

    async def _expire_questions(self) -> None:
        while True:
            deadline = self.prompts.next_deadline()
            timeout = None if deadline is None else max(0.0, deadline - self.clock()) + 0.01
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._deadline.wait(), timeout)
            self._deadline.clear()
            for question in self.prompts.expired(self.clock()):
                await self._unrated(question.ticket_id)

    async def _unrated(self, ticket_id: int) -> None:
        try:
            await self.client.not_rated(ticket_id)
        except (ActionRefused, ConnectionError) as exc:
            log.info("ticket %d: not-rated not recorded: %s", ticket_id, exc)

    async def _print(self, port: PrinterPort, ticket_id: int) -> None:
        try:
            data = await self.client.slip(ticket_id)
            slip = printer.TicketSlip(
                hall_name=str(data["hall_name_zh"]),
                number=str(data["number"]),
                service_name=str(data["service_name_zh"]),
                ahead=int(data["ahead"]),
                issued_at=datetime.fromisoformat(str(data["issued_at"])),  # in the hall's time zone
                track_url=str(data["track_url"]),
                no_open_window=bool(data.get("no_open_window")),
            )
            await port.print_slip(slip)
        except (PrinterUnavailable, ActionRefused, ConnectionError) as exc:
            log.warning("printer %s: slip for ticket %d not printed: %s", port.device.id, ticket_id, exc)

    # -- health ----------------------------------------------------------------

    def _report(self, device: DeviceConfig, state: DeviceState, error: str) -> None:
        if self._health.get(device.id) == (state, error):
            return
        self._health[device.id] = (state, error)
        self._reports.put_nowait(device)

    async def _send_reports(self) -> None:
        while True:
            device = await self._reports.get()
            state, error = self._health[device.id]
            try:
                await self.client.report(device, state, error)
            except (ActionRefused, ConnectionError) as exc:
                log.info("health of %s not reported yet: %s", device.id, exc)  # re-sent after the next snapshot

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _said_unknown(event: EventView | None) -> str | None:
    """The device a ``device.health`` event says is unknown, if it is one."""
    if not event or event.get("kind") != EventKind.DEVICE_HEALTH:
        return None
    device = (event.get("detail") or {}).get("device")
    if isinstance(device, dict) and device.get("state") == DeviceState.UNKNOWN:
        return str(device.get("id"))
    return None


def _window_state(window: WindowView | None) -> WindowState:
    """What the pad keys know of the window's state; no window is a closed one. A state this
    host does not know (a newer server's) reads as closed: the pad's pause key is refused."""
    try:
        return WindowState(window.get("state", WindowState.CLOSED) if window else WindowState.CLOSED)
    except ValueError:
        return WindowState.CLOSED
