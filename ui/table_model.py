"""One table model for every entity: columns declared as data, rows pushed in by the tab.

The model never awaits. ``fetchMore`` only asks (``fetch_more_requested``); the tab's
coroutine loads the next page and calls :meth:`RecordTableModel.append`. Sorting by a
header asks the tab to reload sorted by the server (``sort_requested``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QIcon


class HasId(Protocol):
    """Rows are domain objects with an id."""

    @property
    def id(self) -> int: ...


RowT = TypeVar("RowT", bound=HasId)
Index = QModelIndex | QPersistentModelIndex

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


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

    def __init__(self, columns: Sequence[Column[RowT]], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self._rows: list[RowT] = []
        self._has_more = False
        self._fetching = False

    # Qt's interface -------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
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

    def reset(self, rows: Sequence[RowT], has_more: bool) -> None:
        """Replace every row (a new search, filter or sort)."""
        self.beginResetModel()
        self._rows = list(rows)
        self._has_more = has_more
        self._fetching = False
        self.endResetModel()

    def append(self, rows: Sequence[RowT], has_more: bool) -> None:
        """Add the next page at the end."""
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._has_more = has_more
        self._fetching = False

    def fetch_failed(self) -> None:
        """Let a later scroll ask again after a page failed to load."""
        self._fetching = False

    def row(self, index: int) -> RowT:
        """The domain object shown in row ``index``."""
        return self._rows[index]

    @property
    def rows(self) -> tuple[RowT, ...]:
        """Every loaded row, in order."""
        return tuple(self._rows)

    @property
    def has_more(self) -> bool:
        """Whether the server has rows beyond the loaded ones."""
        return self._has_more

    def replace(self, updated: RowT) -> None:
        """Show a row's new state in place (after an edit)."""
        for number, current in enumerate(self._rows):
            if current.id == updated.id:
                self._rows[number] = updated
                last = len(self.columns) - 1
                self.dataChanged.emit(self.index(number, 0), self.index(number, last))
                return

    def remove(self, ids: set[int]) -> None:
        """Take deleted rows out without reloading."""
        for number in range(len(self._rows) - 1, -1, -1):
            if self._rows[number].id in ids:
                self.beginRemoveRows(QModelIndex(), number, number)
                del self._rows[number]
                self.endRemoveRows()

    def column_named(self, key: str) -> int:
        """The column whose key is ``key`` (-1 if none)."""
        return next((n for n, c in enumerate(self.columns) if c.key == key), -1)

    def column_of(self, sort_key: str) -> int:
        """The column that sorts by ``sort_key`` (-1 if none)."""
        return next((n for n, c in enumerate(self.columns) if c.sort == sort_key), -1)
