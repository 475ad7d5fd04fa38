"""Bulk revoke, extend and delete on PostgreSQL while a second client changes rows under them.

Client A loads rows; client B (its own engine, as another Tessera on another computer)
changes some and deletes others; then A's bulk action runs. Each action must be one
guarded statement in one transaction, report every row exactly (done, changed by someone
else, deleted meanwhile, skipped by a rule), and leave B's changes untouched.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest_asyncio
from sqlalchemy import event, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from app.domain.bulk import BulkResult, UsersDeleted
from app.domain.events import Event, EventDraft, EventPatch
from app.domain.tokens import Token, TokenPatch, TokenRequest
from app.domain.users import DeleteImpact, User, UserDraft, UserPatch
from app.infrastructure.engine import create_engine
from app.infrastructure.settings import Settings
from app.infrastructure.uow import SqlUnitOfWork
from app.services.events import EventService
from app.services.tokens import TokenService
from app.services.users import UserService
from tests.clock import FrozenClock

NOW = datetime(2030, 3, 14, 9, 30, tzinfo=UTC)
DAY = timedelta(days=1)


@dataclass
class Client:
    """One Tessera: its own engine and services."""

    engine: AsyncEngine
    units: Callable[[], SqlUnitOfWork]
    users: UserService
    tokens: TokenService
    events: EventService


def _client(url: URL, settings: Settings, clock: FrozenClock, actor: str) -> Client:
    engine = create_engine(url, settings)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    def factory() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions)

    return Client(
        engine,
        factory,
        UserService(factory, clock),
        TokenService(factory, clock, actor=actor),
        EventService(factory, clock),
    )


@pytest_asyncio.fixture
async def clients(database_url: URL, settings: Settings) -> AsyncIterator[tuple[Client, Client]]:
    """Clients A and B on the shared test database; what they made is deleted afterwards."""
    clock = FrozenClock(NOW)
    pair = (
        _client(database_url, settings, clock, "ana"),
        _client(database_url, settings, clock, "ben"),
    )
    try:
        yield pair
    finally:
        async with pair[0].engine.begin() as connection:
            await connection.execute(
                text("DELETE FROM users WHERE email LIKE 'bulk-%@example.org'")
            )
        for client in pair:
            await client.engine.dispose()


@contextmanager
def _writes(engine: AsyncEngine) -> Iterator[list[str]]:
    """The UPDATE and DELETE statements sent through ``engine`` meanwhile."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        statement = str(args[2]).lstrip().upper()
        if statement.startswith(("UPDATE", "DELETE", "WITH")):
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def _person(client: Client, name: str) -> User:
    tag = uuid.uuid4().hex[:8]
    draft = UserDraft(email=f"bulk-{tag}@example.org", display_name=name)
    return await client.users.create(draft)


async def _tokens(client: Client, owner: User, *names: str) -> list[Token]:
    issued = []
    for name in names:
        request = TokenRequest(owner_id=owner.id, name=name, expires_at=NOW + 10 * DAY)
        issued.append((await client.tokens.issue(request)).token)
    return issued


async def _row(client: Client, table: str, ident: int) -> tuple[Any, ...] | None:
    async with client.engine.connect() as connection:
        result = await connection.execute(
            text(f"SELECT * FROM {table} WHERE id = :id"),  # noqa: S608 - the test's own SQL
            {"id": ident},
        )
        row = result.first()
    return tuple(row) if row is not None else None


async def test_bulk_revoke_reports_rows_changed_or_deleted_meanwhile(
    clients: tuple[Client, Client],
) -> None:
    a, b = clients
    owner = await _person(a, "Ops")
    loaded = await _tokens(a, owner, "CI deploy", "backup", "metrics", "old", "cron", "web")
    loaded[5] = await a.tokens.revoke(loaded[5].id, loaded[5].version)  # A sees "web" revoked
    # B, after A loaded them: renames two, revokes one, deletes one.
    ci = await _rename_token(b, loaded[0], "CI deploy (prod)")
    backup = await b.tokens.revoke(loaded[1].id, loaded[1].version)
    await b.tokens.delete_many([loaded[3]])
    before = {t.id: await _row(a, "tokens", t.id) for t in (ci, backup)}

    with _writes(a.engine) as writes:
        result = await a.tokens.revoke_many(loaded)

    assert [t.id for t in result.done] == [loaded[2].id, loaded[4].id]
    assert all((t.revoked_by, t.version) == ("ana", 2) for t in result.done)
    assert result.stale == (ci, backup)
    assert result.gone == (loaded[3],)
    assert result.skipped == {loaded[5].id: "already revoked"}
    assert len(writes) == 1  # one guarded UPDATE, two array parameters
    assert "UNNEST(" in writes[0]
    assert {t.id: await _row(a, "tokens", t.id) for t in (ci, backup)} == before


async def _rename_token(client: Client, token: Token, name: str) -> Token:
    # Tokens have no rename use case; the repository's guarded update stands in for one.
    async with client.units() as uow:
        patch = TokenPatch(name=name).model_dump(exclude_unset=True)
        renamed = await uow.tokens.update(token.id, token.version, patch, NOW)
        await uow.commit()
    return renamed


async def test_bulk_extend_leaves_a_token_changed_meanwhile(
    clients: tuple[Client, Client],
) -> None:
    a, b = clients
    owner = await _person(a, "Ops")
    loaded = await _tokens(a, owner, "one", "two")
    moved = await b.tokens.extend(loaded[1].id, loaded[1].version, NOW + 20 * DAY)

    result = await a.tokens.extend_many(loaded, NOW + 30 * DAY)

    assert [(t.id, t.expires_at) for t in result.done] == [(loaded[0].id, NOW + 30 * DAY)]
    assert result.stale == (moved,)
    assert (await b.tokens.get(moved.id)) == moved


async def test_bulk_delete_of_users_deletes_only_those_unchanged_with_what_they_own(
    clients: tuple[Client, Client],
) -> None:
    a, b = clients
    ann, bob, cy, dee = [await _person(a, name) for name in ("Ann", "Bob", "Cy", "Dee")]
    await _tokens(a, ann, "a1", "a2")
    bobs = await _tokens(a, bob, "b1")
    await _tokens(a, cy, "c1", "c2", "c3")
    draft = EventDraft(owner_id=cy.id, title="Review", starts_at=NOW, ends_at=NOW + DAY)
    await a.events.create(draft)
    robert = await b.users.update(bob.id, bob.version, UserPatch(display_name="Robert"))
    await b.users.delete_many([dee])

    with _writes(a.engine) as writes:
        deleted = await a.users.delete_many([ann, bob, cy, dee])

    assert deleted == UsersDeleted(
        BulkResult(done=(ann, cy), stale=(robert,), gone=(dee,)), DeleteImpact(tokens=5, events=1)
    )
    assert len(writes) == 1
    assert "DELETE FROM USERS" in writes[0]
    assert [u.id for u in await b.users.get_many([ann.id, bob.id, cy.id, dee.id])] == [bob.id]
    assert await b.users.get(bob.id) == robert
    assert await b.tokens.get(bobs[0].id) == bobs[0]


async def test_bulk_delete_of_tokens_and_events(clients: tuple[Client, Client]) -> None:
    a, b = clients
    owner = await _person(a, "Ops")
    tokens = await _tokens(a, owner, "x", "y", "z")
    events: list[Event] = []
    for n in range(3):
        draft = EventDraft(owner_id=owner.id, title=f"e{n}", starts_at=NOW, ends_at=NOW + DAY)
        events.append(await a.events.create(draft))
    revoked = await b.tokens.revoke(tokens[0].id, tokens[0].version)
    await b.tokens.delete_many([tokens[1]])
    moved = await b.events.update(events[2].id, events[2].version, EventPatch(title="moved"))

    assert await a.tokens.delete_many(tokens) == BulkResult(
        done=(tokens[2],), stale=(revoked,), gone=(tokens[1],)
    )
    assert await a.events.delete_many(events) == BulkResult(
        done=(events[0], events[1]), stale=(moved,)
    )
    assert await b.tokens.get(revoked.id) == revoked
    assert await b.events.get(moved.id) == moved


async def test_a_row_changed_while_the_bulk_write_waits_for_its_lock_is_left_alone(
    clients: tuple[Client, Client],
) -> None:
    a, b = clients
    owner = await _person(a, "Ops")
    loaded = await _tokens(a, owner, "first", "locked")
    async with b.engine.connect() as connection:
        busy = await connection.begin()
        await connection.execute(
            text("UPDATE tokens SET name = 'renamed', version = version + 1 WHERE id = :id"),
            {"id": loaded[1].id},
        )
        revoking = asyncio.create_task(a.tokens.revoke_many(loaded))
        await _until_waiting(b.engine)
        await busy.commit()
    result = await revoking

    assert [t.id for t in result.done] == [loaded[0].id]
    assert [(t.id, t.name, t.version, t.revoked_at) for t in result.stale] == [
        (loaded[1].id, "renamed", 2, None)
    ]


async def _until_waiting(engine: AsyncEngine, within: float = 5.0) -> None:
    """Until another session of this database waits for a row lock."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    )
    deadline = asyncio.get_running_loop().time() + within
    while True:
        async with engine.connect() as connection:
            if (await connection.execute(query)).scalar_one():
                return
        assert asyncio.get_running_loop().time() < deadline, "the bulk write never waited"
        await asyncio.sleep(0.02)
