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

import base64
import hashlib
import random
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.errors import DomainError
from app.domain.events import utc_midnight
from app.domain.tokens import DEFAULT_SOON, IDLE_AFTER, PREFIX_LENGTH
from app.infrastructure.seed_data import (
    ADMINS,
    EVENT_TITLES,
    HOLIDAYS,
    LOCATIONS,
    SCOPES,
    SCRIPT_WEIGHTS,
    SCRIPTS,
    TOKEN_NAMES,
    Script,
)

Row = tuple[Any, ...]
Progress = Callable[[str, int, int], None]
"""Called as rows go out: (table, rows sent so far, rows to send)."""

DAY_S = 86_400
SECOND_US = 1_000_000
PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
MARK = "tsr_"  # as app.services.token_secrets writes secrets
# fmt: off
USER_COLUMNS = ("id", "email", "display_name", "role", "is_active", "created_at", "updated_at",
                "version")
TOKEN_COLUMNS = ("id", "owner_id", "name", "scopes", "prefix", "secret_hash", "created_at",
                 "expires_at", "last_used_at", "revoked_at", "version", "revoked_by")
EVENT_COLUMNS = ("id", "owner_id", "title", "description", "location", "starts_at", "ends_at",
                 "all_day", "created_at", "updated_at", "version")
# fmt: on
# The first tokens of a run are one of each kind, so even a tiny seed shows them all:
# expired, expiring soon, active, revoked, never used, used long ago (idle).
_KINDS = ("expired", "soon", "active", "revoked", "never_used", "idle")
# Tuples, not lists: a row holding only immutable values drops out of the garbage
# collector's sight, and a million rows it keeps scanning cost a fifth of the generation.
_SCOPE_SETS = [tuple(SCOPES[:n]) for n in range(1, len(SCOPES) + 1)] + [("events:read",)] * 3
_WEIGHTED_SCRIPTS = [s for s, w in zip(SCRIPTS, SCRIPT_WEIGHTS, strict=True) for _ in range(w)]
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


def token_counts(rng: random.Random, users: int, per_user: int) -> list[int]:
    """Tokens of each user: ``per_user`` on average, some with none, some with twice as many.

    Args:
        rng: the run's random generator.
        users: how many users.
        per_user: the average.

    Returns:
        One count per user; their sum is exactly ``users * per_user``.
    """
    counts = [per_user] * users
    for i in range(0, users - 1, 2):
        shift = int(rng.random() * (2 * per_user + 1)) - per_user
        counts[i] += shift
        counts[i + 1] -= shift
    return counts


def micros(moment: datetime) -> int:
    """An aware datetime as PostgreSQL stores a ``timestamptz``: microseconds since 2000-01-01 UTC.

    Args:
        moment: an aware datetime.

    Returns:
        The whole number of microseconds from PostgreSQL's epoch to ``moment``.
    """
    return (moment - PG_EPOCH) // timedelta(microseconds=1)


def _user_rows(rng: random.Random, first_id: int, count: int, now: datetime) -> Iterator[Row]:
    now_us = micros(now)
    for uid in range(first_id, first_id + count):
        script: Script = rng.choice(_WEIGHTED_SCRIPTS)
        given, given_latin = rng.choice(script.given)
        family, family_latin = rng.choice(script.family)
        email = f"{given_latin}.{family_latin}.{uid}@{script.domain}"
        if rng.random() < 0.1:
            email = email.capitalize()  # mixed case: uniqueness is on lower(email)
        draw = rng.random()
        role = "administrator" if draw < 0.02 else "staff" if draw < 0.15 else "member"
        created = now_us - (int(rng.random() * 3 * 365 * DAY_S) + 3600) * SECOND_US
        edited = rng.random() < 0.3
        updated = created + int((now_us - created) * rng.random()) if edited else created
        yield (
            uid,
            email,
            script.display(given, family),
            role,
            rng.random() >= 0.08,
            created,
            updated,
            1 + int(rng.random() * 4) if edited else 1,
        )


def _secret(rng: random.Random) -> tuple[str, str]:
    raw = rng.getrandbits(256).to_bytes(32, "little")
    secret = MARK + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return secret[:PREFIX_LENGTH], hashlib.sha256(secret.encode()).hexdigest()


def _token_times(rng: random.Random, kind: str) -> tuple[int, int, int | None, int | None]:
    """Seconds from now: created, expires, last used (None: never), revoked (None: not)."""
    soon = int(DEFAULT_SOON.total_seconds())
    if kind == "expired":
        expires = -int(rng.random() * 120 * DAY_S) - 60
    elif kind == "soon":
        expires = 60 + int(rng.random() * (soon - 120))
    elif kind == "idle":
        expires = soon + int((30 + rng.random() * 200) * DAY_S)
    elif kind == "revoked":  # any expiry: revoked wins over every other status
        expires = int((rng.random() * 485 - 120) * DAY_S) + 1
    else:
        expires = soon + 60 + int(rng.random() * 358 * DAY_S)
    created = expires - int((30 + rng.random() * 335) * DAY_S)
    if kind == "idle":
        created = min(created, -int(IDLE_AFTER.total_seconds()) - 30 * DAY_S)
    elif created > 0:
        created = -int(rng.random() * 30 * DAY_S) - 60
    seen_until = min(0, expires)
    draw = rng.random()
    if kind == "never_used" or (kind not in ("idle", "revoked") and draw < 0.25):
        used = None
    elif kind == "idle" or draw < 0.4:  # used once early on, long ago
        used = created + int(min(seen_until - created, 20 * DAY_S) * rng.random())
    else:
        used = seen_until - int((seen_until - created) * rng.random() * 0.05)
    revoked = None
    if kind == "revoked":
        revoked = created + int((seen_until - created) * rng.random())
        used = None if used is None else min(used, revoked)
    return created, expires, used, revoked


def _token_rows(
    rng: random.Random, first_id: int, first_owner: int, counts: list[int], now: datetime
) -> Iterator[Row]:
    tid = first_id
    now_us = micros(now)
    for owner, count in enumerate(counts, first_owner):
        for _ in range(count):
            n = tid - first_id
            if n < len(_KINDS):
                kind = _KINDS[n]
            else:
                draw = rng.random()
                kind = "expired" if draw < 0.1 else "soon" if draw < 0.16 else "active"
                if rng.random() < 0.08:
                    kind = "revoked"
            created, expires, used, revoked = _token_times(rng, kind)
            prefix, secret_hash = _secret(rng)
            yield (
                tid,
                owner,
                rng.choice(TOKEN_NAMES),
                rng.choice(_SCOPE_SETS),
                prefix,
                secret_hash,
                now_us + created * SECOND_US,
                now_us + expires * SECOND_US,
                None if used is None else now_us + used * SECOND_US,
                None if revoked is None else now_us + revoked * SECOND_US,
                1 if revoked is None else 2,
                None if revoked is None else rng.choice(ADMINS),
            )
            tid += 1


def _event_rows(
    rng: random.Random, first_id: int, first_owner: int, users: int, per_user: int, now: datetime
) -> Iterator[Row]:
    eid = first_id
    quarter = timedelta(minutes=15)
    hour = now.replace(minute=0, second=0, microsecond=0)
    today = now.astimezone(UTC).date()
    for owner in range(first_owner, first_owner + users):
        previous: tuple[datetime, datetime] | None = None
        for j in range(per_user):
            # Over the past and coming six weeks; about a fifth overlap the one before.
            clash = previous is not None and (
                rng.random() < 0.2 or (owner == first_owner and j == 1)
            )
            if previous is not None and clash:
                starts = previous[0] + (previous[1] - previous[0]) * 0.5
                ends = starts + quarter * (2 + int(rng.random() * 8))
                all_day, title = False, rng.choice(EVENT_TITLES)
            elif rng.random() < 0.15:  # all-day: UTC midnights, one to three days
                starts = utc_midnight(today + timedelta(days=int(rng.random() * 84) - 42))
                ends = starts + timedelta(days=1 + int(rng.random() * 3))
                all_day, title = True, rng.choice(HOLIDAYS)
            else:
                starts = hour + quarter * (int(rng.random() * 84 * 96) - 42 * 96)
                ends = starts + quarter * (1 + int(rng.random() * 12))
                all_day, title = False, rng.choice(EVENT_TITLES)
            created = min(starts, now) - timedelta(seconds=int(rng.random() * 30 * DAY_S))
            previous = (starts, ends)
            location = rng.choice(LOCATIONS)
            made, start, end = micros(created), micros(starts), micros(ends)
            yield (eid, owner, title, "", location, start, end, all_day, made, made, 1)
            eid += 1


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
            # Holds off other writers (and a second seed) until the ids are settled.
            await raw.execute("LOCK TABLE users, tokens, events IN SHARE ROW EXCLUSIVE MODE")
            last_user, last_token, last_event = await _start_ids(raw, plan)
            # Seeded per starting point, so an append with the same seed gives new secrets.
            rng = random.Random(f"tessera-seed:{plan.seed}:{last_user}")  # noqa: S311 - not secrets
            counts = token_counts(rng, plan.users, plan.tokens_per_user)
            sizes = (plan.users, sum(counts), plan.users * plan.events_per_user)
            first, now, per_user = last_user + 1, plan.now, plan.events_per_user
            streams = [  # generators: each draws from rng only once its table's turn comes
                (USER_COLUMNS, _user_rows(rng, first, plan.users, now)),
                (TOKEN_COLUMNS, _token_rows(rng, last_token + 1, first, counts, now)),
                (EVENT_COLUMNS, _event_rows(rng, last_event + 1, first, plan.users, per_user, now)),
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
