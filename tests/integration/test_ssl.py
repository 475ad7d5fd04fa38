"""sslmode from disable to verify-full against a server that takes only SSL.

A throw-away CA signs a certificate for "localhost". The test server (embedded, or
``TEST_DATABASE_URL``'s) has no SSL of its own, so a TLS-terminating proxy in front of it
plays the SSL part: it serves that certificate and, like a pg_hba with ``hostssl`` lines
only, refuses plain connections (:mod:`tests.tls_proxy`). Each mode either connects over
SSL or fails as a :class:`SetupError` whose problem and words say what to do.
"""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import URL

from app.bootstrap import open_tessera
from app.domain.connection_check import Problem, SetupError, SslMode, Target
from app.infrastructure.connection_check import SqlDatabaseSetup, target_from_url, target_url
from app.infrastructure.engine import create_engine
from app.infrastructure.settings import Settings, async_url, ssl_connect_args
from tests.tls_proxy import Session, TlsProxy, tls_proxy

pytestmark = [pytest.mark.slow]

BACKEND_PID = "SELECT pg_backend_pid()"


@dataclass(frozen=True)
class Pki:
    """A CA, the server's key and certificate (for "localhost" only), and a stranger CA."""

    ca: Path
    other_ca: Path
    server_chain: Path  # the server's certificate, then its key


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[str, ec.EllipticCurvePrivateKey]
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    is_ca = subject.endswith("CA")
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer[0]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    )
    if is_ca:
        usage = x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False,
        )  # fmt: skip
        builder = builder.add_extension(usage, critical=True)
    else:
        names = x509.SubjectAlternativeName([x509.DNSName("localhost")])
        builder = builder.add_extension(names, critical=False)
    return builder.sign(issuer[1], hashes.SHA256())


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """Certificates made for this run; nothing is trusted beyond it."""
    folder = tmp_path_factory.mktemp("pki")
    ca_key, other_key, server_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    ca = _certificate("Tessera Test CA", ca_key, ("Tessera Test CA", ca_key))
    other = _certificate("Stranger CA", other_key, ("Stranger CA", other_key))
    server = _certificate("localhost", server_key, ("Tessera Test CA", ca_key))
    (folder / "ca.pem").write_bytes(_pem(ca))
    (folder / "other-ca.pem").write_bytes(_pem(other))
    key = server_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    (folder / "server.pem").write_bytes(_pem(server) + key)
    return Pki(folder / "ca.pem", folder / "other-ca.pem", folder / "server.pem")


@pytest_asyncio.fixture
async def proxy(pki: Pki, server_url: URL) -> AsyncIterator[TlsProxy]:
    """A server on 127.0.0.1 that accepts only SSL connections (the test server behind)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.server_chain)
    async with tls_proxy(server_url, "ssl-only", context) as proxy:
        yield proxy


@pytest.fixture(autouse=True)
def no_user_certificates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No ~/.postgresql/root.crt nor PGSSL* from the developer's account."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("PGSSLROOTCERT", "PGSSLMODE", "PGSSLCERT", "PGSSLKEY", "PGSSLCRL"):
        monkeypatch.delenv(name, raising=False)


@pytest_asyncio.fixture
async def setup(settings: Settings) -> AsyncIterator[SqlDatabaseSetup]:
    """The wizard's back end, closed after the test."""
    setup = SqlDatabaseSetup(settings)
    try:
        yield setup
    finally:
        await setup.close()


def target(
    proxy: TlsProxy, mode: SslMode, host: str = "localhost", ca: Path | None = None
) -> Target:
    """A server target on the proxy (database ``postgres``, which exists), as its user."""
    password = proxy.upstream.password
    return Target(
        kind="server",
        host=host,
        port=proxy.port,
        database="postgres",
        user=proxy.upstream.username or "postgres",
        password=SecretStr(password) if password else None,
        ssl_mode=mode,
        ssl_root_cert=str(ca) if ca else "",
    )


async def session_used(proxy: TlsProxy, server: Target, settings: Settings) -> Session:
    """Connect the way the app does (the engine); the proxy's record of that connection."""
    engine = create_engine(target_url(server), settings)
    try:
        async with engine.connect() as connection:
            pid = (await connection.execute(text(BACKEND_PID))).scalar_one()
    finally:
        await engine.dispose()
    return proxy.session_of(pid)


@pytest.mark.parametrize(
    ("mode", "host", "with_ca"),
    [
        ("prefer", "127.0.0.1", False),
        ("require", "127.0.0.1", False),
        ("require", "localhost", True),
        ("verify-ca", "127.0.0.1", True),  # the chain is checked, not the name
        ("verify-full", "localhost", True),
    ],
)
async def test_these_modes_connect_over_ssl(
    setup: SqlDatabaseSetup,
    settings: Settings,
    pki: Pki,
    proxy: TlsProxy,
    mode: SslMode,
    host: str,
    with_ca: bool,
) -> None:
    server = target(proxy, mode, host, pki.ca if with_ca else None)

    report = await setup.check(server)

    assert report.database_exists
    session = await session_used(proxy, server, settings)
    assert session.tls
    # The client names the host it wants (SNI), unless that is an IP address.
    assert session.server_name == (None if host == "127.0.0.1" else host)


async def _problem(setup: SqlDatabaseSetup, server: Target) -> SetupError:
    with pytest.raises(SetupError) as caught:
        await setup.check(server)
    assert "Traceback" not in caught.value.message
    return caught.value


async def test_verify_full_without_a_ca_says_the_certificate_is_unverified(
    setup: SqlDatabaseSetup, proxy: TlsProxy
) -> None:
    error = await _problem(setup, target(proxy, "verify-full"))

    assert error.problem is Problem.CERTIFICATE_UNTRUSTED
    assert error.message.startswith("The server's certificate could not be verified")
    assert "CA certificate" in error.message


async def test_verify_full_with_another_ca_says_the_certificate_is_unverified(
    setup: SqlDatabaseSetup, pki: Pki, proxy: TlsProxy
) -> None:
    error = await _problem(setup, target(proxy, "verify-full", ca=pki.other_ca))

    assert error.problem is Problem.CERTIFICATE_UNTRUSTED
    assert error.message.startswith("The server's certificate could not be verified")
    assert str(pki.other_ca) in error.message


async def test_verify_full_to_an_address_the_certificate_does_not_name(
    setup: SqlDatabaseSetup, pki: Pki, proxy: TlsProxy
) -> None:
    error = await _problem(setup, target(proxy, "verify-full", "127.0.0.1", pki.ca))

    assert error.problem is Problem.CERTIFICATE_MISMATCH
    assert "not valid for “127.0.0.1”" in error.message


async def test_a_missing_ca_file_is_named(
    setup: SqlDatabaseSetup, proxy: TlsProxy, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere" / "ca.pem"

    error = await _problem(setup, target(proxy, "verify-full", ca=missing))

    assert error.problem is Problem.CERTIFICATE_UNTRUSTED
    assert f"The CA certificate “{missing}” cannot be read" in error.message


async def test_disable_against_a_server_that_wants_ssl(
    setup: SqlDatabaseSetup, proxy: TlsProxy
) -> None:
    error = await _problem(setup, target(proxy, "disable", "127.0.0.1"))

    assert error.problem is Problem.SSL_REQUIRED
    assert "accepts only encrypted connections" in error.message
    assert [session.tls for session in proxy.sessions] == [False]


async def test_require_against_a_server_without_ssl(
    setup: SqlDatabaseSetup, server_url: URL
) -> None:
    async with tls_proxy(server_url, "no-ssl") as no_ssl:
        error = await _problem(setup, target(no_ssl, "require", "127.0.0.1"))

    assert error.problem is Problem.SSL_UNAVAILABLE
    assert "does not offer SSL" in error.message


async def test_prefer_against_a_server_without_ssl_connects_in_plain_text(
    setup: SqlDatabaseSetup, settings: Settings, server_url: URL
) -> None:
    async with tls_proxy(server_url, "no-ssl") as no_ssl:
        server = target(no_ssl, "prefer", "127.0.0.1")
        assert (await setup.check(server)).database_exists
        session = await session_used(no_ssl, server, settings)

    assert not session.tls


async def test_a_url_with_sslmode_and_sslrootcert_opens_tessera(
    pki: Pki, proxy: TlsProxy, tmp_path: Path
) -> None:
    url = proxy.upstream.set(drivername="postgresql", host="localhost", port=proxy.port)
    url = url.set(database="postgres", query={"sslmode": "verify-full", "sslrootcert": str(pki.ca)})
    rendered = SecretStr(url.render_as_string(hide_password=False))
    settings = Settings(_env_file=None, database_url=rendered, data_dir=tmp_path)

    async with open_tessera(settings) as tessera:
        health = await tessera.database.health()
        async with tessera.database.engine.connect() as connection:
            pid = (await connection.execute(text(BACKEND_PID))).scalar_one()

    assert health.server_version
    assert proxy.session_of(pid) == Session(tls=True, server_name="localhost", backend_pid=pid)


def test_sslrootcert_survives_the_url_round_trip(pki: Pki) -> None:
    pasted = f"postgres://ann@db.example:6432/tes?sslmode=verify-ca&sslrootcert={pki.ca}"

    server = target_from_url(pasted)

    assert (server.ssl_mode, server.ssl_root_cert) == ("verify-ca", str(pki.ca))
    assert target_url(server).query == {"ssl": "verify-ca", "sslrootcert": str(pki.ca)}
    assert target_from_url(target_url(server).render_as_string()) == server


def test_libpq_sslmode_in_a_url_becomes_asyncpg_ssl() -> None:
    # SQLAlchemy hands query keys to asyncpg.connect(), which has no ``sslmode``.
    url = async_url("postgresql://u@h/db?sslmode=verify-full&sslrootcert=/ca.pem")

    assert url.query == {"ssl": "verify-full", "sslrootcert": "/ca.pem"}
    assert ssl_connect_args(url.set(query={"ssl": "prefer", "sslrootcert": "/ca.pem"})) == (
        url.set(query={"ssl": "prefer"}),
        {},
    )
    with pytest.raises(ValueError, match="Unknown sslmode"):
        async_url("postgresql://u@h/db?sslmode=sometimes")
