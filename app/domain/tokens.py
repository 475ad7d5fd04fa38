"""API tokens issued to users: expiry, status and the rules of their lifecycle."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

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

    def is_expired(self, now: datetime) -> bool:
        """True from the instant the expiry time is reached."""
        return now >= self.expires_at

    def status(self, now: datetime, soon: timedelta = DEFAULT_SOON) -> TokenStatus:
        """Active, expiring soon (``soon`` or less left), expired or revoked."""
        return token_status(self.expires_at, self.revoked_at, now, soon)


@dataclass(frozen=True, slots=True)
class TokenFilter:
    """What the Tokens list shows.

    ``statuses`` needs ``as_of`` (the clock's now) and ``soon`` to mean anything.
    """

    owner_id: int | None = None
    search: str | None = None
    statuses: frozenset[TokenStatus] = frozenset()
    as_of: datetime | None = None
    soon: timedelta = DEFAULT_SOON


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly issued token and its secret, which is shown once and never stored."""

    token: Token
    secret: str
