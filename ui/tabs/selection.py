"""A tab's selection: the rows selected, and which row is selected after a save or a delete.

After a save the saved row is selected, after a delete the row that took the place of the
first one deleted, so that the next Del or Enter has a target without an arrow key.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, Generic

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QTableView

from ui.tabs.table_model import RecordTableModel, RowT


class Selection(Generic[RowT]):
    """The selection of ``view`` over ``model``'s rows."""

    def __init__(self, view: QTableView, model: RecordTableModel[RowT]) -> None:
        self._view = view
        self._model = model
        self._saved: int | None = None  # the id of the row a dialog saved meanwhile

    def rows(self) -> list[RowT]:
        """The rows selected, top to bottom (those whose page is held: all of them)."""
        numbers = sorted({index.row() for index in self._view.selectionModel().selectedRows()})
        loaded = (self._model.loaded_row(number) for number in numbers)
        return [row for row in loaded if row is not None]

    def between(self, first: int, last: int) -> bool:
        """Whether any row from ``first`` to ``last`` is selected (the model keeps their page)."""
        chosen = self._view.selectionModel().selection()
        ranges = (chosen.at(n) for n in range(chosen.size()))
        return any(r.top() <= last and first <= r.bottom() for r in ranges)

    def saved(self, row: RowT) -> None:
        """A dialog saved ``row``: select it when the work running now ends."""
        self._saved = row.id

    async def around(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` (a new, edit or delete), then select the row saved or the next one."""
        self._saved = None
        at = min((index.row() for index in self._view.selectionModel().selectedRows()), default=-1)
        await work
        self._reselect(at)

    def _reselect(self, at: int) -> None:
        model, saved = self._model, self._saved
        if saved is not None:
            number = next(
                (
                    n
                    for n in range(model.rowCount())
                    if (r := model.loaded_row(n)) and r.id == saved
                ),
                -1,
            )
        elif at >= 0 and not self._view.selectionModel().hasSelection():
            number = min(at, model.rowCount() - 1)  # past the end: the row before
        else:
            return
        if number >= 0:
            index = model.index(number, 0)
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
            selection = self._view.selectionModel()
            selection.setCurrentIndex(index, flags | QItemSelectionModel.SelectionFlag.Rows)
            self._view.scrollTo(index)
