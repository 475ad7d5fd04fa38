"""The expiry rules every token obeys, whether issued, extended or rotated."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.domain.errors import InvalidInput

# A leaked secret stops working within this long, however its token got its expiry.
MAX_LIFETIME = timedelta(days=365)


def when_text(moment: datetime) -> str:
    """``moment`` as the token rules' messages name it: minutes, in UTC."""
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def check_lifetime(expires_at: datetime, now: datetime) -> None:
    """Refuse an expiry more than ``MAX_LIFETIME`` from ``now``, the clock's present.

    Raises:
        InvalidInput: at ``expires_at``, naming the latest expiry allowed.
    """
    latest = now + MAX_LIFETIME
    if expires_at > latest:
        raise InvalidInput(
            {
                "expires_at": f"A token can be valid for at most {MAX_LIFETIME.days} days "
                f"from now, that is until {when_text(latest)}."
            }
        )


def check_issue_expiry(expires_at: datetime, now: datetime) -> None:
    """Refuse the expiry of a token about to be issued unless it is in the future and allowed.

    A token born expired would be a secret shown once for nothing.

    Raises:
        InvalidInput: at ``expires_at``.
    """
    if expires_at <= now:
        raise InvalidInput({"expires_at": "The expiry must be in the future."})
    check_lifetime(expires_at, now)


def check_extension_expiry(expires_at: datetime, now: datetime) -> None:
    """Refuse a new expiry for existing tokens unless it is in the future and allowed.

    Checked once for a whole bulk extend, before any row is touched, as well as for one.

    Raises:
        InvalidInput: at ``expires_at``.
    """
    if expires_at <= now:
        raise InvalidInput(
            {
                "expires_at": "The new expiry must be in the future; an earlier time "
                "would leave the token expired."
            }
        )
    check_lifetime(expires_at, now)
