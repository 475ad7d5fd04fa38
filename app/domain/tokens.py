"""API tokens issued to users: expiry, status and the rules of their lifecycle."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# Re-exported: a bulk revoke or extend reports with the other bulk actions' result.
from app.domain.bulk import BulkResult as BulkResult
from app.domain.errors import InvalidInput, NotAllowed
from app.domain.token_rules import MAX_LIFETIME as MAX_LIFETIME
from app.domain.token_rules import check_extension_expiry, check_issue_expiry, when_text
from app.domain.validation import Input, RequiredText, UtcDatetime

NAME_MAX = 200
# Each has an index (the field, then id), so a sorted page is as fast deep in the table.
SORTS = frozenset({"id", "name", "created_at", "expires_at"})
SCOPE_MAX = 64
SCOPES_MAX = 50
PREFIX_LENGTH = 12
DEFAULT_SOON = timedelta(days=7)
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


def valid_expiry(expires_at: datetime) -> datetime:
    """``expires_at`` validated like any input: a naive time is refused, others become UTC.

    Raises:
        InvalidInput: at ``expires_at``, for a naive time or one outside the calendar.
    """
    valid = TokenPatch(expires_at=expires_at).expires_at
    assert valid is not None
    return valid


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

    def issued(self, prefix: str, secret_hash: str, now: datetime) -> NewToken:
        """The token to store for this request, issued at ``now`` with this secret's hash.

        Raises:
            InvalidInput: the expiry is not in the future or beyond the maximum lifetime.
        """
        check_issue_expiry(self.expires_at, now)
        return NewToken(
            owner_id=self.owner_id,
            name=self.name,
            scopes=self.scopes,
            prefix=prefix,
            secret_hash=secret_hash,
            created_at=now,
            expires_at=self.expires_at,
        )


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

    def changes(self) -> dict[str, object]:
        """Only the fields this patch sets, as a repository's update takes them."""
        return self.model_dump(exclude_unset=True)


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

    def revoked(self, by: str, at: datetime) -> TokenPatch:
        """The change that revokes this token from ``at``, recorded as done ``by`` someone.

        Raises:
            NotAllowed: it is already revoked; again would rewrite who revoked it and when.
        """
        if self.revoked_at is not None:
            raise NotAllowed(
                f"Token “{self.name}” was already revoked on {when_text(self.revoked_at)}."
            )
        return TokenPatch(revoked_at=at, revoked_by=by)

    def extended_to(self, expires_at: datetime, now: datetime) -> TokenPatch:
        """The change that moves this token's expiry later, to ``expires_at`` (UTC).

        An expired token may be extended (that revives it); a revoked one may not, as its
        secret may have leaked. Shortening is revoking's job.

        Raises:
            NotAllowed: the token is revoked.
            InvalidInput: at ``expires_at``, if not later than the current expiry, not in
                the future, or beyond the maximum lifetime from ``now``.
        """
        if self.revoked_at is not None:
            raise NotAllowed(
                f"Token “{self.name}” is revoked and cannot be extended; issue a new token instead."
            )
        if expires_at <= self.expires_at:
            raise InvalidInput(
                {
                    "expires_at": "The new expiry must be later than the current one "
                    f"({when_text(self.expires_at)}); to shorten a token, revoke it."
                }
            )
        check_extension_expiry(expires_at, now)
        return TokenPatch(expires_at=expires_at)

    def why_not_revocable(self) -> str | None:
        """Why a bulk revoke leaves this token alone, or None if it may be revoked.

        The rule the bulk revoke's guarded write mirrors, said in a few words for its report.
        """
        return "already revoked" if self.revoked_at is not None else None

    def why_not_extendable(self, expires_at: datetime) -> str | None:
        """Why a bulk extend to ``expires_at`` leaves this token alone, or None if it may.

        Unlike :meth:`extended_to`, a token already expiring later is no error in a bulk
        extend: it simply needs nothing. The guarded write mirrors this rule.
        """
        if self.revoked_at is not None:
            return "revoked tokens cannot be extended"
        if self.expires_at >= expires_at:
            return "already expires later"
        return None

    def successor(self, prefix: str, secret_hash: str, now: datetime) -> NewToken:
        """The token that replaces this one when rotated at ``now``, with a new secret.

        Same owner, name and scopes; the same lifetime (``expires_at - created_at``) counted
        from now, but at most ``MAX_LIFETIME``, so a token stored before the limit does not
        pass its long life on.
        """
        lifetime = min(self.expires_at - self.created_at, MAX_LIFETIME)
        return NewToken(
            owner_id=self.owner_id,
            name=self.name,
            scopes=self.scopes,
            prefix=prefix,
            secret_hash=secret_hash,
            created_at=now,
            expires_at=now + lifetime,
        )


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

    def dated(self, now: datetime, soon: timedelta) -> TokenFilter:
        """This filter judged at ``now`` with threshold ``soon``, unless it names its moment.

        A list, its count and a token's status then agree: same moment, same threshold.
        """
        if self.as_of is not None:
            return self
        return replace(self, as_of=now, soon=soon)


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
