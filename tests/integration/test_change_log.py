"""The change log of revision 0005: triggers log every writer, bump versions, and notify."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from app.domain.acting import acting
from app.domain.paging import PageRequest
from app.domain.users import UserDraft, UserFilter
from app.infrastructure.uow import SqlUnitOfWork

HASH = "ab" * 32
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


async def _user(connection: AsyncConnection, email: str = "kim@example.org") -> int:
    result = await connection.execute(
        text("INSERT INTO users (email, display_name) VALUES (:e, 'Kim') RETURNING id"),
        {"e": email},
    )
    return int(result.scalar_one())


async def _token(connection: AsyncConnection, owner: int, secret_hash: str = HASH) -> int:
    result = await connection.execute(
        text(
            "INSERT INTO tokens (owner_id, name, prefix, secret_hash, expires_at) "
            "VALUES (:o, 'CI', 'tsr_ab', :h, now() + interval '30 days') RETURNING id"
        ),
        {"o": owner, "h": secret_hash},
    )
    return int(result.scalar_one())


async def _event(connection: AsyncConnection, owner: int) -> int:
    result = await connection.execute(
        text(
            "INSERT INTO events (owner_id, title, starts_at, ends_at) "
            "VALUES (:o, 'Standup', now(), now() + interval '1 hour') RETURNING id"
        ),
        {"o": owner},
    )
    return int(result.scalar_one())


async def _log(connection: AsyncConnection) -> list[Any]:
    # The test's own changes: its transaction's (other tests commit to the same database).
    result = await connection.execute(
        text(
            "SELECT id, xid, actor, program, action, entity, row_id, owner_id, operation, "
            "before, after "
            "FROM change_log WHERE xid = pg_current_xact_id()::text::bigint ORDER BY id"
        )
    )
    return list(result)


async def test_an_insert_is_logged_whole_with_who_and_which_program(
    connection: AsyncConnection,
) -> None:
    await connection.execute(text("SELECT set_config('tessera.actor', 'ana', true)"))
    await connection.execute(text("SET LOCAL application_name = 'psql'"))
    user = await _user(connection)

    [entry] = await _log(connection)

    assert (entry.entity, entry.row_id, entry.operation) == ("user", user, "insert")
    assert (entry.actor, entry.program) == ("ana", "psql")
    assert entry.before is None
    assert entry.after["email"] == "kim@example.org"
    assert entry.after["version"] == 1


async def test_without_an_actor_the_database_role_is_who(connection: AsyncConnection) -> None:
    await _user(connection)
    role = (await connection.execute(text("SELECT session_user"))).scalar_one()

    [entry] = await _log(connection)

    assert entry.actor == role


async def test_an_update_logs_only_the_changed_fields_and_bumps_the_version(
    connection: AsyncConnection,
) -> None:
    user = await _user(connection)
    before = (
        await connection.execute(text("SELECT updated_at FROM users WHERE id = :i"), {"i": user})
    ).scalar_one()

    # A writer that knows nothing of versions (psql, another program).
    await connection.execute(
        text("UPDATE users SET display_name = 'Kim Lee' WHERE id = :i"), {"i": user}
    )

    row = (
        await connection.execute(
            text("SELECT version, updated_at FROM users WHERE id = :i"), {"i": user}
        )
    ).one()
    assert row.version == 2
    assert row.updated_at >= before
    update = (await _log(connection))[-1]
    assert update.operation == "update"
    assert update.before == {"display_name": "Kim", "version": 1}
    assert update.after == {"display_name": "Kim Lee", "version": 2}


async def test_a_writer_that_sets_updated_at_keeps_its_value(connection: AsyncConnection) -> None:
    user = await _user(connection)
    await connection.execute(
        text("UPDATE users SET updated_at = '2030-01-01T00:00:00Z', version = 7 WHERE id = :i"),
        {"i": user},
    )

    row = (
        await connection.execute(
            text("SELECT version, updated_at FROM users WHERE id = :i"), {"i": user}
        )
    ).one()
    # The version is always the old one plus one, whatever the writer asked for.
    assert row.version == 2
    assert row.updated_at.year == 2030


async def test_a_bulk_statement_logs_one_row_per_changed_row(connection: AsyncConnection) -> None:
    owner = await _user(connection)
    tokens = [await _token(connection, owner, f"{i:064x}") for i in range(5)]

    await connection.execute(
        text("UPDATE tokens SET revoked_at = now(), revoked_by = 'ana' WHERE owner_id = :o"),
        {"o": owner},
    )

    updates = [e for e in await _log(connection) if e.operation == "update"]
    assert sorted(e.row_id for e in updates) == tokens
    assert {e.owner_id for e in updates} == {owner}
    assert all(set(e.after) == {"revoked_at", "revoked_by", "version"} for e in updates)
    assert len({e.xid for e in updates}) == 1


async def test_the_log_triggers_fire_once_per_statement(connection: AsyncConnection) -> None:
    result = await connection.execute(
        text(
            "SELECT tgrelid::regclass::text AS tab, tgname, (tgtype & 1) = 1 AS per_row "
            "FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE '%\\_log\\_%'"
        )
    )
    rows = list(result)
    assert len(rows) == 9
    assert not any(r.per_row for r in rows)


async def test_deleting_a_user_logs_its_tokens_and_events_in_the_same_transaction(
    connection: AsyncConnection,
) -> None:
    user = await _user(connection)
    token = await _token(connection, user)
    event = await _event(connection, user)

    await connection.execute(text("DELETE FROM users WHERE id = :i"), {"i": user})

    deletes = {(e.entity, e.row_id): e for e in await _log(connection) if e.operation == "delete"}
    assert set(deletes) == {("user", user), ("token", token), ("event", event)}
    assert len({e.xid for e in deletes.values()}) == 1
    assert deletes["token", token].owner_id == user
    assert deletes["event", event].owner_id == user
    # The whole row, as it was: enough to bring it back.
    assert deletes["token", token].before["secret_hash"] == HASH
    assert deletes["user", user].before["email"] == "kim@example.org"


def _plain(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def test_a_commit_notifies_listeners_with_the_newest_change_id(
    own_engine: AsyncEngine, empty_database: URL
) -> None:
    listener = await asyncpg.connect(_plain(empty_database))
    heard: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener("tessera_changes", lambda *args: heard.put_nowait(args[3]))
    try:
        async with own_engine.begin() as connection:
            owner = await _user(connection)
            await _token(connection, owner)
            assert heard.empty()  # nothing before the commit
        payloads = [await asyncio.wait_for(heard.get(), 5)]
        async with own_engine.connect() as connection:
            newest = (await connection.execute(text("SELECT max(id) FROM change_log"))).scalar()
        while len(payloads) < 2:
            payloads.append(await asyncio.wait_for(heard.get(), 5))
    finally:
        await listener.close()
    assert int(payloads[-1]) == newest
    assert sorted(int(p) for p in payloads) == [newest - 1, newest]


async def test_a_role_that_may_write_the_tables_may_not_write_the_log(
    own_engine: AsyncEngine, empty_database: URL
) -> None:
    role = f"writer_{empty_database.database}"
    async with own_engine.begin() as connection:
        await connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        await connection.execute(
            text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON users, tokens, events TO "{role}"')
        )
        await connection.execute(text(f'GRANT SELECT ON change_log TO "{role}"'))
    writer = await asyncpg.connect(_plain(empty_database.set(username=role)))
    try:
        await writer.execute("INSERT INTO users (email, display_name) VALUES ('a@b.c', 'A')")
        entry = await writer.fetchrow("SELECT actor, entity FROM change_log")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await writer.execute(
                "INSERT INTO change_log (entity, row_id, operation) VALUES ('user', 1, 'delete')"
            )
    finally:
        await writer.close()
        async with own_engine.begin() as connection:
            await connection.execute(text(f'DROP OWNED BY "{role}"'))
            await connection.execute(text(f'DROP ROLE "{role}"'))
    assert entry is not None
    assert (entry["actor"], entry["entity"]) == (role, "user")


async def test_a_unit_of_work_names_its_actor_and_action_for_writes_only(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(statement)

    with acting() as action:
        async with SqlUnitOfWork(sessions, actor="ana") as uow:
            connection = await uow.users._session.connection()
            event.listen(connection.sync_engine, "before_cursor_execute", record)
            try:
                await uow.users.list(UserFilter(), PageRequest(sort="email"))
                assert not any("set_config" in s for s in sent)  # reads pay nothing
                kim = await uow.users.add(UserDraft(email="kim@x.org", display_name="K"), NOW)
                await uow.users.add(UserDraft(email="lee@x.org", display_name="L"), NOW)
            finally:
                event.remove(connection.sync_engine, "before_cursor_execute", record)
            [entry, _] = await _log(await uow.users._session.connection())
    assert sum("set_config" in s for s in sent) == 1  # once per transaction
    assert (entry.row_id, entry.actor, entry.action) == (kim.id, "ana", action)
