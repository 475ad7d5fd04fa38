"""Extend, Revoke and Rotate are off for revoked tokens, the reason in their tooltips."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import QItemSelectionModel

from app.domain.tokens import TokenRequest
from app.domain.users import UserDraft
from tests.clock import FrozenClock
from tests.gui.conftest import Backend
from tests.gui.helpers import emitted
from ui.window import MainWindow


async def test_actions_that_cannot_apply_to_revoked_tokens_are_off_and_say_why(
    fake_backend: Backend, make_window: Any, clock: FrozenClock
) -> None:
    owner = await fake_backend.users.create(UserDraft(email="o@example.org", display_name="O"))
    for name, days in (("live", 3), ("gone", 20)):
        issued = await fake_backend.tokens.issue(
            TokenRequest(owner_id=owner.id, name=name, expires_at=clock.now + timedelta(days=days))
        )
        if name == "gone":
            await fake_backend.tokens.revoke(issued.token.id, issued.token.version)
    window: MainWindow = make_window(fake_backend)
    window.show()
    ready, counted = emitted(window.ready), emitted(window.tokens_tab.counted)
    window.start()
    await ready
    await counted
    tab = window.tokens_tab
    names = [t.name for t in tab.model.rows]
    selection = tab.view.selectionModel()
    flag = QItemSelectionModel.SelectionFlag
    flags = flag.ClearAndSelect | flag.Rows
    selection.select(tab.model.index(names.index("gone"), 0), flags)
    for action in (tab.edit_action, tab.revoke_action, tab.rotate_action):
        assert not action.isEnabled(), action.objectName()
        assert "revoked" in action.toolTip(), action.toolTip()
    assert "cannot be extended" in tab.edit_action.toolTip()
    assert tab.delete_action.isEnabled()

    selection.select(tab.model.index(names.index("live"), 0), flags)
    for action in (tab.edit_action, tab.revoke_action, tab.rotate_action):
        assert action.isEnabled(), action.objectName()
        assert "revoked" not in action.toolTip(), action.toolTip()
