"""API tokens issued to users: expiry, status and the rules of their lifecycle."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# Re-exported: a bulk revoke or extend reports with the other bulk actions' result.
from app.domain.bulk import BulkResult as BulkResult
from app.domain.validation import Input, RequiredText, UtcDatetime

NAME_MAX = 200
# Each has an index (the field, then id), so a sorted page is as fast deep in the table.
SORTS = frozenset({"id", "name", "created_at", "expires_at"})
SCOPE_MAX = 64
SCOPES_MAX = 50
PREFIX_LENGTH = 12
DEFAULT_SOON = timedelta(days=7)
MAX_LIFETIME = timedelta(days=365)
DEFAULT_LIFETIME = timedelta(days=30)
# Unused (and not expired) this long, a token is "idle": probably forgotten.
IDLE_AFTER = timedelta(days=90)
REVOKED_BY_MAX = 200

_SCOPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9:._/-]*")


class TokenStatus(StrEnum):
    """Where a token stands at a given moment."""

    ACTIVE = "active"
    EXPIRING_SOON = "expiring_soon"
    EXPIRED = "expired"
    REVOKED = "revoked"


def token_status(
    expires_at: datetime, revoked_at: datetime | None, now: datetime, soon: timedelta
) -> TokenStatus:
    """The status rule, in one place.

    Revoked wins over expired. A token is expired from the instant ``expires_at`` is
    reached, and expiring soon while it has ``soon`` or less left.
    """
    if revoked_at is not None:
        return TokenStatus.REVOKED
    if now >= expires_at:
        return TokenStatus.EXPIRED
    if expires_at - now <= soon:
        return TokenStatus.EXPIRING_SOON
    return TokenStatus.ACTIVE


class QuickFilter(StrEnum):
    """The one-click filters of the Tokens tab, each judged at a moment ``now``."""

    EXPIRED = "expired"  # not revoked and expires_at <= now
    EXPIRING = "expiring"  # not revoked and now < expires_at <= now + soon
    ACTIVE = "active"  # not revoked and expires_at > now + soon
    REVOKED = "revoked"  # revoked_at is not null
    NEVER_USED = "never_used"  # not revoked and last_used_at is null
    IDLE = "idle"  # not revoked, not expired, last used (or created) IDLE_AFTER or more ago


def in_quick_filter(token: Token, quick: QuickFilter, now: datetime, soon: timedelta) -> bool:
    """Whether ``token`` is in ``quick`` at ``now``: the rule the SQL adapter mirrors."""
    if quick is QuickFilter.REVOKED:
        return token.revoked_at is not None
    if token.revoked_at is not None:
        return False
    match quick:
        case QuickFilter.EXPIRED:
            return token.expires_at <= now
        case QuickFilter.EXPIRING:
            return now < token.expires_at <= now + soon
        case QuickFilter.ACTIVE:
            return token.expires_at > now + soon
        case QuickFilter.NEVER_USED:
            return token.last_used_at is None
        case QuickFilter.IDLE:
            last_seen = token.last_used_at or token.created_at
            return token.expires_at > now and last_seen <= now - IDLE_AFTER
    return False


def _scopes(values: tuple[str, ...]) -> tuple[str, ...]:
    if len(values) > SCOPES_MAX:
        raise ValueError(f"At most {SCOPES_MAX} scopes.")
    cleaned: list[str] = []
    for raw in values:
        scope = raw.strip()
        if not scope or len(scope) > SCOPE_MAX or not _SCOPE.fullmatch(scope):
            raise ValueError(
                f"Scope {raw[:SCOPE_MAX]!r} is not valid: use up to {SCOPE_MAX} letters, digits "
                "and : . _ / - without spaces."
            )
        if scope not in cleaned:
            cleaned.append(scope)
    return tuple(cleaned)


Scopes = Annotated[tuple[str, ...], AfterValidator(_scopes)]


class TokenRequest(Input):
    """What an administrator asks for when issuing a token."""

    owner_id: int = Field(gt=0)
    name: RequiredText = Field(max_length=NAME_MAX)
    scopes: Scopes = ()
    expires_at: UtcDatetime


class NewToken(Input):
    """A token ready to be stored: the request plus the hash and prefix of its secret."""

    owner_id: int = Field(gt=0)
    name: RequiredText = Field(max_length=NAME_MAX)
    scopes: Scopes = ()
    prefix: str = Field(min_length=1, max_length=PREFIX_LENGTH)
    secret_hash: str = Field(min_length=64, max_length=64, pattern=r"^[0-9a-f]{64}$")
    created_at: UtcDatetime
    expires_at: UtcDatetime


class TokenPatch(Input):
    """Changes to a token; fields left unset keep their value."""

    name: RequiredText | None = Field(default=None, max_length=NAME_MAX)
    scopes: Scopes | None = None
    expires_at: UtcDatetime | None = None
    revoked_at: UtcDatetime | None = None
    last_used_at: UtcDatetime | None = None
    revoked_by: RequiredText | None = Field(default=None, max_length=REVOKED_BY_MAX)


class Token(BaseModel):
    """A stored token. It holds the hash of the secret, never the secret."""

    model_config = ConfigDict(frozen=True)

    id: int
    owner_id: int
    name: str
    scopes: tuple[str, ...]
    prefix: str
    secret_hash: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    version: int
    revoked_by: str | None = None  # who revoked it, as Tessera knew them

    def is_expired(self, now: datetime) -> bool:
        """True from the instant the expiry time is reached."""
        return now >= self.expires_at

    def status(self, now: datetime, soon: timedelta = DEFAULT_SOON) -> TokenStatus:
        """Active, expiring soon (``soon`` or less left), expired or revoked."""
        return token_status(self.expires_at, self.revoked_at, now, soon)


@dataclass(frozen=True, slots=True)
class TokenFilter:
    """What the Tokens list shows; every condition given must hold.

    ``statuses`` and ``quick`` need ``as_of`` (the clock's now) and ``soon`` to mean
    anything. ``expires_from``/``expires_to`` are half-open: from <= expires_at < to.
    """

    owner_id: int | None = None
    search: str | None = None
    statuses: frozenset[TokenStatus] = frozenset()
    as_of: datetime | None = None
    soon: timedelta = DEFAULT_SOON
    quick: QuickFilter | None = None
    expires_from: datetime | None = None
    expires_to: datetime | None = None


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly issued token and its secret, which is shown once and never stored."""

    token: Token
    secret: str


@dataclass(frozen=True, slots=True)
class ExpiryBucket:
    """How many unrevoked tokens expire in [starts, ends).

    The first bucket of a histogram is "already expired": ``starts`` is None and, as a
    token is expired from the instant it reaches its expiry, it holds ``expires_at <= ends``.
    """

    starts: datetime | None
    ends: datetime
    count: int


@dataclass(frozen=True, slots=True)
class TokenHealth:
    """A user's unrevoked tokens that need attention."""

    expired: int  # expires_at <= now
    expiring: int  # now < expires_at <= now + soon
