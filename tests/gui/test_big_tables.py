"""Big tables: a reload after scrolling far starts at the top and keeps loading."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.gui.conftest import Backend
from tests.gui.helpers import started, until
from ui.window import MainWindow

USERS = 3_000  # fifteen pages of 200


async def _window_with_users(backend: Backend, make_window: Any) -> MainWindow:
    assert backend.engine is not None
    async with backend.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO users (email, display_name) SELECT 'u' || lpad(n::text, 4, '0')"
                " || '@example.org', 'User ' || n FROM generate_series(0, :last) n"
            ),
            {"last": USERS - 1},
        )
    window: MainWindow = make_window(backend)
    await started(window)
    return window


def _scroll_to_the_bottom(window: MainWindow) -> None:
    """Drag the scrollbar to its end: Qt asks for the next page (End jumps to the last)."""
    bar = window.users_tab.view.verticalScrollBar()
    bar.setValue(bar.maximum())


async def test_a_reload_after_scrolling_far_starts_at_the_top_and_keeps_loading(
    real_backend: Backend, make_window: Any
) -> None:
    window = await _window_with_users(real_backend, make_window)
    tab = window.users_tab
    tab.view.setFocus()
    for _ in range(6):  # to the bottom a few times: seven pages deep
        _scroll_to_the_bottom(window)
        await until(lambda: not tab.tasks.busy, what="the page after scrolling down")
    assert tab.view.rowAt(0) > 1_000

    tab.refresh_action.trigger()  # F5 (a click on a header reloads the same way)
    await until(lambda: not tab.tasks.busy, what="the list loaded again")
    assert tab.view.rowAt(0) == 0  # the new list is shown from its first row
    loaded = tab.model.rowCount()
    _scroll_to_the_bottom(window)
    await until(lambda: tab.model.rowCount() > loaded, what="scrolling down to load more")
    assert tab.model.row(loaded).email == f"u{loaded:04d}@example.org"
