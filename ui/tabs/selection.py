"""Which row is selected after a save or a delete, so the next Del or Enter has a target."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QTableView

from ui.tabs.table_model import RecordTableModel, RowT


def selected_between(view: QTableView, first: int, last: int) -> bool:
    """Whether any row from ``first`` to ``last`` is selected (the model keeps their page)."""
    chosen = view.selectionModel().selection()
    ranges = (chosen.at(n) for n in range(chosen.size()))
    return any(r.top() <= last and first <= r.bottom() for r in ranges)


def first_selected(view: QTableView) -> int:
    """The topmost selected row's number (-1 when none is)."""
    rows = [index.row() for index in view.selectionModel().selectedRows()]
    return min(rows, default=-1)


def reselect(view: QTableView, model: RecordTableModel[RowT], saved: int | None, at: int) -> None:
    """Select the row saved (by id), else, when a delete left nothing selected, row ``at``.

    ``at`` is where the first deleted row was: the row after it has moved up into its
    place, and past the end the last row is taken (the one before).
    """
    if saved is not None:
        number = next(
            (n for n in range(model.rowCount()) if (r := model.loaded_row(n)) and r.id == saved),
            -1,
        )
    elif at >= 0 and not view.selectionModel().hasSelection():
        number = min(at, model.rowCount() - 1)
    else:
        return
    if number < 0:
        return
    index = model.index(number, 0)
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
    view.selectionModel().setCurrentIndex(index, flags | QItemSelectionModel.SelectionFlag.Rows)
    view.scrollTo(index)
