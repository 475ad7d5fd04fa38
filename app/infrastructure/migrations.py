"""Run Alembic from inside the app's event loop: where the schema is, what is pending, upgrade.

The app's loop is already running (qasync), so Alembic gets a synchronous connection
through ``AsyncConnection.run_sync`` instead of starting a loop of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.schema import Revision, SchemaState
from app.infrastructure.errors import translated

# Found as the installed package's folder, never imported from here: the migrations sit above
# the infrastructure (their env.py imports its tables).
MIGRATIONS_DIR = Path(str(files("migrations")))


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migrations, with no URL in it."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


class MigrationRunner:
    """Schema inspection and upgrades for one engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._script = ScriptDirectory.from_config(alembic_config())

    def head(self) -> str:
        """The newest revision this Tessera knows."""
        head = self._script.get_current_head()
        assert head is not None, "the migrations folder has no revisions"
        return head

    def revisions(self) -> list[Revision]:
        """All known revisions, oldest first."""
        walked = reversed(list(self._script.walk_revisions()))
        return [Revision(r.revision, r.doc or "") for r in walked]

    async def current(self) -> str | None:
        """The revision the database is at, or None for an unversioned database."""
        async with translated("database"), self._engine.connect() as connection:
            return await connection.run_sync(_current_revision)

    async def state(self) -> SchemaState:
        """Empty, behind, current, or ahead (migrated by a newer Tessera)."""
        current = await self.current()
        if current is None:
            return SchemaState.EMPTY
        if current == self.head():
            return SchemaState.CURRENT
        known = {revision.id for revision in self.revisions()}
        return SchemaState.BEHIND if current in known else SchemaState.AHEAD

    async def pending(self) -> list[Revision]:
        """Revisions an upgrade to head would apply, oldest first."""
        current = await self.current()
        revisions = self.revisions()
        ids = [revision.id for revision in revisions]
        if current is None:
            return revisions
        if current not in ids:
            return []
        return revisions[ids.index(current) + 1 :]

    async def upgrade(
        self, target: str = "head", progress: Callable[[Revision], None] | None = None
    ) -> None:
        """Apply migrations up to ``target`` in one transaction.

        Args:
            target: a revision id, or "head".
            progress: called after each revision is applied (on the loop's thread).

        A failing migration rolls everything back: PostgreSQL DDL is transactional.
        """
        await self._run(command.upgrade, target, progress)

    async def downgrade(self, target: str = "base") -> None:
        """Undo migrations down to ``target`` (``"base"`` removes Tessera's tables)."""
        await self._run(command.downgrade, target, None)

    async def _run(
        self,
        operation: Callable[[Config, str], None],
        target: str,
        progress: Callable[[Revision], None] | None,
    ) -> None:
        config = alembic_config()
        if progress is not None:
            config.attributes["on_version_apply"] = _reporter(progress)

        def run(connection: Connection) -> None:
            config.attributes["connection"] = connection
            operation(config, target)

        async with translated("database"), self._engine.connect() as connection:
            await connection.run_sync(run)
            await connection.commit()


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _reporter(progress: Callable[[Revision], None]) -> Callable[..., None]:
    def on_version_apply(*, step: Any, **_: Any) -> None:
        # For an upgrade the step's upper revision is the one applied; for a
        # downgrade it is the one removed.
        revision = step.up_revision
        if revision is not None:
            progress(Revision(revision.revision, revision.doc or ""))

    return on_version_apply
