"""Caller-pad keys mapped to the clerk console's window actions, row by row."""

from __future__ import annotations

import pytest

from counters.pad_keys import (
    KEY_CALL_NEXT,
    KEY_CANCEL,
    KEY_CONFIRM,
    KEY_EVALUATE,
    KEY_PAUSE,
    KEY_RECALL,
    KEY_TRANSFER,
    PAUSE_REASON,
    PadContext,
    Refusal,
    ShowState,
    WindowCommand,
    command_for,
)
from queue_server.api.windows import ACTIONS

OPEN = PadContext("open", (17, 23))
PAUSED = PadContext("paused", ())
CLOSED = PadContext("closed", ())


@pytest.mark.parametrize(
    ("key", "digits", "ctx", "expected"),
    [
        (KEY_CALL_NEXT, (), OPEN, WindowCommand("call-next", {})),
        (KEY_RECALL, (), OPEN, WindowCommand("recall", {})),
        (KEY_EVALUATE, (), OPEN, WindowCommand("finish", {})),
        (KEY_PAUSE, (), OPEN, WindowCommand("pause", {"reason": "呼叫器暂停 / paused at the caller pad"})),
        (KEY_PAUSE, (), PAUSED, WindowCommand("resume", {})),
        (KEY_TRANSFER, (1, 2), OPEN, WindowCommand("transfer", {"window": 12})),
        (KEY_TRANSFER, (0, 3), OPEN, WindowCommand("transfer", {"window": 3})),
        (KEY_TRANSFER, (9, 9, 9, 9), OPEN, WindowCommand("transfer", {"window": 9999})),
        (KEY_CANCEL, (), OPEN, ShowState()),
        (KEY_CANCEL, (4, 5), OPEN, ShowState()),
        (KEY_CONFIRM, (6,), OPEN, WindowCommand("no-show", {})),
        (KEY_CONFIRM, (0,), OPEN, WindowCommand("hold", {})),
        (KEY_CONFIRM, (3,), OPEN, WindowCommand("call-back/23", {})),  # the most recently held
    ],
)
def test_table(key: int, digits: tuple[int, ...], ctx: PadContext, expected: object) -> None:
    assert command_for(key, digits, ctx) == expected


@pytest.mark.parametrize(
    ("key", "digits", "ctx"),
    [
        pytest.param(KEY_PAUSE, (), CLOSED, id="pause-on-closed-window"),
        pytest.param(KEY_PAUSE, (), PadContext("bogus", ()), id="pause-unknown-state"),
        pytest.param(KEY_TRANSFER, (), OPEN, id="transfer-without-window"),
        pytest.param(KEY_TRANSFER, (0,), OPEN, id="transfer-to-window-0"),
        pytest.param(KEY_TRANSFER, (1, 0, 0, 0, 0), OPEN, id="transfer-beyond-9999"),
        pytest.param(KEY_CONFIRM, (3,), PAUSED, id="call-back-nothing-held"),
        pytest.param(KEY_CONFIRM, (), OPEN, id="confirm-alone"),
        pytest.param(KEY_CONFIRM, (5,), OPEN, id="confirm-unknown-digit"),
        pytest.param(KEY_CONFIRM, (6, 6), OPEN, id="confirm-two-digits"),
        pytest.param(KEY_CALL_NEXT, (1,), OPEN, id="digits-before-call-next"),
        pytest.param(KEY_RECALL, (2,), OPEN, id="digits-before-recall"),
        pytest.param(KEY_EVALUATE, (2,), OPEN, id="digits-before-evaluate"),
        pytest.param(KEY_PAUSE, (2,), OPEN, id="digits-before-pause"),
        pytest.param(0x20, (), OPEN, id="unknown-key"),
        pytest.param(KEY_CONFIRM, (12,), OPEN, id="not-a-digit"),
    ],
)
def test_refusals(key: int, digits: tuple[int, ...], ctx: PadContext) -> None:
    result = command_for(key, digits, ctx)
    assert isinstance(result, Refusal)
    assert result.reason_zh and result.reason_en
    assert result.reason_zh != result.reason_en


def test_keys_match_the_pad_protocol() -> None:
    # Same bytes as hardware.padbus.PadKey (PROTOCOLS.md §2), without importing hardware.
    assert (KEY_EVALUATE, KEY_CALL_NEXT, KEY_RECALL, KEY_CANCEL, KEY_CONFIRM, KEY_PAUSE, KEY_TRANSFER) == (
        0x0B,
        0x0C,
        0x0D,
        0x0E,
        0x0F,
        0x12,
        0x13,
    )


def test_every_action_is_one_the_api_knows() -> None:
    ctxs = (OPEN, PAUSED)
    seen: set[str] = set()
    for key in range(256):
        for digits in ((), (0,), (3,), (6,), (1, 2)):
            for ctx in ctxs:
                result = command_for(key, digits, ctx)
                if isinstance(result, WindowCommand):
                    seen.add(result.action.split("/")[0])
    assert seen <= set(ACTIONS) | {"call-back"}
    assert seen == {"call-next", "recall", "finish", "pause", "resume", "transfer", "no-show", "hold", "call-back"}
    assert command_for(KEY_PAUSE, (), OPEN) == WindowCommand("pause", {"reason": PAUSE_REASON})
