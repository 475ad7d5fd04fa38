"""End / Ctrl+End show the true last rows at once; Home comes back at once (issue 15)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import text

from app.infrastructure.seeding import SeedPlan, default_now, seed_database
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


async def test_ctrl_end_on_tokens_by_expiry_shows_the_last_token(
    real_backend: Backend, make_window: Any
) -> None:
    assert real_backend.engine is not None
    await seed_database(real_backend.engine, SeedPlan(10, 300, 0, 1, default_now()))
    async with real_backend.engine.begin() as connection:
        result = await connection.execute(
            text("SELECT id FROM tokens ORDER BY expires_at DESC, id DESC LIMIT 400")
        )
        last_ids = [row[0] for row in result][::-1]
    window = await _window_with_users(real_backend, make_window)
    tab = window.tokens_tab
    window.tabs.setCurrentWidget(tab)
    tab.view.setFocus()
    await until(lambda: not tab.tasks.busy, what="the tokens loaded")
    QTest.keyClick(tab.view, Qt.Key.Key_End, CTRL)
    release_modifiers()
    await until(lambda: not tab.tasks.busy, what="the last tokens after Ctrl+End")
    rows = tab.model.rows
    assert [r.id for r in rows] == last_ids[-len(rows) :]
    assert tab.view.currentIndex().row() == tab.model.rowCount() - 1


async def test_a_user_deleted_elsewhere_leaves_the_end_window(
    real_backend: Backend, make_window: Any
) -> None:
    window = await _window_with_users(real_backend, make_window)
    tab = window.users_tab
    tab.view.setFocus()
    QTest.keyClick(tab.view, Qt.Key.Key_End, CTRL)
    release_modifiers()
    await until(lambda: not tab.tasks.busy, what="the last page after Ctrl+End")
    last = f"u{USERS - 1:04d}@example.org"
    assert real_backend.engine is not None
    async with real_backend.engine.begin() as connection:
        await connection.execute(text("DELETE FROM users WHERE email = :e"), {"e": last})
    await until(lambda: last not in {r.email for r in tab.model.rows}, what="the row gone")
    assert tab.model.row(tab.model.rowCount() - 1).email == f"u{USERS - 2:04d}@example.org"
