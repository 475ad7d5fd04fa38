"""Realistic data in bulk for ``tessera seed`` and the benchmark: users, tokens and events.

Content is deterministic given the seed, the instant ``now`` and where the ids start (0 on
an empty database, after the last user with ``append``): the same arguments give the same
rows, ids included. ``now`` is a parameter, not the clock, so expiries can be spread around
the present (every token status appears) without making two runs differ.

Rows go in by COPY (asyncpg's binary ``copy_records_to_table``), streamed from generators in
batches, all in one transaction; the identity sequences are moved past the new ids and the
tables are analysed afterwards.

The load waits on this process, not on the server: generating and encoding a token costs
more than PostgreSQL storing it. So times are plain integers, microseconds since
PostgreSQL's epoch (2000-01-01 UTC), sent as they are (see ``_timestamps_as_micros``):
``datetime`` arithmetic, in the generators and again in asyncpg's encoder, took about
a third of the client's time.
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.errors import DomainError
from app.infrastructure.seed_rows import (
    EVENT_COLUMNS,
    TOKEN_COLUMNS,
    USER_COLUMNS,
    Row,
    event_rows,
    token_counts,
    token_rows,
    user_rows,
)

Progress = Callable[[str, int, int], None]
"""Called as rows go out: (table, rows sent so far, rows to send)."""

_REPORT_EVERY = 10_000
TABLES = ("users", "tokens", "events")


class DatabaseNotEmpty(DomainError):
    """The users table already holds rows and appending was not asked for."""

    def __init__(self, users: int) -> None:
        self.users = users
        super().__init__(
            f"The database already holds {users:,} users; seeding refused. "
            "Pass --append to add the new rows after them."
        )


@dataclass(frozen=True, slots=True)
class SeedPlan:
    """What to generate.

    Attributes:
        users: how many users.
        tokens_per_user: tokens per user on average (each pair of users shares 2×this).
        events_per_user: events per user.
        seed: the random seed.
        now: the instant statuses are judged against (expired, expiring soon…).
        append: add after existing users instead of refusing a non-empty database.
        batch: rows per COPY statement.
    """

    users: int
    tokens_per_user: int
    events_per_user: int
    seed: int
    now: datetime
    append: bool = False
    batch: int = 250_000


@dataclass(frozen=True, slots=True)
class SeedResult:
    """What was written, and how long it took."""

    users: int
    tokens: int
    events: int
    first_user_id: int
    seconds: float


def default_now(at: datetime | None = None) -> datetime:
    """The reference instant by default: the current time (or ``at``) down to the hour, UTC.

    Args:
        at: the instant to round; the real clock when None.

    Returns:
        An aware UTC datetime with minutes, seconds and microseconds zero.
    """
    moment = (at or datetime.now(UTC)).astimezone(UTC)
    return moment.replace(minute=0, second=0, microsecond=0)


def _reporting(rows: Iterator[Row], table: str, total: int, progress: Progress) -> Iterator[Row]:
    done = 0
    progress(table, 0, total)
    while chunk := list(islice(rows, _REPORT_EVERY)):
        done += len(chunk)
        progress(table, done, total)
        yield from chunk


_DROPS = """
SELECT format('ALTER TABLE %I DROP CONSTRAINT %I', $1::text, conname),
       format('ALTER TABLE %I ADD CONSTRAINT %I %s', $1::text, conname, pg_get_constraintdef(oid))
FROM pg_constraint WHERE conrelid = $1::regclass AND contype IN ('u', 'f')
UNION ALL
SELECT format('DROP INDEX %s', indexrelid::regclass), pg_get_indexdef(indexrelid)
FROM pg_index i WHERE indrelid = $1::regclass AND NOT indisprimary
  AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""


async def _drop_indexes(raw: Any, table: str) -> list[str]:
    """Drop the table's secondary indexes, unique and foreign keys; return what restores them.

    PostgreSQL's advice for bulk loads: building an index once over sorted rows, and checking
    a foreign key with one join, cost a fraction of maintaining them row by row. The caller's
    transaction makes it all or nothing.
    """
    restore = []
    for drop, create in await raw.fetch(_DROPS, table):
        await raw.execute(drop)
        restore.append(create)
    return restore


async def _copy(
    raw: Any, table: str, columns: Iterable[str], rows: Iterator[Row], total: int, batch: int
) -> None:
    names = list(columns)
    for _ in range(0, total, batch):
        await raw.copy_records_to_table(table, records=islice(rows, batch), columns=names)


@asynccontextmanager
async def _timestamps_as_micros(raw: Any) -> AsyncIterator[None]:
    """While open, the connection sends ``timestamptz`` values given as microsecond integers.

    asyncpg's "tuple" format for the type is ``(microseconds since 2000-01-01 UTC,)``: the
    binary form itself, with no datetime arithmetic per value. The connection goes back to
    the pool afterwards, so its usual codec is restored whatever happens.
    """
    await raw.set_type_codec(
        "timestamptz",
        schema="pg_catalog",
        encoder=lambda us: (us,),
        decoder=lambda wire: wire[0],
        format="tuple",
    )
    try:
        yield
    finally:
        await raw.reset_type_codec("timestamptz", schema="pg_catalog")


async def _start_ids(raw: Any, plan: SeedPlan) -> tuple[int, int, int]:
    users = await raw.fetchval("SELECT count(*) FROM users")
    if users and not plan.append:
        raise DatabaseNotEmpty(users)
    ids = await raw.fetchrow(
        "SELECT (SELECT coalesce(max(id), 0) FROM users), "
        "(SELECT coalesce(max(id), 0) FROM tokens), (SELECT coalesce(max(id), 0) FROM events)"
    )
    return int(ids[0]), int(ids[1]), int(ids[2])


async def _skip_change_log(raw: Any) -> bool:
    """Keep a bulk load out of the change log, where the server lets this role.

    ``session_replication_role = replica`` silences the tables' triggers (the log, and the
    foreign-key checks: the generated rows are consistent by construction). Only a superuser
    or a role granted that setting may set it, so an ordinary session cannot hide its
    writes; for other roles the load is logged like any write, only slower.
    """
    try:
        async with raw.transaction():  # a savepoint: a refusal must not end the load
            await raw.execute("SET LOCAL session_replication_role = replica")
    except asyncpg.InsufficientPrivilegeError:
        return False
    return True


async def seed_database(
    engine: AsyncEngine, plan: SeedPlan, progress: Progress | None = None
) -> SeedResult:
    """Fill the database with generated users, tokens and events.

    Args:
        engine: an engine on a database migrated to head.
        plan: what to generate.
        progress: told how far each table got; nothing is told when None.

    Returns:
        The counts written, the first new user id and the time taken.

    Raises:
        DatabaseNotEmpty: users exist and ``plan.append`` is false.
    """
    started = time.perf_counter()
    report = progress or (lambda _table, _done, _total: None)
    async with engine.connect() as connection:
        raw: Any = (await connection.get_raw_connection()).driver_connection
        async with _timestamps_as_micros(raw), raw.transaction():
            await raw.execute("SET LOCAL statement_timeout = 0")
            await raw.execute("SET LOCAL synchronous_commit = off")
            await raw.execute(
                "SET LOCAL maintenance_work_mem = '256MB'"
            )  # index builds sort in memory
            await _skip_change_log(raw)
            # Holds off other writers (and a second seed) until the ids are settled.
            await raw.execute("LOCK TABLE users, tokens, events IN SHARE ROW EXCLUSIVE MODE")
            last_user, last_token, last_event = await _start_ids(raw, plan)
            # Seeded per starting point, so an append with the same seed gives new secrets.
            rng = random.Random(f"tessera-seed:{plan.seed}:{last_user}")  # noqa: S311 - not secrets
            counts = token_counts(rng, plan.users, plan.tokens_per_user)
            sizes = (plan.users, sum(counts), plan.users * plan.events_per_user)
            first, now, per_user = last_user + 1, plan.now, plan.events_per_user
            streams = [  # generators: each draws from rng only once its table's turn comes
                (USER_COLUMNS, user_rows(rng, first, plan.users, now)),
                (TOKEN_COLUMNS, token_rows(rng, last_token + 1, first, counts, now)),
                (EVENT_COLUMNS, event_rows(rng, last_event + 1, first, plan.users, per_user, now)),
            ]
            existing = (last_user, last_token, last_event)
            for table, (columns, rows), total, before in zip(
                TABLES, streams, sizes, existing, strict=True
            ):
                if not total:
                    continue
                # Rebuilding is worth it when the table at least doubles (max id: a fair guess).
                restore = await _drop_indexes(raw, table) if total >= before else []
                await _copy(
                    raw, table, columns, _reporting(rows, table, total, report), total, plan.batch
                )
                for done, statement in enumerate(restore, 1):
                    await raw.execute(statement)
                    report("indexes", done, len(restore))
            for table in TABLES:
                await raw.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"  # noqa: S608 - our table names
                )
        await raw.execute("ANALYZE users, tokens, events")
    return SeedResult(*sizes, first_user_id=first, seconds=time.perf_counter() - started)
