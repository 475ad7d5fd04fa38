"""Counts and nouns agree: one token is "it", one is never "1 tokens", sentences stay whole."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.domain.tokens import ExpiryBucket, TokenRequest
from app.domain.users import UserDraft
from tests.clock import FrozenClock
from tests.gui.conftest import Backend
from tests.gui.helpers import NOW, modal, started, until
from ui.format import count, deletion_detail, plural, relative
from ui.tabs.expiry_chart import ExpiryChart
from ui.window import MainWindow


def test_plural_picks_the_whole_sentence_for_the_number() -> None:
    forms = ("Revoke {n} token", "Revoke {n} tokens")
    assert plural(1, *forms) == "Revoke 1 token"
    assert plural(0, *forms) == "Revoke 0 tokens"
    assert plural(12345, *forms) == "Revoke 12,345 tokens"
    assert plural(2, "“{a}” and {n} more", "“{a}” and {n} more") == "“{a}” and 2 more"


def test_counts_of_every_noun_agree() -> None:
    assert [count(1, noun) for noun in ("user", "token", "event")] == [
        "1 user",
        "1 token",
        "1 event",
    ]
    assert count(2, "token") == "2 tokens"
    assert count(1_000_000, "token", estimated=True) == "about 1,000,000 tokens"
    assert count(10_000, "user", more=True) == "more than 10,000 users"
    assert relative(NOW + timedelta(days=1, minutes=1), NOW) == "in 1 day"
    assert relative(NOW - timedelta(hours=2), NOW) == "2 hours ago"


def test_what_goes_with_deleted_users_agrees_with_their_number() -> None:
    assert deletion_detail(1, 0, 0) == "Nothing else belongs to this user."
    assert deletion_detail(2, 0, 0) == "Nothing else belongs to these users."
    assert deletion_detail(1, 1, 0) == "Deleted with this user: 1 token."
    assert deletion_detail(1, 3, 2) == "Deleted with this user: 3 tokens and 2 events."
    assert deletion_detail(2, 0, 1) == "Deleted with these users: 1 event."


async def test_revoking_one_token_calls_it_it(
    fake_backend: Backend, make_window: Any, clock: FrozenClock
) -> None:
    owner = await fake_backend.users.create(UserDraft(email="o@example.org", display_name="O"))
    for name in ("Old key", "New key"):
        request = TokenRequest(owner_id=owner.id, name=name, expires_at=clock.now + timedelta(3))
        await fake_backend.tokens.issue(request)
    window: MainWindow = make_window(fake_backend)
    await started(window)
    tab = window.tokens_tab
    await until(lambda: tab.model.rowCount() == 2, what="two tokens")
    tab.view.selectRow(0)
    tab.revoke_action.trigger()
    box = await modal(QMessageBox, "confirm_dialog")
    assert box.informativeText() == (
        "Programs using it are refused from now on. The record stays, marked revoked."
    )
    box.reject()
    await until(lambda: not box.isVisible())
    tab.view.selectAll()
    tab.delete_action.trigger()
    box = await modal(QMessageBox, "confirm_dialog")
    assert box.text() == "Delete 2 tokens?"
    assert box.informativeText() == "Deleting removes the records for good; revoking keeps them."
    box.reject()


async def test_a_bar_of_one_token_says_one_token(qtbot: QtBot) -> None:
    chart = ExpiryChart()
    qtbot.addWidget(chart)
    chart.resize(400, 110)
    chart.show()
    chart.set_buckets([ExpiryBucket(None, NOW, 1), ExpiryBucket(NOW, NOW + timedelta(7), 3)])
    qtbot.mouseMove(chart, QPoint(40, 80))
    await until(lambda: chart.toolTip(), what="the first bar's tooltip")
    assert chart.toolTip() == "1 token already expired. Click to list it."
