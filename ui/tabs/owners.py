"""Names of the users who own tokens and events, learned a page at a time."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Collection, Iterable

from PySide6.QtCore import QObject, QTimer, Signal

from app.domain.users import User
from app.services.users import UserService
from ui.tasks import TaskRunner

MAX_OWNERS = 10_000  # twice the rows a table holds at most (25 pages of 200)


class OwnerDirectory(QObject):
    """A cache of owners so tables show names, not ids, at one query per page.

    Bounded like the tables: scrolling through a million tokens must not keep a hundred
    thousand users alive (memory, and garbage collections that stall the window). The
    least recently shown owners are let go; one asked for again is looked up anew.
    """

    changed = Signal()

    def __init__(
        self, users: UserService, parent: QObject | None = None, limit: int = MAX_OWNERS
    ) -> None:
        super().__init__(parent)
        self._users = users
        self._limit = limit
        self._known: OrderedDict[int, User] = OrderedDict()
        self._wanted: set[int] = set()
        self._absent: set[int] = set()  # looked up and not found (deleted meanwhile)
        self._tasks = TaskRunner(self)

    def label(self, owner_id: int) -> str:
        """The owner's name, or ``#id`` until it is known."""
        user = self._lookup(owner_id)
        return user.display_name if user else f"#{owner_id}"

    def tooltip(self, owner_id: int) -> str:
        """Name and email."""
        user = self._lookup(owner_id)
        return f"{user.display_name} <{user.email}>" if user else f"User {owner_id}"

    def remember(self, user: User) -> None:
        """Record a user the window already has (after an edit, say)."""
        self.add([user])

    @property
    def known(self) -> Collection[int]:
        """The ids of the owners already known (a live view)."""
        return self._known.keys()

    def add(self, users: Iterable[User]) -> None:
        """Record owners read along with a page."""
        added = False
        for user in users:
            self._known[user.id] = user
            self._known.move_to_end(user.id)
            added = True
        while len(self._known) > self._limit:
            self._known.popitem(last=False)
        if added:
            self.changed.emit()

    async def learn(self, owner_ids: Iterable[int]) -> None:
        """Look up the owners not known yet, in one query."""
        missing = {i for i in owner_ids if i not in self._known}  # not a copy of the cache
        if missing:
            found = await self._users.get_many(missing)
            self._absent |= missing - {u.id for u in found}
            self.add(found)

    def _lookup(self, owner_id: int) -> User | None:
        user = self._known.get(owner_id)
        if user is not None:
            self._known.move_to_end(owner_id)
        elif owner_id not in self._wanted and owner_id not in self._absent:
            # Let go earlier and shown again: ask for it (and any others) in a moment.
            if not self._wanted:
                QTimer.singleShot(0, self._ask)
            self._wanted.add(owner_id)
        return user

    def _ask(self) -> None:
        wanted, self._wanted = self._wanted, set()
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop (a model used on its own): names stay as ids
        self._tasks.spawn(self.learn(wanted), name="owners: look up")
