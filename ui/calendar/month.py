"""The month view of the calendar: 6 × 7 day cells listing their events, then "+N more".

Everything here reads a ``CalendarGeometry`` (``cell_rect``…) that the widget builds;
nothing here knows the widget.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette

from app.domain.events import Event
from ui.calendar.common import (
    HEADER,
    LINE,
    MONTH_LINES,
    Placed,
    days_covered,
    grid_colour,
)
from ui.calendar.geometry import CalendarGeometry

More = list[tuple[date, int, int]]  # a day, how many of its events are hidden, on which line


def month_layout(geometry: CalendarGeometry, events: Sequence[Event]) -> tuple[Placed, More]:
    """The events listed in each cell, and the cells that say "+N more"."""
    placed: Placed = []
    more: More = []
    days = geometry.days
    for number, day in enumerate(days):
        cell = geometry.cell_rect(number)
        here = [e for e in events if day in days_covered(e, days, geometry.zone)]
        room = max(int((cell.height() - LINE - 4) // LINE), 1)
        limit = min(MONTH_LINES, room)
        shown = here if len(here) <= limit else here[: min(limit, room - 1)]
        for line, event in enumerate(shown):
            top = cell.top() + LINE + 4 + line * LINE
            placed.append((event, QRectF(cell.left() + 3, top, cell.width() - 6, LINE - 1)))
        if len(here) > len(shown):
            more.append((day, len(here) - len(shown), len(shown)))
    return placed, more


def month_slot_at(geometry: CalendarGeometry, point: QPointF) -> datetime | None:
    """09:00 local on the day of the cell at ``point``; None outside the cells."""
    for number, day in enumerate(geometry.days):
        if geometry.cell_rect(number).contains(point):
            return datetime.combine(day, time(9), geometry.zone)
    return None


def paint_month(
    painter: QPainter, geometry: CalendarGeometry, palette: QPalette, hidden: More
) -> None:
    """Day names, the cells (other months shaded, today circled) and their "+N more"."""
    text = palette.color(QPalette.ColorRole.Text)
    dim = QColor(text)
    dim.setAlpha(110)
    today = geometry.today
    more = {day: (count, line) for day, count, line in hidden}
    for number in range(7):
        painter.setPen(text)
        cell = geometry.cell_rect(number)
        painter.drawText(
            QRectF(cell.left(), 0, cell.width(), HEADER),
            Qt.AlignmentFlag.AlignCenter,
            geometry.days[number].strftime("%a"),
        )
    for number, day in enumerate(geometry.days):
        cell = geometry.cell_rect(number)
        if day.month != geometry.month:
            painter.fillRect(cell, palette.color(QPalette.ColorRole.AlternateBase))
        painter.setPen(grid_colour(palette))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(cell)
        label = QRectF(cell.left() + 4, cell.top() + 2, 24, LINE)
        if day == today:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawEllipse(QRectF(label.left() - 2, label.top(), 22, LINE))
            painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
        else:
            painter.setPen(text if day.month == geometry.month else dim)
        painter.drawText(
            QRectF(label.left() - 2, label.top(), 22, LINE),
            Qt.AlignmentFlag.AlignCenter,
            str(day.day),
        )
        if day in more:
            painter.setPen(dim)
            count, line = more[day]
            top = cell.top() + LINE + 4 + line * LINE
            where = QRectF(cell.left() + 6, top, cell.width() - 8, LINE)
            painter.drawText(where, Qt.AlignmentFlag.AlignLeft, f"+{count} more")
