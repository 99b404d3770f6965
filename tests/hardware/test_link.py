"""SerialLink over the URL kinds pyserial opens (loop://, socket://, a pty), and what it does
when the port goes away and comes back."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from hardware.config import LineConfig, Protocol
from hardware.link import Backoff, PortDown, SerialLink
from hardware.sim.pty import VirtualPort


def line(url: str, gap_s: float = 0.0) -> LineConfig:
    return LineConfig(id="l", url=url, protocol=Protocol.PADBUS, gap_s=gap_s)


async def until(check: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_loop_url_reads_back_what_it_wrote_with_the_gap_between_frames() -> None:
    async def main() -> None:
        got = bytearray()
        link = SerialLink(line("loop://", gap_s=0.05), on_data=got.extend)
        task = asyncio.create_task(link.run())
        await asyncio.wait_for(link.up.wait(), 5)
        start = time.monotonic()
        for frame in (b"\xff\x68one", b"\xff\x68two", b"\xff\x68three"):
            await link.send(frame)
        elapsed = time.monotonic() - start
        await until(lambda: len(got) == 17)
        assert bytes(got) == b"\xff\x68one\xff\x68two\xff\x68three"
        assert elapsed >= 0.1  # two gaps of 50 ms between three frames
        assert link.frames_sent == 3
        task.cancel()

    asyncio.run(main())


def test_socket_url_reconnects_after_the_far_end_drops() -> None:
    async def main() -> None:
        peers: list[asyncio.StreamWriter] = []

        async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            # Answer only once the link has spoken: pyserial discards what arrives while it opens.
            peers.append(writer)
            await reader.readexactly(1)
            writer.write(b"hello")
            await writer.drain()

        server = await asyncio.start_server(accept, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        got = bytearray()
        events: list[str] = []
        link = SerialLink(
            line(f"socket://127.0.0.1:{port}"),
            on_data=got.extend,
            on_up=lambda: events.append("up"),
            on_down=lambda why: events.append("down"),
            backoff=Backoff(first=0.05, most=0.2),
        )
        task = asyncio.create_task(link.run())
        await asyncio.wait_for(link.up.wait(), 5)
        await link.send(b"?")
        await until(lambda: bytes(got) == b"hello")
        peers[0].close()  # the far end goes away (a terminal server rebooting)
        await until(lambda: events.count("up") == 2)
        await link.send(b"?")
        await until(lambda: bytes(got) == b"hellohello")
        assert events == ["up", "down", "up"]
        task.cancel()
        server.close()

    asyncio.run(main())


def test_a_pty_unplugged_and_plugged_back(tmp_path: Path) -> None:
    async def main() -> None:
        heard = bytearray()
        device = VirtualPort(tmp_path / "tty", heard.extend)
        device.plug()
        events: list[str] = []
        link = SerialLink(
            line(device.url),
            on_data=lambda b: None,
            on_up=lambda: events.append("up"),
            on_down=lambda why: events.append(f"down: {why}"),
            backoff=Backoff(first=0.05, most=0.2),
        )
        task = asyncio.create_task(link.run())
        await asyncio.wait_for(link.up.wait(), 5)
        await link.send(b"first")
        await until(lambda: bytes(heard) == b"first")
        device.unplug()
        await until(lambda: len(events) >= 2)
        assert events[1].startswith("down: ") and "tty" in events[1]
        try:
            await link.send(b"lost")
            raise AssertionError("a write to an unplugged line must fail")
        except PortDown:
            pass
        device.plug()
        await until(lambda: events.count("up") == 2)
        await link.send(b"again")
        await until(lambda: bytes(heard).endswith(b"again"))
        task.cancel()
        device.close()

    asyncio.run(main())
