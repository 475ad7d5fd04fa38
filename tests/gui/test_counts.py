"""A filtered list is counted only so far; the whole table is counted or estimated."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.users import UserDraft
from tests.gui.conftest import Backend
from tests.gui.helpers import emitted, started
from ui.tabs import base as record_tab
from ui.window import MainWindow


async def test_a_long_filtered_list_says_more_than_and_a_short_one_is_exact(
    fake_backend: Backend, make_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(record_tab, "COUNT_UP_TO", 3)
    for n in range(5):
        await fake_backend.users.create(UserDraft(email=f"kim{n}@example.org", display_name="K"))
    await fake_backend.users.create(UserDraft(email="lee@example.org", display_name="Lee"))
    window: MainWindow = make_window(fake_backend)
    await started(window)
    tab = window.users_tab
    assert tab.count_label.text() == "6 users"  # the whole table: counted exactly

    tab.search.setText("kim")
    await emitted(tab.loaded)
    assert tab.count_label.text() == "more than 3 users"
    assert "narrow the search" in tab.count_label.toolTip()

    tab.search.setText("lee")
    await emitted(tab.loaded)
    assert tab.count_label.text() == "1 user"
    assert tab.count_label.toolTip() == ""
