"""Ticket slips for ESC/POS printers (取号小票), and the printer's status replies.

Pure: ``render_slip`` gives the bytes to write (python-escpos's ``Dummy`` generates the
commands), ``parse_online``/``parse_paper`` read the answers to DLE EOT, and
``SlipParser`` reads rendered bytes back for tests and printer simulators. No I/O here.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Final

import segno
from escpos import constants as esc
from escpos.capabilities import Profile
from escpos.printer import Dummy
from PIL import Image

ESC: Final = b"\x1b"
GS: Final = b"\x1d"
FS: Final = bytes(esc.FS)
DLE: Final = b"\x10"
LF: Final = b"\n"
# Chinese (kanji) mode: between FS & and FS . the printer reads two- and four-byte
# GB18030 sequences; outside it every byte is one character of the code page.
CHINESE_ON: Final = FS + b"&"
CHINESE_OFF: Final = FS + b"."

STATUS_ONLINE_QUERY: Final = bytes(esc.RT_STATUS_ONLINE)  # DLE EOT 1
STATUS_PAPER_QUERY: Final = bytes(esc.RT_STATUS_PAPER)  # DLE EOT 4

# DLE EOT replies: bits 1 and 4 are always set. n=1: bit 3 set = offline. n=4: bits 2-3
# = roll near its end, bits 5-6 = roll out (escpos's masks include the fixed bits).
_FIXED_BITS: Final = int(esc.RT_MASK_PAPER)
_OFFLINE_BIT: Final = int(esc.RT_MASK_ONLINE)
_LOW_MASK: Final = int(esc.RT_MASK_LOWPAPER)
_OUT_MASK: Final = int(esc.RT_MASK_NOPAPER)
PAPER_STATES: Final = ("ok", "low", "out")

DOTS_PER_CHAR: Final = 12  # font A is 12×24 dots: 32 characters = 384 dots (58 mm), 48 = 576 (80 mm)
QR_BORDER: Final = 2  # quiet zone in modules; the paper margin adds to it
DEFAULT_FOOTER: Final = "请留意叫号，过号需重新排队"
NO_OPEN_WINDOW_ZH: Final = "暂无窗口办理此业务，请留意叫号"
NO_OPEN_WINDOW_EN: Final = "No window serves this right now"


@dataclass(frozen=True, slots=True)
class TicketSlip:
    """What a ticket slip says; ``issued_at`` is printed as given (pass the hall's local time)."""

    hall_name: str
    number: str
    service_name: str
    ahead: int
    issued_at: datetime
    track_url: str
    footer: str = DEFAULT_FOOTER
    no_open_window: bool = False  # no open window serves the service right now: say so, not a count alone


@dataclass(frozen=True, slots=True)
class PrinterOptions:
    """Per-printer settings. ``native_qr=False`` sends the QR code as a raster image for
    printers without the GS ( k QR command; ``bilingual`` adds English under the Chinese."""

    native_qr: bool = True
    qr_size: int = 6
    width_chars: int = 32
    cut: bool = True
    bilingual: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.qr_size <= 16:
            raise ValueError(f"qr_size {self.qr_size} is outside 1..16 (ESC/POS module size)")
        if not 16 <= self.width_chars <= 96:
            raise ValueError(f"width_chars {self.width_chars} is outside 16..96")


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    online: bool
    paper: str  # "ok" | "low" | "out"


# --- text --------------------------------------------------------------------------------
#
# Why not escpos's own text(): its magic encoder (3.1) sends the whole string as GB18030
# only when it contains a character in U+4E00–U+9FA5, and never selects Chinese mode.
# Anything else goes through its single-byte code pages: "（）：" alone comes out as
# ESC t 0 "???", and so do "〇" and "𠀀" (U+20000) on their own. So we encode ourselves:
# ASCII as ASCII, every other run as GB18030 (which covers all of Unicode) inside FS & … FS .


def text_bytes(text: str) -> bytes:
    """One line of text for the printer: ASCII as is, everything else GB18030 in Chinese mode."""
    # Control characters in names from configuration would be printer commands.
    clean = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    out = bytearray()
    for is_ascii, run in groupby(clean, key=str.isascii):
        chunk = "".join(run)
        if is_ascii:
            out += chunk.encode("ascii")
        else:
            out += CHINESE_ON + chunk.encode("gb18030", errors="replace") + CHINESE_OFF
    return bytes(out)


def _columns(ch: str) -> int:
    """Printed width in half-width columns: a character sent in Chinese mode takes two."""
    return 1 if ch.isascii() else 2


def wrap(text: str, width: int) -> list[str]:
    """Split ``text`` into lines of at most ``width`` columns (by character: Chinese has no spaces)."""
    lines: list[str] = []
    line, used = "", 0
    for ch in text:
        w = _columns(ch)
        if line and used + w > width:
            lines.append(line.rstrip())
            line, used = "", 0
            if ch == " ":
                continue
        line += ch
        used += w
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


# --- slip --------------------------------------------------------------------------------


def _printer(options: PrinterOptions) -> Dummy:
    # A profile with the paper's width in dots, so escpos centres the QR image and checks
    # its width (and does not print a warning about an unknown width).
    profile = Profile(columns=options.width_chars, features=dict(Profile.profile_data["features"]))
    pixels = options.width_chars * DOTS_PER_CHAR
    profile.profile_data = {
        **Profile.profile_data,
        "media": {"dpi": 203, "width": {"mm": round(pixels / 8), "pixels": pixels}},
    }
    return Dummy(profile=profile)


def _lines(p: Dummy, text: str, width: int) -> None:
    for line in wrap(text, width):
        p._raw(text_bytes(line) + LF)


def _qr_image(url: str, options: PrinterOptions) -> Image.Image:
    matrix = segno.make(url, error="m", micro=False).matrix
    modules = len(matrix) + 2 * QR_BORDER
    box = min(options.qr_size, options.width_chars * DOTS_PER_CHAR // modules)
    if box < 1:
        raise ValueError(f"the tracking link is too long for a QR code on {options.width_chars}-column paper")
    small = Image.new("1", (modules, modules), 1)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                small.putpixel((x + QR_BORDER, y + QR_BORDER), 0)
    return small.resize((modules * box, modules * box), Image.Resampling.NEAREST)


def render_slip(slip: TicketSlip, options: PrinterOptions = PrinterOptions()) -> bytes:
    """The bytes that print one ticket slip, from ESC @ to the cut."""
    p = _printer(options)
    width = options.width_chars
    p.hw("INIT")
    p.set(align="center", bold=True)
    _lines(p, slip.hall_name, width)
    p.set(bold=False)
    p._raw(b"-" * width + LF)
    # Double width and height (GS ! 11) applies to Chinese characters as well as ASCII.
    p.set(custom_size=True, width=2, height=2)
    _lines(p, slip.number, width // 2)
    p.set(custom_size=True, width=1, height=1)
    _lines(p, slip.service_name, width)
    _lines(p, f"前面还有 {slip.ahead} 人", width)
    if options.bilingual:
        _lines(p, f"{slip.ahead} ahead of you", width)
    if slip.no_open_window:
        _lines(p, NO_OPEN_WINDOW_ZH, width)
        if options.bilingual:
            _lines(p, NO_OPEN_WINDOW_EN, width)
    _lines(p, slip.issued_at.strftime("%Y-%m-%d %H:%M"), width)
    if slip.track_url:
        if options.native_qr:
            p.qr(slip.track_url, ec=esc.QR_ECLEVEL_M, size=options.qr_size, native=True)
        else:
            p.image(_qr_image(slip.track_url, options), impl="bitImageRaster", center=True)
        p._raw(LF)
        _lines(p, "扫码查看排队进度" + (" / scan to follow your place" if options.bilingual else ""), width)
    _lines(p, slip.footer, width)
    p.set(align="left")
    if options.cut:
        p.cut(mode="PART")  # feeds past the cutter first
    else:
        p.print_and_feed(4)
    return bytes(p.output)


# --- status ------------------------------------------------------------------------------


def parse_online(reply: bytes) -> bool:
    """The answer to DLE EOT 1. No answer means offline; the last byte is the freshest."""
    if not reply:
        return False
    return not reply[-1] & _OFFLINE_BIT


def parse_paper(reply: bytes) -> str:
    """The answer to DLE EOT 4: "ok", "low" (near end) or "out".

    No answer counts as "out": a kiosk must not issue tickets it cannot print (escpos's
    own ``paper_status`` assumes paper then).
    """
    if not reply:
        return "out"
    byte = reply[-1]
    if byte & _OUT_MASK == _OUT_MASK:
        return "out"
    if byte & _LOW_MASK == _LOW_MASK:
        return "low"
    return "ok"


def status_reply(online: bool, paper: str) -> tuple[bytes, bytes]:
    """What a printer answers to STATUS_ONLINE_QUERY and STATUS_PAPER_QUERY (for simulators)."""
    if paper not in PAPER_STATES:
        raise ValueError(f"paper must be one of {PAPER_STATES}, not {paper!r}")
    online_byte = _FIXED_BITS | (0 if online else _OFFLINE_BIT)
    # A roll that has run out has passed the near-end sensor too.
    paper_byte = {"ok": _FIXED_BITS, "low": _LOW_MASK, "out": _OUT_MASK | _LOW_MASK}[paper]
    return bytes((online_byte,)), bytes((paper_byte,))


def parse_status(online_reply: bytes, paper_reply: bytes) -> PrinterStatus:
    return PrinterStatus(parse_online(online_reply), parse_paper(paper_reply))


# --- reading slips back ------------------------------------------------------------------

# ESC and FS commands with a fixed number of parameter bytes after the command letter.
_ESC_PARAMS: Final[dict[int, int]] = {
    ord(c): n
    for c, n in {
        "@": 0, "2": 0, "!": 1, "E": 1, "-": 1, "M": 1, "a": 1, "t": 1, "d": 1, "J": 1, "{": 1,
        "G": 1, "3": 1, "r": 1, "V": 1, "R": 1, "p": 3, " ": 1, "c": 2, "$": 2, "\\": 2,
    }.items()
}  # fmt: skip
_FS_PARAMS: Final[dict[int, int]] = {ord("&"): 0, ord("."): 0, ord("!"): 1, ord("C"): 1, ord("-"): 1}
_GS_PARAMS: Final[dict[int, int]] = {ord(c): 1 for c in "!BHfhwab"} | {ord(c): 2 for c in "LWP$\\"}


class SlipParser:
    """Reads rendered slip bytes back: text lines (GB18030 in Chinese mode), QR payloads,
    raster images and cuts. Feed it in any chunks; an incomplete command waits for more.
    Blank lines are left out of ``text_lines``."""

    def __init__(self) -> None:
        self.text_lines: list[str] = []
        self.qr_payloads: list[str] = []
        self.images = 0
        self.cuts = 0
        self._buffer = bytearray()
        self._chinese = False
        self._line: list[str] = []
        self._text = bytearray()
        self._qr_stored: str | None = None

    def feed(self, data: bytes) -> None:
        self._buffer += data
        buf = self._buffer
        pos = 0
        while pos < len(buf):
            used = self._step(buf, pos)
            if used is None:
                break
            pos += used
        del buf[:pos]

    def _step(self, buf: bytearray, pos: int) -> int | None:
        """Consume one character or command at ``pos``; the bytes used, None if incomplete."""
        b = buf[pos]
        if b >= 0x20:
            end = pos + 1
            while end < len(buf) and buf[end] >= 0x20:
                end += 1
            self._text += buf[pos:end]
            return end - pos
        if b == 0x0A:
            self._end_line()
            return 1
        if b in (0x1B, 0x1C, 0x1D, 0x10):
            if pos + 1 >= len(buf):
                return None
            return self._command(buf, pos, b, buf[pos + 1])
        return 1  # CR, HT and other single control bytes print nothing we read

    def _command(self, buf: bytearray, pos: int, prefix: int, letter: int) -> int | None:
        avail = len(buf) - pos
        if prefix == 0x10:  # DLE EOT n, DLE ENQ n: real-time requests
            return 3 if avail >= 3 else None
        if prefix == 0x1B:
            if letter == ord("@"):
                self._flush_text()
                self._chinese = False
            if letter == ord("d") or letter == ord("J"):
                self._end_line()
            if letter == ord("*"):  # ESC * m nL nH: column image
                if avail < 5:
                    return None
                dots = buf[pos + 3] | buf[pos + 4] << 8
                size = 5 + dots * (3 if buf[pos + 2] in (32, 33) else 1)
                return self._image(size, avail)
            return _fixed(_ESC_PARAMS.get(letter, 0), avail)
        if prefix == 0x1C:
            if letter in (ord("&"), ord(".")):
                self._flush_text()
                self._chinese = letter == ord("&")
            return _fixed(_FS_PARAMS.get(letter, 0), avail)
        return self._gs(buf, pos, letter, avail)

    def _gs(self, buf: bytearray, pos: int, letter: int, avail: int) -> int | None:
        if letter == ord("V"):  # GS V m [n]: cut
            if avail < 3:
                return None
            size = 4 if buf[pos + 2] >= 65 else 3
            if avail < size:
                return None
            self._end_line()
            self.cuts += 1
            return size
        if letter == ord("v"):  # GS v 0 m xL xH yL yH data: raster image
            if avail < 8:
                return None
            width = buf[pos + 4] | buf[pos + 5] << 8
            height = buf[pos + 6] | buf[pos + 7] << 8
            return self._image(8 + width * height, avail)
        if letter == ord("("):  # GS ( k / GS ( L pL pH data
            if avail < 5:
                return None
            size = 5 + (buf[pos + 3] | buf[pos + 4] << 8)
            if avail < size:
                return None
            body = bytes(buf[pos + 5 : pos + size])
            if buf[pos + 2] == ord("k"):
                self._qr(body)
            elif buf[pos + 2] == ord("L") and body[1:2] in (b"2", b"\x02"):
                self.images += 1  # GS ( L fn 50: print the stored graphics
            return size
        if letter == ord("k"):  # GS k m …: barcode
            if avail < 3:
                return None
            if buf[pos + 2] <= 6:
                end = buf.find(b"\x00", pos + 3)
                return None if end < 0 else end + 1 - pos
            if avail < 4:
                return None
            return _fixed(2 + buf[pos + 3], avail)
        return _fixed(_GS_PARAMS.get(letter, 0), avail)

    def _qr(self, body: bytes) -> None:
        # cn "1" = QR; fn "P" stores the data (after m "0"), fn "Q" prints what was stored.
        if body[:1] != b"1":
            return
        if body[1:2] == b"P":
            self._qr_stored = body[3:].decode("utf-8", errors="replace")
        elif body[1:2] == b"Q" and self._qr_stored is not None:
            self.qr_payloads.append(self._qr_stored)

    def _image(self, size: int, avail: int) -> int | None:
        if avail < size:
            return None
        self.images += 1
        return size

    def _flush_text(self) -> None:
        if self._text:
            codec = "gb18030" if self._chinese else "cp437"
            self._line.append(self._text.decode(codec, errors="replace"))
            self._text.clear()

    def _end_line(self) -> None:
        self._flush_text()
        line = "".join(self._line).rstrip()
        self._line.clear()
        if line.strip():
            self.text_lines.append(line)


def _fixed(params: int, avail: int) -> int | None:
    return 2 + params if avail >= 2 + params else None


__all__ = [
    "STATUS_ONLINE_QUERY",
    "STATUS_PAPER_QUERY",
    "PrinterOptions",
    "PrinterStatus",
    "SlipParser",
    "TicketSlip",
    "parse_online",
    "parse_paper",
    "parse_status",
    "render_slip",
    "status_reply",
    "text_bytes",
]
