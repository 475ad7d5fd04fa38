"""Names of the users who own tokens and events, learned a page at a time."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from PySide6.QtCore import QObject, Signal

from app.domain.users import User
from app.services.users import UserService


class OwnerDirectory(QObject):
    """A cache of owners so tables show names, not ids, at one query per page."""

    changed = Signal()

    def __init__(self, users: UserService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._users = users
        self._known: dict[int, User] = {}

    def label(self, owner_id: int) -> str:
        """The owner's name, or ``#id`` until it is known."""
        user = self._known.get(owner_id)
        return user.display_name if user else f"#{owner_id}"

    def tooltip(self, owner_id: int) -> str:
        """Name and email."""
        user = self._known.get(owner_id)
        return f"{user.display_name} <{user.email}>" if user else f"User {owner_id}"

    def remember(self, user: User) -> None:
        """Record a user the window already has (after an edit, say)."""
        self._known[user.id] = user
        self.changed.emit()

    @property
    def known(self) -> Collection[int]:
        """The ids of the owners already known (a live view)."""
        return self._known.keys()

    def add(self, users: Iterable[User]) -> None:
        """Record owners read along with a page."""
        added = False
        for user in users:
            self._known[user.id] = user
            added = True
        if added:
            self.changed.emit()

    async def learn(self, owner_ids: Iterable[int]) -> None:
        """Look up the owners not known yet, in one query."""
        missing = set(owner_ids) - self._known.keys()
        if not missing:
            return
        for user in await self._users.get_many(missing):
            self._known[user.id] = user
        self.changed.emit()
