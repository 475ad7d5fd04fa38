"""What the Users, Tokens and Events tabs share: a paged table, search, filters, actions.

Loads run as tasks on the qasync loop; a newer load makes older results stale (a
generation number), so fast typing never shows the rows of an old search. Each finished
load emits ``loaded``, which tests wait on. A load slower than a blink offers Cancel (and
Esc): loads only read, so stopping one is always safe, and the table keeps what it showed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.domain.access import EVERY_WRITE, NO_WRITE, Access, Privilege
from app.domain.changes import ChangeBatch, Entity
from app.domain.clock import Clock
from app.domain.paging import DEFAULT_PAGE_SIZE, Cursor, Page, PageRequest
from app.services.history import HistoryService
from ui.dialogs.revert import Reverting
from ui.format import ESTIMATE_TIP, MORE_TIP, count
from ui.tabs.actions import make_action
from ui.tabs.busy import BusySigns
from ui.tabs.empty import EmptyNote
from ui.tabs.ends import EndWindow
from ui.tabs.follow import NewRowsBar, follow_rows
from ui.tabs.record_history import add_history
from ui.tabs.selection import Selection
from ui.tabs.table_model import RecordTableModel, RowT, record_view
from ui.tabs.writes import Writes
from ui.tasks import TaskRunner

FilterT = TypeVar("FilterT")
PAGE_SIZE = DEFAULT_PAGE_SIZE
ESTIMATE_FROM = 100_000  # above this many rows an unfiltered count is the planner's estimate
COUNT_UP_TO = 10_000  # a filtered list counts this far, then says "more than"
SEARCH_DELAY_MS = 300


class RecordTab(QWidget, Generic[RowT, FilterT]):
    """A tab of one entity. Subclasses say how to fetch, count, filter, create, edit, delete."""

    loaded = Signal()
    message = Signal(str)

    noun: ClassVar[str] = "record"
    history: HistoryService | None = None  # set by the window
    edit_verb: ClassVar[str] = "Edit"
    entity: ClassVar[Entity]
    default_sort: ClassVar[tuple[str, bool]] = ("id", False)

    def __init__(self, name: str, model: RecordTableModel[RowT], clock: Clock) -> None:
        super().__init__()
        self.name = name
        self.setObjectName(f"{name}_tab")
        self.model = model
        self.clock = clock
        self.tasks = TaskRunner(self)
        self.tasks.failed.connect(self.message)
        self._generation = 0
        self._cursor: Cursor | None = None
        self._active_filter: FilterT | None = None
        self._sort = self.default_sort
        self._active_sort = self._sort  # the sort of the rows shown, which cursors belong to
        self._read_only = False  # edits (UPDATE) refused; see set_privileges
        self.writes = Writes()
        self._build_toolbar()
        self._build_search()
        self._build_view()
        self._build_layout()
        self._follow_model()
        self.ends = EndWindow(self)  # End / Home: the true last rows, and back (ends.py)
        self.history_action = add_history(self, self)
        self.build_parts()
        self._update_actions()  # once every action exists, the subclass's included

    def _build_toolbar(self) -> None:
        self.toolbar = QToolBar(f"{self.name} actions")
        self.toolbar.setObjectName(f"{self.name}_toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.new_action = self._action("new", "New", QKeySequence.StandardKey.New, self.new_record)
        self.edit_action = self._action("edit", "Edit…", None, self.edit_selected)
        self.delete_action = self._action(
            "delete", "Delete", QKeySequence.StandardKey.Delete, self.delete_selected
        )
        self.refresh_action = self._action(
            "refresh", "Refresh", QKeySequence.StandardKey.Refresh, self.reload
        )
        self.toolbar.addActions(
            [self.new_action, self.edit_action, self.delete_action, self.refresh_action]
        )

    def _build_search(self) -> None:
        self.search = QLineEdit()
        self.search.setObjectName(f"{self.name}_search")
        self.search.setPlaceholderText(f"Search {self.noun}s…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(160)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(self._debounce.start)
        self.count_label = QLabel()
        self.count_label.setObjectName(f"{self.name}_count")
        signs = BusySigns(self.name, self.tasks, self, self.cancel_loading)
        self.busy, self.cancel_button = signs.bar, signs.cancel_button
        self.cancel_action = signs.cancel_action

    def _build_view(self) -> None:
        self.view = record_view(self.name, self.model, self._sort)
        self.selection = Selection(self.view, self.model)
        self.view.doubleClicked.connect(lambda _: self.edit_selected())
        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        open_row = QAction(self.view)
        open_row.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        open_row.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        open_row.triggered.connect(self.edit_selected)
        self.view.addAction(open_row)
        self.empty = EmptyNote(self.view.viewport(), f"{self.name}_empty")

    def _build_layout(self) -> None:
        self.fresh = NewRowsBar(self.name, self.noun)
        self.fresh.show_requested.connect(self.reload)
        self.filters = QHBoxLayout()
        self.filters.setSpacing(8)
        self.filters.addWidget(self.search, 2)

        bar = QHBoxLayout()
        bar.addWidget(self.toolbar)
        bar.addStretch(1)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(bar)
        layout.addLayout(self.filters)
        layout.addWidget(self.busy)
        layout.addWidget(self.fresh)
        layout.addWidget(self.view, 1)

    def _follow_model(self) -> None:
        self.model.fetch_more_requested.connect(self._fetch_more_requested)
        self.model.page_wanted.connect(self._page_wanted)
        self.model.keep = self.selection.between  # never drop a page with selected rows
        self.model.sort_requested.connect(self._sort_requested)
        self.model.modelReset.connect(self._update_empty)
        self.model.rowsInserted.connect(self._update_empty)
        self.model.rowsRemoved.connect(self._update_empty)

    # What subclasses provide --------------------------------------------------------------

    def build_parts(self) -> None:
        """Add the tab's own filters, actions and widgets to the base's.

        Runs inside ``__init__``, once the toolbar, search, view and layout exist and before
        the actions are first enabled: a subclass sets what it needs before calling
        ``super().__init__``.
        """

    def title_of(self, row: RowT) -> str:
        """How a row is named in a title ("Kim", "Stand-up")."""
        return f"#{row.id}"

    def reverting(self) -> Reverting[Any, Any] | None:
        """How this tab's rows are put back to earlier values (None: they cannot be)."""
        return None

    @property
    def read_only(self) -> bool:
        """Whether edits of rows (UPDATE) are refused here."""
        return self._read_only

    def may(self, privilege: Privilege) -> bool:
        """Whether the role may make this kind of write in the tab's table."""
        return self.writes.allows(privilege)

    async def lookup(self, ids: Collection[int]) -> Sequence[RowT]:
        """Rows as they are now, by id (those that still exist)."""
        raise NotImplementedError

    async def follow(self, batch: ChangeBatch) -> None:
        """Show what the change log says: rows patched or removed in place, new ones offered."""
        if not batch.of(self.entity):
            return
        new = await follow_rows(self.model, batch, self.entity, self.lookup, self.prepare)
        self.fresh.offer(new)
        await self._refresh_count(self._generation, self.current_filter())

    def current_filter(self) -> FilterT:
        """The filter the widgets describe now."""
        raise NotImplementedError

    def filtered(self) -> bool:
        """Whether anything narrows the list (for the count and the empty text)."""
        raise NotImplementedError

    async def fetch(self, filter: FilterT, page: PageRequest) -> Page[RowT]:
        """One page from the service."""
        raise NotImplementedError

    async def count_rows(self, filter: FilterT, limit: int | None) -> int:
        """Number of matching rows, counting at most ``limit``."""
        raise NotImplementedError

    async def estimate_rows(self) -> int:
        """Estimated number of all rows."""
        raise NotImplementedError

    async def prepare(self, rows: Sequence[RowT]) -> None:
        """Anything to look up before rows are shown (owner names)."""

    async def create_row(self) -> None:
        """Run the New dialog."""
        raise NotImplementedError

    async def edit_row(self, row: RowT) -> None:
        """Run the Edit dialog for one row."""
        raise NotImplementedError

    async def delete_rows(self, rows: Sequence[RowT]) -> None:
        """Ask, then delete."""
        raise NotImplementedError

    def empty_text(self) -> str:
        """What an empty table says."""
        if self.filtered():
            return f"No {self.noun}s match. Clear the search or the filters to see them all."
        return f"No {self.noun}s yet — press Ctrl+N to add one."

    # Loading ------------------------------------------------------------------------------

    def reload(self) -> asyncio.Task[None]:
        """Load the first page again with the current search, filters and sort."""
        self._debounce.stop()
        return self.tasks.spawn(self._reload(), name=f"{self.name}: load", read=True)

    async def _reload(self) -> None:
        self._generation += 1
        generation = self._generation
        wanted = self.current_filter()
        sort = self._sort
        request = PageRequest(sort=sort[0], descending=sort[1], limit=PAGE_SIZE)
        page = await self.fetch(wanted, request)
        await self.prepare(page.items)
        if generation != self._generation:
            return  # a newer load started meanwhile; its rows win
        self._active_filter, self._active_sort = wanted, sort
        self._cursor = page.next_cursor
        self.model.reset(page.items, page.next_cursor is not None, page.next_cursor)
        self.fresh.clear()
        await self._refresh_count(generation, wanted)
        self._update_actions()
        self.loaded.emit()

    async def _refresh_count(self, generation: int, wanted: FilterT) -> None:
        estimated = more = False
        if not self.filtered():  # the whole table: the estimate when huge, else exact
            total = await self.estimate_rows()
            estimated = total >= ESTIMATE_FROM
            if not estimated:
                total = await self.count_rows(wanted, None)
        else:  # a filtered list is counted no further than a person would read
            total = await self.count_rows(wanted, COUNT_UP_TO + 1)
            more, total = total > COUNT_UP_TO, min(total, COUNT_UP_TO)
        if generation == self._generation:
            self.count_label.setText(count(total, self.noun, estimated=estimated, more=more))
            self.count_label.setToolTip(ESTIMATE_TIP if estimated else MORE_TIP if more else "")

    def _fetch_more_requested(self) -> None:
        self.tasks.spawn(self._fetch_more(), name=f"{self.name}: next page", read=True)

    async def _fetch_more(self) -> None:
        generation, cursor, wanted = self._generation, self._cursor, self._active_filter
        if cursor is None or wanted is None:
            self.model.append([], False)
            return
        request = PageRequest(*self._active_sort, cursor, PAGE_SIZE)
        try:
            page = await self.fetch(wanted, request)
            await self.prepare(page.items)
        except BaseException:
            self.model.fetch_failed()
            raise
        if generation != self._generation:
            return
        self._cursor = page.next_cursor
        self.model.append(page.items, page.next_cursor is not None, page.next_cursor)
        self.loaded.emit()

    def _page_wanted(self, number: int, after: Cursor | None) -> None:
        self.tasks.spawn(self._refill(number, after), name=f"{self.name}: page again", read=True)

    async def _refill(self, number: int, after: Cursor | None) -> None:
        # A page the model dropped to save memory is in sight again: load it from its cursor.
        generation, wanted = self._generation, self._active_filter
        if wanted is None:
            return
        request = PageRequest(*self._active_sort, after, PAGE_SIZE)
        try:
            page = await self.fetch(wanted, request)
            await self.prepare(page.items)
        except BaseException:
            self.model.fill_failed(number)
            raise
        if generation == self._generation:
            self.model.fill(number, page.items)
            self.loaded.emit()

    def cancel_loading(self) -> None:
        """Stop the loads in progress (Cancel, Esc); the table keeps the rows it shows."""
        if self.tasks.reading:
            self.tasks.spawn(self._cancel_loading(), name=f"{self.name}: cancel")

    async def _cancel_loading(self) -> None:
        if await self.tasks.cancel_reads():
            self.message.emit("Cancelled.")

    def _sort_requested(self, key: str, descending: bool) -> None:
        self._sort = (key, descending)
        if self._active_filter is not None:  # restoring column state must not load early
            self.reload()

    # Actions ------------------------------------------------------------------------------

    def _action(
        self, key: str, text: str, shortcut: QKeySequence.StandardKey | None, slot: Any
    ) -> QAction:
        return make_action(self, f"{self.name}_{key}", text, shortcut, slot)

    def selected_rows(self) -> list[RowT]:
        """The rows selected in the table, top to bottom."""
        return self.selection.rows()

    def select_saved(self, row: RowT) -> None:
        """A dialog of this tab saved ``row``: select it when the work ends (RecordDialog)."""
        self.selection.saved(row)

    def new_record(self) -> None:
        """New (Ctrl+N)."""
        if self.may(Privilege.INSERT):
            work, action = self.selection.around(self.create_row()), f"New {self.noun}"
            self.tasks.spawn(work, f"{self.name}: new", interactive=True, action=action)

    def edit_selected(self) -> None:
        """Edit (double-click, Enter): one row at a time."""
        rows = self.selected_rows()
        if len(rows) == 1 and not self._read_only:
            work = self.selection.around(self.edit_row(rows[0]))
            action = f"{self.edit_verb} {self.noun}"
            self.tasks.spawn(work, f"{self.name}: edit", interactive=True, action=action)

    def delete_selected(self) -> None:
        """Delete (Delete key): every selected row, after asking."""
        rows = self.selected_rows()
        if rows and self.may(Privilege.DELETE):
            what = f"Delete {count(len(rows), self.noun)}"
            work = self.selection.around(self.delete_rows(rows))
            self.tasks.spawn(work, f"{self.name}: delete", interactive=True, action=what)

    def set_read_only(self, read_only: bool, reason: str = "") -> None:
        """Refuse every write (a newer schema, a role that may only read); ``reason`` says why."""
        self.set_privileges(NO_WRITE if read_only else EVERY_WRITE, reason)

    def set_access(self, access: Access) -> None:
        """Offer what the connected role may do in this tab's table; say why the rest is off."""
        self.set_privileges(access.of(self.entity), access.reason)

    def set_privileges(self, may: Collection[Privilege], reason: str = "") -> None:
        """Offer only these writes (New INSERT, Delete DELETE, the rest UPDATE: ``read_only``)."""
        self.writes.set(may, reason)
        self._read_only = not self.may(Privilege.UPDATE)
        self._update_actions()

    def _explain(self, action: QAction, needs: Privilege = Privilege.UPDATE) -> None:
        self.writes.explain(action, needs)

    def _update_actions(self) -> None:
        selected = len(self.view.selectionModel().selectedRows())
        self.writes.offer(self.new_action, Privilege.INSERT)
        self.writes.offer(self.edit_action, Privilege.UPDATE, selected == 1)
        self.writes.offer(self.delete_action, Privilege.DELETE, selected > 0)

    # Empty state --------------------------------------------------------------------------

    def _update_empty(self) -> None:
        empty = self.model.rowCount() == 0
        self.empty.say(self.empty_text() if empty else "")
