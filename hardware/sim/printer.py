"""An ESC/POS ticket printer that keeps what it printed and answers DLE EOT status queries."""

from __future__ import annotations

from pathlib import Path

from .. import printer
from .base import Simulator


class PrinterSim(Simulator):
    def __init__(self, path: str | Path) -> None:
        super().__init__(path)
        self.online = True
        self.paper = "ok"  # ok | low | out
        self.parser = printer.SlipParser()

    def on_bytes(self, data: bytes) -> None:
        # Status queries are answered at once, as real printers do, even mid-job.
        online_reply, paper_reply = printer.status_reply(self.online, self.paper)
        rest = bytearray()
        i = 0
        while i < len(data):
            chunk = data[i : i + 3]
            if chunk == printer.STATUS_ONLINE_QUERY:
                self.send(online_reply)
                i += 3
            elif chunk == printer.STATUS_PAPER_QUERY:
                self.send(paper_reply)
                i += 3
            else:
                rest.append(data[i])
                i += 1
        if rest and self.online and self.paper != "out":
            self.parser.feed(bytes(rest))

    @property
    def slips(self) -> int:
        return self.parser.cuts

    def text(self) -> list[str]:
        with self._changed:
            return list(self.parser.text_lines)
