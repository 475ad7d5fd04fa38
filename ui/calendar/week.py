"""The week view of the calendar: all-day lanes, timed blocks side by side, the hour grid.

Functions of a ``CalendarView`` in week mode; the view owns the geometry (``column_rect``,
``y_of``…) and calls these to lay out, hit-test and paint.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette

from app.domain.events import Event
from ui.calendar.common import (
    ALL_DAY_LANE,
    GUTTER,
    HEADER,
    LINE,
    MAX_ALL_DAY_LANES,
    Placed,
    days_covered,
    grid_colour,
    local_today,
)

if TYPE_CHECKING:
    from ui.calendar.view import CalendarView


def all_day_lanes(view: CalendarView) -> list[tuple[Event, int, int, int]]:
    """All-day (and multi-day) events of the week: event, lane, first and last column."""
    if view.mode != "week":
        return []
    placed: list[tuple[Event, int, int, int]] = []
    week = view.days()
    for event in view.events:
        days = days_covered(event, week, view.zone)
        if not days or not (event.all_day or len(days) > 1):
            continue
        first, last = week.index(days[0]), week.index(days[-1])
        lane = 0
        while any(n == lane and f <= last and first <= t for _, n, f, t in placed):
            lane += 1
        placed.append((event, lane, first, last))
    return placed


def week_layout(view: CalendarView) -> Placed:
    """Banners in the all-day lanes, then each day's timed blocks."""
    placed: Placed = []
    lanes = all_day_lanes(view)
    for event, lane, first, last in lanes:
        if lane < MAX_ALL_DAY_LANES:
            left, right = view.column_rect(first), view.column_rect(last)
            top = HEADER + 2 + lane * ALL_DAY_LANE
            placed.append(
                (
                    event,
                    QRectF(left.left() + 2, top, right.right() - left.left() - 4, ALL_DAY_LANE - 2),
                )
            )
    banner = {e.id for e, *_ in lanes}
    week = view.days()
    for number, day in enumerate(week):
        spans = [
            _span(view, event, day)
            for event in view.events
            if event.id not in banner and day in days_covered(event, week, view.zone)
        ]
        placed.extend(side_by_side(spans, view.column_rect(number)))
    return placed


def _span(view: CalendarView, event: Event, day: date) -> tuple[Event, float, float]:
    """The event's top and bottom in ``day``'s column, kept within the hours shown."""
    lowest, highest = view.y_of(view.first_hour), view.y_of(view.last_hour)
    start, end = event.starts_at.astimezone(view.zone), event.ends_at.astimezone(view.zone)
    wall_start = start.hour + start.minute / 60 if start.date() == day else 0.0
    wall_end = end.hour + end.minute / 60 if end.date() == day else 24.0
    # A span in the repeated hour of autumn: never shorter than it really is.
    real = (event.ends_at - event.starts_at).total_seconds() / 3600
    wall_end = max(wall_end, min(wall_start + real, 24.0), wall_start + 0.25)
    top = min(max(view.y_of(wall_start), lowest), highest)
    bottom = min(max(view.y_of(wall_end), lowest), highest)
    if bottom - top < 6:  # outside the hours shown: a stub at the edge
        top = min(top, highest - 6)
        bottom = top + 6
    return event, top, bottom


def side_by_side(spans: list[tuple[Event, float, float]], column: QRectF) -> Placed:
    """Split the column among events that overlap, cluster by cluster."""
    placed: Placed = []
    cluster: list[tuple[Event, float, float, int]] = []
    cluster_end = -1.0

    def flush() -> None:
        lanes = max((c[3] for c in cluster), default=0) + 1
        width = (column.width() - 4) / lanes
        for event, top, bottom, lane in cluster:
            left = column.left() + 2 + lane * width
            placed.append((event, QRectF(left, top, width - 1, bottom - top - 1)))
        cluster.clear()

    for event, top, bottom in sorted(spans, key=lambda s: (s[1], -s[2])):
        if cluster and top >= cluster_end:
            flush()
        busy = {lane for _, _, b, lane in cluster if b > top}
        lane = next(n for n in range(len(cluster) + 1) if n not in busy)
        cluster.append((event, top, bottom, lane))
        cluster_end = max(cluster_end, bottom) if len(cluster) > 1 else bottom
    flush()
    return placed


def week_slot_at(view: CalendarView, point: QPointF) -> datetime | None:
    """Local time at ``point``, to 30 minutes; None outside the columns and hours shown."""
    for number, day in enumerate(view.days()):
        column = view.column_rect(number)
        if column.left() <= point.x() < column.right() and view.y_of(
            view.first_hour
        ) <= point.y() < view.y_of(view.last_hour):
            hours = view.first_hour + (point.y() - view.y_of(view.first_hour)) / view.hour_height()
            half_hours = int(hours * 2)
            return datetime.combine(day, time(half_hours // 2, 30 * (half_hours % 2)), view.zone)
    return None


def paint_week(view: CalendarView, painter: QPainter) -> None:
    """Day names, the all-day band, the hour lines and labels, and the now line."""
    palette = view.palette()
    text = palette.color(QPalette.ColorRole.Text)
    today, bold = local_today(view.clock, view.zone), QFont(view.font())
    bold.setBold(True)
    top, bottom = HEADER + view.all_day_height(), view.y_of(view.last_hour)
    for number, day in enumerate(view.days()):
        column = view.column_rect(number)
        if day == today:
            mark = QColor(palette.color(QPalette.ColorRole.Highlight))
            mark.setAlpha(28)
            painter.fillRect(QRectF(column.left(), 0, column.width(), bottom), mark)
        painter.setFont(bold if day == today else view.font())
        painter.setPen(text)
        painter.drawText(
            QRectF(column.left(), 0, column.width(), HEADER),
            Qt.AlignmentFlag.AlignCenter,
            day.strftime("%a %-d"),
        )
        painter.setPen(grid_colour(palette))
        painter.drawLine(QPointF(column.left(), 0), QPointF(column.left(), bottom))
    painter.setFont(view.font())
    right = view.column_rect(6).right()
    painter.drawLine(QPointF(right, 0), QPointF(right, bottom))
    painter.drawLine(QPointF(0, HEADER), QPointF(right, HEADER))
    painter.drawLine(QPointF(0, top), QPointF(right, top))
    painter.setPen(text)
    painter.drawText(
        QRectF(0, HEADER, GUTTER - 6, top - HEADER),
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        "all day",
    )
    for hour in range(view.first_hour, view.last_hour + 1):
        y = view.y_of(hour)
        painter.setPen(grid_colour(palette))
        painter.drawLine(QPointF(GUTTER - 4, y), QPointF(right, y))
        if hour < view.last_hour:
            painter.setPen(text)
            painter.drawText(
                QRectF(0, y + 1, GUTTER - 6, LINE),
                Qt.AlignmentFlag.AlignRight,
                f"{hour:02d}:00",
            )
    _paint_now(view, painter)


def _paint_now(view: CalendarView, painter: QPainter) -> None:
    """A red line across today's column at the current time, when it is in view."""
    now = view.clock().astimezone(view.zone)
    if now.date() in view.days():
        hours = now.hour + now.minute / 60
        if view.first_hour <= hours <= view.last_hour:
            column, y = view.column_rect(view.days().index(now.date())), view.y_of(hours)
            painter.setPen(QColor("#d32f2f"))
            painter.setBrush(QColor("#d32f2f"))
            painter.drawLine(QPointF(column.left(), y), QPointF(column.right(), y))
            painter.drawEllipse(QPointF(column.left(), y), 3.5, 3.5)
