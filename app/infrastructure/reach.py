"""One plain connection to PostgreSQL, and every way it can fail, in words.

The one classifier of connection failures, for the wizard and the window's start-up check
(:class:`app.infrastructure.connection_check.SqlDatabaseSetup`) and for the command line
(:func:`reach`, :func:`explain_any`). Connections are made with plain asyncpg so that each
failure keeps its own exception class; an error that came through SQLAlchemy is unwrapped
to the driver's. No message ever carries the password.
"""

from __future__ import annotations

import errno
import getpass
import os
import re
import socket
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL

from app.domain.connection_check import Problem, SetupError
from app.infrastructure.settings import ssl_connect_args

_SERVER_SETTINGS = {"application_name": "tessera"}
# SQLSTATE classes of a failed connection: connection exception, authorization, catalog.
_CONNECT_STATES = ("08", "28", "3D")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """What a failure message names: where, as whom, with which SSL settings.

    ``secret`` is the password, kept only to be blanked out of the driver's messages.
    """

    where: str
    host: str
    user: str
    ssl_mode: str
    ssl_root_cert: str
    timeout_s: float
    secret: str = ""

    @classmethod
    def of(cls, url: URL, timeout_s: float, where: str | None = None) -> Endpoint:
        """The endpoint of an asyncpg URL; ``where`` overrides ``host:port`` in messages."""
        host = url.host or str(url.query.get("host") or "")
        place = f"{host}:{url.port or 5432}" if host else "the local socket"
        # asyncpg's own default when the URL names no user.
        user = url.username
        if user is None:
            user = os.environ.get("PGUSER") or _login_name()
        return cls(
            where=where or place,
            host=host,
            user=user,
            ssl_mode=str(url.query.get("ssl") or "prefer"),
            ssl_root_cert=str(url.query.get("sslrootcert") or ""),
            timeout_s=timeout_s,
            secret=url.password or "",
        )


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no name for this uid (some containers)
        return "postgres"


@asynccontextmanager
async def connected(
    url: URL, endpoint: Endpoint, database: str | None = None
) -> AsyncIterator[Any]:
    """A plain asyncpg connection to ``url``'s (or another) database, closed at the end.

    Raises:
        SetupError: the connection failed; the reason in words.
    """
    database = database or url.database or ""
    url, ssl_args = ssl_connect_args(url)
    try:
        connection = await asyncpg.connect(
            user=url.username,
            password=url.password,
            host=url.host or url.query.get("host"),
            port=url.port,
            database=database,
            ssl=ssl_args.get("ssl", url.query.get("ssl")),
            timeout=endpoint.timeout_s,
            server_settings=_SERVER_SETTINGS,
        )
    except Exception as exc:
        raise explain(endpoint, database, exc) from None
    try:
        yield connection
    finally:
        await connection.close()


async def reach(url: URL, timeout_s: float) -> None:
    """Connect once and let go: a precise reason before anything else is tried.

    Raises:
        SetupError: the server cannot be used; the reason in words.
    """
    async with connected(url, Endpoint.of(url, timeout_s)):
        pass


def explain_any(error: BaseException, endpoint: Endpoint, database: str) -> SetupError | None:
    """The connection failure somewhere in ``error``'s chain, in words; None if none is.

    SQLAlchemy wraps the driver's exception (``orig``, then its ``__cause__``); the
    services' error translation may have replaced it by a domain error, ``from None``
    hiding nothing from ``__context__``.
    """
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop(0)
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        if isinstance(current, SetupError):
            return current
        if _is_connect_failure(current):
            return explain(endpoint, database, current)
        orig = current.orig if isinstance(current, sa_exc.DBAPIError) else None
        todo += [orig, current.__cause__, current.__context__]
    return None


def _is_connect_failure(error: BaseException) -> bool:
    if isinstance(error, asyncpg.PostgresError):
        return str(getattr(error, "sqlstate", "") or "").startswith(_CONNECT_STATES)
    return isinstance(error, OSError | TimeoutError | asyncpg.ClientConfigurationError)


def explain(endpoint: Endpoint, database: str, exc: BaseException) -> SetupError:
    """A connection failure as a sentence with advice (and never the password)."""
    where, user, detail = endpoint.where, f"“{endpoint.user}”", first_line(exc)
    if endpoint.secret:  # belt and braces: servers do not repeat it, but a word may be it
        secret = rf"(?<!\w){re.escape(endpoint.secret)}(?!\w)"
        detail = re.sub(secret, "•••", detail)
    if (ssl_error := _explain_ssl(endpoint, exc, detail)) is not None:
        return ssl_error
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        message = f"The database “{database}” does not exist on {where}. Create it first."
        return SetupError(Problem.DATABASE_MISSING, message)
    if isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError) and detail.startswith(
        "role "
    ):
        message = f"There is no user {user} on {where}. Check the user name."
        return SetupError(Problem.UNKNOWN_USER, message)
    if isinstance(
        exc, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError
    ):
        message = f"The server refused user {user} ({detail}). Check the user and password."
        return SetupError(Problem.WRONG_PASSWORD, message)
    if isinstance(exc, asyncpg.InsufficientPrivilegeError):
        message = f"User {user} may not use “{database}”: {detail}. Ask for access."
        return SetupError(Problem.PERMISSION_DENIED, message)
    if isinstance(exc, socket.gaierror):
        return _explain_lookup(endpoint, exc)
    if isinstance(exc, UnicodeError):  # a label over 63 characters, or an empty one
        message = f"“{endpoint.host}” is not a host name that can be looked up. Check it."
        return SetupError(Problem.HOST_NOT_FOUND, message)
    if isinstance(exc, TimeoutError):
        message = (
            f"{where[0].upper()}{where[1:]} did not answer within {endpoint.timeout_s:g} s. "
            "Check the host and port, and whether a firewall is in the way."
        )
        return SetupError(Problem.TIMEOUT, message)
    if isinstance(exc, ConnectionRefusedError | FileNotFoundError) or (
        isinstance(exc, OSError) and exc.errno == errno.ECONNREFUSED
    ):
        message = f"Nothing answers on {where}. Is the server running, and is the port right?"
        return SetupError(Problem.REFUSED, message)
    message = f"Could not connect to {where}: {type(exc).__name__}: {detail or 'no details'}."
    return SetupError(Problem.OTHER, message)


def _explain_lookup(endpoint: Endpoint, exc: socket.gaierror) -> SetupError:
    if exc.errno == socket.EAI_AGAIN:  # the name server did not answer: may come back
        message = (
            f"The name “{endpoint.host}” could not be looked up: no name server answered. "
            "Check the network and retry."
        )
        return SetupError(Problem.TIMEOUT, message)
    message = f"The host “{endpoint.host}” was not found. Check its name."
    return SetupError(Problem.HOST_NOT_FOUND, message)


def _explain_ssl(endpoint: Endpoint, exc: BaseException, detail: str) -> SetupError | None:
    """An SSL failure (or a server that wants SSL) as a sentence, or None for other errors."""
    where = endpoint.where
    if isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError) and detail.endswith(
        "no encryption"
    ):
        message = (
            f"{where} accepts only encrypted connections. Set SSL to “require” or, with "
            "the server's CA certificate, “verify-full”."
        )
        return SetupError(Problem.SSL_REQUIRED, message)
    if "rejected SSL upgrade" in detail:
        message = (
            f"{where} does not offer SSL, and SSL is set to “{endpoint.ssl_mode}”. Ask the "
            "server's administrator to enable it, or set SSL to “prefer”."
        )
        return SetupError(Problem.SSL_UNAVAILABLE, message)
    if isinstance(exc, ssl.SSLCertVerificationError):
        # 62: X509_V_ERR_HOSTNAME_MISMATCH, 64: X509_V_ERR_IP_ADDRESS_MISMATCH
        if exc.verify_code in (62, 64):
            message = (
                f"The server's certificate is not valid for “{endpoint.host}”, so this may not "
                "be the server you meant. Connect with the host name the certificate names, "
                "or set SSL to “verify-ca”."
            )
            return SetupError(Problem.CERTIFICATE_MISMATCH, message)
        root = endpoint.ssl_root_cert
        signer = f"“{root}”" if root else "the system's CAs"
        message = (
            f"The server's certificate could not be verified ({exc.verify_message}): it was "
            f"not signed by {signer}. Choose the CA certificate that signed it."
        )
        return SetupError(Problem.CERTIFICATE_UNTRUSTED, message)
    if isinstance(exc, asyncpg.ClientConfigurationError) and "root certificate" in detail:
        message = (
            f"The server's certificate could not be verified: SSL “{endpoint.ssl_mode}” needs "
            "the CA certificate that signed it. Choose that file, or set SSL to “require”."
        )
        return SetupError(Problem.CERTIFICATE_UNTRUSTED, message)
    return None


def first_line(exc: BaseException) -> str:
    """The first line of an exception's text, without its final full stop."""
    text = str(exc).strip()
    return text.splitlines()[0].rstrip(".") if text else ""
