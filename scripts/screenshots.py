"""Screenshots of the three tabs with realistic data, saved under docs/.

    .venv/bin/python scripts/screenshots.py

Runs offscreen on a throw-away embedded database, so it needs no screen and touches
no real data.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import qasync  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtGui import QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.bootstrap import Tessera, open_tessera  # noqa: E402
from app.domain.paging import PageRequest  # noqa: E402
from app.domain.tokens import TokenFilter  # noqa: E402
from app.domain.users import Role, UserPatch  # noqa: E402
from app.infrastructure.settings import Settings  # noqa: E402
from scripts.demo_data import fill  # noqa: E402
from ui.tabs.record_history import open_history  # noqa: E402
from ui.window import MainWindow  # noqa: E402

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


async def capture(out: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(_env_file=None, database_url=None, data_dir=Path(scratch) / "data")
        async with open_tessera(settings, clock=lambda: NOW) as tessera:
            await tessera.migrations.upgrade()
            await fill(tessera, NOW)
            ini = QSettings(str(Path(scratch) / "ui.ini"), QSettings.Format.IniFormat)
            window = MainWindow(tessera, lambda: NOW, settings.expiring_soon, ini)
            window.resize(1280, 640)
            window.show()
            ready = asyncio.Event()
            window.ready.connect(ready.set)
            window.start()
            await asyncio.wait_for(ready.wait(), 30)
            for tab in window.record_tabs:
                window.tabs.setCurrentWidget(tab)
                await asyncio.sleep(0.05)  # let Qt lay out and paint (no nested event loop)
                window.grab().save(str(out / f"{tab.name}.png"))
            events = window.events_tab
            window.tabs.setCurrentWidget(events)
            for mode in ("week", "month"):
                loaded = asyncio.Event()
                events.calendar_loaded.connect(loaded.set)
                events.set_view(mode)
                await asyncio.wait_for(loaded.wait(), 30)
                events.calendar_loaded.disconnect(loaded.set)
                await asyncio.sleep(0.05)  # let Qt lay out and paint (no nested event loop)
                window.grab().save(str(out / f"events-{mode}.png"))
            await _history_shots(window, tessera, out)
            QApplication.setPalette(_dark_palette())
            window.tabs.setCurrentWidget(window.tokens_tab)
            window.tokens_tab.model.layoutChanged.emit()  # colours follow the new palette
            await asyncio.sleep(0.05)  # let Qt lay out and paint (no nested event loop)
            window.grab().save(str(out / "tokens-dark.png"))
            window.close()
            await window.shutdown()


async def _history_shots(window: MainWindow, tessera: Tessera, out: Path) -> None:
    """A user's history after a few edits, and Recent changes."""
    users = window.users_tab
    window.tabs.setCurrentWidget(users)
    person = users.model.rows[0]
    edited = await tessera.users.update(
        person.id, person.version, UserPatch(display_name=f"{person.display_name} (ops)")
    )
    await tessera.users.update(edited.id, edited.version, UserPatch(role=Role.STAFF))
    tokens = await tessera.tokens.reports.list(
        TokenFilter(owner_id=person.id), PageRequest(sort="expires_at", limit=5)
    )
    if tokens.items:
        await tessera.tokens.revoke_many(tokens.items[:1])
    users.view.selectRow(0)
    dialog = open_history(users)
    assert dialog is not None
    await _until(lambda: dialog.table.rowCount() > 2)
    dialog.table.selectRow(1)
    await asyncio.sleep(0.05)  # let Qt lay out and paint (no nested event loop)
    dialog.grab().save(str(out / "history.png"))
    dialog.close()
    recent = window.show_recent_changes()
    await _until(lambda: recent.table.rowCount() > 0)
    await asyncio.sleep(0.05)  # let Qt lay out and paint (no nested event loop)
    recent.grab().save(str(out / "recent-changes.png"))
    recent.close()


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise TimeoutError("the screenshot's data did not load")


def _dark_palette() -> QPalette:
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#2b2b2b",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1e1e",
        QPalette.ColorRole.AlternateBase: "#262626",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#353535",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#2f65ca",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#8a8a8a",
        QPalette.ColorRole.ToolTipBase: "#353535",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
    }
    for role, colour in colours.items():
        palette.setColor(role, colour)
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.Text,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, "#6f6f6f")
    return palette


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    app.setStyle("Fusion")  # the same look on every machine, light and dark
    out = ROOT / "docs"
    out.mkdir(exist_ok=True)
    qasync.run(capture(out))
    del app
    print(f"Saved {', '.join(p.name for p in sorted(out.glob('*.png')))} in {out}")


if __name__ == "__main__":
    main()
