"""Migrations run inside the running qasync loop, as the first-run wizard will run them."""

from __future__ import annotations

import asyncio

import qasync
from sqlalchemy.engine import URL

from app.domain.schema import Revision, SchemaState
from app.infrastructure.engine import create_engine
from app.infrastructure.migrations import MigrationRunner
from app.infrastructure.settings import Settings


async def test_upgrade_inside_the_qasync_loop_reports_each_revision(empty_database: URL) -> None:
    assert isinstance(asyncio.get_running_loop(), qasync.QEventLoop)
    engine = create_engine(empty_database, Settings(_env_file=None))
    try:
        runner = MigrationRunner(engine)
        applied: list[Revision] = []
        await runner.upgrade(progress=applied.append)
        assert [r.id for r in applied] == [r.id for r in runner.revisions()]
        assert await runner.state() is SchemaState.CURRENT
    finally:
        await engine.dispose()
