"""The embedded PostgreSQL server, with real processes, sockets and signals.

Every test owns its data folder; the ``lab`` fixture stops what the test started and, as a
last resort, kills any process still serving one of the test's clusters.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import locale
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import psutil
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from app.infrastructure import embedded
from app.infrastructure.embedded import EmbeddedPostgres, EmbeddedServerError

# POSIX only for now (unix sockets, signals, uids); Windows is untested.
pytestmark = [pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
DEADLINE_S = 90.0
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

# Runs in a child process: start (writing a row when asked), report the postmaster pid in
# <signals>/pid, then stop at once ("visit") or hold the server until <signals>/release appears
# or the process is killed.
CHILD = textwrap.dedent(
    """
    import asyncio, os, sys, time
    from pathlib import Path

    import asyncpg
    from sqlalchemy.engine import make_url

    from app.infrastructure.embedded import EmbeddedPostgres

    mode, data_dir, signals = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    pg = EmbeddedPostgres(data_dir)
    url = pg.start()

    async def write() -> None:
        host = make_url(url).query["host"]
        conn = await asyncpg.connect(host=host, user="postgres", database="tessera")
        await conn.execute("CREATE TABLE survivor (note text)")
        await conn.execute("INSERT INTO survivor VALUES ('written before the kill')")
        await conn.close()

    if mode == "write":
        asyncio.run(write())
    (signals / "pid.tmp").write_text(str(pg.pid))
    os.replace(signals / "pid.tmp", signals / "pid")
    print(pg.pid, flush=True)
    if mode != "visit":
        deadline = time.monotonic() + 120
        while not (signals / "release").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    pg.stop()
    """
)


def wait_until(condition: Callable[[], bool], what: str, timeout: float = DEADLINE_S) -> None:
    """Poll ``condition`` until it holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}.")
        time.sleep(0.05)


def cluster_processes(pgdata: Path) -> list[psutil.Process]:
    """Live (non-zombie) processes whose command line mentions the cluster folder."""
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        if proc.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        if any(str(pgdata) in part for part in proc.info["cmdline"] or ()):
            found.append(proc)
    return found


def pgdata_of(data_dir: Path) -> Path:
    """The cluster folder of a data folder, as the server names it."""
    return data_dir.resolve() / "postgres"


@contextlib.contextmanager
def stale_holder(kind: str) -> Iterator[int]:
    """A pid for a stale postmaster.pid: a dead process, or a live unrelated one."""
    # "recycled": after a reboot the old pid may name an unrelated live process.
    stranger = subprocess.Popen(["sleep", "600"] if kind == "recycled" else ["true"])
    try:
        if kind == "dead":
            stranger.wait(timeout=DEADLINE_S)
        yield stranger.pid
    finally:
        stranger.kill()
        stranger.wait(timeout=DEADLINE_S)


def write_postmaster_pid(pgdata: Path, pid: int) -> None:
    """Leave a postmaster.pid as a crashed server would, owned like the cluster."""
    lines = [str(pid), str(pgdata), "1700000000", "5432", str(pgdata), "", "0 0", "ready"]
    (pgdata / "postmaster.pid").write_text("\n".join(lines) + "\n")
    os.chown(pgdata / "postmaster.pid", pgdata.stat().st_uid, pgdata.stat().st_gid)


def is_running(pid: int) -> bool:
    """True when ``pid`` is a live process (zombies count as dead)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def socket_dir(url: str) -> Path:
    """The socket folder of an embedded URL, parsed the way SQLAlchemy parses it."""
    host = make_url(url).query["host"]
    assert isinstance(host, str)
    return Path(host)


def owner_pids(data_dir: Path) -> list[int]:
    """The pids listed in the owners file (none when there is no file)."""
    owners = data_dir / "postgres.owners.json"
    entries = json.loads(owners.read_text()) if owners.exists() else []
    return [entry["pid"] for entry in entries]


async def fetch(url: str, query: str) -> object:
    """Run one query over the embedded server's socket and return the first value."""
    conn = await asyncpg.connect(host=str(socket_dir(url)), user="postgres", database="tessera")
    try:
        return await conn.fetchval(query)
    finally:
        await conn.close()


class Lab:
    """Makes handles and child processes, and cleans up after them."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.handles: list[EmbeddedPostgres] = []
        self.data_dirs: list[Path] = []
        self.children: list[subprocess.Popen[bytes]] = []

    def handle(self, data_dir: Path, **kwargs: str) -> EmbeddedPostgres:
        """A new EmbeddedPostgres on ``data_dir``, stopped at teardown."""
        self.data_dirs.append(data_dir.resolve())
        pg = EmbeddedPostgres(data_dir, **kwargs)
        self.handles.append(pg)
        return pg

    def spawn(self, mode: str, data_dir: Path, name: str) -> tuple[subprocess.Popen[bytes], Path]:
        """Start :data:`CHILD` in ``mode``; return the process and its signal folder."""
        self.data_dirs.append(data_dir.resolve())
        signals = self.tmp_path / name
        signals.mkdir()
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        with (signals / "output").open("wb") as output:
            child = subprocess.Popen(
                [sys.executable, "-c", CHILD, mode, str(data_dir), str(signals)],
                cwd=REPO,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.children.append(child)
        return child, signals

    def visit(self, data_dir: Path) -> subprocess.CompletedProcess[str]:
        """Run :data:`CHILD` in "visit" mode to the end: start, print the pid, stop."""
        return subprocess.run(
            [sys.executable, "-c", CHILD, "visit", str(data_dir), str(self.tmp_path)],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=DEADLINE_S,
            check=False,
        )

    def wait_for_pid(self, child: subprocess.Popen[bytes], signals: Path) -> int:
        """Wait until the child reports its postmaster pid; fail with its output if it dies."""
        wait_until(
            lambda: (signals / "pid").exists() or child.poll() is not None, "the child's start"
        )
        assert (signals / "pid").exists(), (signals / "output").read_text()
        return int((signals / "pid").read_text())

    def cleanup(self) -> None:
        """Kill children, stop handles, then kill whatever still serves our clusters."""
        for child in self.children:
            if child.poll() is None:
                child.kill()
            child.wait(timeout=30)
        for pg in reversed(self.handles):
            with contextlib.suppress(Exception):
                pg.stop()
        for data_dir in self.data_dirs:
            leftovers = cluster_processes(data_dir / "postgres")
            for proc in leftovers:
                with contextlib.suppress(psutil.Error):
                    proc.kill()
            psutil.wait_procs(leftovers, timeout=10)


@pytest.fixture
def lab(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Lab]:
    """A :class:`Lab`; data folders of passing tests are deleted (clusters weigh ~40 MB)."""
    failed_before = request.session.testsfailed
    the_lab = Lab(tmp_path)
    try:
        yield the_lab
    finally:
        the_lab.cleanup()
        if request.session.testsfailed == failed_before:
            for data_dir in the_lab.data_dirs:
                shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def template_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An initialised cluster (server stopped), copied by tests that need not pay for initdb."""
    data_dir = tmp_path_factory.mktemp("template") / "data"
    pg = EmbeddedPostgres(data_dir)
    try:
        pg.start()
    finally:
        pg.stop()
    yield data_dir
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def initialised(template_cluster: Path, tmp_path: Path) -> Path:
    """A data folder holding a copy of the template cluster."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    # The copy belongs to root when run as root: start() must hand it back to the system user.
    shutil.copytree(template_cluster / "postgres", data_dir / "postgres", symlinks=True)
    return data_dir


async def test_fresh_start_serves_postgresql_18_with_the_extensions(
    lab: Lab, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    pg = lab.handle(data_dir)

    url = pg.start()

    pgdata = pgdata_of(data_dir)
    assert url == f"postgresql+asyncpg://postgres@/tessera?host={pgdata}"
    assert pg.start() == url  # idempotent
    assert str(await fetch(url, "SELECT version()")).startswith("PostgreSQL 18")
    assert await fetch(url, "SELECT current_database()") == "tessera"
    assert await fetch(url, "SHOW listen_addresses") == ""
    conn = await asyncpg.connect(host=str(pgdata), user="postgres", database="tessera")
    try:
        await conn.execute("CREATE EXTENSION pg_trgm")
        await conn.execute("CREATE EXTENSION btree_gist")
        assert await conn.fetchval("SELECT similarity('tessera', 'tesera')") > 0.5
        await conn.execute(
            "CREATE TABLE booking (room int, during tsrange,"
            " EXCLUDE USING gist (room WITH =, during WITH &&))"
        )
        await conn.execute("INSERT INTO booking VALUES (1, '[2025-01-01 10:00, 2025-01-01 11:00)')")
        with pytest.raises(asyncpg.exceptions.ExclusionViolationError):
            await conn.execute(
                "INSERT INTO booking VALUES (1, '[2025-01-01 10:30, 2025-01-01 12:00)')"
            )
    finally:
        await conn.close()
    # The URL is SQLAlchemy's, as the app will use it.
    engine = create_async_engine(url)
    try:
        async with engine.connect() as sa_conn:
            assert (await sa_conn.execute(text("SELECT current_user"))).scalar_one() == "postgres"
    finally:
        await engine.dispose()
    assert stat.S_IMODE((pgdata / ".s.PGSQL.5432").stat().st_mode) == 0o700
    assert pg.pid is not None
    postmaster = psutil.Process(pg.pid)
    assert not [c for c in postmaster.net_connections(kind="inet") if c.status == "LISTEN"]
    if IS_ROOT:
        assert postmaster.username() == "tessera_pg"
        assert pgdata.stat().st_uid == postmaster.uids().real


async def test_second_handle_in_process_shares_the_server(lab: Lab, initialised: Path) -> None:
    first, second = lab.handle(initialised), lab.handle(initialised)
    url = first.start()

    assert second.start() == url
    assert second.pid == first.pid
    assert owner_pids(initialised) == [os.getpid(), os.getpid()]

    pid = first.pid
    second.stop()
    assert first.pid == pid
    assert await fetch(url, "SELECT 1") == 1
    first.stop()
    assert first.pid is None
    assert cluster_processes(pgdata_of(initialised)) == []


async def test_second_process_shares_the_server(lab: Lab, initialised: Path) -> None:
    pg = lab.handle(initialised)
    url = pg.start()

    visit = lab.visit(initialised)

    assert visit.returncode == 0, visit.stderr
    assert int(visit.stdout.split()[0]) == pg.pid
    assert pg.pid is not None
    assert is_running(pg.pid)
    assert await fetch(url, "SELECT 1") == 1
    assert owner_pids(initialised) == [os.getpid()]


def test_stop_leaves_no_process_and_no_socket(lab: Lab, initialised: Path) -> None:
    pgdata = pgdata_of(initialised)
    with lab.handle(initialised) as pg:
        pid = pg.pid
        assert pid is not None
        assert (pgdata / ".s.PGSQL.5432").is_socket()
        assert cluster_processes(pgdata)

    assert cluster_processes(pgdata) == []
    assert not is_running(pid)
    assert not (pgdata / ".s.PGSQL.5432").exists()
    assert not (pgdata / "postmaster.pid").exists()
    assert pg.pid is None
    with pytest.raises(RuntimeError):
        _ = pg.url
    pg.stop()  # idempotent
    assert owner_pids(initialised) == []


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
async def test_server_of_a_killed_owner_is_adopted_then_stopped(
    lab: Lab, initialised: Path, sig: signal.Signals
) -> None:
    pgdata = pgdata_of(initialised)
    child, signals = lab.spawn("write", initialised, "owner")
    orphan = lab.wait_for_pid(child, signals)

    child.send_signal(sig)
    assert child.wait(timeout=DEADLINE_S) == -sig
    assert is_running(orphan), "the server must outlive its killed owner"

    pg = lab.handle(initialised)
    url = pg.start()
    assert pg.pid == orphan
    assert owner_pids(initialised) == [os.getpid()]  # the dead owner was pruned
    assert await fetch(url, "SELECT note FROM survivor") == "written before the kill"

    pg.stop()
    assert not is_running(orphan)
    assert cluster_processes(pgdata) == []


@pytest.mark.parametrize("holder", ["dead", "recycled"])
async def test_stale_postmaster_pid_does_not_block_start(
    lab: Lab, initialised: Path, holder: str
) -> None:
    pgdata = pgdata_of(initialised)
    with stale_holder(holder) as stale:
        write_postmaster_pid(pgdata, stale)
        pg = lab.handle(initialised)
        assert pg.pid is None

        url = pg.start()

        assert pg.pid not in (None, stale)
        assert await fetch(url, "SELECT 1") == 1
        pg.stop()
        assert cluster_processes(pgdata) == []


async def test_first_start_under_an_uninstalled_locale(
    lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A locale no machine has, so the case is real everywhere (de_DE.UTF-8 broke initdb here).
    missing = "xx_XX.UTF-8"
    with pytest.raises(locale.Error):
        locale.setlocale(locale.LC_ALL, missing)
    for name in ("LANG", "LC_ALL", "LC_MESSAGES", "LC_CTYPE"):
        monkeypatch.setenv(name, missing)
    pg = lab.handle(tmp_path / "data")

    url = pg.start()

    query = "SELECT concat_ws(' ', datlocprovider, datlocale) FROM pg_database"
    query += " WHERE datname = 'tessera'"
    assert await fetch(url, query) == "b C.UTF-8"
    assert (
        await fetch(url, "SELECT datctype FROM pg_database WHERE datname = 'tessera'") == "C.UTF-8"
    )
    assert await fetch(url, "SELECT upper('é')") == "É"  # the default collation knows Unicode
    # pg_trgm classifies letters with LC_CTYPE: under plain "C" it would drop "äöü" entirely.
    await fetch(url, "CREATE EXTENSION pg_trgm")
    assert await fetch(url, "SELECT cardinality(show_trgm('äöü'))") == 4


async def test_long_data_path_puts_the_socket_in_a_short_folder(lab: Lab, tmp_path: Path) -> None:
    data_dir = tmp_path / ("deep" * 12) / ("deeper" * 8) / "data"
    pgdata = pgdata_of(data_dir)
    assert len(os.fsencode(pgdata / ".s.PGSQL.5432")) > 108
    pg = lab.handle(data_dir)

    url = pg.start()

    sockets = socket_dir(url)
    digest = hashlib.sha256(os.fsencode(pgdata)).hexdigest()[:10]
    assert sockets == Path(tempfile.gettempdir()) / f"tessera-{digest}"
    assert (sockets / ".s.PGSQL.5432").is_socket()
    assert stat.S_IMODE(sockets.stat().st_mode) == 0o700
    assert await fetch(url, "SELECT current_database()") == "tessera"
    pg.stop()
    assert not (sockets / ".s.PGSQL.5432").exists()
    assert not sockets.exists()
    assert cluster_processes(pgdata) == []


# Only root can give a folder to another user; a symlink can be planted by anyone.
@pytest.mark.parametrize("kind", ["symlink", "foreign owner"] if IS_ROOT else ["symlink"])
def test_planted_short_socket_folder_is_refused(lab: Lab, tmp_path: Path, kind: str) -> None:
    data_dir = tmp_path / ("deep" * 12) / ("deeper" * 8) / "data"
    pgdata = pgdata_of(data_dir)
    planted = Path(tempfile.gettempdir()) / (
        "tessera-" + hashlib.sha256(os.fsencode(pgdata)).hexdigest()[:10]
    )
    if kind == "symlink":
        target = tmp_path / "elsewhere"
        target.mkdir(mode=0o700)
        planted.symlink_to(target)
    else:
        planted.mkdir(mode=0o777)
        os.chown(planted, 65534, 65534)  # nobody
    try:
        with pytest.raises(EmbeddedServerError, match="belongs to someone else"):
            lab.handle(data_dir).start()
        assert cluster_processes(pgdata) == []
        assert planted.is_dir()  # not ours to delete
    finally:
        if planted.is_symlink():
            planted.unlink()
        else:
            shutil.rmtree(planted, ignore_errors=True)


def test_start_failure_is_readable_and_leaves_nothing(lab: Lab, initialised: Path) -> None:
    pgdata = pgdata_of(initialised)
    config = pgdata / "postgresql.conf"
    good = config.read_text()
    config.write_text(good + "\nthis is = not a setting\n")
    pg = lab.handle(initialised)

    with pytest.raises(EmbeddedServerError) as failure:
        pg.start()

    message = str(failure.value)
    assert message.startswith("PostgreSQL did not start.")
    assert "syntax error" in message  # from the server log's tail
    assert "Traceback" not in message
    assert cluster_processes(pgdata) == []
    assert pg.pid is None
    with pytest.raises(RuntimeError):
        _ = pg.url
    assert owner_pids(initialised) == []
    config.write_text(good)
    pg.start()  # and it recovers once the cause is gone
    pg.stop()
    assert cluster_processes(pgdata) == []


def test_failure_after_the_server_started_stops_it(
    lab: Lab, initialised: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: EmbeddedPostgres, info: list[str]) -> None:
        raise EmbeddedServerError("createdb failed (injected)")

    monkeypatch.setattr(EmbeddedPostgres, "_ensure_database", broken)
    pg = lab.handle(initialised)

    with pytest.raises(EmbeddedServerError, match="injected"):
        pg.start()

    assert cluster_processes(pgdata_of(initialised)) == []
    assert owner_pids(initialised) == []


def test_failed_initdb_leaves_no_half_cluster(
    lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    monkeypatch.setattr(embedded, "_INITDB", embedded._INITDB + " --locale=xx_XX.bogus")
    pg = lab.handle(data_dir)

    with pytest.raises(EmbeddedServerError, match="initdb failed") as failure:
        pg.start()

    assert "xx_XX.bogus" in str(failure.value)
    assert sorted(p.name for p in data_dir.iterdir()) == ["postgres.lock"]
    monkeypatch.undo()
    assert pg.start().endswith(f"?host={pgdata_of(data_dir)}")  # a clean retry works
    pg.stop()


def test_concurrent_first_starts_run_one_server(lab: Lab, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    children = [lab.spawn("hold", data_dir, f"holder{i}") for i in range(2)]

    pids = {lab.wait_for_pid(child, signals) for child, signals in children}

    assert len(pids) == 1
    assert sorted(owner_pids(data_dir)) == sorted(child.pid for child, _ in children)
    for _, signals in children:
        (signals / "release").touch()
    for child, signals in children:
        assert child.wait(timeout=DEADLINE_S) == 0, (signals / "output").read_text()
    assert not is_running(pids.pop())
    assert cluster_processes(pgdata_of(data_dir)) == []
    assert owner_pids(data_dir) == []


def test_server_runs_as_a_system_user_only_for_root(lab: Lab, tmp_path: Path) -> None:
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    pg = lab.handle(private / "data")

    pg.start()

    assert pg.pid is not None
    runs_as = psutil.Process(pg.pid).username()
    if IS_ROOT:
        assert runs_as == "tessera_pg"
        assert stat.S_IMODE(private.stat().st_mode) == 0o701  # traverse only: no read, no write
        assert (private / "data" / "postgres").owner() == "tessera_pg"
    else:
        assert runs_as == psutil.Process().username()
        assert stat.S_IMODE(private.stat().st_mode) == 0o700  # nothing loosened


def test_database_name_must_be_a_plain_identifier(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="database name"):
        EmbeddedPostgres(tmp_path, database="tessera'; DROP DATABASE postgres; --")
