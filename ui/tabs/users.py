"""The Users tab: people, their roles, and the tokens of theirs that need attention."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
)

from app.domain.changes import ChangeBatch, Entity
from app.domain.clock import Clock
from app.domain.paging import Page, PageRequest
from app.domain.tokens import TokenHealth
from app.domain.users import Role, User, UserFilter, UserPatch
from app.services.tokens import TokenService
from app.services.users import UserService
from ui.dialogs.asyncdialog import confirm, shown
from ui.dialogs.conflict import USER_VIEW
from ui.dialogs.revert import Reverting
from ui.dialogs.users import UserDialog
from ui.format import ROLE_LABELS, count, deletion_detail
from ui.tabs.base import RecordTab
from ui.tabs.bulk import bulk_summary, show_outcome
from ui.tabs.columns import user_columns
from ui.tabs.follow import repaint
from ui.tabs.table_model import RecordTableModel


def _combo(name: str, items: Sequence[tuple[str, object]]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for label, value in items:
        combo.addItem(label, value)
    return combo


class UsersTab(RecordTab[User, UserFilter]):
    """Users: search by email or name, filter by role and whether they are active."""

    noun = "user"
    entity = Entity.USER
    default_sort = ("email", False)
    show_tokens = Signal(object)
    show_events = Signal(object)
    changed = Signal(object)

    def __init__(self, users: UserService, tokens: TokenService, clock: Clock) -> None:
        self.health: dict[int, TokenHealth] = {}
        self.users = users
        self.tokens = tokens
        super().__init__("users", RecordTableModel(user_columns(self.health.get)), clock)

    def build_parts(self) -> None:
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

    def title_of(self, row: User) -> str:
        return row.display_name

    def reverting(self) -> Reverting[User, UserPatch]:
        fields = tuple(USER_VIEW.labels)
        users = self.users
        return Reverting(Entity.USER, USER_VIEW, fields, users.get, users.update, UserPatch,
                         self.model.replace)  # fmt: skip

    async def lookup(self, ids: Collection[int]) -> Sequence[User]:
        return await self.users.get_many(ids)

    async def follow(self, batch: ChangeBatch) -> None:
        """Rows and count as the log says; the attention column when their tokens changed."""
        await super().follow(batch)
        shown = {u.id: u for u in self.model.rows}
        touched = [shown[i] for i in batch.owners(Entity.TOKEN) if i in shown]
        if touched:
            await self.prepare(touched)
            repaint(self.model, "tokens")

    async def prepare(self, rows: Sequence[User]) -> None:
        # How many of each user's tokens need attention, for the page, in one query.
        self.health.update(await self.tokens.reports.health_of([u.id for u in rows]))

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
        impact = await self.users.delete_impact([user.id for user in rows])
        tokens, events = impact.tokens, impact.events
        who = (
            f"{rows[0].display_name} <{rows[0].email}>"
            if len(rows) == 1
            else count(len(rows), "user")
        )
        detail = deletion_detail(len(rows), tokens, events)
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
        one = len(self.view.selectionModel().selectedRows()) == 1
        self.tokens_action.setEnabled(one)
        self.events_action.setEnabled(one)
