"""The Users, Tokens and Events tabs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit

from app.domain.clock import Clock
from app.domain.events import Event, EventFilter
from app.domain.paging import Page, PageRequest
from app.domain.tokens import Token, TokenFilter, TokenStatus
from app.domain.users import Role, User, UserFilter
from app.services.events import EventService
from app.services.tokens import TokenService
from app.services.users import UserService
from ui.asyncdialog import confirm, shown
from ui.columns import ROLE_LABELS, STATUS_LABELS, event_columns, token_columns, user_columns
from ui.dialogs import EventDialog, ExtendDialog, SecretDialog, TokenDialog, UserDialog
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

    def __init__(self, users: UserService, clock: Clock) -> None:
        super().__init__("users", RecordTableModel(user_columns()), clock)
        self.users = users
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


class TokensTab(RecordTab[Token, TokenFilter]):
    """Tokens: soonest expiry first; filter by status and owner."""

    noun = "token"
    default_sort = ("expires_at", False)

    def __init__(
        self,
        tokens: TokenService,
        users: UserService,
        owners: OwnerDirectory,
        clock: Clock,
        soon: timedelta,
    ) -> None:
        model = RecordTableModel(token_columns(clock, soon, owners))
        super().__init__("tokens", model, clock)
        self.tokens = tokens
        self.users = users
        self.owners = owners
        self.status = _combo(
            "tokens_status",
            [("Any status", None), *((label, s) for s, label in STATUS_LABELS.items())],
        )
        self.status.currentIndexChanged.connect(lambda _: self.reload())
        self.owner = OwnerPicker(users.search)
        self.owner.setObjectName("tokens_owner")
        self.owner.setPlaceholderText("Any owner — type to choose one")
        self.owner.chosen.connect(lambda _: self.reload())
        self.filters.addWidget(self.status)
        self.filters.addWidget(self.owner, 1)
        self.edit_action.setText("Extend…")
        self.revoke_action = self._action("revoke", "Revoke", None, self.revoke_selected)
        self.toolbar.insertAction(self.delete_action, self.revoke_action)
        owners.changed.connect(self._owners_changed)

    def set_owner(self, user: User | None) -> None:
        """Show only ``user``'s tokens (from the Users tab's "Show tokens")."""
        self.owner.set_user(user)

    def current_filter(self) -> TokenFilter:
        status = self.status.currentData()
        return TokenFilter(
            owner_id=self.owner.user.id if self.owner.user else None,
            search=self.search.text().strip() or None,
            statuses=frozenset({TokenStatus(status)}) if status else frozenset(),
        )

    def filtered(self) -> bool:
        return self.current_filter() != TokenFilter()

    async def fetch(self, filter: TokenFilter, page: PageRequest) -> Page[Token]:
        return await self.tokens.list(filter, page)

    async def count_rows(self, filter: TokenFilter) -> int:
        return await self.tokens.count(filter)

    async def estimate_rows(self) -> int:
        return await self.tokens.estimate_total()

    async def prepare(self, rows: Sequence[Token]) -> None:
        await self.owners.learn(t.owner_id for t in rows)

    async def create_row(self) -> None:
        dialog = TokenDialog(self.tokens, self.users.search, self.clock, self.owner.user, self)
        if await shown(dialog):
            await shown(SecretDialog(dialog.saved, self))
            self.message.emit(f"Issued “{dialog.saved.token.name}”.")
            await self._reload()

    async def edit_row(self, row: Token) -> None:
        dialog = ExtendDialog(self.tokens, row, self)
        if await shown(dialog):
            self.model.replace(dialog.saved)
            self.message.emit(f"“{row.name}” now expires {dialog.saved.expires_at:%Y-%m-%d}.")

    def revoke_selected(self) -> None:
        """Revoke the selected tokens (they stay listed, marked revoked)."""
        rows = [t for t in self.selected_rows() if t.revoked_at is None]
        if rows and not self._read_only:
            self.tasks.spawn(self._revoke(rows), name="tokens: revoke")

    async def _revoke(self, rows: Sequence[Token]) -> None:
        what = f"“{rows[0].name}”" if len(rows) == 1 else count(len(rows), "token")
        detail = "Programs using it will be refused from now on. The record stays."
        if not await confirm(self, "Revoke tokens", f"Revoke {what}?", "Revoke", detail):
            return
        for token in rows:
            self.model.replace(await self.tokens.revoke(token.id, token.version))
        self.message.emit(f"Revoked {what}.")

    async def delete_rows(self, rows: Sequence[Token]) -> None:
        what = f"“{rows[0].name}”" if len(rows) == 1 else count(len(rows), "token")
        detail = "Deleting removes the record for good; revoking keeps it."
        if not await confirm(self, "Delete tokens", f"Delete {what}?", "Delete", detail):
            return
        for token in rows:
            await self.tokens.delete(token.id, token.version)
        self.model.remove({t.id for t in rows})
        self.message.emit(f"Deleted {what}.")
        await self._refresh_count(self._generation, self.current_filter())

    def _owners_changed(self) -> None:
        if self.model.rowCount():
            column = self.model.column_named("owner")
            self.model.dataChanged.emit(
                self.model.index(0, 0), self.model.index(self.model.rowCount() - 1, column)
            )


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
