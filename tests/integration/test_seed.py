"""``tessera seed``: generated data on a real database, deterministic, every status present."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from app.bootstrap import open_tessera
from app.domain.tokens import DEFAULT_SOON, QuickFilter, Token, TokenStatus
from app.domain.users import UserDraft
from app.infrastructure.engine import create_engine
from app.infrastructure.migrations import MigrationRunner
from app.infrastructure.seed_rows import micros
from app.infrastructure.seeding import (
    DatabaseNotEmpty,
    SeedPlan,
    default_now,
    seed_database,
)
from app.infrastructure.settings import Settings
from tests.conftest import create_database, drop_database

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
PLAN = SeedPlan(users=40, tokens_per_user=5, events_per_user=4, seed=7, now=NOW)
SCRIPTS = {
    "Latin": r"[A-Za-zÀ-ɏ]",
    "Hangul": r"[\uac00-\ud7a3]",
    "Japanese": r"[\u3040-\u30ff\u4e00-\u9fff]",
    "Cyrillic": r"[\u0400-\u04ff]",
    "Arabic": r"[\u0600-\u06ff]",
    "Greek": r"[\u0370-\u03ff]",
}


async def _migrated(url: URL) -> AsyncEngine:
    engine = create_engine(url, Settings(_env_file=None))
    await MigrationRunner(engine).upgrade()
    return engine


@pytest_asyncio.fixture
async def engine(empty_database: URL) -> AsyncIterator[AsyncEngine]:
    engine = await _migrated(empty_database)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _rows(engine: AsyncEngine, table: str) -> list[tuple[object, ...]]:
    async with engine.connect() as connection:
        result = await connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))  # noqa: S608
        return [tuple(row) for row in result]


async def _tokens(engine: AsyncEngine) -> list[Token]:
    async with engine.connect() as connection:
        result = await connection.execute(text("SELECT * FROM tokens ORDER BY id"))
        return [Token.model_validate(dict(row._mapping)) for row in result]


async def test_every_token_status_appears_by_the_domain_rules(engine: AsyncEngine) -> None:
    result = await seed_database(engine, PLAN)

    assert (result.users, result.tokens, result.events) == (40, 200, 160)
    tokens = await _tokens(engine)
    assert {t.status(NOW, DEFAULT_SOON) for t in tokens} == set(TokenStatus)
    revoked = [t for t in tokens if t.revoked_at is not None]
    assert all(t.revoked_by and t.revoked_at and t.revoked_at <= NOW for t in revoked)
    assert all(len(t.secret_hash) == 64 and t.prefix.startswith("tsr_") for t in tokens)
    assert len({t.secret_hash for t in tokens}) == len(tokens)
    async with open_tessera(
        Settings(_env_file=None, database_url=engine.url.render_as_string(hide_password=False)),
        lambda: NOW,
    ) as app:
        counts = await app.tokens.reports.quick_counts(soon=DEFAULT_SOON)
    # The service's own SQL sees every quick filter, never used and idle included.
    assert all(counts[quick] > 0 for quick in QuickFilter), counts


async def test_users_come_in_several_scripts_with_unique_emails(engine: AsyncEngine) -> None:
    await seed_database(engine, SeedPlan(users=300, tokens_per_user=1, events_per_user=0,
                                         seed=1, now=NOW))  # fmt: skip
    users = await _rows(engine, "users")
    names = " ".join(str(u[2]) for u in users)
    assert [s for s, pattern in SCRIPTS.items() if not re.search(pattern, names)] == []
    emails = [str(u[1]).lower() for u in users]
    assert len(set(emails)) == len(emails)
    assert {u[3] for u in users} == {"administrator", "staff", "member"}
    assert {u[4] for u in users} == {True, False}


async def test_events_spread_with_overlaps_and_all_day_midnights(engine: AsyncEngine) -> None:
    await seed_database(engine, PLAN)
    async with engine.connect() as connection:
        starts = (await connection.execute(text("SELECT starts_at FROM events"))).scalars().all()
        all_day = (
            await connection.execute(text("SELECT starts_at, ends_at FROM events WHERE all_day"))
        ).all()
        overlaps = (
            await connection.execute(
                text(
                    "SELECT count(*) FROM events a JOIN events b ON a.owner_id = b.owner_id "
                    "AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at"
                )
            )
        ).scalar_one()
    assert min(starts) < NOW < max(starts)
    assert all_day
    for start, end in all_day:
        for moment in (start.astimezone(UTC), end.astimezone(UTC)):
            assert (moment.hour, moment.minute, moment.second) == (0, 0, 0)
        assert end > start
    assert overlaps > 0


async def test_same_seed_same_rows_other_seed_other_rows(
    engine: AsyncEngine, server_url: URL
) -> None:
    await seed_database(engine, PLAN)
    others = []
    for seed in (PLAN.seed, PLAN.seed + 1):
        url = await create_database(server_url)
        other = await _migrated(url)
        try:
            await seed_database(other, SeedPlan(40, 5, 4, seed, NOW))
            others.append({t: await _rows(other, t) for t in ("users", "tokens", "events")})
        finally:
            await other.dispose()
            await drop_database(url)
    ours = {t: await _rows(engine, t) for t in ("users", "tokens", "events")}
    assert ours == others[0]
    assert all(ours[t] != others[1][t] for t in ours)


async def test_refuses_a_database_with_users_unless_appending(engine: AsyncEngine) -> None:
    await seed_database(engine, PLAN)
    with pytest.raises(DatabaseNotEmpty, match="40 users"):
        await seed_database(engine, PLAN)

    more = await seed_database(engine, SeedPlan(10, 5, 1, PLAN.seed, NOW, append=True))

    assert more.first_user_id == 41
    users = await _rows(engine, "users")
    assert [u[0] for u in users] == list(range(1, 51))
    assert len({str(u[1]).lower() for u in users}) == 50
    assert len(await _rows(engine, "tokens")) == 250


async def test_the_app_inserts_after_seeding(engine: AsyncEngine) -> None:
    await seed_database(engine, PLAN)
    settings = Settings(
        _env_file=None, database_url=engine.url.render_as_string(hide_password=False)
    )
    async with open_tessera(settings) as app:
        user = await app.users.create(UserDraft(email="new@example.org", display_name="New"))
    assert user.id == 41
    # The load stayed out of the change log (the test role is a superuser); the app's own
    # write after it did not.
    async with engine.connect() as connection:
        result = await connection.execute(text("SELECT entity, row_id, operation FROM change_log"))
        log = [tuple(row) for row in result]
    assert log == [("user", 41, "insert")]


async def test_times_arrive_exact_and_the_connection_decodes_datetimes_again(
    engine: AsyncEngine,
) -> None:
    # Seeding sends timestamps as microsecond integers on a pooled connection; the next
    # user of that connection must get datetimes back, and the values must be the ones meant.
    await seed_database(engine, PLAN)
    async with engine.connect() as connection:
        first = (
            await connection.execute(text("SELECT created_at, expires_at FROM tokens ORDER BY id"))
        ).first()
        latest = await connection.scalar(text("SELECT max(created_at) FROM users"))
    assert first is not None
    assert isinstance(first.created_at, datetime)
    assert first.created_at.tzinfo is not None
    assert first.created_at.microsecond == 0
    assert first.created_at < first.expires_at < NOW  # the first token is the expired one
    assert isinstance(latest, datetime)
    assert latest <= NOW


def test_micros_counts_from_postgresqls_epoch() -> None:
    assert micros(datetime(2000, 1, 1, tzinfo=UTC)) == 0
    assert micros(NOW) == (NOW - datetime(2000, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    assert micros(datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)) == -1


def test_default_now_is_the_current_hour() -> None:
    assert default_now(datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)) == datetime(
        2026, 1, 2, 3, tzinfo=UTC
    )
    assert default_now().tzinfo is not None


def _tessera(url: URL, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TESSERA_", "TEST_"))}
    env["TESSERA_DATABASE_URL"] = url.render_as_string(hide_password=False)
    return subprocess.run(
        [sys.executable, "-m", "tessera.cli", "seed", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_command_migrates_seeds_refuses_then_appends(empty_database: URL) -> None:
    args = ["--users", "12", "--tokens-per-user", "3", "--events-per-user", "2", "--seed", "5"]

    first = _tessera(empty_database, *args, "--now", "2026-11-26T09:00:00+00:00")
    assert first.returncode == 0, first.stderr
    assert "applied 0001" in first.stdout
    assert "Seeded 12 users (ids from 1), 36 tokens and 24 events" in first.stdout
    assert "tokens  [####################]          36/36" in first.stderr  # the bar, not a TTY

    again = _tessera(empty_database, *args)
    assert again.returncode == 2
    assert "already holds 12 users" in again.stderr
    assert "Traceback" not in again.stderr

    appended = _tessera(empty_database, *args, "--append")
    assert appended.returncode == 0, appended.stderr
    assert "Seeded 12 users (ids from 13)" in appended.stdout


def test_seed_options_belong_to_the_seed_command(capsys: pytest.CaptureFixture[str]) -> None:
    from tessera import cli

    with pytest.raises(SystemExit) as exit_info:
        cli.main(["status", "--users", "3"])
    assert exit_info.value.code == 2
    assert "seed options go with the seed command" in capsys.readouterr().err
