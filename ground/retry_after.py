"""The Retry-After header (RFC 9110, 10.2.3): how long a server that answered 429 or 503
asks to be left alone. Read the same way by the crawl and by the external-link checks."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """The wait asked for, in seconds (a number of seconds or an HTTP date); None when
    the header is missing or unreadable."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
