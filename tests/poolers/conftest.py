"""Tessera through PgBouncer, in transaction and in session mode, in front of the test server.

Run by ``.ci/run`` (which installs PgBouncer when missing) with TESSERA_TEST_POOLERS=1:
``TESSERA_TEST_POOLERS=1 python dev.py test tests/poolers``. Without that variable these
tests are not collected: a fresh machine with only Python has no PgBouncer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import URL

from tests.pgbouncer import pgbouncer

if not os.environ.get("TESSERA_TEST_POOLERS"):
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session", params=["transaction", "session"])
def pooler_mode(request: pytest.FixtureRequest) -> str:
    """Each pooler test runs in both pooling modes."""
    return str(request.param)


@pytest.fixture(scope="session")
def pooler_port(server_url: URL, pooler_mode: str) -> Iterator[int]:
    """PgBouncer's port, in front of the test server."""
    with pgbouncer(pooler_mode, server_url.host or "127.0.0.1", server_url.port or 5432) as port:
        yield port


@pytest.fixture
def pooled(empty_database: URL, pooler_port: int) -> URL:
    """A fresh empty database, reached through the pooler."""
    return empty_database.set(host="127.0.0.1", port=pooler_port)
