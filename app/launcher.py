"""The window's way to its database: profiles, checks, and opening — wired to the adapters.

Part of the composition root: the UI sees it only through ``ui.backend.Launcher``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pydantic import SecretStr

from app.bootstrap import Tessera, open_tessera
from app.domain.clock import Clock
from app.domain.connection_check import Problem, SetupError, Target
from app.domain.errors import DomainError
from app.infrastructure.connection_check import (
    SqlDatabaseSetup,
    target_from_url,
    target_near_url,
    target_url,
)
from app.infrastructure.local_server import LocalServer
from app.infrastructure.profiles import ProfileStore
from app.infrastructure.settings import UNUSABLE_URL, Settings

LOCAL_PROFILE = "local"


def configured_target(url: str) -> Target:
    """The target ``TESSERA_DATABASE_URL`` names.

    Raises:
        SetupError: INVALID_URL with the reason, and the target as far as it could be read.
    """
    try:
        return target_from_url(url)
    except ValueError as error:
        raise SetupError(
            Problem.INVALID_URL,
            UNUSABLE_URL.format(reason=error),
            target_near_url(url),
        ) from None


class AppLauncher:
    """Finds the database to open: ``TESSERA_DATABASE_URL``, ``--profile``, or the last one.

    Args:
        settings: the configuration (its data folder holds the local database).
        store: saved connections.
        clock: the services' clock.
        profile: a profile chosen on the command line.
    """

    def __init__(
        self, settings: Settings, store: ProfileStore, clock: Clock, profile: str | None = None
    ) -> None:
        self._settings = settings
        self._store = store
        self._clock = clock
        self._profile = profile
        # One local server for the whole launch: the checks start it, the window reuses it,
        # and ``setup.close()`` stops it at the end.
        self._local_server = LocalServer(settings.data_dir)
        self.setup = SqlDatabaseSetup(settings, self._local_server)

    def parse_url(self, text: str) -> Target:
        """A pasted URL as a server target."""
        return target_from_url(text)

    def initial(self) -> Target | None:
        """The configured or last used database; None on a first start.

        Raises:
            DomainError: ``--profile`` names a connection that was never saved.
            SetupError: INVALID_URL, ``TESSERA_DATABASE_URL`` cannot be used; its ``target``
                is what could be read of it.
        """
        if self._settings.database_url is not None:
            return configured_target(self._settings.database_url.get_secret_value())
        name = self._profile or self._store.last_used()
        if name is None:
            return None
        profile = self._store.get(name)
        if profile is None:
            if self._profile:
                known = ", ".join(p.name for p in self._store.list()) or "none yet"
                raise DomainError(f"No saved connection is called “{name}” (saved: {known}).")
            return None
        password = self._store.password(name)
        if password is None:
            return profile.target
        return profile.target.model_copy(update={"password": SecretStr(password)})

    def remember(self, target: Target) -> bool:
        """Save ``target`` as the connection to open next time (not one from the environment)."""
        if self._settings.database_url is not None:
            return True
        name = self._profile or (LOCAL_PROFILE if target.kind == "local" else target.label)
        saved = self._store.save(name, target)
        self._store.set_last_used(name)
        return saved

    @asynccontextmanager
    async def open(self, target: Target) -> AsyncIterator[Tessera]:
        """Open ``target`` with the services wired to it.

        The local database opens on the server its check started, not a second one. A
        server target lets that local server go: nothing needs it while this window is open.

        Raises:
            SetupError: the local server started for a check could not be stopped.
        """
        url = None
        if target.kind == "server":
            url = SecretStr(target_url(target).render_as_string(hide_password=False))
            await self.setup.close()
        settings = self._settings.model_copy(update={"database_url": url})
        async with open_tessera(settings, self._clock, self._local_server) as tessera:
            yield tessera
