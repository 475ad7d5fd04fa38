"""Undo and redo of this window's own actions, on Qt's QUndoStack, from the change log.

Each save, delete, revoke, extend or rotate runs as one action (``TaskRunner.spawn(...,
action=...)``). When the change log shows that action's writes, a command joins the
stack; Undo asks the history service to take the action back (guarded by versions, so
nothing someone else changed since is overwritten) and Redo takes back the undo.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.domain.changes import ChangeBatch
from app.domain.undo import UndoConflict
from app.services.history import HistoryService
from ui.tasks import TaskRunner


class ActionCommand(QUndoCommand):
    """One action of this window: undone and redone through the change log."""

    def __init__(self, owner: WindowActions, label: str, action: str) -> None:
        super().__init__(label)
        self._owner = owner
        self._action = action  # what the next undo takes back
        self._done = True  # pushing a command runs redo(): the action has happened already

    def undo(self) -> None:
        self._owner.replay(self, self._action, f"Undone: {self.text()}.")
        self._done = False

    def redo(self) -> None:
        if self._done:
            return
        self._owner.replay(self, self._action, f"Redone: {self.text()}.")
        self._done = True

    def replayed(self, reverse: str) -> None:
        """The undo (or redo) was written as action ``reverse``: the next step takes it back."""
        self._action = reverse


class WindowActions(QObject):
    """The window's undo stack, fed by the change log with the actions it started."""

    message = Signal(str)
    replayed = Signal()
    # An undo or redo met rows someone changed since: the window offers to compare them.
    conflicted = Signal(object)  # an UndoConflict

    def __init__(self, history: HistoryService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._history = history
        self.stack = QUndoStack(self)
        self.stack.setObjectName("undo_stack")
        self.tasks = TaskRunner(self)
        self.tasks.failed.connect(self._refused)
        self._expected: dict[str, str] = {}

    def expect(self, action: str, label: str) -> None:
        """An action started (TaskRunner.expect): it joins the stack once it has written."""
        self._expected[action] = label

    def saw(self, batch: ChangeBatch) -> None:
        """Push a command for each expected action whose writes the log now shows."""
        for change in batch.changes:
            label = self._expected.pop(change.action or "", None)
            if label is not None:
                self.stack.push(ActionCommand(self, label, change.action or ""))

    def replay(self, command: ActionCommand, action: str, done: str) -> None:
        """Take back ``action`` in the background; ``command`` learns what to take back next."""
        self.tasks.spawn(self._replay(command, action, done), "undo or redo")

    async def _replay(self, command: ActionCommand, action: str, done: str) -> None:
        try:
            command.replayed(await self._history.undo(action))
        except UndoConflict as conflict:
            self._refused(conflict.message)
            self.conflicted.emit(conflict)
            return
        self.message.emit(done)
        self.replayed.emit()

    def _refused(self, message: str) -> None:
        # The stack moved already; what it promised can no longer be kept as it is.
        self.stack.clear()
        self.message.emit(f"{message} The undo history was cleared.")
