"""Render ``icons/tessera.svg`` to the PNG sizes desktops ask for: ``icons/hicolor/NxN/``.

Run after changing the SVG: ``.venv/bin/python packaging/render_icons.py``. It uses Qt's own
SVG renderer (QtSvg is part of PySide6-Essentials), off screen.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent / "icons"
SVG = ICONS / "tessera.svg"
SIZES = (16, 32, 48, 64, 128, 256)


def png_path(size: int) -> Path:
    """Where the ``size`` px render lives (the hicolor theme's layout)."""
    return ICONS / "hicolor" / f"{size}x{size}" / "apps" / "tessera.png"


def render() -> list[Path]:
    """Render every size; returns the files written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG} is not a valid SVG")
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = png_path(size)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target)):  # the format follows the .png suffix
            raise SystemExit(f"cannot write {target}")
        written.append(target)
    del app
    return written


if __name__ == "__main__":
    for path in render():
        print(path.relative_to(ICONS.parent))
