"""The ``[hall.hardware]`` part of a hall's TOML: serial lines and the devices on them.

    [hall.hardware]
    mode = "local"            # local: the server drives the ports; agent: `run.py agent` does
    rating_timeout_s = 30     # an evaluation pad's question expires into "not rated"

    [[hall.hardware.lines]]   # one serial port (an RS-485 bus may carry several devices)
    id = "leds"
    url = "/dev/ttyUSB0"      # anything serial.serial_for_url opens: loop://, socket://h:p, a pty
    protocol = "onbon"        # onbon (LED screens) | padbus (caller and evaluation pads) | escpos (printers)
    baud = 9600
    gap_ms = 100              # quiet time between two frames on the bus
    timeout_ms = 2000         # how long to wait for a screen's reply
    retries = 3
    echo = false              # true when the RS-485 adapter hears its own writes

    [[hall.hardware.devices]]
    id = "led-1"
    kind = "window_led"       # window_led | hall_led | caller_pad | evaluation_pad | printer
    line = "leds"
    address = 1
    window = 1

    [[hall.hardware.devices]]
    id = "rate-1"
    kind = "evaluation_pad"
    line = "pads"
    address = 101
    window = 1
    scores = [5, 4, 3, 2, 1]  # the score stored for each DATA byte a key sends: byte k -> scores[k-1]

An evaluation pad's key sends one DATA byte k; ``scores`` maps it: the key that sends k
stores ``scores[k-1]`` (5 非常满意 … 1 非常不满意), and a byte of 0 or above ``len(scores)``
is dropped. The default, ``[1, 2, 3, 4, 5]``, is for pads whose keys send the score itself;
``[5, 4, 3, 2, 1]`` is a five-key pad whose keys send 1..5 left to right with 非常满意 on
the left (the key sending 1 stores 5); ``[5, 3, 1]`` a three-key pad sending 1..3.

Errors name the file and the key path, like the rest of the hall file.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from queue_server import HallConfig, TomlReader

from .led_frames import Geometry


class Mode(enum.StrEnum):
    LOCAL = "local"
    AGENT = "agent"


class Protocol(enum.StrEnum):
    ONBON = "onbon"
    PADBUS = "padbus"
    ESCPOS = "escpos"


class Kind(enum.StrEnum):
    WINDOW_LED = "window_led"
    HALL_LED = "hall_led"
    CALLER_PAD = "caller_pad"
    EVALUATION_PAD = "evaluation_pad"
    PRINTER = "printer"

    @property
    def protocol(self) -> Protocol:
        return _PROTOCOL[self]

    @property
    def at_window(self) -> bool:
        return self in (Kind.WINDOW_LED, Kind.CALLER_PAD, Kind.EVALUATION_PAD)


_PROTOCOL = {
    Kind.WINDOW_LED: Protocol.ONBON,
    Kind.HALL_LED: Protocol.ONBON,
    Kind.CALLER_PAD: Protocol.PADBUS,
    Kind.EVALUATION_PAD: Protocol.PADBUS,
    Kind.PRINTER: Protocol.ESCPOS,
}
_ADDRESS_RANGE = {Protocol.ONBON: (1, 0xFFFD), Protocol.PADBUS: (1, 254), Protocol.ESCPOS: (0, 0)}


DEFAULT_SCORES: tuple[int, ...] = (1, 2, 3, 4, 5)  # the key's DATA byte is the score


@dataclass(frozen=True, slots=True)
class LineConfig:
    id: str
    url: str
    protocol: Protocol
    baud: int = 9600
    gap_s: float = 0.1
    timeout_s: float = 2.0
    retries: int = 3
    echo: bool = False  # the adapter hears its own writes (half-duplex RS-485): drop them once


@dataclass(frozen=True, slots=True)
class DeviceConfig:
    id: str
    kind: Kind
    line: str
    address: int = 0
    window: int | None = None
    geometry: Geometry = field(default_factory=Geometry)  # LED screens
    scores: tuple[int, ...] = DEFAULT_SCORES  # evaluation pads: the key sending byte k stores scores[k-1]
    native_qr: bool = True  # printers: the printer draws the QR code itself (else an image)

    def score_of(self, key: int) -> int | None:
        """The score an evaluation pad's key that sends DATA byte ``key`` stores; None: no such key."""
        return self.scores[key - 1] if 1 <= key <= len(self.scores) else None


@dataclass(frozen=True, slots=True)
class HardwareConfig:
    hall: str
    mode: Mode = Mode.LOCAL
    rating_timeout_s: float = 30.0
    lines: tuple[LineConfig, ...] = ()
    devices: tuple[DeviceConfig, ...] = ()

    def line(self, line_id: str) -> LineConfig:
        return next(line for line in self.lines if line.id == line_id)

    def on_line(self, line_id: str) -> list[DeviceConfig]:
        return [d for d in self.devices if d.line == line_id]

    def at_window(self, window: int, kind: Kind) -> DeviceConfig | None:
        return next((d for d in self.devices if d.window == window and d.kind is kind), None)


_LINE_KEYS = {"id", "url", "protocol", "baud", "gap_ms", "timeout_ms", "retries", "echo"}
_DEVICE_KEYS = {
    "id",
    "kind",
    "line",
    "address",
    "window",
    "width",
    "height",
    "font",
    "encoding",
    "buffer",
    "scores",
    "native_qr",
}
_BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)


def hardware_config(hall: HallConfig, source: str = "<memory>") -> HardwareConfig:
    """Check ``hall.hardware`` against the hall (its windows) and return it typed."""
    r = TomlReader(source)
    key = f"hall[{hall.slug}].hardware"
    t = r.table(hall.hardware, key, {"mode", "rating_timeout_s", "lines", "devices"})
    mode_raw = r.str_(t, key, "mode", Mode.LOCAL.value)
    if mode_raw not in Mode._value2member_map_:
        raise r.fail(f"{key}.mode", f"must be one of {', '.join(m.value for m in Mode)}, got {mode_raw!r}")
    timeout = r.int_(t, key, "rating_timeout_s", 30, 5, 600)
    lines = tuple(_line(r, v, f"{key}.lines[{i}]") for i, v in enumerate(r.list_(t, key, "lines")))
    r.unique([line.id for line in lines], f"{key}.lines", "id")
    r.unique([line.url for line in lines], f"{key}.lines", "url")
    by_id = {line.id: line for line in lines}
    windows = {w.number for w in hall.windows}
    devices = tuple(
        _device(r, v, f"{key}.devices[{i}]", by_id, windows) for i, v in enumerate(r.list_(t, key, "devices"))
    )
    r.unique([d.id for d in devices], f"{key}.devices", "id")
    r.unique([(d.line, d.address) for d in devices], f"{key}.devices", "address")
    for kind in (Kind.WINDOW_LED, Kind.CALLER_PAD, Kind.EVALUATION_PAD):
        r.unique([d.window for d in devices if d.kind is kind], f"{key}.devices", f"window (of a {kind.value})")
    return HardwareConfig(hall.slug, Mode(mode_raw), float(timeout), lines, devices)


def _line(r: TomlReader, value: Any, key: str) -> LineConfig:
    t = r.table(value, key, _LINE_KEYS)
    protocol = r.str_(t, key, "protocol")
    if protocol not in Protocol._value2member_map_:
        raise r.fail(f"{key}.protocol", f"must be one of {', '.join(p.value for p in Protocol)}, got {protocol!r}")
    baud = r.int_(t, key, "baud", 9600, 1200, 115200)
    if baud not in _BAUDS:
        raise r.fail(f"{key}.baud", f"must be one of {', '.join(map(str, _BAUDS))}, got {baud}")
    return LineConfig(
        id=r.str_(t, key, "id"),
        url=_serial_url(r, t, key),
        protocol=Protocol(protocol),
        baud=baud,
        gap_s=r.int_(t, key, "gap_ms", 100, 0, 5000) / 1000,
        timeout_s=r.int_(t, key, "timeout_ms", 2000, 50, 30000) / 1000,
        retries=r.int_(t, key, "retries", 3, 0, 10),
        echo=_flag(r, t, key, "echo", False),
    )


# What pyserial's serial_for_url opens besides a device path (loop:// for tests, socket:// and
# rfc2217:// for serial servers on the LAN); anything else is a typo or worse.
_URL_SCHEMES = ("loop://", "socket://", "rfc2217://", "spy://", "alt://", "hwgrep://")


def _serial_url(r: TomlReader, t: dict[str, Any], key: str) -> str:
    url = r.str_(t, key, "url", max_len=255)
    if "://" in url:
        if not url.startswith(_URL_SCHEMES):
            raise r.fail(f"{key}.url", f"a URL must start with one of {', '.join(_URL_SCHEMES)}, got {url!r}")
        return url
    # A device path (/dev/ttyUSB0, /dev/serial/by-id/…, a pty link, COM3): never one that climbs
    # out of where it names, which could only point somewhere that is not a serial port.
    if ".." in url.replace("\\", "/").split("/"):
        raise r.fail(f"{key}.url", f"a device path may not hold '..', got {url!r}")
    return url


def _device(r: TomlReader, value: Any, key: str, lines: dict[str, LineConfig], windows: set[int]) -> DeviceConfig:
    t = r.table(value, key, _DEVICE_KEYS)
    kind_raw = r.str_(t, key, "kind")
    if kind_raw not in Kind._value2member_map_:
        raise r.fail(f"{key}.kind", f"must be one of {', '.join(k.value for k in Kind)}, got {kind_raw!r}")
    kind = Kind(kind_raw)
    line_id = r.str_(t, key, "line")
    line = lines.get(line_id)
    if line is None:
        raise r.fail(f"{key}.line", f"no line with id {line_id!r} (lines: {', '.join(lines) or 'none'})")
    if line.protocol is not kind.protocol:
        raise r.fail(
            f"{key}.kind", f"a {kind.value} speaks {kind.protocol.value}, but line {line_id!r} is {line.protocol.value}"
        )
    lo, hi = _ADDRESS_RANGE[kind.protocol]
    address = r.int_(t, key, "address", lo, lo, hi)
    window: int | None = None
    if kind.at_window:
        window = r.int_(t, key, "window", 0, 1, 9999)
        if window not in windows:
            raise r.fail(f"{key}.window", f"the hall has no window {window}")
    elif "window" in t:
        raise r.fail(f"{key}.window", f"a {kind.value} belongs to the hall, not to a window")
    _only_for(r, t, key, kind, {"width", "height", "font", "encoding", "buffer"}, (Kind.WINDOW_LED, Kind.HALL_LED))
    _only_for(r, t, key, kind, {"scores"}, (Kind.EVALUATION_PAD,))
    _only_for(r, t, key, kind, {"native_qr"}, (Kind.PRINTER,))
    return DeviceConfig(
        id=r.str_(t, key, "id"),
        kind=kind,
        line=line_id,
        address=address,
        window=window,
        geometry=_geometry(r, t, key, kind),
        scores=_scores(r, t, key),
        native_qr=_flag(r, t, key, "native_qr", True),
    )


def _only_for(r: TomlReader, t: dict[str, Any], key: str, kind: Kind, names: set[str], kinds: tuple[Kind, ...]) -> None:
    for name in sorted(names & set(t)):
        if kind not in kinds:
            raise r.fail(f"{key}.{name}", f"only for {' / '.join(k.value for k in kinds)}, not a {kind.value}")


def _geometry(r: TomlReader, t: dict[str, Any], key: str, kind: Kind) -> Geometry:
    rows_default = 32 if kind is Kind.WINDOW_LED else 64
    encoding = r.str_(t, key, "encoding", "gb2312").lower()
    if encoding not in ("gb2312", "gbk"):
        raise r.fail(f"{key}.encoding", f"must be gb2312 or gbk, got {encoding!r}")
    font = r.int_(t, key, "font", 16, 12, 64)
    geometry = Geometry(
        width_px=r.int_(t, key, "width", 128 if kind is Kind.WINDOW_LED else 192, 16, 4096),
        height_px=r.int_(t, key, "height", rows_default, 12, 2048),
        font_px=font,
        encoding=encoding,
        buffer_size=r.int_(t, key, "buffer", 1024, 256, 65536),
    )
    if geometry.rows < 1:
        raise r.fail(f"{key}.height", f"must fit at least one line of the {font} px font")
    return geometry


def _scores(r: TomlReader, t: dict[str, Any], key: str) -> tuple[int, ...]:
    raw = t.get("scores", list(DEFAULT_SCORES))
    if (
        not isinstance(raw, list)
        or not 1 <= len(raw) <= 5
        or not all(isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= 5 for s in raw)
    ):
        raise r.fail(
            f"{key}.scores",
            f"must list 1 to 5 scores (1..5): the key sending byte k stores the k-th, got {raw!r}",
        )
    return tuple(raw)


def _flag(r: TomlReader, t: dict[str, Any], key: str, name: str, default: bool) -> bool:
    value = t.get(name, default)
    if not isinstance(value, bool):
        raise r.fail(f"{key}.{name}", "must be true or false")
    return value


def check_all(halls: tuple[HallConfig, ...], source: str) -> dict[str, HardwareConfig]:
    """Every hall's hardware, checked at start so a bad file is refused before anything opens."""
    return {h.slug: hardware_config(h, source) for h in halls}
