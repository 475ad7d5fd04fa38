"""The week view of the calendar: all-day lanes, timed blocks side by side, the hour grid.

Everything here reads a ``CalendarGeometry`` (``column_rect``, ``y_of``…) that the widget
builds; nothing here knows the widget.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, tzinfo

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
)
from ui.calendar.geometry import CalendarGeometry

Lanes = list[tuple[Event, int, int, int]]  # event, lane, first and last column


def all_day_lanes(events: Sequence[Event], week: Sequence[date], zone: tzinfo) -> Lanes:
    """All-day (and multi-day) events of the week: event, lane, first and last column."""
    placed: Lanes = []
    for event in events:
        days = days_covered(event, week, zone)
        if not days or not (event.all_day or len(days) > 1):
            continue
        first, last = week.index(days[0]), week.index(days[-1])
        lane = 0
        while any(n == lane and f <= last and first <= t for _, n, f, t in placed):
            lane += 1
        placed.append((event, lane, first, last))
    return placed


def lanes_used(lanes: Lanes) -> int:
    """How many all-day lanes the week's banners take (0 without any)."""
    return max((lane for _, lane, _, _ in lanes), default=-1) + 1


def week_layout(geometry: CalendarGeometry, events: Sequence[Event]) -> Placed:
    """Banners in the all-day lanes, then each day's timed blocks."""
    placed: Placed = []
    week = geometry.days
    lanes = all_day_lanes(events, week, geometry.zone)
    for event, lane, first, last in lanes:
        if lane < MAX_ALL_DAY_LANES:
            left, right = geometry.column_rect(first), geometry.column_rect(last)
            top = HEADER + 2 + lane * ALL_DAY_LANE
            placed.append(
                (
                    event,
                    QRectF(left.left() + 2, top, right.right() - left.left() - 4, ALL_DAY_LANE - 2),
                )
            )
    banner = {e.id for e, *_ in lanes}
    for number, day in enumerate(week):
        spans = [
            _span(geometry, event, day)
            for event in events
            if event.id not in banner and day in days_covered(event, week, geometry.zone)
        ]
        placed.extend(side_by_side(spans, geometry.column_rect(number)))
    return placed


def _span(geometry: CalendarGeometry, event: Event, day: date) -> tuple[Event, float, float]:
    """The event's top and bottom in ``day``'s column, kept within the hours shown."""
    lowest, highest = geometry.y_of(geometry.first_hour), geometry.y_of(geometry.last_hour)
    zone = geometry.zone
    start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    wall_start = start.hour + start.minute / 60 if start.date() == day else 0.0
    wall_end = end.hour + end.minute / 60 if end.date() == day else 24.0
    # A span in the repeated hour of autumn: never shorter than it really is.
    real = (event.ends_at - event.starts_at).total_seconds() / 3600
    wall_end = max(wall_end, min(wall_start + real, 24.0), wall_start + 0.25)
    top = min(max(geometry.y_of(wall_start), lowest), highest)
    bottom = min(max(geometry.y_of(wall_end), lowest), highest)
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


def week_slot_at(geometry: CalendarGeometry, point: QPointF) -> datetime | None:
    """Local time at ``point``, to 30 minutes; None outside the columns and hours shown."""
    first, last = geometry.first_hour, geometry.last_hour
    for number, day in enumerate(geometry.days):
        column = geometry.column_rect(number)
        if column.left() <= point.x() < column.right() and geometry.y_of(
            first
        ) <= point.y() < geometry.y_of(last):
            hours = first + (point.y() - geometry.y_of(first)) / geometry.hour_height()
            half_hours = int(hours * 2)
            return datetime.combine(
                day, time(half_hours // 2, 30 * (half_hours % 2)), geometry.zone
            )
    return None


def paint_week(
    painter: QPainter, geometry: CalendarGeometry, palette: QPalette, font: QFont
) -> None:
    """Day names, the all-day band, the hour lines and labels, and the now line."""
    text = palette.color(QPalette.ColorRole.Text)
    today, bold = geometry.today, QFont(font)
    bold.setBold(True)
    top, bottom = HEADER + geometry.all_day_height(), geometry.y_of(geometry.last_hour)
    for number, day in enumerate(geometry.days):
        column = geometry.column_rect(number)
        if day == today:
            mark = QColor(palette.color(QPalette.ColorRole.Highlight))
            mark.setAlpha(28)
            painter.fillRect(QRectF(column.left(), 0, column.width(), bottom), mark)
        painter.setFont(bold if day == today else font)
        painter.setPen(text)
        painter.drawText(
            QRectF(column.left(), 0, column.width(), HEADER),
            Qt.AlignmentFlag.AlignCenter,
            day.strftime("%a %-d"),
        )
        painter.setPen(grid_colour(palette))
        painter.drawLine(QPointF(column.left(), 0), QPointF(column.left(), bottom))
    painter.setFont(font)
    right = geometry.column_rect(6).right()
    painter.drawLine(QPointF(right, 0), QPointF(right, bottom))
    painter.drawLine(QPointF(0, HEADER), QPointF(right, HEADER))
    painter.drawLine(QPointF(0, top), QPointF(right, top))
    painter.setPen(text)
    painter.drawText(
        QRectF(0, HEADER, GUTTER - 6, top - HEADER),
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        "all day",
    )
    _paint_hours(painter, geometry, palette, right)
    _paint_now(painter, geometry)


def _paint_hours(
    painter: QPainter, geometry: CalendarGeometry, palette: QPalette, right: float
) -> None:
    """A line at every hour shown, and its label in the gutter."""
    text = palette.color(QPalette.ColorRole.Text)
    for hour in range(geometry.first_hour, geometry.last_hour + 1):
        y = geometry.y_of(hour)
        painter.setPen(grid_colour(palette))
        painter.drawLine(QPointF(GUTTER - 4, y), QPointF(right, y))
        if hour < geometry.last_hour:
            painter.setPen(text)
            painter.drawText(
                QRectF(0, y + 1, GUTTER - 6, LINE),
                Qt.AlignmentFlag.AlignRight,
                f"{hour:02d}:00",
            )


def _paint_now(painter: QPainter, geometry: CalendarGeometry) -> None:
    """A red line across today's column at the current time, when it is in view."""
    now = geometry.now
    if now.date() in geometry.days:
        hours = now.hour + now.minute / 60
        if geometry.first_hour <= hours <= geometry.last_hour:
            column = geometry.column_rect(geometry.days.index(now.date()))
            y = geometry.y_of(hours)
            painter.setPen(QColor("#d32f2f"))
            painter.setBrush(QColor("#d32f2f"))
            painter.drawLine(QPointF(column.left(), y), QPointF(column.right(), y))
            painter.drawEllipse(QPointF(column.left(), y), 3.5, 3.5)
