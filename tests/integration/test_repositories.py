"""What only the PostgreSQL adapters do: reads straight to asyncpg, driver errors, statements.

What every implementation of the ports promises is in tests/contract/, run on these
adapters and on the fakes alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from app.domain.errors import Unavailable
from app.domain.events import EventDraft
from app.domain.tokens import NewToken
from app.domain.users import DeleteImpact, UserDraft
from app.infrastructure.uow import SqlUnitOfWork
from app.services.users import UserService

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
UowFactory = Callable[[], SqlUnitOfWork]
_TRANSACTION = ("SAVEPOINT", "RELEASE", "ROLLBACK")


async def _user(uow: SqlUnitOfWork, email: str = "kim@example.org", name: str = "Kim") -> int:
    user = await uow.users.add(UserDraft(email=email, display_name=name), NOW)
    return user.id


@contextmanager
def _statements(connection: AsyncConnection) -> Iterator[list[str]]:
    """The SQL statements sent through ``connection`` meanwhile."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(args[2])

    target = connection.sync_connection
    assert target is not None
    event.listen(target, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(target, "before_cursor_execute", record)


async def test_the_impact_of_deleting_200_users_is_one_query(
    uow_factory: UowFactory,
    sessions: async_sessionmaker[AsyncSession],
    connection: AsyncConnection,
) -> None:
    async with uow_factory() as uow:
        owners = [await _user(uow, f"u{n}@example.org", f"U{n}") for n in range(200)]
        for n, owner in enumerate(owners[:30]):
            await uow.tokens.add(
                NewToken(
                    owner_id=owner,
                    name=f"t{n}",
                    prefix=f"tsr_{n:08d}",
                    secret_hash=f"{n:064x}",
                    created_at=NOW,
                    expires_at=NOW + timedelta(days=1),
                ),
                NOW,
            )
        for owner in owners[::50]:
            draft = EventDraft(owner_id=owner, title="e", starts_at=NOW, ends_at=NOW)
            await uow.events.add(draft, NOW)
        await uow.commit()
    units: list[SqlUnitOfWork] = []

    def unit() -> SqlUnitOfWork:
        units.append(SqlUnitOfWork(sessions))
        return units[-1]

    with _statements(connection) as sent:
        impact = await UserService(unit).delete_impact(owners)

    assert impact == DeleteImpact(tokens=30, events=4)
    assert len(units) == 1
    # The test's savepoints are how its transaction nests, not queries of the service.
    queries = [sql for sql in sent if not sql.lstrip().upper().startswith(_TRANSACTION)]
    assert len(queries) == 1, queries


async def test_get_by_id_sees_the_unit_of_works_own_writes_before_and_after_commit(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        first = await uow.users.get_many([1])  # something ran before: the transaction is open
        user_id = await _user(uow, "mid@example.org")
        assert (await uow.users.get(user_id)).email == "mid@example.org"
        await uow.commit()
        # A new transaction after commit: the lookup asks for the connection again.
        changed = await uow.users.update(user_id, 1, {"display_name": "Changed"}, NOW)
        assert await uow.users.get(user_id) == changed
    async with uow_factory() as uow:
        assert (await uow.users.get(user_id)).display_name == "Kim"  # the update rolled back
    assert first == []


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (asyncpg.QueryCanceledError("canceling statement due to statement timeout"), Unavailable),
        (asyncpg.AdminShutdownError("terminating connection"), Unavailable),
        (asyncpg.ConnectionDoesNotExistError("connection was closed"), Unavailable),
        (ConnectionResetError(), Unavailable),
        (asyncpg.UndefinedColumnError("no such column"), DBAPIError),
    ],
)
async def test_get_by_id_translates_driver_errors(
    uow_factory: UowFactory,
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    expected: type[Exception],
) -> None:
    async with uow_factory() as uow:

        class Failing:
            async def fetchrow(self, *_: object) -> None:
                raise error

        async def failing() -> Failing:
            return Failing()

        monkeypatch.setattr(uow.users, "_driver_connection", failing)
        with pytest.raises(expected):
            await uow.users.get(1)
