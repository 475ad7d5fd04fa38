"""The main window: Users, Tokens and Events tabs, the schema banner, the status bar."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.access import Access
from app.domain.changes import ChangeBatch, Entity, Operation
from app.domain.clock import Clock
from app.domain.schema import Revision, SchemaState
from app.domain.undo import UndoConflict
from ui.backend import Backend
from ui.connection import ConnectionWatcher
from ui.dialogs.about import show_about
from ui.dialogs.form import RecordDialog
from ui.dialogs.recent import RecentChangesDialog
from ui.dialogs.revert import Reverting
from ui.dialogs.undo_refused import offer_comparison
from ui.format import count
from ui.live import LiveUpdates
from ui.tabs.base import RecordTab
from ui.tabs.events import EventsTab
from ui.tabs.owners import OwnerDirectory
from ui.tabs.tokens import TokensTab
from ui.tabs.users import UsersTab
from ui.tasks import TaskRunner
from ui.undo import WindowActions


class MainWindow(QMainWindow):
    """Tessera's window. ``start()`` checks the schema and loads the tabs."""

    closed = Signal()
    ready = Signal()
    switch_requested = Signal()

    def __init__(
        self, backend: Backend, clock: Clock, soon: timedelta, settings: QSettings | None = None
    ) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.setWindowTitle(f"Tessera — {backend.label}")
        self.backend, self.clock = backend, clock
        self.settings = settings or QSettings()
        self.tasks = TaskRunner(self)
        self.tasks.failed.connect(self.show_message)

        self._build_tabs(clock, soon)
        self._build_banner()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.statusBar().setObjectName("status_bar")
        self._shown_once = False  # whether the tabs were ever loaded (not just the schema)
        self.ready.connect(self._loaded_once)
        self._follow_the_database(clock)
        self._build_menus()
        self.resize(1180, 720)
        self._restore()

    def _build_tabs(self, clock: Clock, soon: timedelta) -> None:
        backend = self.backend
        self.owners = owners = OwnerDirectory(backend.users, self)
        self.users_tab = UsersTab(backend.users, backend.tokens, clock)
        self.tokens_tab = TokensTab(backend.tokens, backend.users, owners, clock, soon)
        self.events_tab = EventsTab(backend.events, backend.users, owners, clock)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.setDocumentMode(True)
        for tab, title in (
            (self.users_tab, "&Users"),
            (self.tokens_tab, "&Tokens"),
            (self.events_tab, "&Events"),
        ):
            self.tabs.addTab(tab, title)
            tab.message.connect(self.show_message)
        self.tabs.currentChanged.connect(lambda _: self._focus_table())
        self.users_tab.show_tokens.connect(lambda user: self._show(self.tokens_tab, user))
        self.users_tab.show_events.connect(lambda user: self._show(self.events_tab, user))
        self.users_tab.changed.connect(owners.remember)
        self.tokens_tab.badge_changed.connect(self._badge)

    def _build_banner(self) -> None:
        self.banner = QFrame()
        self.banner.setObjectName("schema_banner")
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        # Fixed colours (not the palette's) so the banner stands out in light and dark themes.
        self.banner.setStyleSheet(
            "#schema_banner { background: #fff4ce; border: 1px solid #d8b54a; border-radius: 4px; }"
            "#schema_banner QLabel { color: #3d3000; }"
        )
        self.banner_text = QLabel()
        self.banner_text.setObjectName("schema_message")
        self.banner_text.setWordWrap(True)
        self.upgrade_button = QPushButton("Upgrade now")
        self.upgrade_button.setObjectName("schema_upgrade")
        self.upgrade_button.clicked.connect(self.upgrade)
        row = QHBoxLayout(self.banner)
        row.addWidget(self.banner_text, 1)
        row.addWidget(self.upgrade_button)
        self.banner.hide()

    def _follow_the_database(self, clock: Clock) -> None:
        backend = self.backend
        self.connection = ConnectionWatcher(lambda: self.backend.server_version(), clock, self)
        self.connection.reconnected.connect(self._reconnected)
        self.connection.disconnected.connect(self._disconnected)
        self.statusBar().addPermanentWidget(self.connection.widget)
        self.live = LiveUpdates(backend.changes, self)
        self.live.arrived.connect(self._follow)
        self.live.message.connect(self.show_message)
        self.undo = WindowActions(backend.history, self)
        self.undo.message.connect(self.show_message)
        self.undo.replayed.connect(self.reload_all)  # rows brought back belong in view
        self.live.arrived.connect(self.undo.saw)
        self.undo.conflicted.connect(self._undo_refused)
        self.tasks.expect = self.undo.expect  # a comparison after a refused undo is one too
        for record_tab in self.record_tabs:
            record_tab.tasks.expect = self.undo.expect
            record_tab.history = backend.history
        runners = (self.tasks, self.live.tasks, self.undo.tasks)
        for runner in (*runners, *(tab.tasks for tab in self.record_tabs)):
            self.connection.watch(runner)

    @property
    def record_tabs(self) -> tuple[RecordTab[Any, Any], ...]:
        """The three tabs, in order."""
        return (self.users_tab, self.tokens_tab, self.events_tab)

    def _add(self, menu: QMenu, text: str, name: str, slot: Any, keys: Any = None) -> None:
        action = QAction(text, self)
        action.setObjectName(name)
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        menu.addAction(action)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._add(file_menu, "&Switch database…", "action_switch_database", self.switch_requested)
        file_menu.addSeparator()
        self._add(file_menu, "&Refresh", "action_refresh_all", self.reload_all, "Ctrl+Shift+R")
        quit_keys = QKeySequence.StandardKey.Quit
        self._add(file_menu, "&Quit", "action_quit", self.close, quit_keys)
        self._build_edit_menu()
        help_menu = self.menuBar().addMenu("&Help")
        self._add(help_menu, "&About Tessera", "action_about", self._about)

    def _build_edit_menu(self) -> None:
        edit_menu = self.menuBar().addMenu("&Edit")
        for name, action, key in (
            ("action_undo", self.undo.stack.createUndoAction(self, "&Undo"), "Undo"),
            ("action_redo", self.undo.stack.createRedoAction(self, "&Redo"), "Redo"),
        ):
            action.setObjectName(name)
            action.setShortcut(QKeySequence(getattr(QKeySequence.StandardKey, key)))
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        recent = "action_recent_changes"
        self._add(edit_menu, "Recent &changes…", recent, self.show_recent_changes, "Ctrl+Shift+H")

    def show_recent_changes(self) -> RecentChangesDialog:
        """Every change in the database, newest first, filtered by who and what."""
        dialog = RecentChangesDialog(self.backend.history, self.clock, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        dialog.load()
        return dialog

    def _about(self) -> None:
        about = show_about(self, self.backend.label, self.backend.server_version)
        self.tasks.spawn(about, name="window: about", interactive=True)

    def show_message(self, text: str) -> None:
        """Say what happened in the status bar."""
        self.statusBar().showMessage(text, 10_000)

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """A comparison opened from the window was cancelled: say so (see ``settle``)."""
        self.show_message("Nothing was put back: the comparison was cancelled.")

    def _undo_refused(self, conflict: UndoConflict) -> None:
        offer = offer_comparison(self, self, conflict, self._reverting, self.backend.history)
        self.tasks.spawn(offer, "undo: compare", interactive=True, action="Undo (compared)")

    def _reverting(self, entity: Entity) -> Reverting[Any, Any] | None:
        return next((t.reverting() for t in self.record_tabs if t.entity is entity), None)

    # Start-up and schema ------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        """Check the schema, then load every tab."""
        return self.tasks.spawn(self._start(), name="window: start")

    async def _start(self) -> None:
        self.show_message("Connecting…")
        state = await self.backend.migrations.state()
        if state in (SchemaState.EMPTY, SchemaState.BEHIND):
            pending = await self.backend.migrations.pending()
            self._offer_upgrade(state, pending)
            return
        access = await self._access(state)
        if not access.can_write:
            self.banner_text.setText(access.reason)
            self.upgrade_button.hide()
            self.banner.show()
        for tab in self.record_tabs:  # each offers just the writes the role may make there
            tab.set_access(access)
        await self._load_all()
        if access.can_write:  # history older than TESSERA_HISTORY_DAYS goes, in bounded batches
            self.tasks.spawn(self.backend.changes.prune(), "change log: prune")

    async def _access(self, state: SchemaState) -> Access:
        """What Tessera may write here: nothing under a newer schema, else what the role may."""
        if state is SchemaState.AHEAD:
            return Access(
                can_write=False,
                reason="This database was upgraded by a newer Tessera. Tessera shows it but "
                "will not change it: install the newer Tessera to edit.",
            )
        return await self.backend.access()

    def _offer_upgrade(self, state: SchemaState, pending: list[Revision]) -> None:
        what = "is empty" if state is SchemaState.EMPTY else "uses an older layout"
        steps = "; ".join(r.title.rstrip(".") for r in pending)
        self.banner_text.setText(
            f"The database {what}: Tessera must apply {len(pending)} "
            f"update{'s' if len(pending) != 1 else ''} before it can show anything ({steps})."
        )
        self.upgrade_button.show()
        self.banner.show()
        self.tabs.setEnabled(False)
        self.show_message("The database needs an upgrade.")

    def upgrade(self) -> None:
        """Apply the pending migrations, then load the tabs."""
        self.tasks.spawn(self._upgrade(), name="window: upgrade")

    async def _upgrade(self) -> None:
        self.upgrade_button.setEnabled(False)
        try:
            await self.backend.migrations.upgrade(
                progress=lambda r: self.show_message(f"Applied {r.id}: {r.title}")
            )
        finally:
            self.upgrade_button.setEnabled(True)
        self.banner.hide()
        self.tabs.setEnabled(True)
        await self._load_all()
        self.show_message("The database is up to date.")

    async def _load_all(self) -> None:
        first = not self.backend.changes.started
        if first:
            await self.backend.changes.start()  # before loading: nothing written is missed
        await asyncio.gather(*(tab.reload() for tab in self.record_tabs))
        self.statusBar().clearMessage()
        if first:
            await self.live.start()
        self.ready.emit()

    def reload_all(self) -> None:
        """Reload every tab."""
        for tab in self.record_tabs:
            tab.reload()

    # Losing the database and getting it back ------------------------------------------------

    def _focus_table(self) -> None:
        """Into the current tab's table (or calendar), unless focus is elsewhere in the window."""
        focused = QApplication.focusWidget()
        if focused not in (None, self.tabs.tabBar()) and self.isAncestorOf(focused):
            return
        tab, stack = self.tabs.currentWidget(), getattr(self.tabs.currentWidget(), "stack", None)
        if isinstance(tab, RecordTab):  # so that its Ctrl+N, Del and F5 work at once
            shown = stack.currentWidget() if isinstance(stack, QStackedWidget) else None
            (shown or tab.view).setFocus()

    def _loaded_once(self) -> None:
        self._focus_table()
        if not self._shown_once:
            # What exists now (modules, Qt wrappers, the window) lives as long as the
            # process. Freezing it keeps Python's full garbage collections from scanning
            # it again and again: each would otherwise stall the window for ~100 ms.
            gc.freeze()
        self._shown_once = True

    def _disconnected(self) -> None:
        self.show_message(
            "Lost the connection to the database. What is shown stays as it was loaded; "
            "Tessera reconnects by itself."
        )

    def _follow(self, batch: ChangeBatch) -> None:
        # Renamed or deleted owners first, so the tabs repaint with the right names.
        changed = batch.row_ids(Entity.USER, Operation.UPDATE)
        if changed & set(self.owners.known):
            self.tasks.spawn(self._relearn(changed), name="owners: changed", read=True)
        for tab in self.record_tabs:
            tab.tasks.spawn(tab.follow(batch), name=f"{tab.name}: follow", read=True)
        latest = {(c.entity, c.row_id): c for c in batch.changes}
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, RecordDialog) and widget.isVisible() and widget.editing:
                change = latest.get(widget.editing)
                if change is not None:
                    widget.changed_elsewhere(change)

    async def _relearn(self, ids: set[int]) -> None:
        self.owners.add(await self.backend.users.get_many(ids))

    def _reconnected(self) -> None:
        self.show_message("Reconnected.")
        if self._shown_once:
            self.tasks.spawn(self.live.resume(), name="live: resume")
            self.reload_all()  # each tab keeps its search, filters and sort
        else:
            self.start()  # the outage came before the schema check: start over

    def _badge(self, expiring: int) -> None:
        index = self.tabs.indexOf(self.tokens_tab)
        self.tabs.setTabText(index, f"&Tokens ({expiring})" if expiring else "&Tokens")
        days = self.tokens_tab.soon.days
        self.tabs.setTabToolTip(
            index, f"{count(expiring, 'token')} expire within {days} days" if expiring else ""
        )

    def _show(self, tab: TokensTab | EventsTab, user: Any) -> None:
        tab.set_owner(user)
        self.tabs.setCurrentWidget(tab)

    # Settings and closing -----------------------------------------------------------------

    def _restore(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        index = self.settings.value("window/tab", 0, type=int)
        if isinstance(index, int) and 0 <= index < self.tabs.count():
            self.tabs.setCurrentIndex(index)
        for tab in self.record_tabs:
            state = self.settings.value(f"{tab.name}/columns")
            if isinstance(state, QByteArray):
                header = tab.view.horizontalHeader()
                # The saved state carries a sort indicator too; the server sort follows the
                # tab's default until the user clicks a header.
                column = tab.model.column_of(tab.default_sort[0])
                order = (
                    Qt.SortOrder.DescendingOrder
                    if tab.default_sort[1]
                    else Qt.SortOrder.AscendingOrder
                )
                header.blockSignals(True)
                header.restoreState(state)
                header.setSortIndicator(column, order)
                header.blockSignals(False)

    def save_settings(self) -> None:
        """Remember geometry, the current tab and column widths."""
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/tab", self.tabs.currentIndex())
        for tab in self.record_tabs:
            self.settings.setValue(f"{tab.name}/columns", tab.view.horizontalHeader().saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.save_settings()
        event.accept()
        self.closed.emit()

    async def shutdown(self) -> None:
        """Cancel everything still running (loads, saves, searches) and wait for it."""
        await self.connection.stop()
        await self.live.stop()
        for tab in self.record_tabs:
            await tab.tasks.cancel_all()
        await self.tasks.cancel_all()
