"""What the week and the month views of the calendar share: metrics, colours, days, text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPalette

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
