"""end_jump_ms: from Ctrl+End in the Tokens tab (sorted by expiry) to its last row painted.

    .venv/bin/python -m bench.end_jump [--users 1000] [--tokens 100000] [--repeat 15]

Seeds a throw-away embedded database (or ``TEST_DATABASE_URL``'s server) with the
benchmark's tokens, opens the window offscreen, and per run: loads the list from the top
(F5's path, not timed), then times Ctrl+End until the last token by expiry is the current
row and the view has repainted. Goal (issue 15): 500 ms on 1,000,000 tokens.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.domain.clock import system_clock
from app.infrastructure.seeding import SeedPlan, default_now, seed_database
from bench.common import scratch_database
from ui.window import MainWindow

GOAL_MS = 500


async def _idle(tab: Any) -> None:
    """Until the tab's loads are done (its ``busy_changed`` signal says so)."""
    if not tab.tasks.busy:
        return
    done = asyncio.get_running_loop().create_future()

    def changed(busy: bool) -> None:
        if not busy and not done.done():
            done.set_result(None)

    tab.tasks.busy_changed.connect(changed)
    try:
        await done
    finally:
        tab.tasks.busy_changed.disconnect(changed)


async def run(users: int, tokens: int, repeat: int, data_dir: Path) -> list[float]:
    """Seed, then the milliseconds of each Ctrl+End."""
    async with scratch_database(data_dir) as (tessera, settings):
        plan = SeedPlan(users, tokens // users, 0, 1, default_now())
        seeded = await seed_database(tessera.database.engine, plan)
        print(f"seeded {seeded.users:,} users, {seeded.tokens:,} tokens")
        ini = QSettings(str(data_dir / "bench.ini"), QSettings.Format.IniFormat)
        window = MainWindow(tessera, system_clock, settings.expiring_soon, ini)
        window.show()
        tab = window.tokens_tab
        times: list[float] = []
        try:
            for _ in range(repeat):
                await tab.reload()
                await _idle(tab)
                started = time.perf_counter()
                QTest.keyClick(tab.view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
                await _idle(tab)
                last = tab.model.rowCount() - 1
                assert tab.view.currentIndex().row() == last
                assert not tab.model.has_more
                tab.view.viewport().repaint()
                times.append((time.perf_counter() - started) * 1000)
        finally:
            window.close()
            await window.shutdown()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--tokens", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    with tempfile.TemporaryDirectory() as scratch:
        times = qasync.run(run(args.users, args.tokens, args.repeat, Path(scratch) / "data"))
    median = statistics.median(times)
    print(
        f"end_jump_ms median {median:.1f} (min {min(times):.1f}, max {max(times):.1f},"
        f" {len(times)} runs; goal {GOAL_MS})"
    )


if __name__ == "__main__":
    main()
