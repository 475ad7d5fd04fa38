"""What the connected role may do, asked of PostgreSQL: roles made on the test server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.access import EVERY_WRITE, WRITABLE, Access, Privilege
from app.domain.changes import Entity
from app.infrastructure.access import check_access
from app.infrastructure.engine import create_engine, create_session_factory
from app.infrastructure.settings import Settings
from tests.roles import READ, WRITE, database_role

SHOWS_ONLY = "Tessera shows the data but will not change it."
OFFERS_ONLY = "Tessera offers only what it may do."


@asynccontextmanager
async def _access_as(url: URL, settings: Settings) -> AsyncIterator[Access]:
    engine = create_engine(url, settings)
    try:
        yield await check_access(create_session_factory(engine))
    finally:
        await engine.dispose()


async def test_a_role_that_may_only_read_is_read_only(
    database_url: URL, settings: Settings
) -> None:
    async with (
        database_role(database_url, READ) as reader,
        _access_as(reader, settings) as access,
    ):
        assert access == Access(
            False,
            f"Connected as “{reader.username}”, which may only read these tables: {SHOWS_ONLY}",
        )


async def test_a_role_that_may_write_every_table_is_writable(
    database_url: URL, settings: Settings
) -> None:
    async with (
        database_role(database_url, WRITE, "writer") as writer,
        _access_as(writer, settings) as access,
    ):
        assert access == WRITABLE


async def test_a_role_that_may_write_only_some_tables_is_told_which(
    database_url: URL, settings: Settings
) -> None:
    grants = (*READ, "GRANT INSERT, UPDATE, DELETE ON tokens TO {role}")
    async with (
        database_role(database_url, grants, "partial") as partial,
        _access_as(partial, settings) as access,
    ):
        assert not access.can_write
        assert access.reason == (
            f"Connected as “{partial.username}”, which may add, change and delete tokens; "
            f"may only read users and events. {OFFERS_ONLY}"
        )
        assert access.of(Entity.TOKEN) == EVERY_WRITE
        assert access.of(Entity.USER) == access.of(Entity.EVENT) == frozenset()


async def test_a_role_that_may_only_update_users_may_do_just_that(
    database_url: URL, settings: Settings
) -> None:
    grants = (*READ, "GRANT UPDATE ON users TO {role}")
    async with (
        database_role(database_url, grants, "updater") as role,
        _access_as(role, settings) as access,
    ):
        assert access.of(Entity.USER) == {Privilege.UPDATE}
        assert access.of(Entity.TOKEN) == access.of(Entity.EVENT) == frozenset()
        assert access.reason.startswith(
            f"Connected as “{role.username}”, which may change users but not add or delete them"
        )


async def test_a_role_without_delete_may_do_the_rest(database_url: URL, settings: Settings) -> None:
    grants = (*READ, "GRANT INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {role}")
    async with (
        database_role(database_url, grants, "nodelete") as role,
        _access_as(role, settings) as access,
    ):
        assert not access.can_write
        assert access.of(Entity.EVENT) == {Privilege.INSERT, Privilege.UPDATE}
        assert "may add and change users, tokens and events but not delete them" in access.reason


async def test_read_only_transactions_make_even_a_writer_read_only(
    database_url: URL, settings: Settings
) -> None:
    read_only = "default_transaction_read_only = on"
    async with (
        database_role(database_url, WRITE, "ro", read_only) as writer,
        _access_as(writer, settings) as access,
    ):
        assert not access.can_write
        assert "default_transaction_read_only" in access.reason
        assert f"“{writer.username}”" in access.reason


async def test_the_tests_own_superuser_may_write(engine: AsyncEngine) -> None:
    assert await check_access(create_session_factory(engine)) == WRITABLE
