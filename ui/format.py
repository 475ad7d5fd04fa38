"""How things read on screen: local time, relative time, UTC in tooltips, counts, roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain.users import Role

_UNITS = (
    (timedelta(days=365), "year"),
    (timedelta(days=30), "month"),
    (timedelta(days=7), "week"),
    (timedelta(days=1), "day"),
    (timedelta(hours=1), "hour"),
    (timedelta(minutes=1), "minute"),
)

# What a count's tooltip says when it is an estimate, or stops at a limit.
ESTIMATE_TIP = (
    "An estimate from the database's statistics: counting every row of a table "
    "this large would take a moment."
)
MORE_TIP = "Counting stops here; narrow the search or the filters to see an exact number."
ROLE_LABELS = {Role.ADMINISTRATOR: "Administrator", Role.STAFF: "Staff", Role.MEMBER: "Member"}


def local(moment: datetime | None) -> str:
    """``2026-11-26 18:05`` in the computer's time zone ("" for no time)."""
    if moment is None:
        return ""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def exact(moment: datetime | None) -> str:
    """Local time with its zone, then UTC, for a tooltip."""
    if moment is None:
        return "Never"
    here, utc = moment.astimezone(), moment.astimezone(UTC)
    return f"{here:%Y-%m-%d %H:%M:%S} {here.tzname()}\n{utc:%Y-%m-%d %H:%M:%S} UTC"


def relative(moment: datetime | None, now: datetime) -> str:
    """``in 3 days``, ``2 hours ago``, ``just now``."""
    if moment is None:
        return "never"
    delta = moment - now
    size = abs(delta)
    for unit, name in _UNITS:
        if size >= unit:
            count = int(size / unit)
            words = f"{count} {name}{'s' if count != 1 else ''}"
            return f"in {words}" if delta > timedelta(0) else f"{words} ago"
    return "just now"


def count(n: int, noun: str, *, estimated: bool = False, more: bool = False) -> str:
    """``1 user``, ``12,345 users``, ``about 1,000,000 tokens``, ``more than 10,000 users``."""
    words = f"{n:,} {noun}{'' if n == 1 else 's'}"
    if more:
        return f"more than {words}"
    return f"about {words}" if estimated else words
