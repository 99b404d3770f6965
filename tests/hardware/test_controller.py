"""HallDevices with an in-memory HallClient and simulated devices on real ptys: what the
screens and pads show from the hall's messages, and what goes back to the server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hardware.config import DeviceConfig, hardware_config
from hardware.controller import ActionRefused, HallDevices
from hardware.mirror import JSON
from hardware.padbus import PadKey
from hardware.sim.demo import EVALUATION_BASE, HALL_SCREEN, SimulatedHall, simulate
from queue_server.config import parse_config
from queue_server.domain import DeviceState
from tests.conftest import SMALL_HALL
from tests.hardware.conftest import hall_toml


class FakeClient:
    """The server, as far as the devices can tell: scripted messages in, recorded calls out."""

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[JSON] = asyncio.Queue()
        self.actions: list[tuple[int, str, dict[str, Any]]] = []
        self.ratings: list[tuple[int, int]] = []
        self.unrated: list[int] = []
        self.health: list[tuple[str, DeviceState, str]] = []
        self.refuse: set[str] = set()
        self.slips: dict[int, JSON] = {}

    async def messages(self) -> AsyncIterator[JSON]:
        while True:
            yield await self.inbox.get()

    async def resync(self) -> None:
        self.inbox.put_nowait(SNAPSHOT)

    async def window_action(self, window: int, action: str, body: dict[str, Any]) -> bool:
        if action in self.refuse:
            raise ActionRefused(f"{action} refused")
        self.actions.append((window, action, body))
        return True

    async def rate(self, ticket_id: int, score: int) -> None:
        self.ratings.append((ticket_id, score))

    async def not_rated(self, ticket_id: int) -> None:
        self.unrated.append(ticket_id)

    async def report(self, device: DeviceConfig, state: DeviceState, error: str) -> None:
        self.health.append((device.id, state, error))

    async def slip(self, ticket_id: int) -> JSON:
        return self.slips[ticket_id]


WINDOW_1 = {"number": 1, "state": "open", "services": {"A": 1.0, "B": 1.0}, "current": None, "held": [17]}
SNAPSHOT: JSON = {
    "type": "snapshot",
    "seq": 5,
    "windows": [WINDOW_1, {"number": 2, "state": "closed", "services": {"B": 2.0}, "current": None, "held": []}],
    "waiting": {"A": 2, "B": 1},
    "calls": [],
    "devices": [],
}


def event(seq: int, kind: str, **extra: Any) -> JSON:
    fields = {k: extra.pop(k) for k in ("window", "ticket_id", "detail") if k in extra}
    return {"type": "event", "seq": seq, "prev": seq - 1, "event": {"kind": kind, **fields}, **extra}


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[SimulatedHall]:
    hall = parse_config(SMALL_HALL).halls[0]
    s = simulate(hall, tmp_path / "tty", windows=2)
    s.hardware["rating_timeout_s"] = 5
    s.hardware["devices"][-1]["scores"] = [5, 3, 1]  # rate-2: a three-key pad
    s.start()
    yield s
    s.close()


def run(sims: SimulatedHall, script: Callable[[FakeClient, HallDevices], Awaitable[None]]) -> FakeClient:
    config = parse_config(hall_toml(sims.hardware), "test")
    devices_config = hardware_config(config.halls[0])
    client = FakeClient()

    async def main() -> None:
        devices = HallDevices(devices_config, client)
        task = asyncio.create_task(devices.run())
        try:
            await script(client, devices)
        finally:
            task.cancel()

    asyncio.run(main())
    return client


async def until(check: Callable[[], object], what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


def test_a_snapshot_brings_every_device_up_to_date(sims: SimulatedHall) -> None:
    async def script(client: FakeClient, devices: HallDevices) -> None:
        client.inbox.put_nowait(SNAPSHOT)
        await until(lambda: sims.screens.lines(1) == ["1号窗口", "等候 3 人"], "window 1 idle with 3 waiting")
        await until(lambda: sims.screens.lines(2) == ["2号窗口", "暂停办理"], "window 2 closed")
        await until(lambda: sims.screens.lines(HALL_SCREEN)[:1] == ["欢迎光临"], "the hall screen's welcome")
        await until(lambda: sims.pads.pad(1).display == "003   ", "pad 1 shows 3 waiting")
        await until(lambda: {d for d, s, _ in client.health if s is DeviceState.ONLINE} >= {"led-1", "pad-1"}, "health")
        called = {**WINDOW_1, "current": {"id": 9, "number": "A017", "state": "called"}}
        call = {"number": "A017", "window": 1}
        client.inbox.put_nowait(event(6, "ticket.call", window=1, windows=[called], waiting={"A": 1}, call=call))
        await until(lambda: sims.screens.lines(1) == ["请 A017 号", "到1号窗口办理"], "the call on window 1")
        await until(lambda: sims.screens.lines(HALL_SCREEN)[0] == "A017 → 1号窗口", "the call on the hall screen")
        await until(lambda: sims.pads.pad(1).display == "    17", "pad 1 shows 17")
        client.inbox.put_nowait(event(8, "ticket.recall"))  # seq 7 was missed: a resync is asked for
        await until(lambda: sims.screens.lines(1) == ["1号窗口", "等候 3 人"], "back to the snapshot's state")

    run(sims, script)


def test_keys_become_window_actions_and_refusals_beep(sims: SimulatedHall) -> None:
    async def script(client: FakeClient, devices: HallDevices) -> None:
        called = {**WINDOW_1, "current": {"id": 9, "number": "A017", "state": "called"}}
        client.inbox.put_nowait({**SNAPSHOT, "windows": [called, SNAPSHOT["windows"][1]]})
        await until(lambda: sims.pads.pad(1).display == "    17", "the snapshot on pad 1")
        sims.pads.press(1, PadKey.EVALUATE)
        sims.pads.press(1, PadKey.TRANSFER, (2,))
        sims.pads.press(1, PadKey.CONFIRM, (3,))
        await until(lambda: len(client.actions) == 4, "four actions")
        assert client.actions == [
            (1, "start", {}),  # the visitor was only called: a pad has no start key
            (1, "finish", {}),
            (1, "transfer", {"window": 2}),
            (1, "call-back/17", {}),
        ]
        client.refuse.add("recall")
        sims.pads.press(1, PadKey.RECALL)
        sims.pads.press(1, PadKey.TRANSFER)  # no target window typed
        await until(lambda: sims.pads.pad(1).beeps == 2, "two beeps")
        assert len(client.actions) == 4

    run(sims, script)


def test_ratings_belong_to_the_service_asked_about(sims: SimulatedHall) -> None:
    async def script(client: FakeClient, devices: HallDevices) -> None:
        client.inbox.put_nowait(SNAPSHOT)
        await until(lambda: sims.screens.lines(1), "the snapshot")
        sims.pads.rate(EVALUATION_BASE + 1, 5)  # nobody asked: dropped
        await until(lambda: devices.dropped_ratings == 1, "the stray score dropped")
        client.inbox.put_nowait(event(6, "ticket.finish", window=1, ticket_id=40))
        await until(lambda: sims.pads.pad(EVALUATION_BASE + 1).asked == 1, "the question at window 1")
        sims.pads.rate(EVALUATION_BASE + 1, 4)
        sims.pads.rate(EVALUATION_BASE + 1, 2)  # a second press: the question is answered already
        await until(lambda: devices.dropped_ratings == 2, "the second press dropped")
        client.inbox.put_nowait(event(7, "ticket.finish", window=2, ticket_id=41))
        await until(lambda: sims.pads.pad(EVALUATION_BASE + 2).asked == 1, "the question at window 2")
        sims.pads.rate(EVALUATION_BASE + 2, 1)  # key 1 of a three-key pad: score 5
        client.inbox.put_nowait(event(8, "ticket.finish", window=1, ticket_id=42))
        client.inbox.put_nowait(event(9, "ticket.finish", window=1, ticket_id=43))  # 42 was never rated
        await until(lambda: client.unrated == [42], "42 recorded as not rated")
        await until(lambda: client.unrated == [42, 43], "43 not rated after the timeout", timeout=8)
        assert client.ratings == [(40, 4), (41, 5)]

    run(sims, script)


def test_a_key_frame_with_the_hosts_cmd_01_calls_next(sims: SimulatedHall) -> None:
    # ff 68 03 03 68 01 01 0c 0e 16: pad 1, CMD 01 (the host's "ask for a rating" byte), key 0C.
    async def script(client: FakeClient, devices: HallDevices) -> None:
        client.inbox.put_nowait(SNAPSHOT)
        await until(lambda: sims.pads.pad(1).display == "003   ", "the snapshot on pad 1")
        sent = sims.pads.press(1, PadKey.CALL_NEXT, cmd=0x01)
        assert sent == bytes.fromhex("ff 68 03 03 68 01 01 0c 0e 16")
        await until(lambda: client.actions == [(1, "call-next", {})], "call-next from the CMD 01 frame")
        await until(lambda: sims.pads.pad(1).acks == [sent], "the acknowledgement")
        assert sims.pads.pad(1).asked == 0  # the echoed ack is not a rating question to the pad

    run(sims, script)


def test_scores_map_the_byte_a_key_sends(sims: SimulatedHall) -> None:
    sims.hardware["devices"][-1]["scores"] = [5, 4, 3, 2, 1]  # rate-2: keys send 1..5, 非常满意 first

    async def script(client: FakeClient, devices: HallDevices) -> None:
        client.inbox.put_nowait(SNAPSHOT)
        await until(lambda: sims.screens.lines(1), "the snapshot")
        seq = 6
        for key in (1, 2, 3, 4, 5):
            for window in (1, 2):  # rate-1 keeps the default: the byte is the score
                rater = EVALUATION_BASE + window
                asked = sims.pads.pad(rater).asked
                client.inbox.put_nowait(event(seq, "ticket.finish", window=window, ticket_id=10 * window + key))
                seq += 1
                await until(lambda: sims.pads.pad(rater).asked > asked, "the question")  # noqa: B023 (used at once)
                sims.pads.rate(rater, key)
            await until(lambda: len(client.ratings) == 2 * key, "both ratings")  # noqa: B023 (used at once)
        assert sorted(client.ratings) == [(10 + k, k) for k in range(1, 6)] + [(20 + k, 6 - k) for k in range(1, 6)]

    run(sims, script)


def test_a_device_the_server_calls_unknown_is_reported_again(sims: SimulatedHall) -> None:
    # The server said so after this agent's earlier connection closed late, or after it restarted.
    async def script(client: FakeClient, devices: HallDevices) -> None:
        def pad_1() -> list[tuple[str, DeviceState, str]]:
            return [h for h in client.health if h[0] == "pad-1"]

        client.inbox.put_nowait(SNAPSHOT)
        await until(lambda: pad_1() == [("pad-1", DeviceState.ONLINE, "")], "pad-1 reported online")
        unknown = {"id": "pad-1", "kind": "caller_pad", "window": 1, "state": "unknown", "error": ""}
        client.inbox.put_nowait(event(6, "device.health", window=1, detail={"device": unknown}))
        await until(lambda: pad_1() == [("pad-1", DeviceState.ONLINE, "")] * 2, "pad-1 reported again")
        offline = {**unknown, "state": "offline"}  # what another reporter said: not this agent's to argue with
        client.inbox.put_nowait(event(7, "device.health", window=1, detail={"device": offline}))
        await asyncio.sleep(0.3)
        assert len(pad_1()) == 2

    run(sims, script)


def test_a_window_on_lunch_tells_its_screen_where_to_go(sims: SimulatedHall) -> None:
    async def script(client: FakeClient, devices: HallDevices) -> None:
        client.inbox.put_nowait(SNAPSHOT)
        await until(lambda: sims.screens.lines(1) == ["1号窗口", "等候 3 人"], "window 1 idle with 3 waiting")
        reason = "午休，请到 2 号窗口办理 / Lunch break, please go to window 2"
        lunch = {**WINDOW_1, "state": "paused", "pause_reason": reason}
        client.inbox.put_nowait(event(6, "window.pause", window=1, windows=[lunch]))
        await until(lambda: sims.screens.lines(1) == ["1号窗口", "午休 请到2号窗口"], "window 1's lunch on its LED")
        other = {**WINDOW_1, "state": "paused", "pause_reason": "设备维护 / Maintenance"}
        client.inbox.put_nowait(event(7, "window.pause", window=1, windows=[other]))
        await until(lambda: sims.screens.lines(1) == ["1号窗口", "设备维护"], "another reason, in Chinese")

    run(sims, script)
