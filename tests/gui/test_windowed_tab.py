"""A tab scrolled far holds a bounded window of pages and brings dropped ones back."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.domain.users import UserDraft
from tests.gui.conftest import Backend
from tests.gui.helpers import emitted, started, until
from ui.window import MainWindow

USERS = 1_000  # five pages of 200


async def _window_with_users(backend: Backend, make_window: Any, count: int) -> MainWindow:
    for n in range(count):
        await backend.users.create(
            UserDraft(email=f"u{n:04d}@example.org", display_name=f"User {n:04d}")
        )
    window: MainWindow = make_window(backend)
    await started(window)
    return window


async def _scrolled_to_the_end(window: MainWindow) -> None:
    tab = window.users_tab
    while tab.model.has_more:  # as a person dragging the scroll bar down would
        arrived = emitted(tab.loaded)
        tab.view.scrollToBottom()
        tab.model.fetchMore()
        await arrived
    tab.view.scrollToBottom()
    await until(lambda: tab.view.rowAt(0) > 800, what="the view at the end")


async def test_far_pages_are_dropped_and_come_back_when_looked_at(
    fake_backend: Backend, make_window: Any
) -> None:
    window = await _window_with_users(fake_backend, make_window, USERS)
    tab = window.users_tab
    tab.model.max_pages = 2
    await _scrolled_to_the_end(window)
    assert tab.model.rowCount() == USERS
    assert tab.model.loaded_pages == 2
    assert tab.model.loaded_row(0) is None  # the first page was let go

    tab.view.scrollToTop()
    await until(lambda: tab.model.loaded_row(0) is not None, what="the first page again")
    assert tab.model.row(0).email == "u0000@example.org"
    assert tab.model.row(199).email == "u0199@example.org"
    assert tab.model.loaded_pages == 2


async def test_a_page_with_selected_rows_is_kept_and_acted_on(
    fake_backend: Backend, make_window: Any
) -> None:
    window = await _window_with_users(fake_backend, make_window, USERS)
    tab = window.users_tab
    tab.model.max_pages = 2
    tab.view.selectRow(3)
    await _scrolled_to_the_end(window)
    assert tab.model.loaded_row(3) is not None  # its page stayed
    assert [u.email for u in tab.selected_rows()] == ["u0003@example.org"]
    assert tab.model.loaded_row(200) is None  # a page without a selection went


async def test_sorting_while_a_page_is_on_its_way_uses_each_page_own_sort(
    fake_backend: Backend, make_window: Any
) -> None:
    window = await _window_with_users(fake_backend, make_window, 450)
    tab = window.users_tab
    said: list[str] = []
    tab.message.connect(said.append)
    sorted_again = emitted(tab.loaded)
    tab.model.fetchMore()  # the next page by email is asked for…
    tab.model.sort(tab.model.column_of("created_at"), Qt.SortOrder.DescendingOrder)  # …then this
    await sorted_again
    await until(lambda: not tab.tasks.busy, what="every load to finish")
    assert said == []  # no page was asked with one sort's cursor and another's order
    shown = [u.created_at for u in tab.model.rows]
    assert shown == sorted(shown, reverse=True)
