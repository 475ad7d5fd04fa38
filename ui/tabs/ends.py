"""End / Ctrl+End show the true last rows at once; Ctrl+Home comes back to the first.

After End the table holds a window at the end of the list: the last page, read from the
other end, and, as one scrolls up to its top, the pages before it (keyset ``before``).
Rows between the first page and the window are not held and never pretended: the list
simply starts at the first row read. The count label says the list is shown from its end.
Home (Ctrl+Home), F5, a sort or a search load the list from the top again as before.
While at the end the window is not trimmed (a very long walk back holds its rows).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QKeyEvent

from app.domain.paging import DEFAULT_PAGE_SIZE, Cursor, PageRequest

FROM_THE_END = " · shown from its end"
UNBOUNDED = 10**9


class EndWindow(QObject):
    """Watches a tab's view for End and Home and loads the list's end at once."""

    def __init__(self, tab: Any) -> None:
        super().__init__(tab)
        self.tab = tab
        self.active = False
        self.before: Cursor | None = None
        self._bounded = tab.model.max_pages
        self._loading = self._jumping = False
        tab.view.installEventFilter(self)
        tab.model.modelAboutToBeReset.connect(self._reset)  # before the view scrolls up
        tab.view.verticalScrollBar().valueChanged.connect(self._scrolled)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if key == Qt.Key.Key_End and self.tab.model.has_more:
            self.tab.tasks.spawn(self._jump(), name=f"{self.tab.name}: last page", read=True)
            return True
        if key == Qt.Key.Key_Home and self.active:
            self.tab.reload()
            return True
        return False

    def _reset(self) -> None:
        if not self._jumping:
            self.active, self.before = False, None
            self.tab.model.max_pages = self._bounded

    async def _jump(self) -> None:
        tab = self.tab
        wanted = tab._active_filter
        if wanted is None:
            return
        tab._generation += 1  # a page still loading from the top is not added after this
        request = PageRequest(*_sort(tab), limit=DEFAULT_PAGE_SIZE, last=True)
        page = await tab.fetch(wanted, request)
        await tab.prepare(page.items)
        self._jumping = True
        try:
            tab.model.reset(page.items, False)
        finally:
            self._jumping = False
        self.active, self.before = True, page.previous_cursor
        tab.model.max_pages = UNBOUNDED
        tab.count_label.setText(tab.count_label.text().split(FROM_THE_END)[0] + FROM_THE_END)
        last = tab.model.index(tab.model.rowCount() - 1, 0)
        tab.view.scrollToBottom()
        tab.view.selectionModel().setCurrentIndex(
            last,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _scrolled(self, value: int) -> None:
        if self.active and self.before is not None and value == 0 and not self._loading:
            self._loading = True
            self.tab.tasks.spawn(self._earlier(), name=f"{self.tab.name}: rows before", read=True)

    async def _earlier(self) -> None:
        tab, cursor = self.tab, self.before
        generation = tab._generation
        try:
            if cursor is None or tab._active_filter is None:
                return
            request = PageRequest(*_sort(tab), limit=DEFAULT_PAGE_SIZE).previous(cursor)
            page = await tab.fetch(tab._active_filter, request)
            await tab.prepare(page.items)
            if not self.active or generation != tab._generation:
                return  # the list was loaded again meanwhile
            self.before = page.previous_cursor
            _prepend(tab.model, page.items)
            bar = tab.view.verticalScrollBar()
            bar.setValue(bar.value() + len(page.items))
        finally:
            self._loading = False


def _sort(tab: Any) -> tuple[str, bool]:
    """The sort of the rows shown (the cursors belong to it)."""
    key, descending = tab._active_sort
    return str(key), bool(descending)


def _prepend(model: Any, rows: Any) -> None:
    """Put rows read before the window above it (the window is one page, never dropped)."""
    if not rows:
        return
    model.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
    model._rows[0:0] = list(rows)
    model.endInsertRows()
