"""The database schema's version, as the window and the wizard see it."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Revision:
    """One migration: its id and what it does."""

    id: str
    message: str

    @property
    def title(self) -> str:
        """The first line of the message."""
        return self.message.strip().splitlines()[0] if self.message.strip() else self.id


class SchemaState(enum.Enum):
    """The database's schema against the newest one this Tessera knows."""

    EMPTY = "empty"
    BEHIND = "behind"
    CURRENT = "current"
    AHEAD = "ahead"


class SchemaMigrator(Protocol):
    """Where the schema stands, and bringing it up to date."""

    async def state(self) -> SchemaState:
        """Empty, behind, current, or ahead (migrated by a newer Tessera)."""
        ...

    async def pending(self) -> list[Revision]:
        """Revisions an upgrade would apply, oldest first."""
        ...

    async def upgrade(
        self, target: str = "head", progress: Callable[[Revision], None] | None = None
    ) -> None:
        """Apply pending revisions in one transaction, reporting each."""
        ...
