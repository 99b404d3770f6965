"""Device drivers: one per serial line, speaking that line's protocol through a ``SerialLink``.

    ScreenBus   Onbon LED screens: the newest text per screen, sent with reply waits and
                bounded retries, re-sent whole when the line or a screen comes back
    PadBus      FF 68 caller and evaluation pads: key presses and rating keys in, echo
                acknowledgements, numbers, beeps and rating questions out
    PrinterPort an ESC/POS ticket printer: status queries (online, paper) and slips

Health goes to ``report(device, state, error)`` on every change the driver sees; the
controller forwards it to the server (which only keeps and publishes changes).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from displays.led import UnshowableText
from queue_server import DeviceState

from . import onbon, padbus, printer
from .config import DeviceConfig, Kind, LineConfig
from .led_frames import screen_frames
from .link import Opener, PortDown, SerialLink, open_port

log = logging.getLogger("hallq.hardware")

Report = Callable[[DeviceConfig, DeviceState, str], None]
RETRY_OFFLINE_S = 5.0  # how often a screen that stopped answering is tried again


class ScreenBus:
    """The LED screens on one Onbon line."""

    def __init__(
        self, line: LineConfig, screens: Sequence[DeviceConfig], report: Report, opener: Opener = open_port
    ) -> None:
        self.line = line
        self.screens = {s.id: s for s in screens}
        self.report = report
        self.link = SerialLink(line, on_data=self._on_data, on_up=self._on_up, on_down=self._on_down, opener=opener)
        self._decoder = onbon.OnbonDecoder()
        self._want: dict[str, tuple[str, ...]] = {}
        self._shown: dict[str, tuple[str, ...] | None] = {}
        self._offline: dict[str, float] = {}  # screen -> when to try it again
        self._dirty = asyncio.Event()
        self._reply: asyncio.Future[onbon.Reply] | None = None

    def show(self, screen: str, lines: Sequence[str], *, again: bool = False) -> None:
        """Make ``screen`` show ``lines`` (the newest wins if several wait); ``again`` sends them
        even if the screen already shows them (a recall: the screen redraws the call)."""
        self._want[screen] = tuple(lines)
        if again:
            self._shown[screen] = None
        self._dirty.set()

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self.link.run())
            tasks.create_task(self._write_loop())

    def _on_up(self) -> None:
        # What a screen shows after the line was down is unknown (it may have been power-cycled).
        self._shown = dict.fromkeys(self._shown)
        self._offline.clear()
        self._dirty.set()

    def _on_down(self, reason: str) -> None:
        for screen in self.screens.values():
            self.report(screen, DeviceState.OFFLINE, reason)

    def _on_data(self, data: bytes) -> None:
        self._decoder.receive_data(data)
        for frame in self._decoder.events_received():
            reply = onbon.parse_reply(frame)
            if reply is not None and self._reply is not None and not self._reply.done():
                self._reply.set_result(reply)  # one frame at a time on the bus: this answers it

    async def _write_loop(self) -> None:
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            await self.link.up.wait()
            now = time.monotonic()
            for screen_id, lines in list(self._want.items()):
                if self._shown.get(screen_id) == lines or self._offline.get(screen_id, 0) > now:
                    continue
                await self._update(self.screens[screen_id], lines)
            if self._offline:
                self._wake_at(min(self._offline.values()))

    def _wake_at(self, when: float) -> None:
        loop = asyncio.get_running_loop()
        loop.call_later(max(0.0, when - time.monotonic()), self._dirty.set)

    async def _update(self, screen: DeviceConfig, lines: tuple[str, ...]) -> None:
        try:
            frames = screen_frames(screen.address, lines, screen.geometry)
        except (UnshowableText, ValueError) as exc:
            # The screen works; the text is what is wrong. The manager sees why in the device list.
            self._shown[screen.id] = lines
            self.report(screen, DeviceState.ONLINE, f"无法显示 / cannot show: {exc}")
            return
        for frame in frames:
            if not await self._send(screen, frame):
                return
        self._shown[screen.id] = lines
        self._offline.pop(screen.id, None)
        self.report(screen, DeviceState.ONLINE, "")

    async def _send(self, screen: DeviceConfig, frame: bytes) -> bool:
        """One frame, its reply awaited and retried; False when the screen or the line gave up."""
        last = ""
        for attempt in range(self.line.retries + 1):
            if attempt:
                self.report(screen, DeviceState.RETRYING, last)
            self._reply = asyncio.get_running_loop().create_future()
            try:
                await self.link.send(frame)
                reply = await asyncio.wait_for(self._reply, self.line.timeout_s)
            except PortDown:
                return False  # the line's own down report covers every screen on it
            except TimeoutError:
                last = f"{screen.address} 号屏无应答 / screen {screen.id} (address {screen.address}) did not reply"
                continue
            finally:
                self._reply = None
            if reply.ok:
                return True
            last = f"屏幕拒收，错误码 {reply.error} / screen {screen.id} refused the frame (error {reply.error})"
        self._offline[screen.id] = time.monotonic() + RETRY_OFFLINE_S
        self._shown[screen.id] = None
        self.report(screen, DeviceState.OFFLINE, last)
        return False


KeyHandler = Callable[[DeviceConfig, padbus.KeyPress], Awaitable[None]]
RatingHandler = Callable[[DeviceConfig, padbus.RatingKey], Awaitable[None]]
# How long after a host frame starts out its echo may still come back, on top of the time the
# longest frame takes on the wire: the reader thread, a USB adapter's latency timer, the loop.
ECHO_MARGIN_S = 0.5


def echo_window_s(baud: int) -> float:
    return ECHO_MARGIN_S + padbus.MAX_FRAME * 10 / baud  # 8N1: ten bits a byte


class PadBus:
    """The caller and evaluation pads on one FF 68 line."""

    def __init__(
        self,
        line: LineConfig,
        pads: Sequence[DeviceConfig],
        report: Report,
        *,
        on_key: KeyHandler,
        on_rating: RatingHandler,
        on_up: Callable[[], None] = lambda: None,
        opener: Opener = open_port,
    ) -> None:
        self.line = line
        self.pads = {p.address: p for p in pads}
        self.report = report
        self.on_key, self.on_rating, self.refresh = on_key, on_rating, on_up
        self.link = SerialLink(line, on_data=self._on_data, on_up=self._on_up, on_down=self._on_down, opener=opener)
        self._decoder = padbus.PadBusDecoder(echo_window_s=echo_window_s(line.baud) if line.echo else 0.0)
        self._inbox: asyncio.Queue[tuple[DeviceConfig, padbus.KeyPress | padbus.RatingKey]] = asyncio.Queue(maxsize=256)
        self._acks: set[asyncio.Task[None]] = set()  # echoes on their way (a task needs a reference)
        self.dropped = 0

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self.link.run())
            tasks.create_task(self._dispatch())

    async def send(self, frame: bytes) -> None:
        """Write a host frame; a pad that is not reachable just misses it (the line reports why)."""
        with contextlib.suppress(PortDown):
            await self.link.send(frame, on_write=lambda: self._decoder.sent(frame, now=time.monotonic()))

    def _on_up(self) -> None:
        for pad in self.pads.values():
            self.report(pad, DeviceState.ONLINE, "")
        self.refresh()

    def _on_down(self, reason: str) -> None:
        for pad in self.pads.values():
            self.report(pad, DeviceState.OFFLINE, reason)

    def _on_data(self, data: bytes) -> None:
        self._decoder.receive_data(data, now=time.monotonic())
        for frame in self._decoder.events_received():
            pad = self.pads.get(frame.address)
            if pad is None:
                self.dropped += 1
                log.warning("line %s: frame from unknown pad address %d dropped", self.line.id, frame.address)
                continue
            # What a frame means depends on the pad it comes from, never on its CMD byte.
            meaning: padbus.KeyPress | padbus.RatingKey | None = (
                padbus.read_rating(frame) if pad.kind is Kind.EVALUATION_PAD else padbus.read_key(frame)
            )
            if meaning is None:
                log.debug("line %s: frame %s from pad %s is no key: ignored", self.line.id, frame.raw.hex(), pad.id)
                continue
            ack = asyncio.get_running_loop().create_task(self.send(frame.raw))  # the acknowledgement is the echo
            self._acks.add(ack)
            ack.add_done_callback(self._acks.discard)
            try:
                self._inbox.put_nowait((pad, meaning))
            except asyncio.QueueFull:
                self.dropped += 1
                log.warning("line %s: too many key presses waiting; one from pad %d dropped", self.line.id, pad.address)

    async def _dispatch(self) -> None:
        # One at a time and in order: two presses of "call next" call two tickets, never race.
        while True:
            pad, meaning = await self._inbox.get()
            try:
                if isinstance(meaning, padbus.KeyPress):
                    await self.on_key(pad, meaning)
                else:
                    await self.on_rating(pad, meaning)
            except Exception:
                log.exception("line %s: handling a frame from pad %s failed", self.line.id, pad.id)


class PrinterUnavailable(RuntimeError):
    pass


STATUS_TIMEOUT_S = 1.0
POLL_S = 15.0


class PrinterPort:
    """One ESC/POS ticket printer on its own line."""

    def __init__(self, line: LineConfig, device: DeviceConfig, report: Report, opener: Opener = open_port) -> None:
        self.line, self.device, self.report = line, device, report
        self.link = SerialLink(line, on_data=self._on_data, on_up=self._on_up, on_down=self._on_down, opener=opener)
        self._replies: asyncio.Queue[int] = asyncio.Queue()
        self._lock = asyncio.Lock()
        self._poll_now = asyncio.Event()

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self.link.run())
            tasks.create_task(self._poll())

    def _on_data(self, data: bytes) -> None:
        for b in data:
            self._replies.put_nowait(b)

    def _on_up(self) -> None:
        self._poll_now.set()

    def _on_down(self, reason: str) -> None:
        self.report(self.device, DeviceState.OFFLINE, reason)

    async def _poll(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poll_now.wait(), POLL_S)
            self._poll_now.clear()
            if self.link.up.is_set():
                with contextlib.suppress(PrinterUnavailable):
                    await self.status()

    async def _query(self, command: bytes) -> bytes:
        while not self._replies.empty():
            self._replies.get_nowait()  # a late answer to an earlier question
        await self.link.send(command)
        try:
            return bytes([await asyncio.wait_for(self._replies.get(), STATUS_TIMEOUT_S)])
        except TimeoutError:
            return b""

    async def status(self) -> printer.PrinterStatus:
        """Ask the printer; report and return what it says (PrinterUnavailable when it cannot print)."""
        async with self._lock:
            try:
                online = await self._query(printer.STATUS_ONLINE_QUERY)
                paper = await self._query(printer.STATUS_PAPER_QUERY)
            except PortDown as exc:
                raise PrinterUnavailable(str(exc)) from exc
        status = printer.parse_status(online, paper)
        if not online:
            why = f"打印机无应答 / printer {self.device.id} does not answer"
        elif not status.online:
            why = f"打印机离线（开盖或故障） / printer {self.device.id} is offline (cover open or error)"
        elif status.paper == "out":
            why = f"打印机缺纸 / printer {self.device.id} is out of paper"
        else:
            self.report(self.device, DeviceState.ONLINE, "纸将用尽 / paper low" if status.paper == "low" else "")
            return status
        self.report(self.device, DeviceState.OFFLINE, why)
        raise PrinterUnavailable(why)

    async def print_slip(self, slip: printer.TicketSlip) -> None:
        await self.status()
        data = printer.render_slip(slip, printer.PrinterOptions(native_qr=self.device.native_qr))
        async with self._lock:
            try:
                await self.link.send(data)
            except PortDown as exc:
                raise PrinterUnavailable(str(exc)) from exc
