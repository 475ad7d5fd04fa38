"""A week and a month calendar of events, painted with QPainter, with its navigation bar.

Blocks are placed from local wall times in ``zone`` (the computer's, unless a test
injects one); tooltips also give the UTC times and the real duration, which differs from
the wall-clock span when the event crosses a DST change.

The widget and the panel live here; what is particular to a week (``ui.calendar.week``) or
a month (``ui.calendar.month``) is laid out, hit-tested and painted there, from metrics,
colours and helpers both share (``ui.calendar.common``). Those functions get a snapshot of
the widget's measures (``ui.calendar.geometry``), never the widget.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from PySide6.QtCore import QDate, QEvent, QPointF, QRectF, QSize, Signal
from PySide6.QtGui import (
    QFont,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.domain.events import Event
from ui.calendar.common import (
    ALL_DAY_LANE,
    GUTTER,
    HEADER,
    HUES,
    LINE,
    MAX_ALL_DAY_LANES,
    MONTH_LINES,
    Placed,
    duration_text,
    local_today,
    local_zone,
    paint_blocks,
)
from ui.calendar.geometry import CalendarGeometry
from ui.calendar.month import month_layout, month_slot_at, paint_month
from ui.calendar.week import all_day_lanes, lanes_used, paint_week, week_layout, week_slot_at

__all__ = [
    "ALL_DAY_LANE",
    "GUTTER",
    "HEADER",
    "HUES",
    "LINE",
    "MAX_ALL_DAY_LANES",
    "MONTH_LINES",
    "CalendarPanel",
    "CalendarView",
]


class CalendarView(QWidget):
    """Events in a week (7 columns × hours) or a month (6 × 7 days)."""

    create_requested = Signal(object)  # a local datetime
    edit_requested = Signal(object)  # an Event
    range_changed = Signal()

    def __init__(
        self,
        clock: Callable[[], datetime],
        zone: tzinfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("events_calendar")
        self.setMinimumSize(360, 260)
        self.clock = clock
        self.zone = zone or local_zone()
        self.mode = "week"
        self.anchor = clock().astimezone(self.zone).date()
        self.first_hour, self.last_hour = 7, 20
        self.events: list[Event] = []
        self._layout_cache: Placed | None = None
        self._more: list[tuple[date, int, int]] = []

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(900, 560)

    # The API ------------------------------------------------------------------------------

    def set_mode(self, mode: str) -> None:
        """``"week"`` or ``"month"``; the anchor date stays."""
        if mode not in ("week", "month"):
            raise ValueError(mode)
        if mode != self.mode:
            self.mode = mode
            self._changed(True)

    def set_date(self, day: date) -> None:
        """Show the week or month containing ``day``."""
        before = self.visible_range()
        self.anchor = day
        self._changed(self.visible_range() != before)

    def set_hours(self, first: int, last: int) -> None:
        """Show the week from ``first`` o'clock to ``last`` o'clock (0–24)."""
        self.first_hour, self.last_hour = first, last
        self._changed(False)

    def set_events(self, events: Sequence[Event]) -> None:
        """Show these events (those outside the visible range are ignored)."""
        self.events = sorted(events, key=lambda e: (e.starts_at, e.ends_at, e.id))
        self._changed(False)

    def days(self) -> list[date]:
        """The days shown: 7 from Monday, or 42 from the Monday on or before the 1st."""
        if self.mode == "week":
            monday = self.anchor - timedelta(days=self.anchor.weekday())
            return [monday + timedelta(days=n) for n in range(7)]
        first = self.anchor.replace(day=1)
        start = first - timedelta(days=first.weekday())
        return [start + timedelta(days=n) for n in range(42)]

    def visible_range(self) -> tuple[datetime, datetime]:
        """The aware UTC window the view shows: what to load."""
        days = self.days()
        return self._utc(days[0], time()), self._utc(days[-1] + timedelta(days=1), time())

    def event_rect(self, event_id: int) -> QRectF | None:
        """Where the event is drawn (its first block), or None when it is not shown."""
        return next((QRectF(r) for e, r in self._layout() if e.id == event_id), None)

    def event_at(self, point: QPointF) -> Event | None:
        """The event drawn at ``point``, topmost first."""
        return next((e for e, r in reversed(self._layout()) if r.contains(point)), None)

    def slot_at(self, point: QPointF) -> datetime | None:
        """Local time at ``point``: to 30 minutes in a week, the day's 09:00 in a month."""
        geometry = self.measures()
        if self.mode == "month":
            return month_slot_at(geometry, point)
        return week_slot_at(geometry, point)

    def title(self) -> str:
        """``November 2026`` or ``Week of 23 Nov 2026``."""
        if self.mode == "month":
            return self.anchor.strftime("%B %Y")
        return f"Week of {self.days()[0].strftime('%-d %b %Y')}"

    def tooltip(self, event: Event) -> str:
        """Title, local time range, UTC range and real duration."""
        start, end = event.starts_at.astimezone(self.zone), event.ends_at.astimezone(self.zone)
        utc_start, utc_end = event.starts_at.astimezone(UTC), event.ends_at.astimezone(UTC)
        if event.all_day:
            when = f"{start:%a %-d %b} – {end:%a %-d %b} (all day)"
        else:
            end_text = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a %-d %b %H:%M}"
            when = f"{start:%a %-d %b %H:%M}–{end_text} {start.tzname()}"
            if end.tzname() != start.tzname():
                when += f" → {end.tzname()}"
        utc = f"{utc_start:%Y-%m-%d %H:%M}–{utc_end:%Y-%m-%d %H:%M} UTC"
        lines = [event.title, when, f"{utc} ({duration_text(event.ends_at - event.starts_at)})"]
        if event.location:
            lines.insert(1, event.location)
        return "\n".join(lines)

    # Geometry -----------------------------------------------------------------------------

    def measures(self) -> CalendarGeometry:
        """The view's measures now, for the week's and the month's layouts and painters."""
        days = self.days()
        lanes = all_day_lanes(self.events, days, self.zone) if self.mode == "week" else []
        return CalendarGeometry(
            width=self.width(),
            height=self.height(),
            days=tuple(days),
            zone=self.zone,
            now=self.clock().astimezone(self.zone),
            first_hour=self.first_hour,
            last_hour=self.last_hour,
            all_day_lanes=lanes_used(lanes),
            month=self.anchor.month,
        )

    def all_day_height(self) -> float:
        """The band of all-day lanes under the day names."""
        return self.measures().all_day_height()

    def hour_height(self) -> float:
        """Pixels per hour in the week."""
        return self.measures().hour_height()

    def y_of(self, hours: float) -> float:
        """The y of a wall-clock time, in hours since midnight."""
        return self.measures().y_of(hours)

    def column_rect(self, number: int) -> QRectF:
        """Day ``number``'s column (Monday is 0), from the header down."""
        return self.measures().column_rect(number)

    def cell_rect(self, number: int) -> QRectF:
        """Month cell ``number`` (0–41)."""
        return self.measures().cell_rect(number)

    # Layout -------------------------------------------------------------------------------

    def _utc(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, self.zone).astimezone(UTC)

    def _changed(self, range_moved: bool) -> None:
        self._layout_cache = None
        self.update()
        if range_moved:
            self.range_changed.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        self._layout_cache = None

    def _layout(self) -> Placed:
        if self._layout_cache is None:
            geometry = self.measures()
            if self.mode == "week":
                self._layout_cache = week_layout(geometry, self.events)
            else:
                self._layout_cache, self._more = month_layout(geometry, self.events)
        return self._layout_cache

    # Painting -----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        palette, font = self.palette(), self.font()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        # The grid follows the size at each paint; the blocks keep their cached layout.
        geometry = self.measures()
        if self.mode == "week":
            paint_week(painter, geometry, palette, font)
        else:
            self._layout()  # the month's "+N more" come with its layout
            paint_month(painter, geometry, palette, self._more)
        month = self.mode == "month"
        paint_blocks(painter, self._layout(), palette, font, self.zone, month=month)

    # Mouse --------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if isinstance(event, QHelpEvent):
            found = self.event_at(QPointF(event.pos()))
            if found is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), self.tooltip(found), self)
            return True
        return super().event(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.double_click(event.position())

    def double_click(self, point: QPointF) -> None:
        """Edit the event at ``point``, or ask for a new one at that slot."""
        found = self.event_at(point)
        if found is not None:
            self.edit_requested.emit(found)
            return
        slot = self.slot_at(point)
        if slot is not None:
            self.create_requested.emit(slot)


class CalendarPanel(QWidget):
    """The calendar with Previous / Today / Next, a date picker and a title above it."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        zone: tzinfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("events_calendar_panel")
        self.view = CalendarView(clock, zone)
        self.title = QLabel()
        self.title.setObjectName("calendar_title")
        big = QFont(self.title.font())
        big.setPointSizeF(big.pointSizeF() + 2)
        big.setBold(True)
        self.title.setFont(big)
        self.picker = QDateEdit()
        self.picker.setObjectName("calendar_date")
        self.picker.setCalendarPopup(True)
        self.picker.setDisplayFormat("yyyy-MM-dd")
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for name, text, slot in (
            ("calendar_prev", "◀ Previous", lambda: self.step(-1)),
            ("calendar_today", "Today", self.today),
            ("calendar_next", "Next ▶", lambda: self.step(1)),
        ):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            bar.addWidget(button)
        bar.addWidget(self.picker)
        bar.addSpacing(12)
        bar.addWidget(self.title, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.picker.dateChanged.connect(self._picked)
        self.set_date(self.view.anchor)

    def anchor_date(self) -> date:
        """The anchor date."""
        return self.view.anchor

    def set_date(self, day: date) -> None:
        """Show the week or month of ``day``."""
        self.picker.blockSignals(True)
        self.picker.setDate(QDate(day.year, day.month, day.day))
        self.picker.blockSignals(False)
        self.view.set_date(day)
        self.title.setText(self.view.title())

    def set_mode(self, mode: str) -> None:
        """``"week"`` or ``"month"``."""
        self.view.set_mode(mode)
        self.title.setText(self.view.title())

    def step(self, direction: int) -> None:
        """A week or a month back (-1) or forward (1)."""
        day = self.anchor_date()
        if self.view.mode == "week":
            self.set_date(day + timedelta(weeks=direction))
            return
        month = day.month - 1 + direction
        self.set_date(date(day.year + month // 12, month % 12 + 1, 1))

    def today(self) -> None:
        """Back to the clock's today."""
        self.set_date(local_today(self.view.clock, self.view.zone))

    def _picked(self, value: QDate) -> None:
        self.set_date(date(value.year(), value.month(), value.day()))
