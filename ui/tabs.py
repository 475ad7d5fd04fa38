"""The Users, Tokens and Events tabs."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QStackedWidget,
    QToolButton,
)

from app.domain.clock import Clock
from app.domain.events import Event, EventFilter
from app.domain.paging import Page, PageRequest
from app.domain.tokens import TokenHealth
from app.domain.users import Role, User, UserFilter
from app.services.events import EventService
from app.services.tokens import TokenService
from app.services.users import UserService
from ui.asyncdialog import confirm, shown
from ui.bulk import bulk_summary, show_outcome
from ui.calendar_view import CalendarPanel
from ui.columns import ROLE_LABELS, event_columns, user_columns
from ui.dialogs import EventDialog, UserDialog
from ui.format import count
from ui.owner_picker import OwnerPicker
from ui.owners import OwnerDirectory
from ui.record_tab import PAGE_SIZE, RecordTab
from ui.table_model import RecordTableModel


def _combo(name: str, items: Sequence[tuple[str, object]]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for label, value in items:
        combo.addItem(label, value)
    return combo


class UsersTab(RecordTab[User, UserFilter]):
    """Users: search by email or name, filter by role and whether they are active."""

    noun = "user"
    default_sort = ("email", False)
    show_tokens = Signal(object)
    show_events = Signal(object)
    changed = Signal(object)

    def __init__(self, users: UserService, tokens: TokenService, clock: Clock) -> None:
        self.health: dict[int, TokenHealth] = {}
        super().__init__("users", RecordTableModel(user_columns(self.health.get)), clock)
        self.users = users
        self.tokens = tokens
        self.role = _combo(
            "users_role", [("Any role", None), *((label, r) for r, label in ROLE_LABELS.items())]
        )
        self.active = _combo(
            "users_active", [("Active or not", None), ("Active", True), ("Inactive", False)]
        )
        for combo in (self.role, self.active):
            combo.currentIndexChanged.connect(lambda _: self.reload())
            self.filters.addWidget(combo)
        self.tokens_action = self._action("show_tokens", "Show tokens", None, self._tokens_of)
        self.events_action = self._action("show_events", "Show events", None, self._events_of)
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.tokens_action, self.events_action])

    def current_filter(self) -> UserFilter:
        # Qt hands enum members back as their plain string values.
        role = self.role.currentData()
        return UserFilter(
            search=self.search.text().strip() or None,
            role=Role(role) if role else None,
            is_active=self.active.currentData(),
        )

    def filtered(self) -> bool:
        return self.current_filter() != UserFilter()

    async def fetch(self, filter: UserFilter, page: PageRequest) -> Page[User]:
        return await self.users.list(filter, page)

    async def count_rows(self, filter: UserFilter, limit: int | None) -> int:
        return await self.users.count(filter, limit)

    async def estimate_rows(self) -> int:
        return await self.users.estimate_total()

    async def prepare(self, rows: Sequence[User]) -> None:
        # How many of each user's tokens need attention, for the page, in one query.
        self.health.update(await self.tokens.health_of([u.id for u in rows]))

    async def create_row(self) -> None:
        dialog = UserDialog(self.users, None, self)
        if await shown(dialog):
            self.message.emit(f"Created {dialog.saved.email}.")
            await self._reload()

    async def edit_row(self, row: User) -> None:
        dialog = UserDialog(self.users, row, self)
        if await shown(dialog):
            self.model.replace(dialog.saved)
            self.changed.emit(dialog.saved)
            self.message.emit(f"Saved {dialog.saved.email}.")

    async def delete_rows(self, rows: Sequence[User]) -> None:
        tokens = events = 0
        for user in rows:
            impact = await self.users.delete_impact(user.id)
            tokens, events = tokens + impact.tokens, events + impact.events
        who = (
            f"{rows[0].display_name} <{rows[0].email}>"
            if len(rows) == 1
            else count(len(rows), "user")
        )
        goes = [count(tokens, "token"), count(events, "event")]
        detail = (
            f"{goes[0]} and {goes[1]} belong to "
            f"{'this user' if len(rows) == 1 else 'these users'} and will be deleted with "
            f"{'them' if len(rows) > 1 or tokens + events > 1 else 'it'}."
            if tokens or events
            else "Nothing else belongs to them."
        )
        action = f"Delete {count(len(rows), 'user')}"
        if not await confirm(self, "Delete users", f"Delete {who}?", action, detail):
            return
        deleted = await self.users.delete_many(rows)
        show_outcome(self.model, deleted.result, deleted=True)
        took = deleted.impact
        with_them = f", with {count(took.tokens, 'token')} and {count(took.events, 'event')}"
        self.message.emit(
            bulk_summary(
                deleted.result, "Deleted", "user", lambda u: u.display_name, rows, with_them
            )
        )
        await self._refresh_count(self._generation, self.current_filter())

    def _tokens_of(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1:
            self.show_tokens.emit(rows[0])

    def _events_of(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1:
            self.show_events.emit(rows[0])

    def _update_actions(self) -> None:
        super()._update_actions()
        if hasattr(self, "events_action"):
            one = len(self.view.selectionModel().selectedRows()) == 1
            self.tokens_action.setEnabled(one)
            self.events_action.setEnabled(one)


class EventsTab(RecordTab[Event, EventFilter]):
    """Events: filter by owner and by the dates they touch."""

    noun = "event"
    default_sort = ("starts_at", False)
    calendar_loaded = Signal()

    def __init__(
        self, events: EventService, users: UserService, owners: OwnerDirectory, clock: Clock
    ) -> None:
        super().__init__("events", RecordTableModel(event_columns(owners)), clock)
        self.events = events
        self.users = users
        self.owners = owners
        self.owner = OwnerPicker(users.search)
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
        owners.changed.connect(self._owners_changed)
        self._calendar_generation = 0
        self.calendar = CalendarPanel(clock)
        self.calendar.view.range_changed.connect(self.reload)
        self.calendar.view.create_requested.connect(
            lambda start: self.tasks.spawn(
                self.create_row(start), name="events: new at", interactive=True
            )
        )
        self.calendar.view.edit_requested.connect(
            lambda event: (
                self._read_only
                or self.tasks.spawn(self.edit_row(event), "events: edit", interactive=True)
            )
        )
        self.stack = QStackedWidget()
        self.stack.setObjectName("events_stack")
        layout = self.layout()
        assert layout is not None
        layout.replaceWidget(self.view, self.stack)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.calendar)
        self.view_buttons: dict[str, QToolButton] = {}
        switcher = QButtonGroup(self)
        switcher.setExclusive(True)
        first = layout.itemAt(0)  # toolbar, stretch, count: the switcher before the count
        top = first.layout() if first is not None else None
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
            top.insertWidget(top.count() - 1, button)
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
            after = _local_midnight(self.date_from.date())
            before = _local_midnight(self.date_to.date().addDays(1))
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

    async def prepare(self, rows: Sequence[Event]) -> None:
        await self.owners.learn(e.owner_id for e in rows)

    async def create_row(self, start: datetime | None = None) -> None:
        if self._read_only:
            return
        dialog = EventDialog(
            self.events,
            self.users.search,
            self.clock,
            None,
            self.owner.user,
            self,
            start,
            self.users.get_many,
        )
        if await shown(dialog):
            self.message.emit(f"Created “{dialog.saved.title}”.")
            await (self._reload() if self.view_mode == "list" else self._load_calendar())

    async def edit_row(self, row: Event) -> None:
        found = await self.users.get_many([row.owner_id])
        owner = found[0] if found else None
        dialog = EventDialog(
            self.events, self.users.search, self.clock, row, owner, self, None, self.users.get_many
        )
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


def _local_midnight(day: QDate) -> datetime:
    local = datetime.combine(date(day.year(), day.month(), day.day()), time()).astimezone()
    return local.astimezone(UTC)
