"""The month view of the calendar: 6 × 7 day cells listing their events, then "+N more".

Functions of a ``CalendarView`` in month mode; the view owns the geometry (``cell_rect``)
and calls these to lay out, hit-test and paint.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette

from ui.calendar.common import (
    HEADER,
    LINE,
    MONTH_LINES,
    Placed,
    days_covered,
    grid_colour,
    local_today,
)

if TYPE_CHECKING:
    from ui.calendar.view import CalendarView

More = list[tuple[date, int, int]]  # a day, how many of its events are hidden, on which line


def month_layout(view: CalendarView) -> tuple[Placed, More]:
    """The events listed in each cell, and the cells that say "+N more"."""
    placed: Placed = []
    more: More = []
    days = view.days()
    for number, day in enumerate(days):
        cell = view.cell_rect(number)
        here = [e for e in view.events if day in days_covered(e, days, view.zone)]
        room = max(int((cell.height() - LINE - 4) // LINE), 1)
        limit = min(MONTH_LINES, room)
        shown = here if len(here) <= limit else here[: min(limit, room - 1)]
        for line, event in enumerate(shown):
            top = cell.top() + LINE + 4 + line * LINE
            placed.append((event, QRectF(cell.left() + 3, top, cell.width() - 6, LINE - 1)))
        if len(here) > len(shown):
            more.append((day, len(here) - len(shown), len(shown)))
    return placed, more


def month_slot_at(view: CalendarView, point: QPointF) -> datetime | None:
    """09:00 local on the day of the cell at ``point``; None outside the cells."""
    for number, day in enumerate(view.days()):
        if view.cell_rect(number).contains(point):
            return datetime.combine(day, time(9), view.zone)
    return None


def paint_month(view: CalendarView, painter: QPainter, hidden: More) -> None:
    """Day names, the cells (other months shaded, today circled) and their "+N more"."""
    palette = view.palette()
    text = palette.color(QPalette.ColorRole.Text)
    dim = QColor(text)
    dim.setAlpha(110)
    today = local_today(view.clock, view.zone)
    more = {day: (count, line) for day, count, line in hidden}
    for number in range(7):
        painter.setPen(text)
        cell = view.cell_rect(number)
        painter.drawText(
            QRectF(cell.left(), 0, cell.width(), HEADER),
            Qt.AlignmentFlag.AlignCenter,
            view.days()[number].strftime("%a"),
        )
    for number, day in enumerate(view.days()):
        cell = view.cell_rect(number)
        if day.month != view.anchor.month:
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
            painter.setPen(text if day.month == view.anchor.month else dim)
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
