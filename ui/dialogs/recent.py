"""Recent changes: every change in the database, filtered by who, what, which operation, when."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import datetime, timedelta

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from app.domain.changes import ChangeFilter, ChangePage, Entity, Operation
from app.domain.clock import Clock
from app.services.history import HistoryService
from ui.dialogs.datetimes import from_qt, time_edit, to_qt
from ui.dialogs.history import VERBS, ChangesDialog

BETWEEN = "between"
PERIODS: tuple[tuple[str, object], ...] = (
    ("Any time", None),
    ("Last hour", timedelta(hours=1)),
    ("Last 24 hours", timedelta(days=1)),
    ("Last 7 days", timedelta(days=7)),
    ("Last 30 days", timedelta(days=30)),
    ("Between…", BETWEEN),
)


class RecentChangesDialog(ChangesDialog):
    """Every change in the database, newest first, as filtered."""

    def __init__(self, history: HistoryService, clock: Clock, parent: QWidget | None) -> None:
        super().__init__("recent_changes", "Recent changes", parent)
        self._history, self._clock = history, clock
        self.who = QLineEdit()
        self.who.setObjectName("recent_changes_who")
        self.who.setPlaceholderText("Anyone — type a name")
        self.who.setAccessibleName("Changed by")
        self.who.setMinimumWidth(
            self.who.fontMetrics().horizontalAdvance("Anyone — type a name") + 24
        )
        kinds = [("Any record", None), *((e.value.capitalize() + "s", e) for e in Entity)]
        self.entity = _combo("recent_changes_entity", "Kind of record", kinds)
        verbs = [("Any change", None), *((VERBS[o], o) for o in Operation)]
        self.operation = _combo("recent_changes_operation", "Operation", verbs)
        self.period = _combo("recent_changes_period", "When", list(PERIODS))
        self.since, self.until = time_edit(), time_edit()
        for edit, name, accessible in ((self.since, "since", "From"), (self.until, "until", "To")):
            edit.setObjectName(f"recent_changes_{name}")
            edit.setAccessibleName(accessible)
            edit.setVisible(False)
            edit.editingFinished.connect(self.load)
        self.who.returnPressed.connect(self.load)
        for combo in (self.entity, self.operation):
            combo.currentIndexChanged.connect(lambda _: self.load())
        self.period.currentIndexChanged.connect(lambda _: self._period_changed())
        filters = QHBoxLayout()
        label = QLabel("Changed &by")
        label.setBuddy(self.who)
        filters.addWidget(label)
        for widget in (self.who, self.entity, self.operation, self.period):
            filters.addWidget(widget)
        filters.addWidget(self.since)
        filters.addWidget(self.until)
        self._lay_out(filters)

    def _period_changed(self) -> None:
        between = self.period.currentData() == BETWEEN
        if between and not self.since.isVisible():  # start from the last 24 hours
            now = self._clock()
            self.since.setDateTime(to_qt(now - timedelta(days=1)))
            self.until.setDateTime(to_qt(now))
        self.since.setVisible(between)
        self.until.setVisible(between)
        self.load()

    def span(self) -> tuple[datetime | None, datetime | None]:
        """The times the list is limited to (None: open on that side)."""
        chosen = self.period.currentData()
        if chosen == BETWEEN:
            return from_qt(self.since.dateTime()), from_qt(self.until.dateTime())
        if isinstance(chosen, timedelta):
            return self._clock() - chosen, None
        return None, None

    def read(self, older_than: int | None) -> Awaitable[ChangePage]:
        since, until = self.span()
        wanted = ChangeFilter(
            actor=self.who.text().strip() or None,
            entity=self.entity.currentData(),
            operation=self.operation.currentData(),
            since=since,
            until=until,
        )
        return self._history.recent(wanted, older_than)


def _combo(name: str, accessible: str, items: Sequence[tuple[str, object]]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setAccessibleName(accessible)
    for text, data in items:
        combo.addItem(text, data)
    return combo
