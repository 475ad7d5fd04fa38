"""What a tab may write (per privilege on its table), and the words for what it may not."""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtGui import QAction

from app.domain.access import EVERY_WRITE, Privilege
from ui.tabs.actions import explain

NOT_HERE = "Tessera will not change this database."


class Writes:
    """The writes a tab may offer; a write action is enabled only when its privilege is held."""

    def __init__(self) -> None:
        self.allowed = EVERY_WRITE
        self.reason = ""

    def allows(self, privilege: Privilege) -> bool:
        """Whether this kind of write may be made."""
        return privilege in self.allowed

    def set(self, allowed: Collection[Privilege], reason: str = "") -> None:
        """Allow only these writes; ``reason`` says why the others are off (and what may be)."""
        self.allowed = frozenset(allowed)
        self.reason = reason or NOT_HERE

    def explain(self, action: QAction, needs: Privilege) -> None:
        """Say in ``action``'s tooltip why it is off, while ``needs`` is not held."""
        explain(action, not self.allows(needs), self.reason)

    def offer(self, action: QAction, needs: Privilege, applies: bool = True) -> None:
        """Enable ``action`` when it applies (to the selection) and ``needs`` is held."""
        action.setEnabled(applies and self.allows(needs))
        self.explain(action, needs)
