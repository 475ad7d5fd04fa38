"""Bulk actions say in the status bar which rows changed under them, and show them as they are."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtWidgets import QMessageBox

from app.domain.events import EventDraft, EventPatch
from app.domain.tokens import Token, TokenRequest
from app.domain.users import User, UserDraft, UserPatch
from tests.clock import FrozenClock
from tests.fakes import FakeUnitOfWorkFactory
from tests.gui.conftest import Backend
from tests.gui.helpers import emitted, later, modal, press, started, until
from ui.window import MainWindow

NAMES = ("CI deploy", "backup", "metrics", "nightly", "web", "cron")


async def _started(window: MainWindow) -> None:
    counted = emitted(window.tokens_tab.counted)
    await started(window)
    await counted


async def _people(backend: Backend, *names: str) -> list[User]:
    return [
        await backend.users.create(UserDraft(email=f"{n.lower()}@example.org", display_name=n))
        for n in names
    ]


async def _tokens(backend: Backend, owner: User, clock: FrozenClock) -> list[Token]:
    made = []
    for name in NAMES:
        request = TokenRequest(owner_id=owner.id, name=name, expires_at=clock.now + timedelta(3))
        made.append((await backend.tokens.issue(request)).token)
    return made


def _message(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


async def test_bulk_revoke_names_the_tokens_changed_meanwhile_and_shows_them_as_they_are(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any, clock: FrozenClock
) -> None:
    (owner,) = await _people(fake_backend, "Ops")
    made = await _tokens(fake_backend, owner, clock)
    window: MainWindow = make_window(fake_backend)
    await _started(window)
    # Someone else, after the window loaded them: extends "CI deploy", revokes "backup".
    extended = await fake_backend.tokens.extend(made[0].id, 1, clock.now + timedelta(days=60))
    revoked = await fake_backend.tokens.revoke(made[1].id, 1)
    tab = window.tokens_tab
    tab.view.selectAll()
    tab.revoke_action.trigger()
    press(await modal(QMessageBox, "confirm_dialog"), "confirm_yes")

    text = await until(lambda: _message(window).startswith("Revoked") and _message(window))
    assert text == (
        "Revoked 4 tokens; 2 had been changed by someone else and were left alone: "
        "“CI deploy”, “backup”. Refresh to see them."
    )
    shown = {t.id: t for t in tab.model.rows}
    assert shown[extended.id] == extended == fake_db.tables.tokens[extended.id]
    assert shown[revoked.id] == revoked
    assert shown.pop(extended.id).revoked_at is None  # left alone
    assert {t.revoked_by for t in shown.values()} == {"tessera"}


async def test_bulk_token_delete_reports_deleted_and_gone_rows(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any, clock: FrozenClock
) -> None:
    (owner,) = await _people(fake_backend, "Ops")
    made = await _tokens(fake_backend, owner, clock)
    window: MainWindow = make_window(fake_backend)
    await _started(window)
    await fake_backend.tokens.delete_many([made[2]])
    await fake_backend.tokens.revoke(made[5].id, 1)
    tab = window.tokens_tab
    tab.view.selectAll()
    tab.delete_action.trigger()
    press(await modal(QMessageBox, "confirm_dialog"), "confirm_yes")

    text = await until(lambda: _message(window).startswith("Deleted") and _message(window))
    assert text == (
        "Deleted 4 tokens; 1 had been changed by someone else and was left alone: “cron”; "
        "1 had already been deleted by someone else: “metrics”. Refresh to see it."
    )
    assert [t.name for t in tab.model.rows] == ["cron"]
    assert list(fake_db.tables.tokens) == [made[5].id]


async def test_bulk_user_delete_says_what_went_with_them_and_what_was_left(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any, clock: FrozenClock
) -> None:
    ann, bob, _ = await _people(fake_backend, "Ann", "Bob", "Cy")
    await _tokens(fake_backend, ann, clock)
    window: MainWindow = make_window(fake_backend)
    await started(window)
    robert = await fake_backend.users.update(bob.id, 1, UserPatch(display_name="Robert"))
    tab = window.users_tab
    tab.view.selectAll()
    tab.delete_action.trigger()
    press(await modal(QMessageBox, "confirm_dialog"), "confirm_yes")

    text = await until(lambda: _message(window).startswith("Deleted") and _message(window))
    assert text == (
        "Deleted 2 users, with 6 tokens and 0 events; 1 had been changed by someone else "
        "and was left alone: “Bob”. Refresh to see it."
    )
    assert list(tab.model.rows) == [robert]
    assert list(fake_db.tables.users) == [bob.id]
    assert fake_db.tables.tokens == {}


async def test_one_event_deleted_is_named(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    (owner,) = await _people(fake_backend, "Ops")
    for title in ("Stand-up", "Review"):
        draft = EventDraft(owner_id=owner.id, title=title, starts_at=later(1), ends_at=later(1))
        await fake_backend.events.create(draft)
    window: MainWindow = make_window(fake_backend)
    await started(window)
    tab = window.events_tab
    first, second = tab.model.rows
    tab.view.selectRow(0)
    tab.delete_action.trigger()
    press(await modal(QMessageBox, "confirm_dialog"), "confirm_yes")
    await until(lambda: _message(window) == f"Deleted “{first.title}”.")
    tab.view.selectAll()
    tab.delete_action.trigger()
    asking = await modal(QMessageBox, "confirm_dialog")
    # Changed by someone else while the question is open: the rows asked about are stale.
    await fake_backend.events.update(second.id, 1, EventPatch(title="Moved"))
    press(asking, "confirm_yes")
    await until(
        lambda: (
            _message(window)
            == "Deleted 0 events; 1 had been changed by someone else and was left alone: "
            f"“{second.title}”. Refresh to see it."
        )
    )
    assert [e.title for e in tab.model.rows] == ["Moved"]
