"""When an undo meets rows someone changed since: say which, and offer to compare them.

Nothing was written by the refused undo. For rows whose fields it would have set back
(an edit, a revoke, an extend), the conflict dialog compares the row as the action left
it, as the undo would make it, and as it is now; the user chooses field by field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from app.domain.changes import Entity
from app.domain.errors import NotFound
from app.domain.undo import Step, StepKind, UndoConflict
from app.services.history import HistoryService
from ui.dialogs.asyncdialog import shown
from ui.dialogs.conflict import Form
from ui.dialogs.revert import Reverting, put_back

NAME = "undo_refused"
MOST = 20  # rows compared one after the other; more than that is work for the history view

Finder = Callable[[Entity], Reverting[Any, Any] | None]


def comparable(conflict: UndoConflict, reverting: Finder) -> list[tuple[Step, Reverting[Any, Any]]]:
    """The refused steps that set fields back on a kind of record the window can compare."""
    found = []
    for step in conflict.steps:
        how = reverting(step.entity) if step.kind is StepKind.REWRITE else None
        if how is not None:
            found.append((step, how))
    return found


async def offer_comparison(
    parent: QWidget, form: Form, conflict: UndoConflict, reverting: Finder, history: HistoryService
) -> int:
    """Ask whether to compare the refused rows; compare each in turn. How many were saved."""
    rows = comparable(conflict, reverting)
    box = QMessageBox(parent)
    box.setObjectName(NAME)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Not undone")
    box.setText(f"Not undone: someone changed {conflict.what} since. Nothing was written.")
    compare = None
    if rows:
        shown_rows = min(len(rows), MOST)
        one = len(conflict.steps) == 1
        box.setInformativeText(
            f"{_rows(shown_rows)} can be compared field by field: for each, choose what to "
            "keep. The others stay as someone left them; their history shows what changed."
            if shown_rows < len(conflict.steps)
            else f"Compare {'it' if one else 'them'} field by field and choose what to keep, "
            f"or leave {'it' if one else 'them'} as someone left {'it' if one else 'them'}."
        )
        compare = box.addButton("&Compare…", QMessageBox.ButtonRole.AcceptRole)
        compare.setObjectName(f"{NAME}_compare")
        box.setDefaultButton(compare)
    leave = box.addButton("&Leave as it is", QMessageBox.ButtonRole.RejectRole)
    leave.setObjectName(f"{NAME}_leave")
    await shown(box)
    if compare is None or box.clickedButton() is not compare:
        return 0
    saved = 0
    for step, how in rows[:MOST]:
        try:
            row = await put_back(how, history, form, step.row_id, step.values, step.version or 0)
        except NotFound:
            continue  # deleted since: nothing to put back
        saved += row is not None
    return saved


def _rows(n: int) -> str:
    return "1 row" if n == 1 else f"{n} rows"
