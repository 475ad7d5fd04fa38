"""The Tokens tab: expiry at a glance, and the token lifecycle.

Quick filters with live counts (one query), a chart of upcoming expiries whose bars
filter the table, statuses in colour *and* shape, relative times that refresh every
minute without asking the database, and Issue / Extend / Revoke / Rotate / Delete for
one token or a selection.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QSpinBox, QToolButton

from app.domain.changes import ChangeBatch, Entity, Operation
from app.domain.clock import Clock
from app.domain.paging import Page, PageRequest
from app.domain.tokens import (
    BulkResult,
    ExpiryBucket,
    QuickFilter,
    Token,
    TokenFilter,
)
from app.domain.users import User
from app.services.tokens import TokenService
from app.services.users import UserService
from ui.dialogs.asyncdialog import confirm, shown
from ui.dialogs.owner_picker import OwnerPicker
from ui.dialogs.tokens import BulkExtendDialog, ExtendDialog, SecretDialog, TokenDialog
from ui.format import count, plural
from ui.tabs.actions import refuse
from ui.tabs.bar_filter import UNREVOKED, BarChip
from ui.tabs.base import RecordTab
from ui.tabs.bulk import bulk_summary, show_outcome
from ui.tabs.columns import token_columns
from ui.tabs.expiry_chart import ExpiryChart
from ui.tabs.follow import repaint
from ui.tabs.owners import OwnerDirectory
from ui.tabs.table_model import RecordTableModel
from ui.tabs.token_actions import revoked_reasons

QUICK_LABELS = {
    QuickFilter.EXPIRED: "Expired",
    QuickFilter.EXPIRING: "Expiring soon",
    QuickFilter.ACTIVE: "Active",
    QuickFilter.REVOKED: "Revoked",
    QuickFilter.NEVER_USED: "Never used",
    QuickFilter.IDLE: "Unused 90 days",
}
REFRESH_MS = 60_000


BOUNDARY_MAX_MS = 24 * 3600 * 1000


class TokensTab(RecordTab[Token, TokenFilter]):
    """Tokens, soonest expiry first."""

    noun = "token"
    edit_verb = "Extend"
    entity = Entity.TOKEN
    default_sort = ("expires_at", False)
    badge_changed = Signal(int)
    counted = Signal()

    def __init__(
        self,
        tokens: TokenService,
        users: UserService,
        owners: OwnerDirectory,
        clock: Clock,
        soon: timedelta,
    ) -> None:
        self.soon = soon
        self.tokens = tokens
        self.users = users
        self.owners = owners
        self.quick: QuickFilter | None = None
        self.window_bucket: ExpiryBucket | None = None
        self.counts: dict[QuickFilter, int] = {}
        self._counting = self._count_again = False
        model = RecordTableModel(token_columns(clock, lambda: self.soon, owners))
        super().__init__("tokens", model, clock)

    def build_parts(self) -> None:
        self.owner = OwnerPicker(self.users.search)
        self.owner.setObjectName("tokens_owner")
        self.owner.setPlaceholderText("Any owner — type to choose one")
        self.owner.chosen.connect(lambda _: self.reload())
        self.filters.addWidget(self.owner, 1)
        self._build_quick_bar()
        self.chart = ExpiryChart()
        self.chart.bucket_clicked.connect(self._bucket_clicked)
        layout = self.layout()
        assert layout is not None
        layout.insertWidget(1, self.chart)  # type: ignore[attr-defined]
        layout.insertLayout(3, self.quick_bar)  # type: ignore[attr-defined]
        self._build_token_actions()
        self.owners.changed.connect(self._repaint_rows)

        # Relative times and statuses move with the clock, not with the data.
        self.ticker = QTimer(self)
        self.ticker.setInterval(REFRESH_MS)
        self.ticker.timeout.connect(self._repaint_rows)
        self.ticker.start()
        # And the counts when a token crosses "expiring soon" or "expired": at that moment.
        self.boundary = QTimer(self)
        self.boundary.setObjectName("tokens_boundary_timer")
        self.boundary.setSingleShot(True)
        self.boundary.timeout.connect(self._boundary_crossed)

    def _build_quick_bar(self) -> None:
        self.quick_bar = QHBoxLayout()
        self.quick_buttons: dict[QuickFilter, QToolButton] = {}
        group = QButtonGroup(self)
        group.setExclusive(False)
        for quick, label in QUICK_LABELS.items():
            button = QToolButton()
            button.setObjectName(f"tokens_quick_{quick.value}")
            button.setText(label)
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.clicked.connect(lambda checked, q=quick: self.set_quick(q if checked else None))
            group.addButton(button)
            self.quick_buttons[quick] = button
            self.quick_bar.addWidget(button)
        self.days = QSpinBox()
        self.days.setObjectName("tokens_soon_days")
        self.days.setRange(1, 365)
        self.days.setValue(self.soon.days)
        self.days.setPrefix("within ")
        self.days.setSuffix(" days")
        self.days.setToolTip("What counts as expiring soon")
        self.days.valueChanged.connect(self._days_changed)
        self.quick_bar.addWidget(self.days)
        self.quick_bar.addStretch(1)
        self.chip = BarChip("tokens", self.view, lambda: self.chart.clear())
        self.clear_bar_action = self.chip.clear_action
        self.quick_bar.addWidget(self.chip)

    def _build_token_actions(self) -> None:
        self.edit_action.setText("Extend…")
        self.revoke_action = self._action("revoke", "Revoke", None, self.revoke_selected)
        self.rotate_action = self._action("rotate", "Rotate…", None, self.rotate_selected)
        self.toolbar.insertAction(self.delete_action, self.revoke_action)
        self.toolbar.insertAction(self.delete_action, self.rotate_action)

    # Filters -------------------------------------------------------------------------------

    def set_owner(self, user: User | None) -> None:
        """Show only ``user``'s tokens (from the Users tab's "Show tokens")."""
        self.owner.set_user(user)

    def set_quick(self, quick: QuickFilter | None) -> None:
        """Show one quick filter (or all tokens)."""
        self.quick = quick
        if quick is not None and self.window_bucket is not None:
            self.chart.clear(notify=False)  # a quick filter replaces the bar's
            self._show_bucket(None)
        for each, button in self.quick_buttons.items():
            button.setChecked(each is quick)
        self.reload()

    def _days_changed(self, days: int) -> None:
        self.soon = timedelta(days=days)
        self.reload()

    def _bucket_clicked(self, bucket: ExpiryBucket | None) -> None:
        self._show_bucket(bucket)
        if bucket is not None and self.quick is not None:
            self.quick = None  # the bar replaces the quick filter
            for button in self.quick_buttons.values():
                button.setChecked(False)
        self.reload()

    def _show_bucket(self, bucket: ExpiryBucket | None) -> None:
        self.window_bucket = bucket
        self.chip.show_bucket(bucket, self.chart.label(bucket) if bucket else "")

    def current_filter(self) -> TokenFilter:
        bucket = self.window_bucket
        expires_from = expires_to = None
        if bucket is not None and bucket.starts is not None:
            # The "already expired" bar is the Expired quick filter: no range needed.
            expires_from, expires_to = bucket.starts, bucket.ends
        return TokenFilter(
            owner_id=self.owner.user.id if self.owner.user else None,
            search=self.search.text().strip() or None,
            quick=QuickFilter.EXPIRED if bucket and bucket.starts is None else self.quick,
            statuses=UNREVOKED if bucket is not None else frozenset(),
            expires_from=expires_from,
            expires_to=expires_to,
            as_of=self.clock(),
            soon=self.soon,
        )

    def filtered(self) -> bool:
        current = self.current_filter()
        return bool(
            current.owner_id or current.search or current.quick or self.window_bucket is not None
        )

    def empty_text(self) -> str:
        if self.quick is not None and not self.search.text().strip():
            return f"No tokens are “{QUICK_LABELS[self.quick].lower()}”."
        return super().empty_text()

    # Loading -------------------------------------------------------------------------------

    async def fetch(self, filter: TokenFilter, page: PageRequest) -> Page[Token]:
        found, owners = await self.tokens.reports.list_with_owners(filter, page, self.owners.known)
        self.owners.add(owners)
        return found

    async def count_rows(self, filter: TokenFilter, limit: int | None) -> int:
        return await self.tokens.count(filter, limit)

    async def estimate_rows(self) -> int:
        return await self.tokens.estimate_total()

    def title_of(self, row: Token) -> str:
        return row.name

    async def lookup(self, ids: Collection[int]) -> Sequence[Token]:
        return await self.tokens.get_many(ids)

    async def follow(self, batch: ChangeBatch) -> None:
        """Rows as the log says, and the counts, chart and badge when any token changed."""
        await super().follow(batch)
        if batch.row_ids(Entity.USER, Operation.UPDATE):  # a renamed owner
            repaint(self.model, "owner")
        if batch.of(Entity.TOKEN):
            await self._recount()

    async def _recount(self) -> None:
        # A bulk write elsewhere arrives as many batches: count once more after the
        # running count, not once per batch (each count reads every token).
        if self._counting:
            self._count_again = True
            return
        self._counting = True
        try:
            self._count_again = True
            while self._count_again:
                self._count_again = False
                await self.refresh_counts()
        finally:
            self._counting = False

    async def prepare(self, rows: Sequence[Token]) -> None:
        await self.owners.learn(t.owner_id for t in rows)

    async def _reload(self) -> None:
        await super()._reload()
        await self.refresh_counts()

    async def refresh_counts(self) -> None:
        """Counts on the quick filters, the chart, and the badge: each one query."""
        owner = self.owner.user.id if self.owner.user else None
        self.counts = await self.tokens.reports.quick_counts(owner, soon=self.soon)
        for quick, button in self.quick_buttons.items():
            button.setText(f"{QUICK_LABELS[quick]} · {self.counts.get(quick, 0):,}")
        self.chart.set_buckets(await self.tokens.reports.expiry_histogram(owner_id=owner))
        self.badge_changed.emit(self.counts.get(QuickFilter.EXPIRING, 0))
        self._aim(await self.tokens.reports.next_status_change(self.soon))
        self.counted.emit()

    def _aim(self, moment: datetime | None) -> None:
        # A timer's interval is a 32-bit count of milliseconds: aim at most a day ahead.
        self.boundary.stop()
        if moment is not None:
            wait = (moment - self.clock()).total_seconds() * 1000
            self.boundary.start(int(min(max(wait, 0), BOUNDARY_MAX_MS)) + 1)

    def _boundary_crossed(self) -> None:
        self._repaint_rows()
        self.tasks.spawn(self.refresh_counts(), name="tokens: a token crossed a line", read=True)

    def _repaint_rows(self) -> None:
        if self.model.rowCount():
            last = self.model.columnCount() - 1
            self.model.dataChanged.emit(
                self.model.index(0, 0), self.model.index(self.model.rowCount() - 1, last)
            )

    # Lifecycle -----------------------------------------------------------------------------

    async def create_row(self) -> None:
        dialog = TokenDialog(self.tokens, self.users.search, self.clock, self.owner.user, self)
        if await shown(dialog):
            await shown(SecretDialog(dialog.saved, self))
            self.message.emit(f"Issued “{dialog.saved.token.name}”.")
            await self._reload()

    def edit_selected(self) -> None:
        """Extend: one token with its own dialog, a selection with one question."""
        rows = self.selected_rows()
        if len(rows) > 1 and not self._read_only:
            self.tasks.spawn(
                self._extend_many(rows),
                "tokens: extend selection",
                interactive=True,
                action=f"Extend {count(len(rows), 'token')}",
            )
        else:
            super().edit_selected()

    async def edit_row(self, row: Token) -> None:
        dialog = ExtendDialog(self.tokens, row, self)
        if await shown(dialog):
            self.model.replace(dialog.saved)
            self.message.emit(f"“{row.name}” now expires {dialog.saved.expires_at:%Y-%m-%d}.")
            await self.refresh_counts()

    async def _extend_many(self, rows: Sequence[Token]) -> None:
        dialog = BulkExtendDialog(self.tokens, rows, self)
        if await shown(dialog):
            self._show_bulk(dialog.saved, "Extended", rows)
            await self.refresh_counts()

    def revoke_selected(self) -> None:
        """Revoke the selected tokens, asked once."""
        rows = self.selected_rows()
        if rows and not self._read_only:
            what = f"Revoke {count(len(rows), 'token')}"
            self.tasks.spawn(self._revoke(rows), "tokens: revoke", interactive=True, action=what)

    async def _revoke(self, rows: Sequence[Token]) -> None:
        what = f"“{rows[0].name}”" if len(rows) == 1 else count(len(rows), "token")
        detail = plural(
            len(rows),
            "Programs using it are refused from now on. The record stays, marked revoked.",
            "Programs using them are refused from now on. The records stay, marked revoked.",
        )
        if not await confirm(self, "Revoke tokens", f"Revoke {what}?", f"Revoke {what}", detail):
            return
        self._show_bulk(await self.tokens.revoke_many(rows), "Revoked", rows)
        await self.refresh_counts()

    def rotate_selected(self) -> None:
        """Rotate one token: revoke it and issue its successor."""
        rows = self.selected_rows()
        if len(rows) == 1 and not self._read_only:
            self.tasks.spawn(
                self._rotate(rows[0]), "tokens: rotate", interactive=True, action="Rotate token"
            )

    async def _rotate(self, token: Token) -> None:
        detail = (
            "The token is revoked and a successor with the same owner, name and scopes is "
            "issued. Its secret is shown once."
        )
        if not await confirm(self, "Rotate token", f"Rotate “{token.name}”?", "Rotate", detail):
            return
        issued = await self.tokens.rotate(token.id, token.version)
        await shown(SecretDialog(issued, self))
        self.message.emit(f"Rotated “{token.name}”.")
        await self._reload()

    async def delete_rows(self, rows: Sequence[Token]) -> None:
        what = f"“{rows[0].name}”" if len(rows) == 1 else count(len(rows), "token")
        detail = plural(
            len(rows),
            "Deleting removes the record for good; revoking keeps it.",
            "Deleting removes the records for good; revoking keeps them.",
        )
        if not await confirm(self, "Delete tokens", f"Delete {what}?", f"Delete {what}", detail):
            return
        self._show_bulk(await self.tokens.delete_many(rows), "Deleted", rows, deleted=True)
        await self._refresh_count(self._generation, self.current_filter())
        await self.refresh_counts()

    def _show_bulk(
        self, result: BulkResult[Token], verb: str, rows: Sequence[Token], deleted: bool = False
    ) -> None:
        show_outcome(self.model, result, deleted)
        self.message.emit(bulk_summary(result, verb, "token", lambda t: t.name, rows))

    def _update_actions(self) -> None:
        super()._update_actions()
        selected = len(self.view.selectionModel().selectedRows())
        self.edit_action.setEnabled(selected >= 1 and not self._read_only)
        self.revoke_action.setEnabled(selected >= 1 and not self._read_only)
        self.rotate_action.setEnabled(selected == 1 and not self._read_only)
        for action in (self.revoke_action, self.rotate_action):
            self._explain(action)
        if not self._read_only:
            revoked = sum(1 for t in self.selected_rows() if t.revoked_at is not None)
            for name, reason in revoked_reasons(revoked, selected).items():
                refuse(getattr(self, name), reason)
