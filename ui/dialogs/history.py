"""A record's history: when, who, which program, what (Recent changes shares its table).

Both read the change log newest first, a page at a time ("Load older"). A record's
history can put the record back as it was after a chosen change: through the tab's own
version-guarded save, so someone else's change meanwhile is refused, not overwritten.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.changes import Change, ChangePage, Entity, Operation
from app.domain.undo import state_before
from app.domain.users import Role
from app.services.history import HistoryService
from ui.dialogs.revert import Reverting, put_back, version_of
from ui.format import ROLE_LABELS, exact, local
from ui.tasks import TaskRunner

HEADERS = ("When", "Who", "Program", "What", "Changes")
FIELD_LABELS = {
    "display_name": "Name", "email": "Email", "role": "Role", "is_active": "Active",
    "title": "Title", "description": "Description", "location": "Location",
    "starts_at": "Starts", "ends_at": "Ends", "all_day": "All day", "owner_id": "Owner",
    "name": "Name", "scopes": "Scopes", "expires_at": "Expires", "revoked_at": "Revoked",
    "revoked_by": "Revoked by", "last_used_at": "Last used", "version": "Version",
}  # fmt: skip
_HIDDEN = {"id", "version", "updated_at", "created_at", "secret_hash", "prefix"}
VERBS = {Operation.INSERT: "Created", Operation.UPDATE: "Changed", Operation.DELETE: "Deleted"}
Reader = Callable[[int | None], Awaitable[ChangePage]]


# What a created or deleted row is described by, first things first.
_SUMMARY = {
    Entity.USER: ("display_name", "email", "role", "is_active"),
    Entity.TOKEN: ("name", "expires_at", "revoked_at", "scopes"),
    Entity.EVENT: ("title", "starts_at", "ends_at", "location"),
}


def _value(value: Any, key: str = "") -> str:
    if key == "role" and isinstance(value, str) and value in {r.value for r in Role}:
        return ROLE_LABELS[Role(value)]
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
        try:
            return local(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def describe(change: Change) -> str:
    """Field by field: ``Name: Kim → Kim Lee`` for an update, the main fields otherwise."""
    before, after = change.before or {}, change.after or {}
    if change.operation is Operation.UPDATE:
        keys = [k for k in after if k not in _HIDDEN]
        return "; ".join(
            f"{FIELD_LABELS.get(k, k)}: {_value(before.get(k), k)} → {_value(after[k], k)}"
            for k in keys
        )
    row = after or before
    keys = [k for k in _SUMMARY[change.entity] if k in row]
    return "; ".join(f"{FIELD_LABELS.get(k, k)}: {_value(row[k], k)}" for k in keys)


class ChangeTable(QTableWidget):
    """Changes, one a row; the newest first."""

    def __init__(self, name: str, accessible: str) -> None:
        super().__init__(0, len(HEADERS))
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.setHorizontalHeaderLabels(list(HEADERS))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        for column, width in enumerate((140, 110, 100, 130)):
            self.setColumnWidth(column, width)
        self.changes: list[Change] = []

    def append(self, changes: tuple[Change, ...]) -> None:
        """Add older changes at the end."""
        for change in changes:
            row = self.rowCount()
            self.insertRow(row)
            what = f"{VERBS[change.operation]} {change.entity.value} #{change.row_id}"
            cells = (local(change.changed_at), change.actor, change.program, what,
                     describe(change))  # fmt: skip
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(exact(change.changed_at) if column == 0 else text)
                self.setItem(row, column, item)
            self.changes.append(change)

    def clear_rows(self) -> None:
        """Empty the table for a new search."""
        self.setRowCount(0)
        self.changes.clear()

    def selected(self) -> Change | None:
        """The change on the selected row."""
        rows = self.selectionModel().selectedRows()
        return self.changes[rows[0].row()] if rows else None


class ChangesDialog(QDialog):
    """What both dialogs share: a table of changes, Load older, Close."""

    def __init__(self, name: str, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.resize(900, 520)
        self.status = QLabel()
        self.status.setObjectName(f"{name}_status")
        self.tasks = TaskRunner(self)
        self.tasks.failed.connect(self.status.setText)
        self.table = ChangeTable(f"{name}_table", title)
        self.older = QPushButton("Load &older")
        self.older.setObjectName(f"{name}_older")
        self.older.clicked.connect(lambda: self.load(more=True))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.buttons.addButton(self.older, QDialogButtonBox.ButtonRole.ActionRole)
        self._older_than: int | None = None

    def _lay_out(self, *above: QWidget | QHBoxLayout) -> None:
        layout = QVBoxLayout(self)
        for part in above:
            if isinstance(part, QWidget):
                layout.addWidget(part)
            else:
                layout.addLayout(part)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.table.setFocus()

    def read(self, older_than: int | None) -> Awaitable[ChangePage]:
        raise NotImplementedError

    def load(self, more: bool = False) -> None:
        """Read the first page again, or (``more``) the next older one."""
        self.tasks.spawn(self._load(more), "history: read", read=True)

    async def _load(self, more: bool) -> None:
        page = await self.read(self._older_than if more else None)
        if not more:
            self.table.clear_rows()
        self.table.append(page.changes)
        self._older_than = page.older_than
        self.older.setEnabled(page.older_than is not None)
        shown = self.table.rowCount()
        self.status.setText(f"{shown} change{'s' if shown != 1 else ''} shown."
                            if shown else "No changes recorded.")  # fmt: skip


class HistoryDialog(ChangesDialog):
    """One record's changes; a user's include its tokens and events."""

    def __init__(
        self,
        history: HistoryService,
        entity: Entity,
        row_id: int,
        title: str,
        revert: Reverting[Any, Any] | None,
        parent: QWidget | None,
    ) -> None:
        super().__init__("history_dialog", title, parent)
        self._history, self._entity, self._row_id = history, entity, row_id
        self._revert = revert
        self.revert_button = QPushButton("&Revert to this version")
        self.revert_button.setObjectName("history_revert")
        self.revert_button.setToolTip(
            "Save the record as it was right after the selected change (as an edit: "
            "refused if someone changes it meanwhile)."
        )
        self.revert_button.setEnabled(False)
        self.revert_button.setVisible(revert is not None)
        self.revert_button.clicked.connect(self._revert_selected)
        self.buttons.addButton(self.revert_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self._lay_out()

    def read(self, older_than: int | None) -> Awaitable[ChangePage]:
        return self._history.history(self._entity, self._row_id, older_than)

    def _own(self, change: Change | None) -> bool:
        own = change is not None and change.entity is self._entity
        return own and change is not None and change.row_id == self._row_id

    def _selection_changed(self) -> None:
        change = self.table.selected()
        newest = self.table.changes[0] if self.table.changes else None
        ok = change is not None and self._own(change) and change is not newest
        self.revert_button.setEnabled(
            ok and change is not None and change.operation is not Operation.DELETE
        )

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Say, under the table, why nothing was saved (the conflict dialog was cancelled)."""
        self.status.setText(" ".join(errors.values()))

    def _revert_selected(self) -> None:
        change = self.table.selected()
        if change is None or self._revert is None:
            return
        own = [c for c in self.table.changes if self._own(c)]
        # The row as this dialog shows it: the version its newest change left.
        seen = next((v for v in map(version_of, own) if v is not None), -1)
        values = state_before({}, [c for c in own if c.id > change.id])
        shown = {k: v for k, v in values.items() if k not in _HIDDEN}
        self.tasks.spawn(self._revert_to(shown, seen), "history: revert", action="Revert")

    async def _revert_to(self, values: Mapping[str, Any], seen: int) -> None:
        assert self._revert is not None
        saved = await put_back(self._revert, self._history, self, self._row_id, values, seen)
        if saved is not None:
            await self._load(more=False)
            self.status.setText("Reverted. The revert is itself in the history.")
