"""The [hall.hardware] table: what a good one gives, and how a bad one is refused (file and key)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hardware.config import Kind, Mode, Protocol, hardware_config
from queue_server.config import ConfigError, parse_config
from tests.conftest import SMALL_HALL
from tests.hardware.conftest import hall_toml

LINES = [
    {"id": "leds", "url": "/dev/ttyUSB0", "protocol": "onbon", "baud": 57600, "gap_ms": 50},
    {"id": "pads", "url": "socket://10.0.0.9:4001", "protocol": "padbus"},
]
DEVICES = [
    {"id": "led-1", "kind": "window_led", "line": "leds", "address": 1, "window": 1},
    {"id": "hall", "kind": "hall_led", "line": "leds", "address": 2, "width": 256, "height": 64, "encoding": "gbk"},
    {"id": "pad-1", "kind": "caller_pad", "line": "pads", "address": 1, "window": 1},
    {"id": "rate-1", "kind": "evaluation_pad", "line": "pads", "address": 2, "window": 1, "scores": [5, 3, 1]},
]


def load(lines: list[dict[str, Any]], devices: list[dict[str, Any]], **top: Any) -> Any:
    config = parse_config(hall_toml({**top, "lines": lines, "devices": devices}), "hall.toml")
    return hardware_config(config.halls[0], "hall.toml")


def test_a_good_table_is_typed() -> None:
    hw = load(LINES, DEVICES, mode="agent", rating_timeout_s=20)
    assert (hw.hall, hw.mode, hw.rating_timeout_s) == ("t", Mode.AGENT, 20.0)
    leds = hw.line("leds")
    assert (leds.protocol, leds.baud, leds.gap_s, leds.timeout_s, leds.retries) == (Protocol.ONBON, 57600, 0.05, 2, 3)
    hall = next(d for d in hw.devices if d.kind is Kind.HALL_LED)
    assert (hall.geometry.columns, hall.geometry.rows, hall.geometry.encoding) == (32, 4, "gbk")
    assert hw.at_window(1, Kind.EVALUATION_PAD).scores == (5, 3, 1)


def test_no_table_means_no_devices() -> None:
    hw = hardware_config(parse_config(SMALL_HALL).halls[0])
    assert (hw.mode, hw.lines, hw.devices) == (Mode.LOCAL, (), ())


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (lambda ls, ds: ls[0].update(protocol="modbus"), "lines[0].protocol", "onbon"),
        (lambda ls, ds: ls[0].update(baud=12345), "lines[0].baud", "9600"),
        (lambda ls, ds: ls[1].update(id="leds"), "lines[1].id", "duplicate"),
        (lambda ls, ds: ds[0].update(line="nope"), "devices[0].line", "no line"),
        (lambda ls, ds: ds[0].update(line="pads"), "devices[0].kind", "speaks onbon"),
        (lambda ls, ds: ds[0].update(window=9), "devices[0].window", "no window 9"),
        (lambda ls, ds: ds[1].update(window=1), "devices[1].window", "belongs to the hall"),
        (lambda ls, ds: ds[2].update(address=1000), "devices[2].address", "between 1 and 254"),
        (lambda ls, ds: ds[3].update(address=1), "devices[3].address", "duplicate"),
        (lambda ls, ds: ds[3].update(scores=[6]), "devices[3].scores", "1..5"),
        (lambda ls, ds: ds[2].update(width=128), "devices[2].width", "only for"),
        (lambda ls, ds: ds[1].update(encoding="utf-8"), "devices[1].encoding", "gb2312 or gbk"),
        (lambda ls, ds: ds[0].update(colour="red"), "devices[0].colour", "unknown key"),
        (lambda ls, ds: ls[0].update(url="/dev/../../etc/passwd"), "lines[0].url", "may not hold '..'"),
        (lambda ls, ds: ls[0].update(url="http://10.0.0.9/"), "lines[0].url", "socket://"),
        (lambda ls, ds: ls[0].update(url="/dev/tty\u0000"), "lines[0].url", "control character"),
        (lambda ls, ds: ls[0].update(url="/dev/" + "x" * 300), "lines[0].url", "at most 255"),
    ],
)
def test_a_bad_table_names_the_key(change: Any, key: str, words: str) -> None:
    lines = [dict(x) for x in LINES]
    devices = [dict(x) for x in DEVICES]
    change(lines, devices)
    with pytest.raises(ConfigError) as info:
        load(lines, devices)
    assert info.value.source == "hall.toml"
    assert info.value.key == f"hall[t].hardware.{key}"
    assert words in info.value.reason


def test_a_bad_mode_is_refused() -> None:
    with pytest.raises(ConfigError, match="mode"):
        load(LINES, DEVICES, mode="remote")


def test_scores_map_the_byte_a_key_sends_to_the_score_stored() -> None:
    default = load(LINES, [*DEVICES[:3], _without(DEVICES[3], "scores")])
    reversed_pad = load(LINES, [*DEVICES[:3], {**DEVICES[3], "scores": [5, 4, 3, 2, 1]}])
    same = default.at_window(1, Kind.EVALUATION_PAD)
    left_best = reversed_pad.at_window(1, Kind.EVALUATION_PAD)
    assert [same.score_of(k) for k in range(7)] == [None, 1, 2, 3, 4, 5, None]  # the byte is the score
    assert [left_best.score_of(k) for k in range(7)] == [None, 5, 4, 3, 2, 1, None]  # the key sending 1 stores 5


def test_the_demo_halls_commented_hardware_example_is_a_valid_table() -> None:
    text = (Path(__file__).parents[2] / "queue_server" / "demo_hall.toml").read_text("utf-8")
    example = text[text.index("# [hall.hardware]") :]
    uncommented = "\n".join(line.removeprefix("#").removeprefix(" ") for line in example.splitlines())
    demo = parse_config(text + "\n" + uncommented, "demo_hall.toml").halls[0]
    rater = hardware_config(demo, "demo_hall.toml").at_window(1, Kind.EVALUATION_PAD)
    assert rater is not None and rater.scores == (5, 4, 3, 2, 1) and rater.score_of(1) == 5


def _without(row: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != key}
