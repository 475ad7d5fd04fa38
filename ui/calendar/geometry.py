"""Where things go on the calendar: a snapshot of the widget that layouts and painters read.

The widget builds a ``CalendarGeometry`` from its size, the days and hours it shows, its
time zone and its clock, and hands it to the week and month functions, so these never
need (nor import) the widget itself and can be run on any size, day or hour range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from PySide6.QtCore import QRectF

from ui.calendar.common import ALL_DAY_LANE, GUTTER, HEADER, MAX_ALL_DAY_LANES


@dataclass(frozen=True)
class CalendarGeometry:
    """The calendar's measures at one moment, in the widget's pixels.

    ``width`` and ``height`` stay the widget's integer size, so the arithmetic, and with
    it every pixel drawn, is the same as when the widget measured itself.
    """

    width: int
    height: int
    days: tuple[date, ...]  # 7 from Monday, or 42 in a month
    zone: tzinfo
    now: datetime  # the clock's time, in ``zone``
    first_hour: int
    last_hour: int
    all_day_lanes: int = 0  # lanes the week's all-day events use (0 in a month)
    month: int = 0  # the month a month view is about; its other days are shaded

    @property
    def today(self) -> date:
        """The clock's date in the calendar's zone."""
        return self.now.date()

    def all_day_height(self) -> float:
        """The band of all-day lanes under the day names: at least one lane, at most three."""
        return ALL_DAY_LANE * min(max(self.all_day_lanes, 1), MAX_ALL_DAY_LANES) + 4

    def hour_height(self) -> float:
        """Pixels per hour in the week's grid."""
        top = HEADER + self.all_day_height()
        return (self.height - top - 4) / max(self.last_hour - self.first_hour, 1)

    def y_of(self, hours: float) -> float:
        """The y of a wall-clock time, in hours since midnight."""
        top = HEADER + self.all_day_height()
        return top + (hours - self.first_hour) * self.hour_height()

    def column_rect(self, number: int) -> QRectF:
        """Day ``number``'s column (Monday is 0), from the header down."""
        width = (self.width - GUTTER - 1) / 7
        return QRectF(GUTTER + number * width, 0, width, self.height)

    def cell_rect(self, number: int) -> QRectF:
        """Month cell ``number`` (0–41)."""
        width, height = (self.width - 1) / 7, (self.height - HEADER - 1) / 6
        row, column = divmod(number, 7)
        return QRectF(column * width, HEADER + row * height, width, height)
