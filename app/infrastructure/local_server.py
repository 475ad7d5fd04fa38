"""The embedded server of one launch, shared by the start-up checks, the wizard and the window."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.engine import URL

from app.infrastructure.embedded import EmbeddedPostgres
from app.infrastructure.settings import async_url


class LocalServer:
    """Starts the embedded server on first use and keeps it until :meth:`stop`.

    A launch checks the local database before opening the window on it; each starting a
    server of its own (and stopping the first in between) cost a second PostgreSQL start,
    seconds on a laptop, at every launch. Whoever creates this object stops it.
    """

    def __init__(self, data_dir: Path) -> None:
        """Nothing starts before :meth:`url` is first awaited."""
        self._data_dir = data_dir
        self._server: EmbeddedPostgres | None = None
        self._url: URL | None = None
        self._lock = asyncio.Lock()

    async def url(self) -> URL:
        """The server's URL, starting it (in a worker thread: it may run initdb) if needed.

        Raises:
            EmbeddedServerError: the server could not start.
        """
        async with self._lock:
            if self._url is None:
                server = EmbeddedPostgres(self._data_dir)
                self._url = async_url(await asyncio.to_thread(server.start))
                self._server = server
            return self._url

    async def stop(self) -> None:
        """Leave the server (it stops unless another process uses it); idempotent.

        Raises:
            EmbeddedServerError: the server could not be stopped.
        """
        async with self._lock:
            server, self._server, self._url = self._server, None, None
        if server is not None:
            await asyncio.to_thread(server.stop)
