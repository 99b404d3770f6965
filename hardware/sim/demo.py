"""A whole hall's simulated devices: a screen above every window and a hall screen on one
LED bus, a caller pad and an evaluation pad per window on one pad bus, and a ticket
printer, each line a pty under ``directory``. ``hardware`` is the ``[hall.hardware]``
table that wires the hall to them (what ``run.py --simulate-devices`` uses);
``hardware_toml`` spells it for a hall file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from queue_server import HallConfig

from .pads import PadBus
from .printer import PrinterSim
from .screen import ScreenBus

HALL_SCREEN = 100  # the hall screen's address on the LED bus
EVALUATION_BASE = 100  # evaluation pad of window n: address 100 + n


@dataclass
class SimulatedHall:
    screens: ScreenBus
    pads: PadBus
    printer: PrinterSim
    hardware: dict[str, Any]

    def start(self) -> None:
        for sim in (self.screens, self.pads, self.printer):
            sim.start()

    def close(self) -> None:
        for sim in (self.screens, self.pads, self.printer):
            sim.close()


def simulate(hall: HallConfig, directory: str | Path, *, gap_ms: int = 0, windows: int | None = None) -> SimulatedHall:
    """Simulators for ``hall``'s first ``windows`` windows (all by default), not started yet."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    numbers = [w.number for w in hall.windows][:windows]
    led, pads, ticket = root / f"{hall.slug}-led", root / f"{hall.slug}-pads", root / f"{hall.slug}-printer"
    screens = ScreenBus(led, {**dict.fromkeys(numbers, "gb2312"), HALL_SCREEN: "gb2312"})
    pad_bus = PadBus(pads, [*numbers, *(EVALUATION_BASE + n for n in numbers)])
    printer = PrinterSim(ticket)
    hardware: dict[str, Any] = {
        "mode": "local",
        "rating_timeout_s": 30,
        "lines": [
            {"id": "led", "url": str(led), "protocol": "onbon", "gap_ms": gap_ms, "timeout_ms": 500},
            {"id": "pads", "url": str(pads), "protocol": "padbus", "gap_ms": gap_ms},
            {"id": "printer", "url": str(ticket), "protocol": "escpos", "gap_ms": 0},
        ],
        "devices": [
            {"id": "hall-led", "kind": "hall_led", "line": "led", "address": HALL_SCREEN, "width": 192, "height": 64},
            {"id": "printer-1", "kind": "printer", "line": "printer"},
            *(
                device
                for n in numbers
                for device in (
                    {"id": f"led-{n}", "kind": "window_led", "line": "led", "address": n, "window": n},
                    {"id": f"pad-{n}", "kind": "caller_pad", "line": "pads", "address": n, "window": n},
                    {
                        "id": f"rate-{n}",
                        "kind": "evaluation_pad",
                        "line": "pads",
                        "address": EVALUATION_BASE + n,
                        "window": n,
                    },
                )
            ),
        ],
    }
    return SimulatedHall(screens, pad_bus, printer, hardware)


def hardware_toml(hardware: dict[str, Any]) -> str:
    """``hardware`` (a ``[hall.hardware]`` table as ``simulate`` builds it) in TOML, to append to a
    hall file whose last ``[[hall]]`` is the hall it wires: its plain keys, then each list of rows
    (``lines``, ``devices``) as ``[[hall.hardware.<name>]]`` tables. Values are str, int or bool
    (or, in a row, a list of them, such as an evaluation pad's ``scores``), which JSON spells as
    TOML does."""

    def pair(key: str, value: Any) -> str:
        return f"{key} = {json.dumps(value, ensure_ascii=False)}"

    out = ["", "[hall.hardware]", *(pair(k, v) for k, v in hardware.items() if not isinstance(v, list))]
    for name, rows in hardware.items():
        if isinstance(rows, list):
            for row in rows:
                out += ["", f"[[hall.hardware.{name}]]", *(pair(k, v) for k, v in row.items())]
    return "\n".join(out) + "\n"
