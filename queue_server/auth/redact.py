"""Keep secrets out of log lines.

uvicorn's access log prints each request's full path, and a screen's WebSocket carries its
device token in the query string (``/ws/halls/demo?access_token=hqd_…``), a phone its
ticket token (``?token=…``). ``RedactSecrets`` is a ``logging.Filter`` for every handler:
it masks the value of secret-bearing query parameters and anything shaped like a HallQ secret
(``hqd_…``, ``hqs_…``), and leaves the rest of the line (the path) as it was.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

MASK = "***"
# A query parameter whose value is a secret: token, access_token, csrf_token, password, secret.
_QUERY_SECRET = re.compile(r"([?&;](?:[\w.-]*token|password|passwd|secret)=)[^&;#\s\"']*", re.IGNORECASE)
# A HallQ bearer secret anywhere (a header echoed in an error, a URL in a traceback).
_HALLQ_SECRET = re.compile(r"\b(hq[ds])_[A-Za-z0-9_-]+")
_PLAIN = (int, float, bool, type(None))


def redact(text: str) -> str:
    """``text`` with secrets masked."""
    if "=" not in text and "hq" not in text:
        return text  # the common case, cheaply
    return _HALLQ_SECRET.sub(rf"\1_{MASK}", _QUERY_SECRET.sub(rf"\1{MASK}", text))


def _arg(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, _PLAIN):
        return value  # keeps %d and friends working
    text = str(value)
    masked = redact(text)
    return value if masked == text else masked


class RedactSecrets(logging.Filter):
    """Masks secrets in a record's message, arguments and traceback before any handler formats it.

    The arguments are masked one by one, not merged into the message: uvicorn's access
    formatter reads them by position (client, method, path, HTTP version, status).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {k: _arg(v) for k, v in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_arg(a) for a in record.args)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
