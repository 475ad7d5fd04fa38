"""How a table follows the change log: rows patched in place, removed, new ones counted.

The table keeps its scroll position and selection: a changed row is replaced where it
stands and a deleted one taken out, never a reload. Rows inserted elsewhere are not
pushed into the middle of someone's reading; the tab offers them instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.domain.changes import ChangeBatch, Entity, Operation
from ui.format import count
from ui.tabs.table_model import RecordTableModel

Lookup = Callable[[Collection[int]], Awaitable[Sequence[Any]]]


async def follow_rows(
    model: RecordTableModel[Any],
    batch: ChangeBatch,
    entity: Entity,
    lookup: Lookup,
    prepare: Callable[[Sequence[Any]], Awaitable[None]],
) -> int:
    """Bring the loaded rows of ``entity`` up to ``batch``; how many new rows are not shown.

    Args:
        model: the table.
        batch: what the log said.
        entity: the kind of record the table shows.
        lookup: reads rows as they are now, by id (rows gone meanwhile are left out).
        prepare: what the tab does with rows before showing them (owners, token health).
    """
    deleted = batch.row_ids(entity, Operation.DELETE)
    shown = {row.id for row in model.rows}
    if deleted & shown:
        model.remove(deleted & shown)
    stale = (batch.row_ids(entity, Operation.UPDATE, Operation.INSERT) & shown) - deleted
    if stale:
        rows = await lookup(stale)
        await prepare(rows)
        for row in rows:
            model.replace(row)
        gone = stale - {row.id for row in rows}  # deleted by a change still to be read
        if gone:
            model.remove(gone)
    return len(batch.row_ids(entity, Operation.INSERT) - deleted - shown)


def repaint(model: RecordTableModel[Any], column: str) -> None:
    """Repaint one column of every row (what it shows comes from outside the row)."""
    if model.rowCount():
        index = model.column_named(column)
        model.dataChanged.emit(model.index(0, index), model.index(model.rowCount() - 1, index))


class NewRowsBar(QWidget):
    """ "3 new tokens were added — Show": rows others added, offered rather than pushed in."""

    show_requested = Signal()

    def __init__(self, name: str, noun: str) -> None:
        super().__init__()
        self.setObjectName(f"{name}_new_rows")
        self._noun = noun
        self.waiting = 0
        self.text = QLabel()
        self.text.setObjectName(f"{name}_new_rows_text")
        self.button = QPushButton("Show")
        self.button.setObjectName(f"{name}_new_rows_show")
        self.button.setAccessibleName(f"Show the new {noun}s")
        self.button.clicked.connect(self.show_requested)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.text)
        row.addWidget(self.button)
        row.addStretch(1)
        self.hide()

    def offer(self, new: int) -> None:
        """Count ``new`` more rows added elsewhere that the table does not show yet."""
        if new <= 0:
            return
        self.waiting += new
        added = count(self.waiting, self._noun)
        self.text.setText(f"{added} added since this list was loaded.")
        self.show()

    def clear(self) -> None:
        """The list was loaded again: nothing is waiting."""
        self.waiting = 0
        self.hide()
