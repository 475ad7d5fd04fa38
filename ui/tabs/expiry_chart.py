"""A bar chart of upcoming expiries: tokens already expired, then week by week.

A glance shows a wave coming; clicking a bar filters the table to it. Painted with
QPainter (Qt Charts is not part of PySide6-Essentials).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.domain.tokens import ExpiryBucket, TokenStatus
from ui.format import plural
from ui.tabs import token_style


class ExpiryChart(QWidget):
    """Bars of :class:`ExpiryBucket`; ``bucket_clicked`` says which one was clicked."""

    bucket_clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tokens_chart")
        self.setMinimumHeight(96)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.buckets: list[ExpiryBucket] = []
        self._selected = -1  # the bar's number: the buckets move with now, the bar stays
        self._hover = -1

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(600, 110)

    @property
    def selected(self) -> ExpiryBucket | None:
        """The clicked bar's bucket as last read, or None."""
        if 0 <= self._selected < len(self.buckets):
            return self.buckets[self._selected]
        return None

    def set_buckets(self, buckets: Sequence[ExpiryBucket]) -> None:
        """Show new counts."""
        self.buckets = list(buckets)
        self.setToolTip("")
        self.update()

    def clear(self, notify: bool = True) -> None:
        """No bar selected; say so (``bucket_clicked(None)``) unless ``notify`` is False."""
        self._selected = -1
        self.update()
        if notify:
            self.bucket_clicked.emit(None)

    def label(self, bucket: ExpiryBucket) -> str:
        """``Expired`` or the week's first day, ``Dec 3``."""
        if bucket.starts is None:
            return "Expired"
        return bucket.starts.astimezone().strftime("%b %-d")

    def tip(self, bucket: ExpiryBucket) -> str:
        """What a bar's tooltip says: how many tokens, when, and that a click lists them."""
        if bucket.starts is None:
            return plural(
                bucket.count,
                "{n} token already expired. Click to list it.",
                "{n} tokens already expired. Click to list them.",
            )
        return plural(
            bucket.count,
            "{n} token expiring in the week from {week}. Click to list it.",
            "{n} tokens expiring in the week from {week}. Click to list them.",
        ).replace("{week}", self.label(bucket))

    def _bar_rects(self) -> list[QRectF]:
        if not self.buckets:
            return []
        area = QRectF(self.rect()).adjusted(8, 18, -8, -20)
        step = area.width() / len(self.buckets)
        tallest = max((b.count for b in self.buckets), default=0) or 1
        rects = []
        for number, bucket in enumerate(self.buckets):
            height = area.height() * bucket.count / tallest
            left = area.left() + number * step + step * 0.15
            rects.append(QRectF(left, area.bottom() - height, step * 0.7, height))
        return rects

    def _column(self, x: float) -> int:
        if not self.buckets:
            return -1
        step = (self.width() - 16) / len(self.buckets)
        number = int((x - 8) // step)
        return number if 0 <= number < len(self.buckets) else -1

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        if not self.buckets:
            painter.setPen(text)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No expiries to show")
            return
        soon = token_style.colour(TokenStatus.EXPIRING_SOON, self.palette())
        expired = token_style.colour(TokenStatus.EXPIRED, self.palette())
        for number, (bucket, bar) in enumerate(zip(self.buckets, self._bar_rects(), strict=True)):
            fill = QColor(expired if bucket.starts is None else soon)
            if self.selected is not None and bucket != self.selected:
                fill.setAlpha(90)
            if number == self._hover:
                fill = fill.lighter(120)
            painter.fillRect(bar, fill)
            painter.setPen(text)
            count_box = QRectF(bar.left() - 10, bar.top() - 16, bar.width() + 20, 14)
            painter.drawText(count_box, Qt.AlignmentFlag.AlignCenter, str(bucket.count))
            label_box = QRectF(bar.left() - 14, self.height() - 18, bar.width() + 28, 16)
            painter.drawText(label_box, Qt.AlignmentFlag.AlignCenter, self.label(bucket))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        number = self._column(event.position().x())
        if number != self._hover:
            self._hover = number
            if number >= 0:
                bucket = self.buckets[number]
                self.setToolTip(self.tip(bucket))
            self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        number = self._column(event.position().x())
        if number >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self.click(number)

    def click(self, number: int) -> None:
        """Select bucket ``number`` (again: clear the selection) and say so."""
        self._selected = -1 if number == self._selected else number
        self.update()
        self.bucket_clicked.emit(self.selected)
