"""``tessera status`` / ``upgrade`` / ``seed`` on every wrong configuration: one line in words.

Each case runs the real command in a child process against the test server (or a server
made to fail the way the case needs), and reads its stderr and exit status: 2 for a
configuration mistake, 1 for a server that cannot be reached. The password is never shown.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from tests.integration.test_cli import _tessera
from tests.integration.test_connection_check import PASSWORD, free_port, password_server

__all__ = ["password_server"]  # the fixture, imported to be used here

SECRET = "Pw-n0t-shown-7"


def _env(tmp_path: Path, url: str, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TESSERA_", "TEST_"))}
    env["TESSERA_DATA_DIR"] = str(tmp_path / "data")
    env["TESSERA_DATABASE_URL"] = url
    env["TESSERA_CONNECT_TIMEOUT_S"] = "3"
    env.update(more)
    return env


def _plain(url: URL) -> str:
    """The test server's URL as a person would write it (libpq's form, password shown)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _one_line(done: subprocess.CompletedProcess[str], status: int, *words: str) -> None:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == status, done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("tessera: "), lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    assert "Traceback" not in done.stderr + done.stdout
    for secret in (SECRET, PASSWORD):
        assert secret not in done.stderr + done.stdout


BAD_URLS = [
    (f"postgresql://u:{SECRET}@127.0.0.1:notaport/db", "port “notaport”"),
    (f"postgresql://u:{SECRET}@127.0.0.1:99999/db", "port “99999”"),
    (f"postgresql://u:{SECRET}@127.0.0.1/db?sslmode=bogus", "Unknown sslmode “bogus”"),
    (f"mysql://u:{SECRET}@127.0.0.1/db", "needs a PostgreSQL URL"),
    (f"postgresql://u:{SECRET}@[::1/db", "“[”"),
    ("not a url at all", "not a database URL"),
    (f"postgresql://u:{SECRET}@127.0.0.1/db?sslmode=require&sslmode=disable", "sslmode"),
    (f"postgresql://u:{SECRET}@127.0.0.1/db?connect_timeout=5", "“connect_timeout”"),
]


@pytest.mark.parametrize("command", ["status", "upgrade", "seed"])
@pytest.mark.parametrize(("url", "words"), BAD_URLS)
def test_a_url_that_cannot_be_used_is_a_configuration_mistake(
    tmp_path: Path, command: str, url: str, words: str
) -> None:
    done = _tessera(command, env=_env(tmp_path, url))
    _one_line(done, 2, "TESSERA_DATABASE_URL", words)


@pytest.mark.parametrize("command", ["status", "upgrade", "seed"])
def test_a_missing_database_is_named(tmp_path: Path, server_url: URL, command: str) -> None:
    url = _plain(server_url.set(database="tessera_no_such_database", password=SECRET))
    done = _tessera(command, env=_env(tmp_path, url))
    _one_line(done, 2, "The database “tessera_no_such_database” does not exist")


def test_an_unknown_user_is_named(tmp_path: Path, server_url: URL) -> None:
    url = _plain(server_url.set(username="tessera_no_such_role", password=SECRET))
    done = _tessera("status", env=_env(tmp_path, url))
    _one_line(done, 2, "“tessera_no_such_role”")


@pytest.mark.parametrize("password", ["wrong-Pa55word", None])
def test_a_wrong_password_says_so(
    tmp_path: Path, password_server: int, password: str | None
) -> None:
    url = URL.create(
        "postgresql", "postgres", password, "127.0.0.1", password_server, "postgres"
    ).render_as_string(hide_password=False)
    for command in ("status", "upgrade"):
        done = _tessera(command, env=_env(tmp_path, url))
        _one_line(done, 2, "refused user “postgres”", "Check the user and password")
        assert "Pa55word" not in done.stderr


def test_ssl_demanded_from_a_server_without_it(tmp_path: Path, password_server: int) -> None:
    # Over TCP: on a Unix socket (the embedded server's) libpq and asyncpg never ask for SSL.
    url = URL.create(
        "postgresql", "postgres", SECRET, "127.0.0.1", password_server, "postgres",
        query={"sslmode": "require"},
    ).render_as_string(hide_password=False)  # fmt: skip
    done = _tessera("status", env=_env(tmp_path, url))
    _one_line(done, 2, "does not offer SSL")


def test_an_unknown_host_is_named(tmp_path: Path) -> None:
    url = f"postgresql://u:{SECRET}@no-such-host.invalid/db"
    done = _tessera("status", env=_env(tmp_path, url))
    _one_line(done, 2, "“no-such-host.invalid” was not found")


@pytest.mark.parametrize("command", ["status", "upgrade", "seed"])
def test_a_refused_connection_is_a_server_that_is_not_there(tmp_path: Path, command: str) -> None:
    port = free_port()
    done = _tessera(command, env=_env(tmp_path, f"postgresql://u:{SECRET}@127.0.0.1:{port}/db"))
    _one_line(done, 1, f"Nothing answers on 127.0.0.1:{port}")


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes connections and never answers."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        yield silent.getsockname()[1]


def test_a_server_that_never_answers_times_out(tmp_path: Path, silent_port: int) -> None:
    url = f"postgresql://u:{SECRET}@127.0.0.1:{silent_port}/db"
    done = _tessera("status", env=_env(tmp_path, url, TESSERA_CONNECT_TIMEOUT_S="0.5"))
    _one_line(done, 1, "did not answer within 0.5 s")


def test_a_setting_out_of_range_is_a_configuration_mistake(tmp_path: Path) -> None:
    env = _env(tmp_path, "postgresql://u@127.0.0.1/db", TESSERA_POOL_SIZE="0")
    done = _tessera("status", env=env)
    _one_line(done, 2, "TESSERA_POOL_SIZE")
