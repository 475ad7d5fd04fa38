"""Undo and history on PostgreSQL: actions come back whole, guarded by versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from app.domain.acting import acting
from app.domain.changes import ChangeFilter, Entity, Operation
from app.domain.errors import Conflict
from app.domain.undo import NothingToUndo, UndoConflict
from app.domain.users import Role, UserDraft, UserPatch
from app.infrastructure.changes import SqlChangeLog
from app.infrastructure.uow import SqlUnitOfWork
from app.services.history import HistoryService
from app.services.users import UserService

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def engine(own_engine: AsyncEngine) -> AsyncEngine:
    """This module's tests commit: each gets a database of its own."""
    return own_engine


@pytest.fixture
def users(engine: AsyncEngine) -> UserService:
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    return UserService(lambda: SqlUnitOfWork(sessions, actor="ana"), lambda: NOW)


@pytest.fixture
def history(engine: AsyncEngine) -> HistoryService:
    log = SqlChangeLog(async_sessionmaker(engine, expire_on_commit=False), actor="ana")
    return HistoryService(log, log)


async def _rows(engine: AsyncEngine, sql: str, **values: Any) -> list[Any]:
    async with engine.connect() as connection:
        return list(await connection.execute(text(sql), values))


async def _owned_by(engine: AsyncEngine, owner: int) -> None:
    async with engine.begin() as connection:
        for n in range(2):
            await connection.execute(
                text(
                    "INSERT INTO tokens (owner_id, name, prefix, secret_hash, expires_at) "
                    "VALUES (:o, :n, 'tsr_x', :h, now() + interval '9 days')"
                ),
                {"o": owner, "n": f"t{n}", "h": f"{n:064x}"},
            )
        await connection.execute(
            text(
                "INSERT INTO events (owner_id, title, starts_at, ends_at) "
                "VALUES (:o, 'Standup', now(), now() + interval '1 hour')"
            ),
            {"o": owner},
        )


async def test_undo_of_an_edit_puts_the_old_values_back_and_redo_the_new(
    engine: AsyncEngine, users: UserService, history: HistoryService
) -> None:
    kim = await users.create(UserDraft(email="kim@example.org", display_name="Kim"))
    with acting() as edit:
        await users.update(kim.id, kim.version, UserPatch(display_name="Kim Lee", role=Role.STAFF))

    undo = await history.undo(edit)
    back = await users.get(kim.id)
    await history.undo(undo)  # redo
    again = await users.get(kim.id)

    assert (back.display_name, back.role, back.version) == ("Kim", Role.MEMBER, 3)
    assert (again.display_name, again.role, again.version) == ("Kim Lee", Role.STAFF, 4)
    page = await history.history(Entity.USER, kim.id)
    assert [c.operation for c in page.changes] == [Operation.UPDATE] * 3 + [Operation.INSERT]
    assert {c.actor for c in page.changes} == {"ana"}
    assert page.changes[1].action == undo


async def test_undo_of_deleting_a_user_brings_back_its_tokens_and_events_with_their_ids(
    engine: AsyncEngine, users: UserService, history: HistoryService
) -> None:
    kim = await users.create(UserDraft(email="kim@example.org", display_name="Kim"))
    await _owned_by(engine, kim.id)
    before = {
        table: await _rows(engine, f"SELECT * FROM {table} ORDER BY id")  # noqa: S608
        for table in ("users", "tokens", "events")
    }
    with acting() as delete:
        await users.delete_many([kim])
    assert await _rows(engine, "SELECT id FROM tokens") == []

    await history.undo(delete)

    for table, rows in before.items():
        assert await _rows(engine, f"SELECT * FROM {table} ORDER BY id") == rows  # noqa: S608
    # The user's history tells the whole story, its tokens and events included.
    page = await history.history(Entity.USER, kim.id)
    deleted = {(c.entity, c.operation) for c in page.changes if c.action == delete}
    assert deleted == {(e, Operation.DELETE) for e in Entity}


async def test_undo_after_someone_else_changed_the_row_writes_nothing(
    engine: AsyncEngine, users: UserService, history: HistoryService
) -> None:
    kim = await users.create(UserDraft(email="kim@example.org", display_name="Kim"))
    lee = await users.create(UserDraft(email="lee@example.org", display_name="Lee"))
    with acting() as edit:
        for user in (kim, lee):
            await users.update(user.id, user.version, UserPatch(is_active=False))
    async with engine.begin() as connection:  # psql, knowing nothing of versions
        await connection.execute(
            text("UPDATE users SET display_name = 'Kimberly' WHERE id = :i"), {"i": kim.id}
        )

    with pytest.raises(UndoConflict) as caught:
        await history.undo(edit)

    assert caught.value.rows == ((Entity.USER, kim.id),)
    assert [u.is_active for u in await users.get_many([kim.id, lee.id])] == [False, False]


async def test_an_action_the_log_no_longer_holds_cannot_be_undone(
    history: HistoryService,
) -> None:
    with pytest.raises(NothingToUndo):
        await history.undo("never-happened")


async def test_recent_changes_filter_and_page_newest_first(
    engine: AsyncEngine, users: UserService, history: HistoryService
) -> None:
    made = [
        await users.create(UserDraft(email=f"u{i}@example.org", display_name=f"U{i}"))
        for i in range(5)
    ]
    await users.update(made[0].id, made[0].version, UserPatch(display_name="First"))

    inserts = ChangeFilter(entity=Entity.USER, operation=Operation.INSERT, actor="ana")
    first = await history.recent(inserts, limit=3)
    rest = await history.recent(inserts, older_than=first.older_than, limit=3)
    later = await history.recent(ChangeFilter(since=NOW + timedelta(days=3650)))

    assert [c.row_id for c in first.changes + rest.changes] == [u.id for u in reversed(made)]
    assert rest.older_than is None
    assert later.changes == ()


async def test_a_writer_that_does_not_bump_the_version_still_meets_the_optimistic_lock(
    engine: AsyncEngine, users: UserService
) -> None:
    kim = await users.create(UserDraft(email="kim@example.org", display_name="Kim"))
    async with engine.begin() as connection:
        await connection.execute(
            text("UPDATE users SET display_name = 'psql' WHERE id = :i"), {"i": kim.id}
        )

    with pytest.raises(Conflict):
        await users.update(kim.id, kim.version, UserPatch(display_name="Mine"))
    assert (await users.get(kim.id)).display_name == "psql"
