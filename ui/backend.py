"""What the window needs from the rest of Tessera (the composition root provides it)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from app.domain.access import Access
from app.domain.connection_check import DatabaseSetup, Target
from app.domain.schema import SchemaMigrator
from app.services.changes import ChangeFeed
from app.services.events import EventService
from app.services.history import HistoryService
from app.services.tokens import TokenService
from app.services.users import UserService


class Backend(Protocol):
    """The services, the schema, and the name of the database in use."""

    @property
    def users(self) -> UserService: ...

    @property
    def tokens(self) -> TokenService: ...

    @property
    def events(self) -> EventService: ...

    @property
    def migrations(self) -> SchemaMigrator: ...

    @property
    def changes(self) -> ChangeFeed:
        """The change log, followed: how every open view stays true."""
        ...

    @property
    def history(self) -> HistoryService:
        """Records' history, recent changes, and undo."""
        ...

    @property
    def label(self) -> str: ...

    async def access(self) -> Access:
        """What the connected role may do: read-only roles and servers are noticed here."""
        ...

    async def server_version(self) -> str:
        """The PostgreSQL server's version, as it reports it ("18.1")."""
        ...


class Launcher(Protocol):
    """How the window finds its database: saved profiles, the wizard's checks, opening."""

    @property
    def setup(self) -> DatabaseSetup: ...

    def parse_url(self, text: str) -> Target:
        """A pasted ``postgresql://`` URL as a target (ValueError when it is not one)."""
        ...

    def initial(self) -> Target | None:
        """The database to open without asking: the environment, ``--profile``, or the last
        one used; None on a first start."""
        ...

    def remember(self, target: Target) -> bool:
        """Save the target as the profile to open next time; False if the password could
        not be kept safely (the user will be asked for it at each start)."""
        ...

    def open(self, target: Target) -> AbstractAsyncContextManager[Backend]:
        """Open the target's database for the window (the local one on the server its
        check started: ``setup.close()`` stops it when the launch ends)."""
        ...
