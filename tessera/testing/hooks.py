"""Hooks the Tessera plugin adds to pytest, for a project's ``conftest.py`` to implement."""

from __future__ import annotations

import pytest


@pytest.hookspec(firstresult=True)
def pytest_tessera_qasync(item: pytest.Item) -> bool | None:
    """Whether ``item`` (an ``async def`` test) runs on a qasync loop.

    Return True for tests the plugin would not otherwise put on qasync (those using none of
    ``tessera``, ``tessera_database_url``, ``qtbot``, ``qapp`` and not marked
    ``@pytest.mark.qasync``), for example every test under a folder; None leaves the choice
    to the plugin. Implement it with ``@pytest.hookimpl(optionalhook=True)`` so that the
    conftest still loads where the plugin is disabled.
    """
