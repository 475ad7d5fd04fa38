"""How a token's status looks: words, a colour that suits the palette, and an icon.

Never colour alone: each status has its own shape too (for colour-blind people and for
screenshots printed in grey).
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication

from app.domain.tokens import TokenStatus

LABELS = {
    TokenStatus.ACTIVE: "Active",
    TokenStatus.EXPIRING_SOON: "Expiring soon",
    TokenStatus.EXPIRED: "Expired",
    TokenStatus.REVOKED: "Revoked",
}
# (on a light background, on a dark one): each passes 4.5:1 contrast on its background.
_COLOURS = {
    TokenStatus.ACTIVE: ("#1b5e20", "#81c784"),
    TokenStatus.EXPIRING_SOON: ("#8a4b00", "#ffcc80"),
    TokenStatus.EXPIRED: ("#b71c1c", "#ff8a80"),
    TokenStatus.REVOKED: ("#545454", "#bdbdbd"),
}


def dark_palette(palette: QPalette | None = None) -> bool:
    """Whether the window background is dark."""
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def colour(status: TokenStatus, palette: QPalette | None = None) -> QColor:
    """The status colour that reads well on the current palette's background."""
    light, dark = _COLOURS[status]
    return QColor(dark if dark_palette(palette) else light)


def icon(status: TokenStatus, palette: QPalette | None = None) -> QIcon:
    """A small shape in the status colour: dot, clock, cross, or barred circle."""
    return _icon(status, colour(status, palette).name())


@cache
def _icon(status: TokenStatus, colour_name: str) -> QIcon:
    size = 16
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    ink = QColor(colour_name)
    pen = QPen(ink, 2)
    painter.setPen(pen)
    ring = QRectF(2, 2, size - 4, size - 4)
    middle = QPointF(size / 2, size / 2)
    if status is TokenStatus.ACTIVE:
        painter.setBrush(ink)
        painter.drawEllipse(ring.adjusted(1, 1, -1, -1))
    elif status is TokenStatus.EXPIRING_SOON:
        painter.drawEllipse(ring)  # a clock face with its hands
        painter.drawLine(middle, QPointF(size / 2, 4.5))
        painter.drawLine(middle, QPointF(11.5, size / 2))
    elif status is TokenStatus.EXPIRED:
        path = QPainterPath()
        path.moveTo(4, 4)
        path.lineTo(12, 12)
        path.moveTo(12, 4)
        path.lineTo(4, 12)
        painter.drawPath(path)
    else:
        painter.drawEllipse(ring)
        painter.drawLine(QPointF(4.5, 11.5), QPointF(11.5, 4.5))
    painter.end()
    return QIcon(pixmap)
