"""The Users, Tokens and Events tabs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit

from app.domain.clock import Clock
from app.domain.events import Event, EventFilter
from app.domain.paging import Page, PageRequest
from app.domain.tokens import TokenHealth
from app.domain.users import Role, User, UserFilter
from app.services.events import EventService
from app.services.tokens import TokenService
from app.services.users import UserService
from ui.asyncdialog import confirm, shown
from ui.columns import ROLE_LABELS, event_columns, user_columns
from ui.dialogs import EventDialog, UserDialog
from ui.format import count
from ui.owner_picker import OwnerPicker
from ui.owners import OwnerDirectory
from ui.record_tab import RecordTab
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

    async def count_rows(self, filter: UserFilter) -> int:
        return await self.users.count(filter)

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
        for user in rows:
            await self.users.delete(user.id, user.version)
        self.model.remove({u.id for u in rows})
        self.message.emit(f"Deleted {who}, with {goes[0]} and {goes[1]}.")
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
        owners.changed.connect(self._owners_changed)

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
        )

    def filtered(self) -> bool:
        return self.current_filter() != EventFilter()

    async def fetch(self, filter: EventFilter, page: PageRequest) -> Page[Event]:
        return await self.events.list(filter, page)

    async def count_rows(self, filter: EventFilter) -> int:
        return await self.events.count(filter)

    async def estimate_rows(self) -> int:
        return await self.events.estimate_total()

    async def prepare(self, rows: Sequence[Event]) -> None:
        await self.owners.learn(e.owner_id for e in rows)

    async def create_row(self) -> None:
        dialog = EventDialog(
            self.events, self.users.search, self.clock, None, self.owner.user, self
        )
        if await shown(dialog):
            self.message.emit(f"Created “{dialog.saved.title}”.")
            await self._reload()

    async def edit_row(self, row: Event) -> None:
        found = await self.users.get_many([row.owner_id])
        owner = found[0] if found else None
        dialog = EventDialog(self.events, self.users.search, self.clock, row, owner, self)
        if await shown(dialog):
            self.model.replace(dialog.saved)
            self.message.emit(f"Saved “{dialog.saved.title}”.")

    async def delete_rows(self, rows: Sequence[Event]) -> None:
        what = f"“{rows[0].title}”" if len(rows) == 1 else count(len(rows), "event")
        if not await confirm(self, "Delete events", f"Delete {what}?", "Delete"):
            return
        for event in rows:
            await self.events.delete(event.id, event.version)
        self.model.remove({e.id for e in rows})
        self.message.emit(f"Deleted {what}.")
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
