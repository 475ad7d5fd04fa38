"""Ports: what the services need from persistence, as protocols.

Adapters in ``app.infrastructure`` implement them on PostgreSQL; unit tests implement them
in memory. Repositories never commit: the unit of work does.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol, Self, TypeVar

from app.domain.events import Event, EventDraft, EventFilter
from app.domain.paging import Page, PageRequest
from app.domain.tokens import (
    ExpiryBucket,
    NewToken,
    QuickFilter,
    Token,
    TokenFilter,
    TokenHealth,
)
from app.domain.users import DeleteImpact, User, UserDraft, UserFilter

EntityT = TypeVar("EntityT", covariant=True)
DraftT = TypeVar("DraftT", contravariant=True)
FilterT = TypeVar("FilterT", contravariant=True)


class CrudRepository(Protocol[EntityT, DraftT, FilterT]):
    """The operations every repository offers."""

    sortable: frozenset[str]

    async def add(self, draft: DraftT, now: datetime) -> EntityT:
        """Store a new record and return it with its id and version 1."""
        ...

    async def get(self, ident: int) -> EntityT:
        """The record with this id; raises ``NotFound``."""
        ...

    async def get_many(self, ids: Collection[int]) -> Sequence[EntityT]:
        """The records with these ids that exist, in id order."""
        ...

    async def list(self, filter: FilterT, page: PageRequest) -> Page[EntityT]:
        """One page of matching records in the requested order."""
        ...

    async def count(self, filter: FilterT, limit: int | None = None) -> int:
        """How many records match, exactly; with ``limit``, at most that many."""
        ...

    async def estimate_total(self) -> int:
        """The planner's estimate of all rows, instant even on huge tables."""
        ...

    async def update(
        self, ident: int, version: int, changes: Mapping[str, object], now: datetime
    ) -> EntityT:
        """Apply changes if the record is still at ``version``.

        Raises ``NotFound`` if it is gone and ``Conflict`` if it moved on.
        """
        ...

    async def delete_many(self, versions: Mapping[int, int]) -> Sequence[int]:
        """Delete, in one statement, those records still at their version (id → version).

        Returns the ids deleted, in order; the others changed or were gone already.
        """
        ...


class UserRepository(CrudRepository[User, UserDraft, UserFilter], Protocol):
    """Users, plus lookups particular to them."""

    async def get_by_email(self, email: str) -> User | None:
        """The user with this email, compared without regard to case."""
        ...

    async def delete_impact(self, ids: Collection[int]) -> DeleteImpact:
        """How many tokens and events would go with these users, in total (one query).

        Raises ``NotFound`` (naming the lowest id) if any of them is gone: zero counts for
        a user deleted meanwhile would make the confirmation lie.
        """
        ...

    async def delete_many_counted(
        self, versions: Mapping[int, int]
    ) -> tuple[Sequence[int], DeleteImpact]:
        """As ``delete_many``, and how many tokens and events went with the users deleted."""
        ...


class TokenRepository(CrudRepository[Token, NewToken, TokenFilter], Protocol):
    """Tokens, plus lookups particular to them."""

    async def get_by_hash(self, secret_hash: str) -> Token | None:
        """The token whose secret hashes to this value."""
        ...

    async def delete(self, ident: int, version: int) -> None:
        """Delete the token if it is still at ``version``.

        Raises ``NotFound`` if it is gone and ``Conflict`` if it moved on.
        """
        ...

    async def list_expiring(self, now: datetime, until: datetime, page: PageRequest) -> Page[Token]:
        """Unrevoked tokens with ``now < expires_at <= until``."""
        ...

    async def quick_counts(
        self, now: datetime, soon: timedelta, owner_id: int | None
    ) -> dict[QuickFilter, int]:
        """How many tokens (of ``owner_id``, or all) each quick filter holds at ``now``."""
        ...

    async def expiry_histogram(
        self, now: datetime, bucket: timedelta, buckets: int, owner_id: int | None
    ) -> list[ExpiryBucket]:
        """Unrevoked tokens by expiry: "already expired", then ``buckets`` buckets from now.

        Every bucket is present, empty ones with a count of 0.
        """
        ...

    async def health_of(
        self, owner_ids: Collection[int], now: datetime, soon: timedelta
    ) -> dict[int, TokenHealth]:
        """Expired and expiring unrevoked tokens per owner; owners without any get zeros."""
        ...

    async def next_status_change(self, now: datetime, soon: timedelta) -> datetime | None:
        """The first instant after ``now`` at which an unrevoked token becomes expiring soon
        or expired; None when none ever will."""
        ...

    async def revoke_many(self, versions: Mapping[int, int], now: datetime, by: str) -> list[Token]:
        """Revoke, in one statement, the unrevoked tokens still at their version.

        ``versions`` maps each id to the version the window loaded. Returns the tokens
        revoked, in id order.
        """
        ...

    async def extend_many(
        self, versions: Mapping[int, int], expires_at: datetime, now: datetime
    ) -> list[Token]:
        """Move to ``expires_at``, in one statement, the unrevoked tokens expiring before it
        that are still at their version.

        Returns the tokens changed, in id order.
        """
        ...


class EventRepository(CrudRepository[Event, EventDraft, EventFilter], Protocol):
    """Events, plus lookups particular to them."""

    async def overlapping(
        self,
        owner_id: int,
        starts_at: datetime,
        ends_at: datetime,
        exclude_id: int | None = None,
    ) -> Sequence[Event]:
        """The owner's events that share time with [starts_at, ends_at).

        Touching events (one ends as the other starts) do not overlap.
        """
        ...


class UnitOfWork(Protocol):
    """One transaction over the three repositories. Rolls back unless committed."""

    @property
    def users(self) -> UserRepository:
        """Users, in this unit's transaction."""
        ...

    @property
    def tokens(self) -> TokenRepository:
        """Tokens, in this unit's transaction."""
        ...

    @property
    def events(self) -> EventRepository:
        """Events, in this unit's transaction."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None:
        """Make the work of this unit permanent."""
        ...

    async def rollback(self) -> None:
        """Undo the work of this unit."""
        ...
