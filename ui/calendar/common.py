"""What the week and the month views share: metrics, colours, days, text, the events' blocks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette

from app.domain.events import Event

GUTTER = 52.0  # the hour labels, left of the week's columns
HEADER = 24.0  # day names
ALL_DAY_LANE = 18.0
MAX_ALL_DAY_LANES = 3
MONTH_LINES = 3  # titles a month cell lists before "+N more"
LINE = 16.0
HUES = (210, 140, 30, 280, 0, 180, 330, 90)  # one per owner, by id

Placed = list[tuple[Event, QRectF]]  # each event shown, with where it is drawn


def local_zone() -> tzinfo:
    """The computer's time zone."""
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def local_today(clock: Callable[[], datetime], zone: tzinfo) -> date:
    """The clock's date in ``zone``."""
    return clock().astimezone(zone).date()


def duration_text(delta: timedelta) -> str:
    """``45 min``, ``2 h`` or ``1 h 30 min``."""
    minutes = int(delta.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def days_covered(event: Event, days: Sequence[date], zone: tzinfo) -> list[date]:
    """Those of ``days`` the event is on, in ``zone`` (an end at midnight ends the day before)."""
    start = event.starts_at.astimezone(zone)
    end = event.ends_at.astimezone(zone)
    last = (
        end.date()
        if end.time() != time() or end.date() == start.date()
        else end.date() - timedelta(days=1)
    )
    return [d for d in days if start.date() <= d <= last]


def event_colour(event: Event, palette: QPalette) -> QColor:
    """The owner's hue, darker on a dark palette."""
    colour = QColor.fromHsv(HUES[event.owner_id % len(HUES)], 150, 215)
    if palette.color(QPalette.ColorRole.Base).lightness() < 128:
        colour = colour.darker(170)
    return colour


def grid_colour(palette: QPalette) -> QColor:
    """The text colour, faint: for grid lines."""
    grid = QColor(palette.color(QPalette.ColorRole.Text))
    grid.setAlpha(45)
    return grid


def paint_blocks(
    painter: QPainter,
    placed: Placed,
    palette: QPalette,
    font: QFont,
    zone: tzinfo,
    *,
    month: bool,
) -> None:
    """Each event's rounded block with its title, elided; times where there is room."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    small = QFont(font)
    small.setPointSizeF(max(font.pointSizeF() - 1, 7))
    painter.setFont(small)
    for event, rect in placed:
        fill = event_colour(event, palette)
        dark = fill.lightness() < 140
        painter.setPen(fill.darker(140))
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 3, 3)
        painter.setPen(QColor("#ffffff") if dark else QColor("#1a1a1a"))
        inner = rect.adjusted(4, 1, -3, -1)
        start = event.starts_at.astimezone(zone)
        words = event.title
        if month and not event.all_day:
            words = f"{start:%H:%M} {event.title}"
        elif not month and not event.all_day and rect.height() >= 2 * LINE + 2:
            end = event.ends_at.astimezone(zone)
            words = f"{event.title}\n{start:%H:%M}–{end:%H:%M}"
        elided = "\n".join(
            painter.fontMetrics().elidedText(w, Qt.TextElideMode.ElideRight, int(inner.width()))
            for w in words.split("\n")
        )
        painter.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, elided)
