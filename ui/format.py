"""How things read on screen: local time, relative time, UTC in tooltips, counts, roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.domain.users import Role


@dataclass(frozen=True, slots=True)
class Counted:
    """The phrases that count one kind of thing, each whole: exact, estimated, at a limit.

    ``{n}`` stands for the number. Estimates and limits are only ever large numbers.
    """

    one: str
    other: str
    about: str
    more: str


COUNTED = {
    "user": Counted("{n} user", "{n} users", "about {n} users", "more than {n} users"),
    "token": Counted("{n} token", "{n} tokens", "about {n} tokens", "more than {n} tokens"),
    "event": Counted("{n} event", "{n} events", "about {n} events", "more than {n} events"),
}

_UNITS = (
    (timedelta(days=365), ("{n} year", "{n} years")),
    (timedelta(days=30), ("{n} month", "{n} months")),
    (timedelta(days=7), ("{n} week", "{n} weeks")),
    (timedelta(days=1), ("{n} day", "{n} days")),
    (timedelta(hours=1), ("{n} hour", "{n} hours")),
    (timedelta(minutes=1), ("{n} minute", "{n} minutes")),
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
    for unit, (one, other) in _UNITS:
        if size >= unit:
            words = plural(int(size / unit), one, other)
            return f"in {words}" if delta > timedelta(0) else f"{words} ago"
    return "just now"


def plural(n: int, one: str, other: str) -> str:
    """The sentence for ``n`` things: ``one`` when there is one, else ``other``.

    Each form is a whole sentence, ``{n}`` standing for the number (``1,234``), so that a
    translation layer can later put a language's own forms in place of this function.
    ``{n}`` is replaced literally: braces in names put into the forms are left alone.
    """
    return (one if n == 1 else other).replace("{n}", f"{n:,}")


def count(n: int, noun: str, *, estimated: bool = False, more: bool = False) -> str:
    """``1 user``, ``12,345 users``, ``about 1,000,000 tokens``, ``more than 10,000 users``.

    ``noun`` is a key of :data:`COUNTED` (``"user"``, ``"token"``, ``"event"``).
    """
    counted = COUNTED[noun]
    if more:
        return plural(n, counted.more, counted.more)
    if estimated:
        return plural(n, counted.about, counted.about)
    return plural(n, counted.one, counted.other)


def deletion_detail(users: int, tokens: int, events: int) -> str:
    """What goes with the users being deleted: their tokens and events, or nothing."""
    if tokens and events:
        owned = "{tokens} and {events}".format(
            tokens=count(tokens, "token"), events=count(events, "event")
        )
    else:
        owned = count(tokens, "token") if tokens else count(events, "event") if events else ""
    if not owned:
        return plural(
            users, "Nothing else belongs to this user.", "Nothing else belongs to these users."
        )
    return plural(
        users, "Deleted with this user: {owned}.", "Deleted with these users: {owned}."
    ).replace("{owned}", owned)
