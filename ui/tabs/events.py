"""The Events tab: a list, a week and a month of the events, by owner and dates."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QStackedWidget,
    QToolButton,
)

from app.domain.changes import ChangeBatch, Entity, Operation
from app.domain.clock import Clock
from app.domain.events import Event, EventFilter, EventPatch
from app.domain.paging import Page, PageRequest
from app.domain.users import User
from app.services.events import EventService
from app.services.users import UserService
from ui.calendar.view import CalendarPanel
from ui.dialogs.asyncdialog import confirm, shown
from ui.dialogs.conflict import event_view
from ui.dialogs.datetimes import local_midnight
from ui.dialogs.events import EventDialog, EventDialogContext
from ui.dialogs.owner_picker import OwnerPicker
from ui.dialogs.revert import Reverting
from ui.format import count
from ui.tabs.base import PAGE_SIZE, RecordTab
from ui.tabs.bulk import bulk_summary, show_outcome
from ui.tabs.columns import event_columns
from ui.tabs.follow import repaint
from ui.tabs.owners import OwnerDirectory
from ui.tabs.table_model import RecordTableModel


class EventsTab(RecordTab[Event, EventFilter]):
    """Events: filter by owner and by the dates they touch."""

    noun = "event"
    entity = Entity.EVENT
    default_sort = ("starts_at", False)
    calendar_loaded = Signal()

    def __init__(
        self, events: EventService, users: UserService, owners: OwnerDirectory, clock: Clock
    ) -> None:
        self.events = events
        self.users = users
        self.owners = owners
        self._calendar_generation = 0
        self._dialogs = EventDialogContext(events, users.search, clock, users.get_many)
        super().__init__("events", RecordTableModel(event_columns(owners)), clock)

    def build_parts(self) -> None:
        self._build_filters()
        self.owners.changed.connect(self._owners_changed)
        self._build_calendar()
        self._build_view_switcher()

    def _build_filters(self) -> None:
        self.owner = OwnerPicker(self.users.search)
        self.owner.setObjectName("events_owner")
        self.owner.setPlaceholderText("Any owner — type to choose one")
        self.owner.chosen.connect(lambda _: self.reload())
        today = QDate.currentDate()
        self.dated = QCheckBox("Between")
        self.dated.setObjectName("events_dated")
        self.date_from = QDateEdit(today.addDays(-7))
        self.date_from.setObjectName("events_from")
        self.date_to = QDateEdit(today.addDays(30))
        self.date_to.setObjectName("events_to")
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            edit.dateChanged.connect(lambda _: self.reload())
        self.dated.toggled.connect(self._dated_toggled)
        self.filters.addWidget(self.owner, 1)
        self.filters.addWidget(self.dated)
        self.filters.addWidget(self.date_from)
        self.filters.addWidget(self.date_to)
        self.clashing = QCheckBox("Clashing only")
        self.clashing.setObjectName("events_clashing")
        self.clashing.setToolTip("Only events that overlap another event of the same owner")
        self.clashing.toggled.connect(lambda _: self.reload())
        self.filters.addWidget(self.clashing)

    def _build_calendar(self) -> None:
        self.calendar = CalendarPanel(self.clock)
        self.calendar.view.range_changed.connect(self.reload)
        self.calendar.view.create_requested.connect(
            lambda start: self.tasks.spawn(
                self.create_row(start), "events: new at", interactive=True, action="New event"
            )
        )
        self.calendar.view.edit_requested.connect(
            lambda event: (
                self._read_only
                or self.tasks.spawn(
                    self.edit_row(event), "events: edit", interactive=True, action="Edit event"
                )
            )
        )
        self.stack = QStackedWidget()
        self.stack.setObjectName("events_stack")
        layout = self.layout()
        assert layout is not None
        layout.replaceWidget(self.view, self.stack)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.calendar)

    def _build_view_switcher(self) -> None:
        self.view_buttons: dict[str, QToolButton] = {}
        switcher = QButtonGroup(self)
        switcher.setExclusive(True)
        layout = self.layout()
        first = layout.itemAt(0) if layout is not None else None
        top = first.layout() if first is not None else None  # toolbar, stretch, count
        assert isinstance(top, QHBoxLayout)
        for mode, text in (("list", "List"), ("week", "Week"), ("month", "Month")):
            button = QToolButton()
            button.setObjectName(f"events_view_{mode}")
            button.setText(text)
            button.setCheckable(True)
            button.setChecked(mode == "list")
            button.setAutoRaise(False)
            button.clicked.connect(lambda _=False, m=mode: self.set_view(m))
            switcher.addButton(button)
            self.view_buttons[mode] = button
            top.insertWidget(top.count() - 1, button)  # the switcher goes before the count
        top.insertSpacing(top.count() - 1, 12)

    @property
    def view_mode(self) -> str:
        """``"list"``, ``"week"`` or ``"month"``."""
        return "list" if self.stack.currentWidget() is self.view else self.calendar.view.mode

    def set_view(self, mode: str) -> None:
        """Show the table or the calendar; the owner, search and calendar date stay."""
        if mode == self.view_mode:
            return
        was_list = self.view_mode == "list"
        self.view_buttons[mode].setChecked(True)
        for widget in (self.dated, self.date_from, self.date_to):
            widget.setVisible(mode == "list")  # the calendar has its own dates
        if mode == "list":
            self.stack.setCurrentWidget(self.view)
            self.reload()
            return
        self.stack.setCurrentWidget(self.calendar)
        moved = self.calendar.view.mode != mode
        self.calendar.set_mode(mode)  # a new range reloads (range_changed)
        if was_list or not moved:
            self.reload()

    def reload(self) -> asyncio.Task[None]:
        """Load the table, or in the calendar only the events of the range it shows."""
        if self.view_mode == "list":
            return super().reload()
        self._debounce.stop()
        return self.tasks.spawn(self._load_calendar(), name="events: calendar", read=True)

    def calendar_filter(self) -> EventFilter:
        """The owner and search, over the calendar's visible range."""
        start, end = self.calendar.view.visible_range()
        return EventFilter(
            owner_id=self.owner.user.id if self.owner.user else None,
            search=self.search.text().strip() or None,
            ends_after=start,
            starts_before=end,
        )

    async def _load_calendar(self) -> None:
        self._calendar_generation += 1
        generation = self._calendar_generation
        wanted = self.calendar_filter()
        found: list[Event] = []
        cursor = None
        while True:
            request = PageRequest(sort="starts_at", after=cursor, limit=PAGE_SIZE)
            page = await self.events.list(wanted, request)
            found.extend(page.items)
            cursor = page.next_cursor
            if cursor is None or generation != self._calendar_generation:
                break
        await self.owners.learn(e.owner_id for e in found)
        if generation != self._calendar_generation:
            return  # a newer range or search is loading
        self.calendar.view.set_events(found)
        self.count_label.setText(count(len(found), self.noun))
        self.calendar_loaded.emit()

    def _dated_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.reload()

    def set_owner(self, user: User | None) -> None:
        """Show only ``user``'s events (from the Users tab's "Show events")."""
        self.owner.set_user(user)

    def current_filter(self) -> EventFilter:
        after = before = None
        if self.dated.isChecked():
            after = _utc_start_of(self.date_from.date())
            before = _utc_start_of(self.date_to.date().addDays(1))
        return EventFilter(
            owner_id=self.owner.user.id if self.owner.user else None,
            search=self.search.text().strip() or None,
            ends_after=after,
            starts_before=before,
            clashing=self.clashing.isChecked(),
        )

    def filtered(self) -> bool:
        return self.current_filter() != EventFilter()

    async def fetch(self, filter: EventFilter, page: PageRequest) -> Page[Event]:
        found, owners = await self.events.list_with_owners(filter, page, self.owners.known)
        self.owners.add(owners)
        return found

    async def count_rows(self, filter: EventFilter, limit: int | None) -> int:
        return await self.events.count(filter, limit)

    async def estimate_rows(self) -> int:
        return await self.events.estimate_total()

    def title_of(self, row: Event) -> str:
        return row.title

    def reverting(self) -> Reverting[Event, EventPatch]:
        fields = ("owner_id", "title", "location", "starts_at", "ends_at", "all_day",
                  "description")  # fmt: skip
        view = event_view(label=self.owners.label)
        events = self.events
        return Reverting(Entity.EVENT, view, fields, events.get, events.update, EventPatch,
                         self.model.replace)  # fmt: skip

    async def lookup(self, ids: Collection[int]) -> Sequence[Event]:
        return await self.events.get_many(ids)

    async def follow(self, batch: ChangeBatch) -> None:
        """The list as the log says; the calendar reads its range again when events changed."""
        if self.view_mode != "list":
            if batch.of(Entity.EVENT):
                await self._load_calendar()
            return
        await super().follow(batch)
        if batch.row_ids(Entity.USER, Operation.UPDATE):  # a renamed owner
            repaint(self.model, "owner")

    async def prepare(self, rows: Sequence[Event]) -> None:
        await self.owners.learn(e.owner_id for e in rows)

    async def create_row(self, start: datetime | None = None) -> None:
        if self._read_only:
            return
        dialog = EventDialog(self._dialogs, None, self.owner.user, start=start, parent=self)
        if await shown(dialog):
            self.message.emit(f"Created “{dialog.saved.title}”.")
            await (self._reload() if self.view_mode == "list" else self._load_calendar())

    async def edit_row(self, row: Event) -> None:
        found = await self.users.get_many([row.owner_id])
        owner = found[0] if found else None
        dialog = EventDialog(self._dialogs, row, owner, parent=self)
        if await shown(dialog):
            if self.view_mode == "list":
                self.model.replace(dialog.saved)
            else:
                await self._load_calendar()
            self.message.emit(f"Saved “{dialog.saved.title}”.")

    async def delete_rows(self, rows: Sequence[Event]) -> None:
        what = f"“{rows[0].title}”" if len(rows) == 1 else count(len(rows), "event")
        if not await confirm(self, "Delete events", f"Delete {what}?", "Delete"):
            return
        result = await self.events.delete_many(rows)
        show_outcome(self.model, result, deleted=True)
        self.message.emit(bulk_summary(result, "Deleted", "event", lambda e: e.title, rows))
        await self._refresh_count(self._generation, self.current_filter())

    def _owners_changed(self) -> None:
        if self.model.rowCount():
            column = self.model.column_named("owner")
            self.model.dataChanged.emit(
                self.model.index(0, 0), self.model.index(self.model.rowCount() - 1, column)
            )


def _utc_start_of(day: QDate) -> datetime:
    return local_midnight(date(day.year(), day.month(), day.day())).astimezone(UTC)
