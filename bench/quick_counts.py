"""How long the counts on the Tokens tab's quick filters take on a large table.

    .venv/bin/python -m bench.quick_counts [--tokens 1000000] [--users 10000] [--repeat 25]

Seeds a throw-away database (the embedded server in a temporary folder, or a new database
on ``TEST_DATABASE_URL``'s server) with users and tokens by COPY, ANALYZEs, then measures:

* ``raw``: the same one-row ``count(*) FILTER (WHERE ...)`` query by asyncpg, prepared
  (the floor);
* ``service``: ``TokenReports.quick_counts()`` (unit of work, SQLAlchemy Core, dict).

Tokens expire from 120 days ago to 365 days ahead; about 10% are revoked and 30% never
used.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from app.domain.tokens import IDLE_AFTER
from bench.common import dsn, print_table, scratch_database, timed

RAW = """
SELECT
  count(*) FILTER (WHERE revoked_at IS NULL AND expires_at <= $1),
  count(*) FILTER (WHERE revoked_at IS NULL AND expires_at > $1 AND expires_at <= $2),
  count(*) FILTER (WHERE revoked_at IS NULL AND expires_at > $2),
  count(*) FILTER (WHERE revoked_at IS NOT NULL),
  count(*) FILTER (WHERE revoked_at IS NULL AND last_used_at IS NULL),
  count(*) FILTER (WHERE revoked_at IS NULL AND expires_at > $1
                   AND coalesce(last_used_at, created_at) <= $3)
FROM tokens
"""
COLUMNS = [
    "owner_id",
    "name",
    "scopes",
    "prefix",
    "secret_hash",
    "created_at",
    "expires_at",
    "last_used_at",
    "revoked_at",
    "revoked_by",
]
DAY = timedelta(days=1)
Record = tuple[object, ...]


def _tokens(count: int, owners: list[int], now: datetime) -> Iterator[Record]:
    rng = random.Random(3)  # noqa: S311 - test data, not secrets
    for n in range(count):
        expires = now + timedelta(seconds=rng.uniform(-120, 365) * 86_400)
        created = expires - timedelta(seconds=rng.uniform(30, 365) * 86_400)
        if created > now:
            created = now - timedelta(seconds=rng.uniform(0, 30) * 86_400)
        seen_until = min(now, expires)
        used = None
        if rng.random() >= 0.3 and seen_until > created:
            used = created + (seen_until - created) * rng.random()
        revoked = None
        if rng.random() < 0.1:
            revoked = created + (now - created) * rng.random() if now > created else now
        yield (
            rng.choice(owners),
            f"token {n}",
            ["events:read"],
            f"tsr_{n:08x}",
            f"{n:064x}",
            created,
            expires,
            used,
            revoked,
            "bench" if revoked else None,
        )


async def _seed(dsn: str, users: int, tokens: int, now: datetime) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        people = ((f"user{n:07d}@example.org", f"User {n}", "member", True) for n in range(users))
        await connection.copy_records_to_table(
            "users", records=people, columns=["email", "display_name", "role", "is_active"]
        )
        owners = [row[0] for row in await connection.fetch("SELECT id FROM users")]
        await connection.copy_records_to_table(
            "tokens", records=_tokens(tokens, owners, now), columns=COLUMNS
        )
        await connection.execute("VACUUM ANALYZE users")
        await connection.execute("VACUUM ANALYZE tokens")
    finally:
        await connection.close()


async def run(users: int, tokens: int, repeat: int, data_dir: Path) -> None:
    """Seed, measure and print the table of timings."""
    now = datetime.now(UTC)
    async with scratch_database(data_dir) as (tessera, settings):
        started = time.perf_counter()
        await _seed(dsn(tessera), users, tokens, now)
        seeded = time.perf_counter() - started
        print(f"seeded {users:,} users and {tokens:,} tokens in {seeded:.1f} s (with ANALYZE)")
        service = tessera.tokens.reports
        counts = await service.quick_counts()
        raw = await asyncpg.connect(dsn(tessera))
        try:
            statement = await raw.prepare(RAW)

            async def floor() -> object:
                at = datetime.now(UTC)
                return await statement.fetchrow(at, at + settings.expiring_soon, at - IDLE_AFTER)

            raw_ms, service_ms = await timed([floor, service.quick_counts], repeat)
        finally:
            await raw.close()
    print("counts:", ", ".join(f"{q.value} {n:,}" for q, n in counts.items()))
    print_table(
        f"quick_counts over {tokens:,} tokens ({repeat} runs each)",
        [("raw", raw_ms), ("service", service_ms)],
    )


def main() -> None:
    """Parse the arguments and run in a temporary data folder."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tokens", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        asyncio.run(run(args.users, args.tokens, args.repeat, Path(scratch) / "data"))


if __name__ == "__main__":
    main()
