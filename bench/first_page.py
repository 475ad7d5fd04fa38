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
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncpg
import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.domain.clock import system_clock
from app.domain.paging import PageRequest
from app.domain.users import UserFilter
from bench.common import dsn, print_table, scratch_database, timed
from ui.window import MainWindow

SQL = (
    "SELECT id, email, display_name, role, is_active, created_at, updated_at, version "
    "FROM users ORDER BY email, id LIMIT 201"
)


async def _seed(dsn: str, rows: int) -> None:
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
    """Seed, measure and print the table of timings."""
    async with scratch_database(data_dir) as (tessera, settings):
        started = time.perf_counter()
        await _seed(dsn(tessera), rows)
        print(f"seeded {rows:,} users in {time.perf_counter() - started:.1f} s")
        raw = await asyncpg.connect(dsn(tessera))
        statement = await raw.prepare(SQL)
        first = PageRequest(sort="email")
        ini = QSettings(str(data_dir / "bench.ini"), QSettings.Format.IniFormat)
        window = MainWindow(tessera, system_clock, settings.expiring_soon, ini)
        window.show()
        tab = window.users_tab

        async def reload() -> None:
            await tab.reload()
            assert len(tab.model.rows) == 200

        try:
            raw_ms, service_ms, window_ms = await timed(
                [statement.fetch, lambda: tessera.users.list(UserFilter(), first), reload],
                repeat,
                interleave=False,  # the window repaints after a load: keep that off the others
            )
        finally:
            await raw.close()
            window.close()
            await window.shutdown()
    print_table(
        f"first page of 200 users out of {rows:,} ({repeat} runs each)",
        [("raw", raw_ms), ("service", service_ms), ("window", window_ms)],
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
