"""A row's history, from the tabs: Ctrl+H or the table's context menu opens it."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QTableView, QWidget

from app.domain.changes import Entity
from app.services.history import HistoryService
from ui.dialogs.history import HistoryDialog
from ui.dialogs.revert import Reverting
from ui.tasks import TaskRunner


class HistoryTab(Protocol):
    """What a tab offers for its rows' history (``RecordTab`` does, without being imported)."""

    name: str
    view: QTableView
    tasks: TaskRunner
    history: HistoryService | None
    edit_action: QAction
    delete_action: QAction
    history_action: QAction

    @property
    def noun(self) -> str: ...

    @property
    def entity(self) -> Entity: ...

    @property
    def read_only(self) -> bool: ...

    def selected_rows(self) -> list[Any]: ...

    def title_of(self, row: Any) -> str: ...

    def reverting(self) -> Reverting[Any, Any] | None: ...


def add_history(tab: HistoryTab, owner: QWidget) -> QAction:
    """The tab's History… action (Ctrl+H), and a context menu on its table that offers it.

    ``owner`` is the tab as a widget: the action's parent, whose children share the shortcut.
    """
    action = QAction("&History…", owner)
    action.setObjectName(f"{tab.name}_history")
    action.setShortcut(QKeySequence("Ctrl+H"))
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.setToolTip("Every change to the selected row: when, who, what (Ctrl+H)")
    action.triggered.connect(lambda: open_history(tab))
    owner.addAction(action)
    view = tab.view
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.customContextMenuRequested.connect(lambda at: _menu(tab, at))
    return action


def _menu(tab: HistoryTab, at: QPoint) -> None:
    menu = QMenu(tab.view)
    menu.setObjectName(f"{tab.name}_context_menu")
    menu.addActions([tab.edit_action, tab.delete_action])
    menu.addSeparator()
    menu.addAction(tab.history_action)
    menu.popup(tab.view.viewport().mapToGlobal(at))


def open_history(tab: HistoryTab) -> HistoryDialog | None:
    """Open the selected row's history (one row at a time); the dialog, or None."""
    rows = tab.selected_rows()
    if len(rows) != 1 or tab.history is None:
        return None
    row = rows[0]
    revert = None if tab.read_only else tab.reverting()
    title = f"History of {tab.noun} “{tab.title_of(row)}”"
    dialog = HistoryDialog(tab.history, tab.entity, row.id, title, revert, tab.view)
    dialog.tasks.expect = tab.tasks.expect  # a revert is an action: undoable
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.load()
    return dialog
