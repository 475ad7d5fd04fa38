"""How long the first page of a 100,000-user table takes to appear in the window.

    .venv/bin/python -m bench.first_page [--rows 100000] [--repeat 25]

Seeds a throw-away embedded database (or ``TEST_DATABASE_URL``'s server) with users by
COPY, then measures, on the qasync loop with an offscreen window:

* ``raw``: asyncpg fetching the same 201 rows with a prepared statement (the floor);
* ``service``: ``UserService.list`` (repository + unit of work + domain objects);
* ``window``: Users tab reload → rows in the model and ``loaded`` emitted (what a person
  waits for after typing or pressing F5; the count of the table is included).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncpg
import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

from app.bootstrap import open_tessera
from app.domain.clock import system_clock
from app.domain.paging import PageRequest
from app.domain.users import UserFilter
from app.infrastructure.settings import Settings, async_url
from ui.window import MainWindow

SQL = (
    "SELECT id, email, display_name, role, is_active, created_at, updated_at, version "
    "FROM users ORDER BY email, id LIMIT 201"
)


async def _timed(work: Callable[[], Awaitable[object]], repeat: int) -> list[float]:
    await work()  # warm caches and prepared statements
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await work()
        times.append((time.perf_counter() - started) * 1000)
    return times


async def _seed(url: URL, rows: int) -> None:
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        records = ((f"user{n:07d}@example.org", f"User {n}", "member", True) for n in range(rows))
        await connection.copy_records_to_table(
            "users", records=records, columns=["email", "display_name", "role", "is_active"]
        )
        await connection.execute("ANALYZE users")
    finally:
        await connection.close()


async def run(rows: int, repeat: int, data_dir: Path) -> None:
    configured = os.environ.get("TEST_DATABASE_URL")
    database_url = None
    if configured:
        server = async_url(configured)
        name = f"tessera_bench_{os.getpid()}"
        admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        await admin.dispose()
        database_url = server.set(database=name).render_as_string(hide_password=False)
    settings = Settings(_env_file=None, database_url=database_url, data_dir=data_dir)
    try:
        async with open_tessera(settings) as tessera:
            await tessera.migrations.upgrade()
            url = tessera.database.url
            assert url is not None
            started = time.perf_counter()
            await _seed(url, rows)
            print(f"seeded {rows:,} users in {time.perf_counter() - started:.1f} s")

            dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
            raw = await asyncpg.connect(dsn)
            statement = await raw.prepare(SQL)
            raw_ms = await _timed(lambda: statement.fetch(), repeat)
            await raw.close()

            first = PageRequest(sort="email")
            service_ms = await _timed(lambda: tessera.users.list(UserFilter(), first), repeat)

            ini = QSettings(str(data_dir / "bench.ini"), QSettings.Format.IniFormat)
            window = MainWindow(tessera, system_clock, settings.expiring_soon, ini)
            window.show()
            tab = window.users_tab

            async def reload() -> None:
                await tab.reload()
                assert len(tab.model.rows) == 200

            window_ms = await _timed(reload, repeat)
            window.close()
            await window.shutdown()
    finally:
        if configured:
            admin = create_async_engine(async_url(configured), isolation_level="AUTOCOMMIT")
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await admin.dispose()

    floor = statistics.median(raw_ms)
    print(f"\nfirst page of 200 users out of {rows:,} ({repeat} runs each), milliseconds")
    print(f"{'path':<10}{'median':>9}{'min':>9}{'max':>9}{'× raw':>9}")
    for label, times in (("raw", raw_ms), ("service", service_ms), ("window", window_ms)):
        median = statistics.median(times)
        print(
            f"{label:<10}{median:>9.2f}{min(times):>9.2f}{max(times):>9.2f}{median / floor:>9.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    with tempfile.TemporaryDirectory() as scratch:
        qasync.run(run(args.rows, args.repeat, Path(scratch) / "data"))


if __name__ == "__main__":
    main()
