"""A week and a month calendar of events, painted with QPainter, with its navigation bar.

Blocks are placed from local wall times in ``zone`` (the computer's, unless a test
injects one); tooltips also give the UTC times and the real duration, which differs from
the wall-clock span when the event crosses a DST change.

The widget and the panel live here; what is particular to a week (``ui.calendar.week``) or
a month (``ui.calendar.month``) is laid out and painted there, from metrics, colours and
helpers both share (``ui.calendar.common``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from PySide6.QtCore import QDate, QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
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
    event_colour,
    local_today,
    local_zone,
)
from ui.calendar.month import month_layout, month_slot_at, paint_month
from ui.calendar.week import all_day_lanes, paint_week, week_layout, week_slot_at

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
        return month_slot_at(self, point) if self.mode == "month" else week_slot_at(self, point)

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

    def all_day_height(self) -> float:
        lanes = max((lane for _, lane, _, _ in all_day_lanes(self)), default=-1) + 1
        return ALL_DAY_LANE * min(max(lanes, 1), MAX_ALL_DAY_LANES) + 4

    def hour_height(self) -> float:
        top = HEADER + self.all_day_height()
        return (self.height() - top - 4) / max(self.last_hour - self.first_hour, 1)

    def y_of(self, hours: float) -> float:
        """The y of a wall-clock time, in hours since midnight."""
        top = HEADER + self.all_day_height()
        return top + (hours - self.first_hour) * self.hour_height()

    def column_rect(self, number: int) -> QRectF:
        """Day ``number``'s column (Monday is 0), from the header down."""
        width = (self.width() - GUTTER - 1) / 7
        return QRectF(GUTTER + number * width, 0, width, self.height())

    def cell_rect(self, number: int) -> QRectF:
        """Month cell ``number`` (0–41)."""
        width, height = (self.width() - 1) / 7, (self.height() - HEADER - 1) / 6
        row, column = divmod(number, 7)
        return QRectF(column * width, HEADER + row * height, width, height)

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
            if self.mode == "week":
                self._layout_cache = week_layout(self)
            else:
                self._layout_cache, self._more = month_layout(self)
        return self._layout_cache

    # Painting -----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Base))
        if self.mode == "week":
            paint_week(self, painter)
        else:
            self._layout()  # the month's "+N more" come with its layout
            paint_month(self, painter, self._more)
        self._paint_events(painter)

    def _paint_events(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        small = QFont(self.font())
        small.setPointSizeF(max(self.font().pointSizeF() - 1, 7))
        painter.setFont(small)
        for event, rect in self._layout():
            fill = event_colour(event, self.palette())
            dark = fill.lightness() < 140
            painter.setPen(fill.darker(140))
            painter.setBrush(fill)
            painter.drawRoundedRect(rect, 3, 3)
            painter.setPen(QColor("#ffffff") if dark else QColor("#1a1a1a"))
            inner = rect.adjusted(4, 1, -3, -1)
            start = event.starts_at.astimezone(self.zone)
            words = event.title
            if self.mode == "month" and not event.all_day:
                words = f"{start:%H:%M} {event.title}"
            elif self.mode == "week" and not event.all_day and rect.height() >= 2 * LINE + 2:
                end = event.ends_at.astimezone(self.zone)
                words = f"{event.title}\n{start:%H:%M}–{end:%H:%M}"
            elided = "\n".join(
                painter.fontMetrics().elidedText(w, Qt.TextElideMode.ElideRight, int(inner.width()))
                for w in words.split("\n")
            )
            painter.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, elided)

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
