"""The simulator page (``run.py --simulate-devices``): watch the frames go out and press virtual keys.

    /simulator/{hall}                       the page (Chinese first, ?lang=en)
    GET  /simulator/api/{hall}              what every virtual device shows, and the recent bytes
    POST /simulator/api/{hall}/press        {"window": n, "key": "call"|…, "score": 1..5}
    POST /simulator/api/{hall}/plug         {"line": "led"|"pads"|"printer", "plugged": bool}

Only mounted when the devices are simulated: it is a demonstration and test bench, not
a way to act on a real hall (its presses are the pads', audited as the serial device).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from queue_server import json_object

from ..padbus import PadKey
from .demo import EVALUATION_BASE, HALL_SCREEN, SimulatedHall

HERE = Path(__file__).resolve().parent.parent
# The pad's keys by name: the key byte, and the digits typed before it.
KEYS: dict[str, tuple[int, tuple[int, ...]]] = {
    "call": (PadKey.CALL_NEXT, ()),
    "recall": (PadKey.RECALL, ()),
    "finish": (PadKey.EVALUATE, ()),
    "pause": (PadKey.PAUSE, ()),
    "no-show": (PadKey.CONFIRM, (6,)),
    "hold": (PadKey.CONFIRM, (0,)),
    "call-back": (PadKey.CONFIRM, (3,)),
    "cancel": (PadKey.CANCEL, ()),
}


def state(sim: SimulatedHall) -> dict[str, Any]:
    now = time.monotonic()
    screens = sim.screens.screens
    windows = sorted(a for a in screens if a != HALL_SCREEN)
    pads = sim.pads.pads
    return {
        "windows": [
            {
                "number": n,
                "led": screens[n].lines,
                "pad": pads[n].display if n in pads else "",
                "beeps": pads[n].beeps if n in pads else 0,
                "asked": pads[EVALUATION_BASE + n].asked if EVALUATION_BASE + n in pads else 0,
            }
            for n in windows
        ],
        "hall_led": screens[HALL_SCREEN].lines if HALL_SCREEN in screens else [],
        "printer": {
            "slips": sim.printer.slips,
            "lines": sim.printer.parser.text_lines[-12:],
            "paper": sim.printer.paper,
        },
        "lines": {
            name: {
                "plugged": s.port.plugged,
                "traffic": [
                    {"ago_ms": int((now - t) * 1000), "dir": d, "hex": b[:64].hex(" ") + (" …" if len(b) > 64 else "")}
                    for t, d, b in list(s.traffic)[-12:]
                ],
            }
            for name, s in (("led", sim.screens), ("pads", sim.pads), ("printer", sim.printer))
        },
    }


def routes(sims: dict[str, SimulatedHall]) -> list[BaseRoute]:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))

    def find(request: Request) -> SimulatedHall | None:
        return sims.get(request.path_params["hall"])

    async def page(request: Request) -> Response:
        if find(request) is None:
            return JSONResponse({"error": {"code": "not_found", "message": "没有模拟设备 / no simulated hall"}}, 404)
        lang = "en" if request.query_params.get("lang") == "en" else "zh"
        html = env.get_template("simulator.html").render(hall=request.path_params["hall"], lang=lang)
        return HTMLResponse(html)

    async def read(request: Request) -> Response:
        sim = find(request)
        if sim is None:
            return JSONResponse({"error": {"code": "not_found", "message": "没有模拟设备 / no simulated hall"}}, 404)
        return JSONResponse(state(sim))

    async def press(request: Request) -> Response:
        sim = find(request)
        body = await _body(request)
        if sim is None or not isinstance(body, dict):
            return _bad("需要 JSON 对象 / a JSON object body is required")
        window = body.get("window")
        if not isinstance(window, int) or window not in sim.pads.pads:
            return _bad(f"没有这个窗口的呼叫器 / no simulated pad for window {window!r}")
        if "score" in body:
            score = body["score"]
            if not isinstance(score, int) or not 1 <= score <= 5:
                return _bad("评分须为 1..5 / score must be 1..5")
            sim.pads.rate(EVALUATION_BASE + window, score)
        elif body.get("key") in KEYS:
            key, digits = KEYS[str(body["key"])]
            sim.pads.press(window, key, digits)
        else:
            return _bad(f"key 须为 {', '.join(KEYS)} 之一 / key must be one of {', '.join(KEYS)}")
        return JSONResponse({"ok": True})

    async def plug(request: Request) -> Response:
        sim = find(request)
        body = await _body(request)
        if sim is None or not isinstance(body, dict):
            return _bad("需要 JSON 对象 / a JSON object body is required")
        device = {"led": sim.screens, "pads": sim.pads, "printer": sim.printer}.get(str(body.get("line")))
        if device is None:
            return _bad("line 须为 led、pads 或 printer / line must be led, pads or printer")
        if body.get("plugged") and not device.port.plugged:
            device.replug()
        elif not body.get("plugged") and device.port.plugged:
            device.unplug()
        return JSONResponse({"ok": True})

    return [
        Route("/simulator/{hall}", page),
        Route("/simulator/api/{hall}", read),
        Route("/simulator/api/{hall}/press", press, methods=["POST"]),
        Route("/simulator/api/{hall}/plug", plug, methods=["POST"]),
    ]


async def _body(request: Request) -> Any:
    """The JSON object posted, read by the server's own checked reader (size, depth, text);
    a bad body is its 4xx, raised."""
    return (await json_object(request)).data


def _bad(message: str) -> Response:
    return JSONResponse({"error": {"code": "bad_request", "message": message}}, status_code=400)
