"""The drivers on real ptys: the screen driver retries a screen that does not answer, reports
it offline, keeps the newest text, and brings it up to date when it answers again; the pad
driver reads keys whatever their CMD byte and knows its own frames heard back."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from hardware import drivers, padbus
from hardware.config import DeviceConfig, Kind, LineConfig, Protocol
from hardware.led_frames import Geometry
from hardware.sim.pty import VirtualPort
from hardware.sim.screen import ScreenBus as ScreenSim
from queue_server.domain import DeviceState


def test_a_silent_screen_is_retried_reported_and_caught_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(drivers, "RETRY_OFFLINE_S", 0.3)
    sim = ScreenSim(tmp_path / "led", {1: "gb2312", 2: "gb2312"})
    sim.start()
    line = LineConfig(id="led", url=sim.url, protocol=Protocol.ONBON, gap_s=0.0, timeout_s=0.1, retries=2)
    screens = [
        DeviceConfig(id=f"led-{n}", kind=Kind.WINDOW_LED, line="led", address=n, window=n, geometry=Geometry())
        for n in (1, 2)
    ]
    reports: list[tuple[str, DeviceState, str]] = []

    async def main() -> None:
        bus = drivers.ScreenBus(line, screens, lambda d, s, e: reports.append((d.id, s, e)))
        task = asyncio.create_task(bus.run())
        sim.screens[2].answering = False
        bus.show("led-1", ["1号窗口", "欢迎光临"])
        bus.show("led-2", ["2号窗口", "欢迎光临"])
        await asyncio.to_thread(sim.wait_for_text, 1, "欢迎光临")
        deadline = time.monotonic() + 5
        while ("led-2", DeviceState.OFFLINE) not in [(d, s) for d, s, _ in reports]:
            assert time.monotonic() < deadline, reports
            await asyncio.sleep(0.02)
        states = [s for d, s, _ in reports if d == "led-2"]
        assert states[:3] == [DeviceState.RETRYING, DeviceState.RETRYING, DeviceState.OFFLINE]  # 2 retries, then down
        assert "did not reply" in next(e for d, s, e in reports if d == "led-2" and s is DeviceState.OFFLINE)
        bus.show("led-2", ["请 A001 号", "到2号窗口办理"])  # meanwhile the screen's text changes
        sim.screens[2].answering = True
        assert await asyncio.to_thread(sim.wait_for_text, 2, "A001") == ["请 A001 号", "到2号窗口办理"]
        deadline = time.monotonic() + 5
        while reports[-1][:2] != ("led-2", DeviceState.ONLINE):
            assert time.monotonic() < deadline, reports
            await asyncio.sleep(0.02)
        assert ("led-1", DeviceState.ONLINE, "") in reports
        task.cancel()

    try:
        asyncio.run(main())
    finally:
        sim.close()


def test_text_the_screen_cannot_show_is_an_error_the_manager_sees(tmp_path: Path) -> None:
    sim = ScreenSim(tmp_path / "led", {1: "gb2312"})
    sim.start()
    line = LineConfig(id="led", url=sim.url, protocol=Protocol.ONBON, gap_s=0.0, timeout_s=0.5)
    screen = DeviceConfig(id="led-1", kind=Kind.WINDOW_LED, line="led", address=1, window=1)
    reports: list[tuple[DeviceState, str]] = []

    async def main() -> None:
        bus = drivers.ScreenBus(line, [screen], lambda d, s, e: reports.append((s, e)))
        task = asyncio.create_task(bus.run())
        bus.show("led-1", ["请 A001 号", "𠀀"])  # a rare character outside GB2312
        deadline = time.monotonic() + 5
        while not reports:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.02)
        state, error = reports[0]
        assert state is DeviceState.ONLINE and "𠀀" in error and "gb2312" in error
        assert sim.lines(1) == []  # nothing half-drawn or '?' went out
        task.cancel()

    try:
        asyncio.run(main())
    finally:
        sim.close()


FIELD_CALL_NEXT = bytes.fromhex("ff 68 03 03 68 01 01 0c 0e 16")  # pad 1, CMD 01: "call next"


def test_a_pad_key_with_cmd_01_acts_once_on_a_bus_that_hears_its_own_writes(tmp_path: Path) -> None:
    # The far end of the pty plays an RS-485 bus: the host hears back every byte it writes.
    heard: list[bytes] = []

    def bus_echo(data: bytes) -> None:
        heard.append(data)
        port.write(data)

    port = VirtualPort(tmp_path / "pads", bus_echo)
    port.plug()
    line = LineConfig(id="pads", url=port.url, protocol=Protocol.PADBUS, gap_s=0.0, echo=True)
    pads = [
        DeviceConfig(id="pad-1", kind=Kind.CALLER_PAD, line="pads", address=1, window=1),
        DeviceConfig(id="rate-1", kind=Kind.EVALUATION_PAD, line="pads", address=101, window=1),
    ]
    keys: list[padbus.KeyPress] = []
    ratings: list[padbus.RatingKey] = []

    async def on_key(pad: DeviceConfig, key: padbus.KeyPress) -> None:
        keys.append(key)

    async def on_rating(pad: DeviceConfig, key: padbus.RatingKey) -> None:
        ratings.append(key)

    async def main() -> None:
        bus = drivers.PadBus(line, pads, lambda d, s, e: None, on_key=on_key, on_rating=on_rating)
        task = asyncio.create_task(bus.run())
        await asyncio.wait_for(bus.link.up.wait(), 5)
        port.write(FIELD_CALL_NEXT)
        deadline = time.monotonic() + 5
        while FIELD_CALL_NEXT not in heard:  # the acknowledgement: the host echoes the frame
            assert time.monotonic() < deadline, heard
            await asyncio.sleep(0.02)
        await bus.send(padbus.ask_rating(101))  # the host's own CMD 01 frame, heard back
        port.write(padbus.score_frame(101, 4, cmd=0x01))  # an evaluation pad answering with CMD 01 too
        while not ratings:
            assert time.monotonic() < deadline, heard
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
        assert keys == [padbus.KeyPress(1, padbus.PadKey.CALL_NEXT, ())]  # once: its echoed ack is no second press
        assert ratings == [padbus.RatingKey(101, 4)]  # the question heard back is not an answer
        task.cancel()

    try:
        asyncio.run(main())
    finally:
        port.close()
