"""One table model for every entity: columns declared as data, rows pushed in by the tab.

The model never awaits. ``fetchMore`` only asks (``fetch_more_requested``); the tab's
coroutine loads the next page and calls :meth:`RecordTableModel.append`. Sorting by a
header asks the tab to reload sorted by the server (``sort_requested``).

Memory stays bounded however far one scrolls: the model keeps at most ``max_pages``
pages of row objects. A page not looked at for a while is dropped (its rows become
placeholders) and, when a view looks at it again, asked for anew with the keyset cursor
it started at (``page_wanted``); the tab loads it and calls :meth:`RecordTableModel.fill`.
A page that holds selected rows is kept (``keep``). A refetched page shows the rows as
they are now: rows deleted meanwhile leave a "gone" placeholder, rows inserted meanwhile
appear after a refresh.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from app.domain.paging import Cursor
from ui.tabs.elided import ElidedTipDelegate


class HasId(Protocol):
    """Rows are domain objects with an id."""

    @property
    def id(self) -> int: ...


RowT = TypeVar("RowT", bound=HasId)
Index = QModelIndex | QPersistentModelIndex

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
MAX_PAGES = 25  # 5,000 rows of objects at most, whatever the table's size
LOADING = "…"
GONE_TIP = "This row was deleted or moved meanwhile; refresh (F5) to update the list."


class _Gone:
    """A placeholder for a row that a refetched page no longer had."""


_GONE = _Gone()


@dataclass(frozen=True)
class Column(Generic[RowT]):
    """A column: its header, how a row shows in it, and the server sort key (if any)."""

    key: str
    header: str
    text: Callable[[RowT], str]
    sort: str | None = None
    tooltip: Callable[[RowT], str] | None = None
    align: Qt.AlignmentFlag = field(default=LEFT)
    width: int = 160
    icon: Callable[[RowT], QIcon] | None = None
    colour: Callable[[RowT], QColor] | None = None


class RecordTableModel(QAbstractTableModel, Generic[RowT]):
    """Rows of one entity, loaded page by page."""

    fetch_more_requested = Signal()
    sort_requested = Signal(str, bool)
    page_wanted = Signal(int, object)  # page number, the Cursor it starts after (or None)

    def __init__(
        self, columns: Sequence[Column[RowT]], parent: Any = None, max_pages: int = MAX_PAGES
    ) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self.max_pages = max(2, max_pages)
        self.keep: Callable[[int, int], bool] = lambda first, last: False
        self._rows: list[RowT | _Gone | None] = []  # None: dropped, not loaded now
        self._has_more = False
        self._fetching = False
        self._first_rows: list[int] = []  # first row number of each page
        self._starts: list[Cursor | None] = []  # the cursor each page starts after
        self._loaded: OrderedDict[int, None] = OrderedDict()  # pages held, least recent first
        self._wanted: set[int] = set()
        self._last_seen = -1  # the 64-row stretch a view last asked about
        self._last_row = -1
        self._next: Cursor | None = None

    # Qt's interface -------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        self._touch(index.row())
        if row is None or isinstance(row, _Gone):
            if row is None:
                self._want(index.row())
            return self._placeholder(row, index.column(), role)
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return column.align
        if role == Qt.ItemDataRole.DecorationRole and column.icon is not None:
            return column.icon(row)
        if role == Qt.ItemDataRole.ForegroundRole and column.colour is not None:
            return column.colour(row)
        if role == ROW_ROLE:
            return row
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Sort by {column.header.lower()}" if column.sort else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if 0 <= index.row() < len(self._rows) and self._rows[index.row()] is _GONE:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and self._has_more and not self._fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        if self.canFetchMore(parent):
            self._fetching = True
            self.fetch_more_requested.emit()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(self.columns) and self.columns[column].sort:
            key = self.columns[column].sort
            assert key is not None
            self.sort_requested.emit(key, order == Qt.SortOrder.DescendingOrder)

    # What the tab calls -----------------------------------------------------------------

    def reset(
        self, rows: Sequence[RowT], has_more: bool, next_cursor: Cursor | None = None
    ) -> None:
        """Replace every row (a new search, filter or sort).

        Args:
            rows: the first page.
            has_more: whether the server has more rows.
            next_cursor: where the next page starts; pages are dropped and refetched only
                when their cursors are known.
        """
        self.beginResetModel()
        self._rows = list(rows)
        self._has_more = has_more
        self._fetching = False
        self._first_rows = [0] if rows else []
        self._starts = [None] if rows else []
        self._loaded = OrderedDict([(0, None)]) if rows else OrderedDict()
        self._wanted = set()
        self._last_seen = self._last_row = -1
        self._next = next_cursor
        self.endResetModel()

    def append(
        self, rows: Sequence[RowT], has_more: bool, next_cursor: Cursor | None = None
    ) -> None:
        """Add the next page at the end."""
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            if len(self._starts) == len(self._first_rows) and self._next is not None:
                self._starts.append(self._next)
            self._first_rows.append(first)
            self._loaded[len(self._first_rows) - 1] = None
            self.endInsertRows()
            self._drop_far_pages()
        self._next = next_cursor
        self._has_more = has_more
        self._fetching = False

    def fill(self, page: int, rows: Sequence[RowT]) -> None:
        """Put a refetched page back; slots it no longer fills show as gone."""
        self._wanted.discard(page)
        if not 0 <= page < len(self._first_rows):
            return
        first, last = self._page_rows(page)
        for number in range(first, last + 1):
            offset = number - first
            self._rows[number] = rows[offset] if offset < len(rows) else _GONE
        self._loaded[page] = None
        self._loaded.move_to_end(page)
        self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))
        self._drop_far_pages()

    def fill_failed(self, page: int) -> None:
        """Let a later look at the page ask again."""
        self._wanted.discard(page)

    def fetch_failed(self) -> None:
        """Let a later scroll ask again after a page failed to load."""
        self._fetching = False

    def row(self, index: int) -> RowT:
        """The domain object shown in row ``index`` (LookupError when not loaded now)."""
        row = self.loaded_row(index)
        if row is None:
            raise LookupError(f"row {index} is not loaded")
        return row

    def loaded_row(self, index: int) -> RowT | None:
        """The domain object in row ``index``, or None when it is not held now."""
        row = self._rows[index]
        return None if row is None or isinstance(row, _Gone) else row

    @property
    def rows(self) -> tuple[RowT, ...]:
        """Every row held now, in order (dropped pages left out)."""
        return tuple(r for r in self._rows if r is not None and not isinstance(r, _Gone))

    @property
    def loaded_pages(self) -> int:
        """How many pages of row objects the model holds now."""
        return len(self._loaded)

    @property
    def has_more(self) -> bool:
        """Whether the server has rows beyond the loaded ones."""
        return self._has_more

    def replace(self, updated: RowT) -> None:
        """Show a row's new state in place (after an edit)."""
        for number, current in enumerate(self._rows):
            if isinstance(current, _Gone) or current is None:
                continue
            if current.id == updated.id:
                self._rows[number] = updated
                last = len(self.columns) - 1
                self.dataChanged.emit(self.index(number, 0), self.index(number, last))
                return

    def remove(self, ids: set[int]) -> None:
        """Take deleted rows out without reloading."""
        for number in range(len(self._rows) - 1, -1, -1):
            current = self._rows[number]
            if current is None or isinstance(current, _Gone) or current.id not in ids:
                continue
            self.beginRemoveRows(QModelIndex(), number, number)
            del self._rows[number]
            self._forget_row(number)
            self.endRemoveRows()

    # Paging bookkeeping -------------------------------------------------------------------

    def _page_of(self, row: int) -> int:
        return bisect_right(self._first_rows, row) - 1

    def _page_rows(self, page: int) -> tuple[int, int]:
        first = self._first_rows[page]
        following = page + 1 < len(self._first_rows)
        end = self._first_rows[page + 1] if following else len(self._rows)
        return first, end - 1

    def _touch(self, number: int) -> None:
        self._last_row = number
        if number // 64 != self._last_seen:  # cheap: most calls repeat the same rows
            self._last_seen = number // 64
            page = self._page_of(number)
            if page in self._loaded:
                self._loaded.move_to_end(page)

    def _want(self, number: int) -> None:
        page = self._page_of(number)
        if page not in self._wanted and page < len(self._starts):
            self._wanted.add(page)
            self.page_wanted.emit(page, self._starts[page])

    def _placeholder(self, row: _Gone | None, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and column == 0:
            return LOADING if row is None else ""
        if role == Qt.ItemDataRole.ToolTipRole and row is not None:
            return GONE_TIP
        return None

    def _drop_far_pages(self) -> None:
        while len(self._loaded) > self.max_pages:
            dropped = next(
                (
                    p
                    for p in self._loaded
                    if p < len(self._starts)
                    and not self._in_sight(p)
                    and not self.keep(*self._page_rows(p))
                ),
                None,
            )
            if dropped is None:
                return  # every page held is needed (selected) or cannot be fetched again
            del self._loaded[dropped]
            first, last = self._page_rows(dropped)
            self._rows[first : last + 1] = [None] * (last - first + 1)
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))

    def _in_sight(self, page: int) -> bool:
        first, last = self._page_rows(page)
        return first <= self._last_row <= last

    def _forget_row(self, number: int) -> None:
        page = self._page_of(number)
        for later in range(page + 1, len(self._first_rows)):
            self._first_rows[later] -= 1
        if (
            page + 1 < len(self._first_rows)
            and self._first_rows[page + 1] == self._first_rows[page]
        ):
            # The page is now empty: merge it away, the next page's cursor still holds.
            del self._first_rows[page]
            if page < len(self._starts):
                del self._starts[page]
            self._loaded = OrderedDict(
                ((p if p < page else p - 1), None) for p in self._loaded if p != page
            )
            self._wanted = set()

    def column_named(self, key: str) -> int:
        """The column whose key is ``key`` (-1 if none)."""
        return next((n for n, c in enumerate(self.columns) if c.key == key), -1)

    def column_of(self, sort_key: str) -> int:
        """The column that sorts by ``sort_key`` (-1 if none)."""
        return next((n for n, c in enumerate(self.columns) if c.sort == sort_key), -1)


def record_view(name: str, model: RecordTableModel[Any], sort: tuple[str, bool]) -> QTableView:
    """The table view of a tab: whole rows selected, equal row heights, server sort shown."""
    view = QTableView()
    view.setObjectName(f"{name}_table")
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setAlternatingRowColors(True)
    view.setSortingEnabled(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(26)
    # Equal row heights: Qt need not measure rows, so huge tables scroll smoothly.
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for number, column in enumerate(model.columns):
        view.setColumnWidth(number, column.width)
    order = Qt.SortOrder.DescendingOrder if sort[1] else Qt.SortOrder.AscendingOrder
    header.blockSignals(True)
    header.setSortIndicator(model.column_of(sort[0]), order)
    header.blockSignals(False)
    model.modelReset.connect(lambda: _from_the_top(view))
    view.setItemDelegate(ElidedTipDelegate(view))  # a cut cell's whole text as its tooltip
    return view


def _from_the_top(view: QTableView) -> None:
    # A reloaded list shows its first rows: left at the old depth, the view showed the
    # end of the first page, and with no current row every key moved to row 0 instead
    # of scrolling on, so nothing more was ever asked for.
    view.scrollToTop()
    first = view.model().index(0, 0)
    view.selectionModel().setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
