"""Token and event dialogs: the owner picker, validation at fields, the one-time secret."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.domain.users import User, UserDraft
from app.services.token_secrets import hash_secret
from tests.fakes import FakeUnitOfWorkFactory
from tests.gui.conftest import Backend
from tests.gui.helpers import NOW, emitted, modal, press, started, until
from ui import crash
from ui.dialogs.datetimes import from_qt, to_qt
from ui.dialogs.events import EventDialog
from ui.dialogs.tokens import SecretDialog, TokenDialog
from ui.window import MainWindow


async def _kim(backend: Backend) -> User:
    return await backend.users.create(
        UserDraft(email="minjun.kim@example.org", display_name="김민준")
    )


async def test_issue_a_token_with_the_owner_picker_and_see_the_secret_once(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any, qtbot: QtBot
) -> None:
    kim = await _kim(fake_backend)
    window: MainWindow = make_window(fake_backend)
    await started(window)
    window.tabs.setCurrentWidget(window.tokens_tab)
    window.tokens_tab.new_action.trigger()
    dialog = await modal(TokenDialog)
    dialog.owner.setFocus()
    searched = emitted(dialog.owner.searched)
    qtbot.keyClicks(dialog.owner, "minjun")  # QTest cannot type Hangul offscreen
    await searched
    assert dialog.owner.choose_first()
    assert dialog.owner.user == kim
    dialog.name.setText("Calendar sync")
    dialog.scopes.setText("calendar:read, calendar:write, calendar:read")
    press(dialog, "token_dialog_preset_7")
    dialog.save_button.click()
    secret_dialog = await modal(SecretDialog)
    secret = secret_dialog.secret.text()
    (stored,) = fake_db.tables.tokens.values()
    assert stored.secret_hash == hash_secret(secret)
    assert secret not in repr(stored)
    assert stored.scopes == ("calendar:read", "calendar:write")
    assert stored.expires_at == NOW + timedelta(days=7)
    press(secret_dialog, "secret_dialog_copy")
    assert QGuiApplication.clipboard().text() == secret
    loaded = emitted(window.tokens_tab.loaded)
    secret_dialog.reject()
    await loaded
    assert [t.name for t in window.tokens_tab.model.rows] == ["Calendar sync"]


async def test_token_without_owner_or_name_is_refused_at_the_fields(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    window: MainWindow = make_window(fake_backend)
    await started(window)
    window.tokens_tab.new_action.trigger()
    dialog = await modal(TokenDialog)
    dialog.save_button.click()
    await until(lambda: dialog.error_at("owner_id"), what="an error at the owner")
    assert dialog.error_at("owner_id") == "Choose the user the token is for."
    await _kim(fake_backend)
    dialog.owner.set_user(next(iter(fake_db.tables.users.values())))
    dialog.expires.setDateTime(to_qt(NOW.replace(year=2028)))
    dialog.save_button.click()
    await until(lambda: dialog.error_at("name"), what="an error at the name")
    assert dialog.error_at("name") == "This field is required."
    dialog.name.setText("Too long-lived")
    dialog.save_button.click()
    await until(lambda: dialog.error_at("expires_at"), what="an error at the expiry")
    assert "at most 365 days" in dialog.error_at("expires_at")
    assert fake_db.tables.tokens == {}


async def test_event_ending_before_it_starts_is_an_error_at_the_end(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    kim = await _kim(fake_backend)
    window: MainWindow = make_window(fake_backend)
    await started(window)
    window.events_tab.new_action.trigger()
    dialog = await modal(EventDialog)
    dialog.owner.set_user(kim)
    dialog.title.setText("Stand-up")
    start = from_qt(dialog.starts.dateTime())
    dialog.ends.setDateTime(to_qt(start - timedelta(hours=1)))
    dialog.save_button.click()
    await until(lambda: dialog.error_at("ends_at"), what="an error at the end time")
    assert dialog.error_at("ends_at") == "The event cannot end before it starts."
    assert fake_db.tables.events == {}
    dialog.ends.setDateTime(to_qt(start + timedelta(minutes=30)))
    loaded = emitted(window.events_tab.loaded)
    dialog.save_button.click()
    await loaded
    (event,) = window.events_tab.model.rows
    assert (event.title, event.owner_id) == ("Stand-up", kim.id)
    assert (event.ends_at - event.starts_at).total_seconds() == 1800


def test_times_cross_the_dialog_without_moving() -> None:
    assert from_qt(to_qt(NOW)) == NOW


async def test_unexpected_errors_are_logged_and_told_in_one_sentence(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = crash.configure_logging(tmp_path / "tessera.log")
    handler = logging.getLogger().handlers[-1]
    try:
        try:
            raise KeyError("boom")
        except KeyError as error:
            crash.excepthook(KeyError, error, error.__traceback__)
        box = await modal(QMessageBox, "crash_dialog")
        assert box.text().startswith("Something unexpected happened.")
        assert "Traceback" not in box.text() + box.informativeText()
        handler.flush()
        logged = path.read_text(encoding="utf-8")
        assert "uncaught exception" in logged
        assert "KeyError: 'boom'" in logged
        box.close()
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()


@pytest.fixture(autouse=True)
def _no_real_log_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(crash, "log_path", lambda: tmp_path / "default.log")


async def test_an_all_day_event_is_stored_as_its_dates(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    kim = await _kim(fake_backend)
    window: MainWindow = make_window(fake_backend)
    await started(window)
    window.events_tab.new_action.trigger()
    dialog = await modal(EventDialog)
    dialog.owner.set_user(kim)
    dialog.title.setText("Offsite")
    day = date(2026, 12, 3)
    dialog.starts.setDateTime(to_qt(datetime.combine(day, time(15, 0)).astimezone()))
    dialog.ends.setDateTime(to_qt(datetime.combine(day + timedelta(1), time(9, 0)).astimezone()))
    dialog.all_day.setChecked(True)
    loaded = emitted(window.events_tab.loaded)
    dialog.save_button.click()
    await loaded
    (event,) = fake_db.tables.events.values()
    assert (event.first_day, event.last_day) == (day, day + timedelta(1))
    assert event.starts_at == datetime(2026, 12, 3, tzinfo=UTC)
