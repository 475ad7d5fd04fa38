"""The columns of the three tables, declared once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from PySide6.QtGui import QColor

from app.domain.clock import Clock
from app.domain.events import Event
from app.domain.tokens import Token, TokenHealth, TokenStatus
from app.domain.users import User
from ui.format import ROLE_LABELS, exact, local, relative
from ui.tabs import token_style
from ui.tabs.owners import OwnerDirectory
from ui.tabs.table_model import RIGHT, Column

STATUS_LABELS = token_style.LABELS


def user_columns(health: Callable[[int], TokenHealth | None]) -> list[Column[User]]:
    """Users: who they are, what they may do, whether they may sign in, their tokens."""

    def tokens(user: User) -> str:
        known = health(user.id)
        if known is None or not (known.expired or known.expiring):
            return ""
        parts = [f"{known.expired} expired"] if known.expired else []
        parts += [f"{known.expiring} expiring soon"] if known.expiring else []
        return " · ".join(parts)

    def tokens_colour(user: User) -> QColor:
        known = health(user.id)
        status = TokenStatus.EXPIRED if known and known.expired else TokenStatus.EXPIRING_SOON
        return token_style.colour(status)

    return [
        Column("id", "ID", lambda u: str(u.id), sort="id", align=RIGHT, width=70),
        Column("email", "Email", lambda u: u.email, sort="email", width=260),
        Column("display_name", "Name", lambda u: u.display_name, sort="display_name", width=220),
        Column("role", "Role", lambda u: ROLE_LABELS[u.role], width=120),
        Column("active", "Active", lambda u: "Yes" if u.is_active else "No", width=70),
        Column(
            "created_at",
            "Created",
            lambda u: local(u.created_at),
            sort="created_at",
            tooltip=lambda u: exact(u.created_at),
            width=140,
        ),
        Column(
            "tokens",
            "Tokens needing attention",
            tokens,
            colour=tokens_colour,
            width=200,
        ),
    ]


def token_columns(
    clock: Clock, soon: Callable[[], timedelta], owners: OwnerDirectory
) -> list[Column[Token]]:
    """Tokens: status and expiry first, since that is what people come to see."""

    def status_of(token: Token) -> TokenStatus:
        return token.status(clock(), soon())

    def status(token: Token) -> str:
        return STATUS_LABELS[status_of(token)]

    def status_tip(token: Token) -> str:
        if token.revoked_at is not None:
            who = f" by {token.revoked_by}" if token.revoked_by else ""
            return f"Revoked {relative(token.revoked_at, clock())}{who}\n{exact(token.revoked_at)}"
        return f"Expires {relative(token.expires_at, clock())}\n{exact(token.expires_at)}"

    return [
        Column("id", "ID", lambda t: str(t.id), sort="id", align=RIGHT, width=60),
        Column(
            "status",
            "Status",
            status,
            tooltip=status_tip,
            icon=lambda t: token_style.icon(status_of(t)),
            colour=lambda t: token_style.colour(status_of(t)),
            width=120,
        ),
        Column("name", "Name", lambda t: t.name, sort="name", width=160),
        Column("prefix", "Prefix", lambda t: f"{t.prefix}…", width=120),
        Column(
            "owner",
            "Owner",
            lambda t: owners.label(t.owner_id),
            tooltip=lambda t: owners.tooltip(t.owner_id),
            width=150,
        ),
        Column(
            "scopes",
            "Scopes",
            lambda t: ", ".join(t.scopes),
            tooltip=lambda t: "\n".join(t.scopes) or "No scopes",
            width=140,
        ),
        *_token_times(clock),
    ]


def _token_times(clock: Clock) -> list[Column[Token]]:
    """Expiry, last use and creation: relative to the clock where that reads faster."""

    def expires(token: Token) -> str:
        return f"{relative(token.expires_at, clock())} · {local(token.expires_at)}"

    return [
        Column(
            "expires_at",
            "Expires",
            expires,
            sort="expires_at",
            tooltip=lambda t: exact(t.expires_at),
            width=220,
        ),
        Column(
            "last_used_at",
            "Last used",
            lambda t: relative(t.last_used_at, clock()),
            tooltip=lambda t: exact(t.last_used_at),
            width=95,
        ),
        Column(
            "created_at",
            "Created",
            lambda t: local(t.created_at),
            sort="created_at",
            tooltip=lambda t: exact(t.created_at),
            width=140,
        ),
    ]


def event_columns(owners: OwnerDirectory) -> list[Column[Event]]:
    """Events: when, what, where, whose."""

    def when(event: Event) -> str:
        if event.all_day:
            start, end = event.starts_at.astimezone(), event.ends_at.astimezone()
            return (
                f"{start:%Y-%m-%d} (all day)"
                if start.date() == end.date()
                else (f"{start:%Y-%m-%d} – {end:%Y-%m-%d} (all day)")
            )
        return local(event.starts_at)

    def duration(event: Event) -> str:
        minutes = int((event.ends_at - event.starts_at).total_seconds() // 60)
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest:02d} min" if hours else f"{rest} min"

    return [
        Column("id", "ID", lambda e: str(e.id), sort="id", align=RIGHT, width=70),
        Column(
            "starts_at",
            "Starts",
            when,
            sort="starts_at",
            tooltip=lambda e: exact(e.starts_at),
            width=170,
        ),
        Column("duration", "Duration", duration, align=RIGHT, width=90),
        Column("title", "Title", lambda e: e.title, sort="title", width=240),
        Column("location", "Location", lambda e: e.location, width=160),
        Column(
            "owner",
            "Owner",
            lambda e: owners.label(e.owner_id),
            tooltip=lambda e: owners.tooltip(e.owner_id),
            width=180,
        ),
        Column(
            "ends_at",
            "Ends",
            lambda e: local(e.ends_at),
            tooltip=lambda e: exact(e.ends_at),
            width=140,
        ),
    ]
