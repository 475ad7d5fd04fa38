"""A clicked chart bar is a filter shown as a chip that Esc, the bar or a quick filter clears."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt

from app.domain.tokens import QuickFilter, TokenRequest
from app.domain.users import UserDraft
from tests.clock import FrozenClock
from tests.gui.conftest import Backend
from tests.gui.helpers import emitted, press
from ui.window import MainWindow


async def _window(backend: Backend, make_window: Any, clock: FrozenClock) -> MainWindow:
    owner = await backend.users.create(UserDraft(email="ops@example.org", display_name="Ops"))
    for name, days in (("week 1", 3), ("gone", 4), ("later", 40)):
        issued = await backend.tokens.issue(
            TokenRequest(owner_id=owner.id, name=name, expires_at=clock.now + timedelta(days=days))
        )
        if name == "gone":
            await backend.tokens.revoke(issued.token.id, issued.token.version)
    window: MainWindow = make_window(backend)
    window.show()
    ready, counted = emitted(window.ready), emitted(window.tokens_tab.counted)
    window.start()
    await ready
    await counted
    return window


async def _click_bar(window: MainWindow, number: int) -> None:
    loaded, counted = emitted(window.tokens_tab.loaded), emitted(window.tokens_tab.counted)
    window.tokens_tab.chart.click(number)
    await loaded
    await counted


async def test_the_bar_counts_what_the_list_shows_and_a_chip_names_it(
    real_backend: Backend, make_window: Any, clock: FrozenClock
) -> None:
    window = await _window(real_backend, make_window, clock)
    tab = window.tokens_tab
    assert tab.chip.isHidden()
    await _click_bar(window, 1)
    assert tab.chart.buckets[1].count == 1
    assert [t.name for t in tab.model.rows] == ["week 1"]  # not the revoked one
    assert not tab.chip.isHidden()
    assert tab.chip.text().startswith("Expires week of ")
    assert tab.chip.text().endswith("✕")
    assert "Remove" in tab.chip.accessibleName()
    assert tab.chip.focusPolicy() & Qt.FocusPolicy.TabFocus


async def test_the_chip_esc_the_bar_again_and_a_quick_filter_clear_it(
    fake_backend: Backend, make_window: Any, clock: FrozenClock
) -> None:
    window = await _window(fake_backend, make_window, clock)
    tab = window.tokens_tab
    everything = 3
    await _click_bar(window, 1)
    loaded = emitted(tab.loaded)
    tab.chip.click()
    await loaded
    assert len(tab.model.rows) == everything
    assert tab.chip.isHidden()
    assert tab.chart.selected is None

    await _click_bar(window, 1)
    tab.view.setFocus()
    loaded = emitted(tab.loaded)
    tab.clear_bar_action.trigger()
    await loaded
    assert len(tab.model.rows) == everything
    assert tab.window_bucket is None
    assert tab.clear_bar_action.shortcut().toString() == "Esc"

    clock.now += timedelta(minutes=1)  # the reload re-reads the chart a minute later
    await _click_bar(window, 1)
    await _click_bar(window, 1)  # the same bar again
    assert len(tab.model.rows) == everything
    assert tab.window_bucket is None

    await _click_bar(window, 1)
    loaded = emitted(tab.loaded)
    press(tab, f"tokens_quick_{QuickFilter.REVOKED.value}")
    await loaded
    assert tab.window_bucket is None
    assert tab.chart.selected is None
    assert [t.name for t in tab.model.rows] == ["gone"]
