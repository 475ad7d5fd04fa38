"""In-memory repositories over the tables of a :class:`tests.fakes.FakeUnitOfWork`.

Each keeps what the ports promise and tests/contract/ checks on it and on PostgreSQL alike:
the unique keys (email without regard to case, a token's secret hash), the foreign keys and
CHECKs, ON DELETE CASCADE, the version guard of every write, and keyset paging. Import them
from :mod:`tests.fakes`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from app.domain import events, tokens, users
from app.domain.errors import AlreadyExists, Conflict, InvalidInput, InvalidReference, NotFound
from app.domain.events import Event, EventDraft, EventFilter
from app.domain.paging import Cursor, Page, PageRequest
from app.domain.tokens import (
    ExpiryBucket,
    NewToken,
    QuickFilter,
    Token,
    TokenFilter,
    TokenHealth,
    in_quick_filter,
    token_status,
)
from app.domain.users import DeleteImpact, User, UserDraft, UserFilter

if TYPE_CHECKING:
    # Only for annotations: tests.fakes imports this module to build its units of work.
    from tests.fakes import FakeUnitOfWork

E = TypeVar("E", User, Token, Event)
D = TypeVar("D", UserDraft, NewToken, EventDraft)
F = TypeVar("F", UserFilter, TokenFilter, EventFilter)


def _contains(needle: str | None, *haystack: str) -> bool:
    # ILIKE '%needle%' with its wildcards taken literally; no needle matches everything.
    return not needle or any(needle.lower() in text.lower() for text in haystack)


class _FakeRepository(Generic[E, D, F]):
    entity: str
    table: str
    sortable: frozenset[str]

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def rows(self) -> dict[int, E]:
        rows: dict[int, E] = getattr(self._uow.tables, self.table)
        return rows

    def _build(self, ident: int, draft: D, now: datetime) -> E:
        raise NotImplementedError

    def _matches(self, row: E, filter: F) -> bool:
        raise NotImplementedError

    def _check(self, row: E) -> None:
        pass  # the table's unique keys, foreign keys and CHECKs

    def _cascade(self, deleted: Collection[int]) -> None:
        pass  # what ON DELETE CASCADE removes with the rows

    def _owner_exists(self, owner_id: int) -> None:
        if owner_id not in self._uow.tables.users:
            raise InvalidReference("owner_id")

    async def add(self, draft: D, now: datetime) -> E:
        row = self._build(next(self._uow.db.sequences[self.table]), draft, now)
        self._check(row)
        self.rows[row.id] = row
        return row

    async def get(self, ident: int) -> E:
        try:
            return self.rows[ident]
        except KeyError:
            raise NotFound(self.entity, ident) from None

    async def get_many(self, ids: Collection[int]) -> list[E]:
        return [self.rows[i] for i in sorted(set(ids)) if i in self.rows]

    async def list(self, filter: F, page: PageRequest) -> Page[E]:
        return self._page([row for row in self.rows.values() if self._matches(row, filter)], page)

    async def count(self, filter: F, limit: int | None = None) -> int:
        found = sum(1 for row in self.rows.values() if self._matches(row, filter))
        return found if limit is None else min(found, limit)

    async def estimate_total(self) -> int:
        return len(self.rows)

    async def update(
        self, ident: int, version: int, changes: Mapping[str, object], now: datetime
    ) -> E:
        return self._write([await self._at_version(ident, version)], changes, now)[0]

    async def delete_many(self, versions: Mapping[int, int]) -> Sequence[int]:
        chosen = self._at_versions(versions)
        for ident in chosen:
            del self.rows[ident]
        self._cascade(chosen)
        return chosen

    async def _at_version(self, ident: int, version: int) -> E:
        current = await self.get(ident)
        if current.version != version:
            raise Conflict(self.entity, ident, version)
        return current

    def _at_versions(self, versions: Mapping[int, int]) -> Sequence[int]:
        # The guard of every bulk write: rows that exist and are still at their version.
        return sorted(
            i for i, v in versions.items() if i in self.rows and self.rows[i].version == v
        )

    def _write(
        self, rows: Sequence[E], changes: Mapping[str, object], now: datetime
    ) -> Sequence[E]:
        # One UPDATE ... RETURNING: every row passes the table's checks, or none is written.
        written: list[E] = []
        for current in rows:
            if unknown := set(changes) - set(type(current).model_fields):
                raise ValueError(f"{self.table} has no column {sorted(unknown)}")
            values: dict[str, Any] = {**current.model_dump(), **changes}
            values["version"] = current.version + 1
            if "updated_at" in values:
                values["updated_at"] = now
            # Validated like a row read back, so a service passing a wrong type fails here.
            row = type(current).model_validate(values)
            self._check(row)
            written.append(row)
        self.rows.update((row.id, row) for row in written)
        return written

    def _page(self, rows: Sequence[E], page: PageRequest) -> Page[E]:
        if page.sort not in self.sortable:
            raise InvalidInput({"sort": f"Cannot sort {self.entity}s by {page.sort!r}."})

        def key(row: E) -> tuple[Any, int]:
            return getattr(row, page.sort), row.id

        descending = page.descending != page.backward  # backward: walk reversed, turn round
        ordered = sorted(rows, key=key, reverse=descending)
        bound = page.before if page.backward else page.after
        if bound is not None:
            at = (bound.value, bound.id)
            ordered = [r for r in ordered if (key(r) < at if descending else key(r) > at)]
        kept = ordered[: page.limit]
        more = len(ordered) > page.limit
        if page.backward:
            kept.reverse()
        if not kept:
            return Page((), None)
        after_last = more if not page.backward else page.before is not None
        before_first = more if page.backward else page.after is not None
        return Page(
            tuple(kept),
            Cursor(*key(kept[-1])) if after_last else None,
            Cursor(*key(kept[0])) if before_first else None,
        )


class FakeUserRepository(_FakeRepository[User, UserDraft, UserFilter]):
    entity = "user"
    table = "users"
    sortable = users.SORTS

    def _build(self, ident: int, draft: UserDraft, now: datetime) -> User:
        return User(id=ident, created_at=now, updated_at=now, version=1, **draft.model_dump())

    def _matches(self, row: User, filter: UserFilter) -> bool:
        return (
            _contains(filter.search, row.email, row.display_name)
            and filter.role in (None, row.role)
            and filter.is_active in (None, row.is_active)
        )

    def _check(self, row: User) -> None:
        if any(u.id != row.id and u.email.lower() == row.email.lower() for u in self.rows.values()):
            raise AlreadyExists("user", "email")

    def _cascade(self, deleted: Collection[int]) -> None:
        tables = self._uow.tables
        tables.tokens = {k: t for k, t in tables.tokens.items() if t.owner_id not in deleted}
        tables.events = {k: e for k, e in tables.events.items() if e.owner_id not in deleted}

    async def get_by_email(self, email: str) -> User | None:
        return next((u for u in self.rows.values() if u.email.lower() == email.lower()), None)

    async def delete_impact(self, ids: Collection[int]) -> DeleteImpact:
        if missing := sorted(set(ids) - set(self.rows)):
            raise NotFound(self.entity, missing[0])
        return self._impact(set(ids))

    def _impact(self, owners: Collection[int]) -> DeleteImpact:
        tables = self._uow.tables
        return DeleteImpact(
            tokens=sum(1 for t in tables.tokens.values() if t.owner_id in owners),
            events=sum(1 for e in tables.events.values() if e.owner_id in owners),
        )

    async def delete_many_counted(
        self, versions: Mapping[int, int]
    ) -> tuple[Sequence[int], DeleteImpact]:
        # Counted in the DELETE's own snapshot: before the cascade removes anything.
        impact = self._impact(self._at_versions(versions))
        return await self.delete_many(versions), impact


class FakeTokenRepository(_FakeRepository[Token, NewToken, TokenFilter]):
    entity = "token"
    table = "tokens"
    sortable = tokens.SORTS

    def _build(self, ident: int, draft: NewToken, now: datetime) -> Token:
        return Token(id=ident, last_used_at=None, revoked_at=None, version=1, **draft.model_dump())

    def _matches(self, row: Token, filter: TokenFilter) -> bool:
        if filter.owner_id not in (None, row.owner_id):
            return False
        if not _contains(filter.search, row.name, row.prefix):
            return False
        if filter.expires_from is not None and row.expires_at < filter.expires_from:
            return False
        if filter.expires_to is not None and row.expires_at >= filter.expires_to:
            return False
        if not filter.statuses and filter.quick is None:
            return True
        if filter.as_of is None:
            raise ValueError("filtering by status or quick filter needs as_of")
        now, soon = filter.as_of, filter.soon
        if filter.quick is not None and not in_quick_filter(row, filter.quick, now, soon):
            return False
        status = token_status(row.expires_at, row.revoked_at, now, soon)
        return not filter.statuses or status in filter.statuses

    def _check(self, row: Token) -> None:
        self._owner_exists(row.owner_id)
        if row.expires_at <= row.created_at:
            raise InvalidInput({"expires_at": "A token must expire after it is created."})
        if any(t.id != row.id and t.secret_hash == row.secret_hash for t in self.rows.values()):
            raise AlreadyExists("token", "secret_hash")

    async def get_by_hash(self, secret_hash: str) -> Token | None:
        return next((t for t in self.rows.values() if t.secret_hash == secret_hash), None)

    async def delete(self, ident: int, version: int) -> None:
        del self.rows[(await self._at_version(ident, version)).id]

    async def list_expiring(self, now: datetime, until: datetime, page: PageRequest) -> Page[Token]:
        live = self._owned(None)
        return self._page([t for t in live if now < t.expires_at <= until], page)

    def _owned(self, owner_id: int | None) -> list[Token]:
        # The unrevoked tokens (of owner_id, or all) that the token figures count.
        return [
            t for t in self.rows.values() if t.revoked_at is None and owner_id in (None, t.owner_id)
        ]

    async def quick_counts(
        self, now: datetime, soon: timedelta, owner_id: int | None
    ) -> dict[QuickFilter, int]:
        owned = [t for t in self.rows.values() if owner_id in (None, t.owner_id)]
        return {q: sum(in_quick_filter(t, q, now, soon) for t in owned) for q in QuickFilter}

    async def expiry_histogram(
        self, now: datetime, bucket: timedelta, buckets: int, owner_id: int | None
    ) -> list[ExpiryBucket]:
        live = [t.expires_at for t in self._owned(owner_id)]
        result = [ExpiryBucket(None, now, sum(e <= now for e in live))]
        for i in range(buckets):
            starts, ends = now + i * bucket, now + (i + 1) * bucket
            result.append(
                ExpiryBucket(starts, ends, sum(starts <= e < ends and e > now for e in live))
            )
        return result

    async def next_status_change(self, now: datetime, soon: timedelta) -> datetime | None:
        moments = [m for t in self._owned(None) for m in (t.expires_at - soon, t.expires_at)]
        return min((m for m in moments if m > now), default=None)

    async def health_of(
        self, owner_ids: Collection[int], now: datetime, soon: timedelta
    ) -> dict[int, TokenHealth]:
        def health(owner: int) -> TokenHealth:
            expiries = [t.expires_at for t in self._owned(owner)]
            return TokenHealth(
                sum(e <= now for e in expiries), sum(now < e <= now + soon for e in expiries)
            )

        return {owner: health(owner) for owner in owner_ids}

    async def revoke_many(self, versions: Mapping[int, int], now: datetime, by: str) -> list[Token]:
        chosen = [self.rows[i] for i in self._at_versions(versions)]
        live = [t for t in chosen if t.revoked_at is None]
        return list(self._write(live, {"revoked_at": now, "revoked_by": by}, now))

    async def extend_many(
        self, versions: Mapping[int, int], expires_at: datetime, now: datetime
    ) -> list[Token]:
        chosen = [self.rows[i] for i in self._at_versions(versions)]
        live = [t for t in chosen if t.revoked_at is None and t.expires_at < expires_at]
        return list(self._write(live, {"expires_at": expires_at}, now))


class FakeEventRepository(_FakeRepository[Event, EventDraft, EventFilter]):
    entity = "event"
    table = "events"
    sortable = events.SORTS

    def _build(self, ident: int, draft: EventDraft, now: datetime) -> Event:
        return Event(id=ident, created_at=now, updated_at=now, version=1, **draft.model_dump())

    def _matches(self, row: Event, filter: EventFilter) -> bool:
        return (
            filter.owner_id in (None, row.owner_id)
            and _contains(filter.search, row.title)
            and (filter.starts_before is None or row.starts_at < filter.starts_before)
            and (filter.ends_after is None or row.ends_at > filter.ends_after)
            and (not filter.clashing or self._clashes(row))
        )

    def _clashes(self, row: Event) -> bool:
        # Another event of the owner sharing time; touching is not sharing.
        shares = EventFilter(
            owner_id=row.owner_id, starts_before=row.ends_at, ends_after=row.starts_at
        )
        return any(e.id != row.id and self._matches(e, shares) for e in self.rows.values())

    def _check(self, row: Event) -> None:
        self._owner_exists(row.owner_id)
        if row.ends_at < row.starts_at:
            raise InvalidInput({"ends_at": "The event cannot end before it starts."})

    async def overlapping(
        self,
        owner_id: int,
        starts_at: datetime,
        ends_at: datetime,
        exclude_id: int | None = None,
    ) -> Sequence[Event]:
        shares = EventFilter(owner_id=owner_id, starts_before=ends_at, ends_after=starts_at)
        found = [e for e in self.rows.values() if e.id != exclude_id and self._matches(e, shares)]
        return sorted(found, key=lambda e: (e.starts_at, e.id))
