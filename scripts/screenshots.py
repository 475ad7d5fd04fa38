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
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import qasync  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtGui import QPalette  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.bootstrap import open_tessera  # noqa: E402
from app.infrastructure.settings import Settings  # noqa: E402
from scripts.demo_data import fill  # noqa: E402
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
                QApplication.processEvents()
                window.grab().save(str(out / f"{tab.name}.png"))
            events = window.events_tab
            window.tabs.setCurrentWidget(events)
            for mode in ("week", "month"):
                loaded = asyncio.Event()
                events.calendar_loaded.connect(loaded.set)
                events.set_view(mode)
                await asyncio.wait_for(loaded.wait(), 30)
                events.calendar_loaded.disconnect(loaded.set)
                QApplication.processEvents()
                window.grab().save(str(out / f"events-{mode}.png"))
            QApplication.setPalette(_dark_palette())
            window.tabs.setCurrentWidget(window.tokens_tab)
            window.tokens_tab.model.layoutChanged.emit()  # colours follow the new palette
            QApplication.processEvents()
            window.grab().save(str(out / "tokens-dark.png"))
            window.close()
            await window.shutdown()


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
