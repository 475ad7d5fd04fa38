"""Tessera through PgBouncer: found out at the first connection, nothing to configure.

Each test runs in transaction and in session pooling mode (see conftest.py).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import URL

from app.bootstrap import open_tessera
from app.domain.paging import PageRequest
from app.domain.tokens import TokenFilter, TokenRequest
from app.domain.users import UserDraft, UserFilter, UserPatch
from app.infrastructure import pooling
from app.infrastructure.changes import PgChangeSignal
from app.infrastructure.engine import create_engine
from app.infrastructure.migrations import MigrationRunner
from app.infrastructure.seeding import SeedPlan, seed_database
from app.infrastructure.settings import Settings
from tests.conftest import create_database, drop_database

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def _settings(url: URL) -> Settings:
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return Settings(_env_file=None, database_url=SecretStr(plain))


def _asyncpg(url: URL) -> dict[str, object]:
    return {"host": url.host, "port": url.port, "user": url.username, "database": url.database}


async def test_the_pooler_and_its_mode_are_found_at_the_first_connection(
    pooled: URL, pooler_mode: str, empty_database: URL
) -> None:
    settings = {"application_name": "tessera", "statement_timeout": "30000"}

    found = await pooling.detect({**_asyncpg(pooled), "server_settings": settings})
    direct = await pooling.detect({**_asyncpg(empty_database), "server_settings": settings})

    assert not found.startup_settings  # PgBouncer refuses statement_timeout at connect
    assert found.per_transaction is (pooler_mode == "transaction")
    assert found.can_listen is (pooler_mode == "session")
    assert direct == pooling.DIRECT


async def test_two_windows_work_side_by_side_through_the_pooler(pooled: URL) -> None:
    async with open_tessera(_settings(pooled)) as one, open_tessera(_settings(pooled)) as two:
        await one.migrations.upgrade()
        for n in range(15):  # interleaved: statements of both meet on the same server connections
            ada, kim = await asyncio.gather(
                one.users.create(UserDraft(email=f"ada{n}@example.org", display_name="Ada")),
                two.users.create(UserDraft(email=f"kim{n}@example.org", display_name="Kim")),
            )
            await asyncio.gather(
                one.users.update(kim.id, kim.version, UserPatch(display_name=f"Kim {n}")),
                two.tokens.issue(TokenRequest(owner_id=ada.id, name=f"ci {n}",
                                              expires_at=NOW + timedelta(days=30))),
                one.users.get(ada.id),
                two.users.list(UserFilter(), PageRequest(limit=50)),
            )  # fmt: skip
        page = await two.users.list(UserFilter(search="kim"), PageRequest(limit=50))
        assert sorted(u.display_name for u in page.items) == sorted(f"Kim {n}" for n in range(15))
        assert await one.tokens.count(TokenFilter()) == 15


async def test_the_statement_timeout_holds_in_every_transaction(pooled: URL) -> None:
    settings = Settings(_env_file=None, statement_timeout_s=7)
    engine = create_engine(pooled, settings)
    try:
        for _ in range(3):
            async with engine.begin() as connection:
                shown = (await connection.execute(text("SHOW statement_timeout"))).scalar_one()
                assert shown == "7s"
    finally:
        await engine.dispose()


async def test_live_views_listen_only_where_notifications_arrive(
    pooled: URL, pooler_mode: str
) -> None:
    signal = PgChangeSignal(pooled, Settings(_env_file=None))
    woken = asyncio.Event()
    try:
        listening = await signal.listen(woken.set, lambda: None)
        assert listening is (pooler_mode == "session")
        if listening:
            sender = await asyncpg.connect(**_asyncpg(pooled))
            try:
                await sender.execute("SELECT pg_notify('tessera_changes', '1')")
            finally:
                await sender.close()
            await asyncio.wait_for(woken.wait(), 5)
    finally:
        await signal.close()


async def test_two_seeds_copy_side_by_side_through_the_pooler(
    pooled: URL, server_url: URL, pooler_port: int, settings: Settings
) -> None:
    second = await create_database(server_url)
    urls = (pooled, second.set(host="127.0.0.1", port=pooler_port))
    engines = [create_engine(url, settings) for url in urls]
    try:
        for engine in engines:
            await MigrationRunner(engine).upgrade()
        plan = SeedPlan(users=200, tokens_per_user=3, events_per_user=2, seed=5, now=NOW)
        results = await asyncio.gather(*(seed_database(engine, plan) for engine in engines))
        assert [r.users for r in results] == [200, 200]
        for engine in engines:
            async with engine.connect() as connection:
                users = (await connection.execute(text("SELECT count(*) FROM users"))).scalar()
                assert users == 200
    finally:
        for engine in engines:
            await engine.dispose()
        await drop_database(second)
