"""Choose a user by typing part of a name or email: the server searches, a popup offers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from app.domain.users import User
from ui.tasks import TaskRunner

Search = Callable[[str], Awaitable[Sequence[User]]]
USER_ROLE = Qt.ItemDataRole.UserRole + 1


def describe(user: User) -> str:
    """How a user reads in the picker: ``Name <email>``."""
    return f"{user.display_name} <{user.email}>"


class OwnerPicker(QLineEdit):
    """A search-as-you-type user field. ``user`` is the chosen user, or None."""

    chosen = Signal(object)
    searched = Signal()

    def __init__(self, search: Search, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._search = search
        self.user: User | None = None
        self.tasks = TaskRunner(self)
        self.setPlaceholderText("Type a name or email…")
        self.setClearButtonEnabled(True)
        self._choices = QStandardItemModel(self)
        self._completer = QCompleter(self._choices, self)
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setMaxVisibleItems(12)
        self._completer.activated.connect(self._picked_text)
        self.setCompleter(self._completer)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self._start_search)
        self.textEdited.connect(self._typed)
        self.textChanged.connect(self._cleared)

    def set_user(self, user: User | None) -> None:
        """Show ``user`` as the choice (or clear it)."""
        self.user = user
        self.setText(describe(user) if user else "")
        self.chosen.emit(user)

    def _typed(self, _: str) -> None:
        if self.user is not None:
            self.user = None
            self.chosen.emit(None)
        self._debounce.start()

    def _cleared(self, text: str) -> None:
        if not text and self.user is not None:
            self.user = None
            self.chosen.emit(None)

    def _start_search(self) -> None:
        self.tasks.spawn(self._run_search(self.text()), name="owner search")

    async def _run_search(self, text: str) -> None:
        users = await self._search(text)
        if text != self.text():
            return  # typed on meanwhile
        self._choices.clear()
        for user in users:
            item = QStandardItem(describe(user))
            item.setData(user, USER_ROLE)
            self._choices.appendRow(item)
        if users and self.hasFocus():
            self._completer.complete()
        self.searched.emit()

    def _picked_text(self, text: str) -> None:
        items = self._choices.findItems(text)
        if items:
            self._picked(items[0].index())

    def _picked(self, index: QModelIndex | QPersistentModelIndex) -> None:
        user = index.data(USER_ROLE)
        if isinstance(user, User):
            self.set_user(user)

    def choose_first(self) -> bool:
        """Pick the first offered user (as a keyboard user pressing Down, Enter would)."""
        if self._choices.rowCount() == 0:
            return False
        self._picked(self._choices.index(0, 0))
        return True
