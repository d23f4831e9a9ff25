"""Short texts for lengths of time and moments, as the tables show them."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def short_duration(length: timedelta) -> str:
    """A length of time in its two largest units: "3 d 4 h", "2 h 5 min", "7 min", "12 s".
    A negative length (clocks apart) counts as zero."""
    seconds = max(0, int(length.total_seconds()))
    if seconds >= DAY:
        days, hours = divmod(seconds // HOUR, 24)
        return f"{days} d {hours} h" if hours else f"{days} d"
    if seconds >= HOUR:
        hours, minutes = divmod(seconds // MINUTE, 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if seconds >= MINUTE:
        return f"{seconds // MINUTE} min"
    return f"{seconds} s"


def exact_time(moment: datetime) -> str:
    """A moment in the local time zone to the second: "2025-06-01 10:00:00 UTC"."""
    return date_format(timezone.localtime(moment), "Y-m-d H:i:s T")


def time_ago(moment: datetime | None, now: datetime | None = None) -> SafeString | str:
    """ "5 min ago", with the exact time in the tooltip; "never" without a moment."""
    if moment is None:
        return "never"
    now = now or timezone.now()
    return format_html(
        '<time datetime="{}" title="{}">{} ago</time>',
        moment.isoformat(),
        exact_time(moment),
        short_duration(now - moment),
    )
