"""A city manager's reach: the halls below theirs, from the hall file's tree.

Accounts store one hall per manager; what lies below it is the configuration's to say, so
the principal a request resolves to is given its reach here, where the configuration is
known, and ``Principal`` asks only ``hall in reach``.
"""

from __future__ import annotations

from dataclasses import replace

from ..config import Config, reach
from ..principal import Role
from .service import Caller


def with_reach(caller: Caller | None, config: Config) -> Caller | None:
    """``caller`` with a city manager's halls below their own filled in (others unchanged)."""
    if caller is None or caller.principal.role is not Role.CITY or caller.principal.hall is None:
        return caller
    below = reach(config, caller.principal.hall) - {caller.principal.hall}
    return replace(caller, principal=replace(caller.principal, reach=below))


__all__ = ["with_reach"]
