"""Ticket numbers and places in line."""

from __future__ import annotations

from collections.abc import Sequence


def format_number(prefix: str, n: int) -> str:
    """A017: the service's prefix letter and the day's running number (3 digits, more if needed)."""
    if n < 1:
        raise ValueError(f"ticket numbers start at 1, got {n}")
    return f"{prefix}{n:03d}"


def requeue_key(keys: Sequence[int], after: int, now_us: int) -> int:
    """Order key that puts a reactivated ticket behind ``after`` waiting people.

    ``keys`` are the sorted order keys of the first ``after + 1`` people in that
    line. With fewer people waiting the ticket goes to the end of the line.
    """
    if after <= 0:
        return min(keys[0] - 1, now_us) if keys else now_us
    if len(keys) <= after:
        return max(now_us, keys[-1] + 1) if keys else now_us
    return keys[after - 1] + 1
