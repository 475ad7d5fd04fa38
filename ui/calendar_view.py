"""A week and a month calendar of events, painted with QPainter, with its navigation bar.

Blocks are placed from local wall times in ``zone`` (the computer's, unless a test
injects one); tooltips also give the UTC times and the real duration, which differs from
the wall-clock span when the event crosses a DST change.
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

GUTTER = 52.0  # the hour labels, left of the week's columns
HEADER = 24.0  # day names
ALL_DAY_LANE = 18.0
MAX_ALL_DAY_LANES = 3
MONTH_LINES = 3  # titles a month cell lists before "+N more"
LINE = 16.0
HUES = (210, 140, 30, 280, 0, 180, 330, 90)  # one per owner, by id


def _local_zone() -> tzinfo:
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


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
        self.zone = zone or _local_zone()
        self.mode = "week"
        self.anchor = clock().astimezone(self.zone).date()
        self.first_hour, self.last_hour = 7, 20
        self.events: list[Event] = []
        self._layout_cache: list[tuple[Event, QRectF]] | None = None
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
        if self.mode == "month":
            for number, day in enumerate(self.days()):
                if self.cell_rect(number).contains(point):
                    return datetime.combine(day, time(9), self.zone)
            return None
        for number, day in enumerate(self.days()):
            column = self.column_rect(number)
            if column.left() <= point.x() < column.right() and self.y_of(
                self.first_hour
            ) <= point.y() < self.y_of(self.last_hour):
                hours = (
                    self.first_hour + (point.y() - self.y_of(self.first_hour)) / self.hour_height()
                )
                half_hours = int(hours * 2)
                return datetime.combine(
                    day, time(half_hours // 2, 30 * (half_hours % 2)), self.zone
                )
        return None

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
        lines = [event.title, when, f"{utc} ({_duration(event.ends_at - event.starts_at)})"]
        if event.location:
            lines.insert(1, event.location)
        return "\n".join(lines)

    # Geometry -----------------------------------------------------------------------------

    def all_day_height(self) -> float:
        lanes = max((lane for _, lane, _, _ in self._all_day_lanes()), default=-1) + 1
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

    def _on_days(self, event: Event) -> list[date]:
        start = event.starts_at.astimezone(self.zone)
        end = event.ends_at.astimezone(self.zone)
        last = (
            end.date()
            if end.time() != time() or end.date() == start.date()
            else end.date() - timedelta(days=1)
        )
        return [d for d in self.days() if start.date() <= d <= last]

    def _all_day_lanes(self) -> list[tuple[Event, int, int, int]]:
        """All-day (and multi-day) events of the week: event, lane, first and last column."""
        if self.mode != "week":
            return []
        placed: list[tuple[Event, int, int, int]] = []
        week = self.days()
        for event in self.events:
            days = self._on_days(event)
            if not days or not (event.all_day or len(days) > 1):
                continue
            first, last = week.index(days[0]), week.index(days[-1])
            lane = 0
            while any(n == lane and f <= last and first <= t for _, n, f, t in placed):
                lane += 1
            placed.append((event, lane, first, last))
        return placed

    def _layout(self) -> list[tuple[Event, QRectF]]:
        if self._layout_cache is None:
            self._layout_cache = (
                self._week_layout() if self.mode == "week" else self._month_layout()
            )
        return self._layout_cache

    def _week_layout(self) -> list[tuple[Event, QRectF]]:
        placed: list[tuple[Event, QRectF]] = []
        for event, lane, first, last in self._all_day_lanes():
            if lane < MAX_ALL_DAY_LANES:
                left, right = self.column_rect(first), self.column_rect(last)
                top = HEADER + 2 + lane * ALL_DAY_LANE
                placed.append(
                    (
                        event,
                        QRectF(
                            left.left() + 2, top, right.right() - left.left() - 4, ALL_DAY_LANE - 2
                        ),
                    )
                )
        banner = {e.id for e, *_ in self._all_day_lanes()}
        lowest, highest = self.y_of(self.first_hour), self.y_of(self.last_hour)
        for number, day in enumerate(self.days()):
            spans: list[tuple[Event, float, float]] = []
            for event in self.events:
                if event.id in banner or day not in self._on_days(event):
                    continue
                start, end = (
                    event.starts_at.astimezone(self.zone),
                    event.ends_at.astimezone(self.zone),
                )
                wall_start = start.hour + start.minute / 60 if start.date() == day else 0.0
                wall_end = end.hour + end.minute / 60 if end.date() == day else 24.0
                # A span in the repeated hour of autumn: never shorter than it really is.
                real = (event.ends_at - event.starts_at).total_seconds() / 3600
                wall_end = max(wall_end, min(wall_start + real, 24.0), wall_start + 0.25)
                top = min(max(self.y_of(wall_start), lowest), highest)
                bottom = min(max(self.y_of(wall_end), lowest), highest)
                if bottom - top < 6:  # outside the hours shown: a stub at the edge
                    top = min(top, highest - 6)
                    bottom = top + 6
                spans.append((event, top, bottom))
            placed.extend(self._side_by_side(spans, self.column_rect(number)))
        return placed

    def _side_by_side(
        self, spans: list[tuple[Event, float, float]], column: QRectF
    ) -> list[tuple[Event, QRectF]]:
        """Split the column among events that overlap, cluster by cluster."""
        placed: list[tuple[Event, QRectF]] = []
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

    def _month_layout(self) -> list[tuple[Event, QRectF]]:
        placed: list[tuple[Event, QRectF]] = []
        self._more = []
        for number, day in enumerate(self.days()):
            cell = self.cell_rect(number)
            here = [e for e in self.events if day in self._on_days(e)]
            room = max(int((cell.height() - LINE - 4) // LINE), 1)
            limit = min(MONTH_LINES, room)
            shown = here if len(here) <= limit else here[: min(limit, room - 1)]
            for line, event in enumerate(shown):
                top = cell.top() + LINE + 4 + line * LINE
                placed.append((event, QRectF(cell.left() + 3, top, cell.width() - 6, LINE - 1)))
            if len(here) > len(shown):
                self._more.append((day, len(here) - len(shown), len(shown)))
        return placed

    # Painting -----------------------------------------------------------------------------

    def _colour(self, event: Event) -> QColor:
        colour = QColor.fromHsv(HUES[event.owner_id % len(HUES)], 150, 215)
        if self.palette().color(QPalette.ColorRole.Base).lightness() < 128:
            colour = colour.darker(170)
        return colour

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Base))
        if self.mode == "week":
            self._paint_week(painter)
        else:
            self._paint_month(painter)
        self._paint_events(painter)

    def _today(self) -> date:
        return self.clock().astimezone(self.zone).date()

    def _grid_pen(self) -> QColor:
        grid = QColor(self.palette().color(QPalette.ColorRole.Text))
        grid.setAlpha(45)
        return grid

    def _paint_week(self, painter: QPainter) -> None:
        text = self.palette().color(QPalette.ColorRole.Text)
        today, bold = self._today(), QFont(self.font())
        bold.setBold(True)
        top, bottom = HEADER + self.all_day_height(), self.y_of(self.last_hour)
        for number, day in enumerate(self.days()):
            column = self.column_rect(number)
            if day == today:
                mark = QColor(self.palette().color(QPalette.ColorRole.Highlight))
                mark.setAlpha(28)
                painter.fillRect(QRectF(column.left(), 0, column.width(), bottom), mark)
            painter.setFont(bold if day == today else self.font())
            painter.setPen(text)
            painter.drawText(
                QRectF(column.left(), 0, column.width(), HEADER),
                Qt.AlignmentFlag.AlignCenter,
                day.strftime("%a %-d"),
            )
            painter.setPen(self._grid_pen())
            painter.drawLine(QPointF(column.left(), 0), QPointF(column.left(), bottom))
        painter.setFont(self.font())
        right = self.column_rect(6).right()
        painter.drawLine(QPointF(right, 0), QPointF(right, bottom))
        painter.drawLine(QPointF(0, HEADER), QPointF(right, HEADER))
        painter.drawLine(QPointF(0, top), QPointF(right, top))
        painter.setPen(text)
        painter.drawText(
            QRectF(0, HEADER, GUTTER - 6, top - HEADER),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            "all day",
        )
        for hour in range(self.first_hour, self.last_hour + 1):
            y = self.y_of(hour)
            painter.setPen(self._grid_pen())
            painter.drawLine(QPointF(GUTTER - 4, y), QPointF(right, y))
            if hour < self.last_hour:
                painter.setPen(text)
                painter.drawText(
                    QRectF(0, y + 1, GUTTER - 6, LINE),
                    Qt.AlignmentFlag.AlignRight,
                    f"{hour:02d}:00",
                )
        now = self.clock().astimezone(self.zone)
        if now.date() in self.days():
            hours = now.hour + now.minute / 60
            if self.first_hour <= hours <= self.last_hour:
                column, y = self.column_rect(self.days().index(now.date())), self.y_of(hours)
                painter.setPen(QColor("#d32f2f"))
                painter.setBrush(QColor("#d32f2f"))
                painter.drawLine(QPointF(column.left(), y), QPointF(column.right(), y))
                painter.drawEllipse(QPointF(column.left(), y), 3.5, 3.5)

    def _paint_month(self, painter: QPainter) -> None:
        text = self.palette().color(QPalette.ColorRole.Text)
        dim = QColor(text)
        dim.setAlpha(110)
        today = self._today()
        self._layout()
        more = {day: (count, line) for day, count, line in self._more}
        for number in range(7):
            painter.setPen(text)
            cell = self.cell_rect(number)
            painter.drawText(
                QRectF(cell.left(), 0, cell.width(), HEADER),
                Qt.AlignmentFlag.AlignCenter,
                self.days()[number].strftime("%a"),
            )
        for number, day in enumerate(self.days()):
            cell = self.cell_rect(number)
            if day.month != self.anchor.month:
                painter.fillRect(cell, self.palette().color(QPalette.ColorRole.AlternateBase))
            painter.setPen(self._grid_pen())
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(cell)
            label = QRectF(cell.left() + 4, cell.top() + 2, 24, LINE)
            if day == today:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(self.palette().color(QPalette.ColorRole.Highlight))
                painter.drawEllipse(QRectF(label.left() - 2, label.top(), 22, LINE))
                painter.setPen(self.palette().color(QPalette.ColorRole.HighlightedText))
            else:
                painter.setPen(text if day.month == self.anchor.month else dim)
            painter.drawText(
                QRectF(label.left() - 2, label.top(), 22, LINE),
                Qt.AlignmentFlag.AlignCenter,
                str(day.day),
            )
            if day in more:
                painter.setPen(dim)
                hidden, line = more[day]
                top = cell.top() + LINE + 4 + line * LINE
                where = QRectF(cell.left() + 6, top, cell.width() - 8, LINE)
                painter.drawText(where, Qt.AlignmentFlag.AlignLeft, f"+{hidden} more")

    def _paint_events(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        small = QFont(self.font())
        small.setPointSizeF(max(self.font().pointSizeF() - 1, 7))
        painter.setFont(small)
        for event, rect in self._layout():
            fill = self._colour(event)
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
        self.set_date(self.view.clock().astimezone(self.view.zone).date())

    def _picked(self, value: QDate) -> None:
        self.set_date(date(value.year(), value.month(), value.day()))
