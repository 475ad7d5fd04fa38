"""The change log on PostgreSQL: reading it on from a cursor, pruning it, and LISTEN.

Revision 0005's triggers write ``change_log`` and ``NOTIFY tessera_changes`` at each
commit that logged something. :class:`SqlChangeLog` reads; :class:`PgChangeSignal` keeps
one connection of its own (outside the pool: a listening connection is never handed to a
unit of work) to hear the notifications.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy import ColumnElement, TextClause, and_, bindparam, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.engine import URL, Row
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.types import BigInteger

from app.domain.changes import (
    Change,
    ChangeBatch,
    ChangeCursor,
    ChangeFilter,
    ChangePage,
    Entity,
    Operation,
)
from app.domain.undo import Step, StepKind, UndoConflict
from app.infrastructure.engine import create_engine, pooling_of
from app.infrastructure.errors import translated
from app.infrastructure.settings import Settings
from app.infrastructure.tables import change_log, events, tokens, users
from app.infrastructure.uow import name_session, tag

CHANNEL = "tessera_changes"  # as revision 0005 notifies
_log = logging.getLogger(__name__)

# The snapshot's xmin: every transaction below it has ended, so its rows are all visible
# now or never will be. One statement, one snapshot: the horizon and the rows agree.
_HORIZON = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"

_START = text(
    f"SELECT {_HORIZON} AS horizon, "  # noqa: S608 - a constant expression
    "(SELECT coalesce(max(id), 0) FROM change_log) AS last_id, "
    f"ARRAY(SELECT id FROM change_log WHERE xid >= {_HORIZON}) AS seen"
)

_READ = text(
    f"SELECT {_HORIZON} AS horizon, c.* FROM (SELECT 1) AS one LEFT JOIN LATERAL ("  # noqa: S608
    " SELECT id, changed_at, xid, actor, program, action, entity, row_id, owner_id, operation,"
    " before, after FROM change_log"
    " WHERE (id > :last_id OR xid >= :horizon) AND NOT (id = ANY(:seen))"
    " ORDER BY id LIMIT :limit) AS c ON true"
).bindparams(bindparam("seen", type_=ARRAY(BigInteger())))

_COLUMNS = (
    "id, changed_at, xid, actor, program, action, entity, row_id, owner_id, operation, "
    "before, after"
)
_OF_ACTION = text(f"SELECT {_COLUMNS} FROM change_log WHERE action = :action ORDER BY id")  # noqa: S608
_TABLES = {Entity.USER: users, Entity.TOKEN: tokens, Entity.EVENT: events}

_PRUNE = text(
    "DELETE FROM change_log WHERE id IN ("
    " SELECT id FROM change_log WHERE changed_at < :before ORDER BY id LIMIT :batch)"
)


def _revert_statement(step: Step) -> tuple[TextClause, dict[str, Any]]:
    """The guarded statement that takes one row back; it returns the row's id when it did."""
    table = _TABLES[step.entity]
    name = table.name  # one of three known tables, never user input
    values = bindparam("values", type_=JSONB())
    if step.kind is StepKind.RESTORE:
        sql = (
            f"INSERT INTO {name} SELECT * FROM jsonb_populate_record(NULL::{name}, :values) "  # noqa: S608
            "ON CONFLICT (id) DO NOTHING RETURNING id"
        )
        return text(sql).bindparams(values), {"values": dict(step.values)}
    guard = {"id": step.row_id, "version": step.version}
    if step.kind is StepKind.REWRITE:
        columns = [c.name for c in table.columns if c.name not in ("id", "version")]
        sql = (
            f"UPDATE {name} AS t SET ({', '.join(columns)}) = "  # noqa: S608
            f"(SELECT {', '.join('r.' + c for c in columns)} "
            "FROM jsonb_populate_record(t, :values) AS r) "
            "WHERE t.id = :id AND t.version = :version RETURNING t.id"
        )
        return text(sql).bindparams(values), {**guard, "values": dict(step.values)}
    sql = f"DELETE FROM {name} WHERE id = :id AND version = :version RETURNING id"  # noqa: S608
    return text(sql), guard


def _change(row: Row[Any]) -> Change:
    return Change(
        id=row.id,
        changed_at=row.changed_at,
        xid=row.xid,
        actor=row.actor,
        program=row.program,
        action=row.action,
        entity=Entity(row.entity),
        row_id=row.row_id,
        owner_id=row.owner_id,
        operation=Operation(row.operation),
        before=row.before,
        after=row.after,
    )


class SqlChangeLog:
    """Reads ``change_log`` for the services (one short statement per read)."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], actor: str | None = None
    ) -> None:
        self._sessions = sessions
        self._actor = actor

    async def start(self) -> ChangeCursor:
        """The present end of the log: a new reader starts here."""
        async with translated("change"), self._sessions() as session:
            row = (await session.execute(_START)).one()
            # The xids of the rows in ``seen`` are at least the horizon; the horizon
            # stands in for them, which only keeps them a little longer than needed.
            seen = frozenset((i, row.horizon) for i in row.seen)
            return ChangeCursor(last_id=row.last_id, horizon=row.horizon, seen=seen)

    async def read(self, cursor: ChangeCursor, limit: int) -> ChangeBatch:
        """Changes after ``cursor`` in log order, ``limit`` at most."""
        parameters = {
            "last_id": cursor.last_id,
            "horizon": cursor.horizon,
            "seen": [i for i, _ in cursor.seen],
            "limit": limit,
        }
        async with translated("change"), self._sessions() as session:
            rows = (await session.execute(_READ, parameters)).all()
        found = tuple(_change(r) for r in rows if r.id is not None)
        horizon = rows[0].horizon
        return ChangeBatch(found, cursor.advanced(horizon, found), len(found) < limit)

    async def history(
        self, entity: Entity, row_id: int, older_than: int | None, limit: int
    ) -> ChangePage:
        """One record's changes, newest first (a user's with its tokens' and events')."""
        log = change_log.c
        mine = and_(log.entity == entity.value, log.row_id == row_id)
        where = or_(mine, log.owner_id == row_id) if entity is Entity.USER else mine
        return await self._page([where], older_than, limit)

    async def recent(self, filter: ChangeFilter, older_than: int | None, limit: int) -> ChangePage:
        """The log, newest first, narrowed by who, what, which operation and when."""
        log = change_log.c
        where: list[ColumnElement[bool]] = []
        if filter.actor:
            where.append(log.actor == filter.actor)
        if filter.entity is not None:
            where.append(log.entity == filter.entity.value)
        if filter.operation is not None:
            where.append(log.operation == filter.operation.value)
        if filter.since is not None:
            where.append(log.changed_at >= filter.since)
        if filter.until is not None:
            where.append(log.changed_at < filter.until)
        return await self._page(where, older_than, limit)

    async def _page(
        self, where: list[ColumnElement[bool]], older_than: int | None, limit: int
    ) -> ChangePage:
        if older_than is not None:
            where = [*where, change_log.c.id < older_than]
        query = select(change_log).where(*where).order_by(change_log.c.id.desc()).limit(limit + 1)
        async with translated("change"), self._sessions() as session:
            rows = (await session.execute(query)).all()
        found = tuple(_change(r) for r in rows[:limit])
        return ChangePage(found, found[-1].id if len(rows) > limit else None)

    async def of_action(self, action: str) -> list[Change]:
        """Everything one window action wrote, cascades included, in log order."""
        async with translated("change"), self._sessions() as session:
            rows = (await session.execute(_OF_ACTION, {"action": action})).all()
        return [_change(r) for r in rows]

    async def revert(self, steps: Sequence[Step]) -> None:
        """Take the rows back in one transaction, each guarded; all or nothing.

        Raises:
            UndoConflict: rows changed, deleted or re-created since; nothing was written.
        """
        async with translated("record"), self._sessions() as session:
            name_session(session, self._actor)
            await session.run_sync(tag)  # text statements escape the automatic tagging
            refused: list[Step] = []
            for step in steps:
                statement, parameters = _revert_statement(step)
                if (await session.execute(statement, parameters)).first() is None:
                    refused.append(step)
            if refused:
                await session.rollback()
                raise UndoConflict(refused)
            await session.commit()

    async def prune(self, before: datetime, batch: int) -> int:
        """Delete one batch of changes older than ``before`` (the schema owner may)."""
        async with translated("change"), self._sessions() as session:
            result: Any = await session.execute(_PRUNE, {"before": before, "batch": batch})
            await session.commit()
            return int(result.rowcount)


class PgChangeSignal:
    """LISTEN on a connection of its own, opened with the app's settings."""

    def __init__(self, url: URL, settings: Settings) -> None:
        self._url = url
        self._settings = settings.model_copy(update={"pool_size": 1, "max_overflow": 0})
        self._engine: AsyncEngine | None = None
        self._connection: AsyncConnection | None = None

    async def listen(self, wake: Callable[[], None], lost: Callable[[], None]) -> bool:
        """Start hearing notifications; False when this server cannot send them."""
        await self.close()
        self._engine = create_engine(self._url, self._settings)
        async with translated("change"):
            self._connection = await self._engine.connect()
            raw = await self._connection.get_raw_connection()
        if not pooling_of(raw).can_listen:
            _log.info("a transaction pooler stands in front: reading the change log by polling")
            await self.close()
            return False
        driver: Any = raw.driver_connection
        try:
            await driver.add_listener(CHANNEL, lambda *_: wake())
        except asyncpg.PostgresError as error:
            _log.info("LISTEN refused, reading the change log by polling: %s", error)
            await self.close()
            return False
        driver.add_termination_listener(lambda _connection: lost())
        return True

    async def close(self) -> None:
        """Stop listening and close the connection (quietly if it is already gone)."""
        connection, self._connection = self._connection, None
        engine, self._engine = self._engine, None
        try:
            if connection is not None:
                await connection.close()
        except (SQLAlchemyError, OSError):
            _log.debug("listening connection was already gone")
        if engine is not None:
            await engine.dispose()
