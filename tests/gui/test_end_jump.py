"""End / Ctrl+End show the true last rows at once; Home comes back at once (issue 15)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import text

from tessera.testing.driving import release_modifiers
from tests.gui.conftest import Backend
from tests.gui.helpers import until
from tests.gui.test_big_tables import USERS, _window_with_users

CTRL = Qt.KeyboardModifier.ControlModifier


def _counted(tab: Any) -> list[int]:
    """Count the page requests the tab makes (each still reads the real database)."""
    calls: list[int] = []
    fetch = tab.fetch

    async def counting(filter: Any, page: Any) -> Any:
        calls.append(1)
        return await fetch(filter, page)

    tab.fetch = counting
    return calls


async def _emails(backend: Backend) -> list[str]:
    assert backend.engine is not None
    async with backend.engine.begin() as connection:
        result = await connection.execute(text("SELECT email FROM users ORDER BY email, id"))
        return [row[0] for row in result]


async def test_ctrl_end_shows_the_last_user_at_once_and_home_comes_back(
    real_backend: Backend, make_window: Any
) -> None:
    window = await _window_with_users(real_backend, make_window)
    tab = window.users_tab
    tab.view.setFocus()
    calls = _counted(tab)
    ordered = await _emails(real_backend)

    QTest.keyClick(tab.view, Qt.Key.Key_End, CTRL)
    release_modifiers()
    await until(lambda: not tab.tasks.busy, what="the last page after Ctrl+End")
    last = tab.model.rowCount() - 1
    assert tab.model.row(last).email == ordered[-1]
    assert tab.view.currentIndex().row() == last
    assert len(calls) <= 2

    seen: list[str] = []  # walk back three pages with PageUp, rows in order, no duplicates
    for _ in range(60):
        QTest.keyClick(tab.view, Qt.Key.Key_PageUp)
        await until(lambda: not tab.tasks.busy, what="the rows before")
        if tab.model.rowCount() >= 4 * 200:
            break
    rows = tab.model.rows
    seen = [r.email for r in rows[-3 * 200 :]]
    assert seen == ordered[-3 * 200 :]
    assert len({r.id for r in rows}) == len(rows)

    QTest.keyClick(tab.view, Qt.Key.Key_Home, CTRL)
    release_modifiers()
    await until(lambda: not tab.tasks.busy, what="the first page after Ctrl+Home")
    assert tab.model.row(0).email == ordered[0]
    assert tab.view.rowAt(0) == 0


async def test_f5_after_end_starts_at_the_top(real_backend: Backend, make_window: Any) -> None:
    window = await _window_with_users(real_backend, make_window)
    tab = window.users_tab
    tab.view.setFocus()
    QTest.keyClick(tab.view, Qt.Key.Key_End, CTRL)
    release_modifiers()
    await until(lambda: not tab.tasks.busy, what="the last page after Ctrl+End")
    assert tab.model.row(tab.model.rowCount() - 1).email == f"u{USERS - 1:04d}@example.org"
    tab.refresh_action.trigger()
    await until(lambda: not tab.tasks.busy, what="the list loaded again")
    assert tab.model.row(0).email == "u0000@example.org"
    assert tab.view.rowAt(0) == 0
