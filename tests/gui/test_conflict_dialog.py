"""A save that meets a newer version: compared field by field, nothing overwritten unasked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from PySide6.QtWidgets import QLabel, QRadioButton
from pytestqt.qtbot import QtBot

from app.domain.errors import NotFound
from app.domain.events import Event, EventDraft, EventPatch
from app.domain.users import Role, User, UserDraft, UserPatch
from app.infrastructure.engine import create_engine, create_session_factory
from app.infrastructure.settings import Settings
from app.infrastructure.uow import SqlUnitOfWork
from app.services.users import UserService
from tests.clock import FrozenClock
from tests.fakes import FakeUnitOfWorkFactory
from tests.gui.conftest import Backend
from tests.gui.helpers import emitted, modal, press, started, until
from ui.dialogs.conflict import ConflictDialog, deleted_text
from ui.dialogs.datetimes import to_qt
from ui.dialogs.events import EventDialog, EventDialogContext
from ui.dialogs.users import UserDialog
from ui.window import MainWindow

CONFLICT = "conflict_dialog"


async def _ada(backend: Backend) -> User:
    return await backend.users.create(UserDraft(email="ada@example.org", display_name="Ada"))


@pytest_asyncio.fixture
async def editing(qtbot: QtBot, fake_backend: Backend) -> AsyncIterator[UserDialog]:
    """The edit dialog of a stored user, open."""
    user = await _ada(fake_backend)
    dialog = UserDialog(fake_backend.users, user, None)
    qtbot.addWidget(dialog)
    dialog.show()
    yield dialog
    await dialog.tasks.cancel_all()


async def _save_into_conflict(form: Any) -> ConflictDialog:
    form.save_button.click()
    return await modal(ConflictDialog, CONFLICT)


def _radio(dialog: ConflictDialog, name: str) -> QRadioButton:
    button = dialog.findChild(QRadioButton, f"{CONFLICT}_{name}")
    assert button is not None, name
    return button


def _cell(dialog: ConflictDialog, name: str) -> str:
    label = dialog.findChild(QLabel, f"{CONFLICT}_{name}")
    assert label is not None, name
    return label.text()


def _stored(db: FakeUnitOfWorkFactory) -> User:
    (user,) = db.tables.users.values()
    return user


async def test_their_change_to_another_field_and_mine_are_both_kept(
    fake_backend: Backend, fake_db: FakeUnitOfWorkFactory, make_window: Any
) -> None:
    ada = await _ada(fake_backend)
    window: MainWindow = make_window(fake_backend)
    await started(window)
    tab = window.users_tab
    tab.view.selectRow(0)
    tab.edit_action.trigger()
    form = await modal(UserDialog)
    await fake_backend.users.update(ada.id, ada.version, UserPatch(role=Role.STAFF))
    form.display_name.setText("Ada Lovelace")
    dialog = await _save_into_conflict(form)
    assert [d.field for d in dialog.diffs] == ["display_name", "role"]
    assert _cell(dialog, "display_name_status") == "Changed by you"
    assert _cell(dialog, "role_status") == "Changed in the database"
    assert (_cell(dialog, "role_base"), _cell(dialog, "role_theirs")) == ("Member", "Staff")
    assert _radio(dialog, "display_name_mine").isChecked()
    assert _radio(dialog, "role_theirs").isChecked()
    assert dialog.findChild(QLabel, f"{CONFLICT}_clashes") is None
    assert (_stored(fake_db).display_name, _stored(fake_db).version) == ("Ada", 2)  # not yet
    changed = emitted(tab.changed)
    press(dialog, f"{CONFLICT}_apply")
    (row,) = await changed
    stored = _stored(fake_db)
    assert (stored.display_name, stored.role, stored.version) == ("Ada Lovelace", Role.STAFF, 3)
    assert row == stored == form.saved
    assert list(tab.model.rows) == [stored]


@pytest.mark.parametrize(
    ("choose", "name", "role"),
    [
        (["all_mine"], "Ada Lovelace", Role.ADMINISTRATOR),
        (["all_theirs"], "Ada King", Role.STAFF),
        (["display_name_theirs", "role_mine"], "Ada King", Role.ADMINISTRATOR),
        (["display_name_mine", "role_theirs"], "Ada Lovelace", Role.STAFF),
    ],
)
async def test_a_clash_is_marked_and_settled_as_chosen(
    editing: UserDialog,
    fake_backend: Backend,
    fake_db: FakeUnitOfWorkFactory,
    choose: list[str],
    name: str,
    role: Role,
) -> None:
    ada = _stored(fake_db)
    await fake_backend.users.update(
        ada.id, ada.version, UserPatch(display_name="Ada King", role=Role.STAFF)
    )
    editing.display_name.setText("Ada Lovelace")
    editing.role.setCurrentIndex(editing.role.findData(Role.ADMINISTRATOR))
    dialog = await _save_into_conflict(editing)
    assert "2 fields were changed on both sides" in _cell(dialog, "clashes")
    for field in ("display_name", "role"):
        assert _cell(dialog, f"{field}_status").startswith("⚠ Changed by both")
        assert _radio(dialog, f"{field}_mine").isChecked()  # pre-selected, but marked
    for button in choose:
        target = f"{CONFLICT}_{button}"
        if button.startswith("all_"):
            press(dialog, target)
        else:
            _radio(dialog, button).click()
    accepted = emitted(editing.accepted)
    press(dialog, f"{CONFLICT}_apply")
    await accepted
    stored = _stored(fake_db)
    assert (stored.display_name, stored.role) == (name, role)
    assert editing.saved == stored
    # Taking everything from the database writes nothing.
    assert stored.version == (2 if choose == ["all_theirs"] else 3)


async def test_a_row_deleted_before_the_save_is_said_to_be_deleted(
    editing: UserDialog, fake_backend: Backend, fake_db: FakeUnitOfWorkFactory
) -> None:
    ada = _stored(fake_db)
    await fake_backend.users.delete_many([ada])
    editing.display_name.setText("Ada Lovelace")
    editing.save_button.click()
    await until(lambda: editing.error_at(""), what="a message at the form")
    assert editing.error_at("") == deleted_text("user")
    assert "deleted by someone else" in editing.error_at("")
    assert editing.display_name.text() == "Ada Lovelace"
    assert editing.isVisible()
    assert not editing.save_button.isEnabled()
    units = len(fake_db.units)
    editing.save_button.click()  # disabled: nothing happens
    editing.buttons.accepted.emit()  # nor from Enter
    assert len(fake_db.units) == units
    assert fake_db.tables.users == {}


async def test_a_row_deleted_while_choosing_is_said_to_be_deleted(
    editing: UserDialog, fake_backend: Backend, fake_db: FakeUnitOfWorkFactory
) -> None:
    ada = _stored(fake_db)
    theirs = await fake_backend.users.update(ada.id, ada.version, UserPatch(is_active=False))
    editing.display_name.setText("Ada Lovelace")
    dialog = await _save_into_conflict(editing)
    await fake_backend.users.delete_many([theirs])
    press(dialog, f"{CONFLICT}_apply")
    await until(lambda: editing.error_at(""), what="a message at the form")
    assert editing.error_at("") == deleted_text("user")
    assert not editing.save_button.isEnabled()
    assert editing.display_name.text() == "Ada Lovelace"
    assert fake_db.tables.users == {}


async def test_a_row_gone_when_fetched_for_comparison_shows_no_dialog(
    editing: UserDialog,
    fake_backend: Backend,
    fake_db: FakeUnitOfWorkFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ada = _stored(fake_db)
    await fake_backend.users.update(ada.id, ada.version, UserPatch(role=Role.STAFF))

    async def deleted_meanwhile(user_id: int) -> User:
        raise NotFound("user", user_id)

    monkeypatch.setattr(fake_backend.users, "get", deleted_meanwhile)
    editing.display_name.setText("Ada Lovelace")
    editing.save_button.click()
    await until(lambda: editing.error_at(""), what="a message at the form")
    assert editing.error_at("") == deleted_text("user")
    assert not any(isinstance(w, ConflictDialog) and w.isVisible() for w in editing.children())
    assert _stored(fake_db).display_name == "Ada"


async def test_a_second_conflict_compares_again_with_the_newer_row(
    editing: UserDialog, fake_backend: Backend, fake_db: FakeUnitOfWorkFactory
) -> None:
    ada = _stored(fake_db)
    await fake_backend.users.update(ada.id, 1, UserPatch(role=Role.STAFF))
    editing.display_name.setText("Ada Lovelace")
    first = await _save_into_conflict(editing)
    # Someone saves again while the first choice is being made.
    await fake_backend.users.update(ada.id, 2, UserPatch(display_name="Ada King"))
    press(first, f"{CONFLICT}_apply")
    second = await until(
        lambda: next(
            (w for w in editing.findChildren(ConflictDialog) if w.isVisible() and w is not first),
            None,
        ),
        what="a second conflict dialog",
    )
    # Started from what the first dialog showed; now their name clashes with mine.
    assert [d.field for d in second.diffs] == ["display_name"]
    assert (_cell(second, "display_name_base"), _cell(second, "display_name_theirs")) == (
        "Ada",
        "Ada King",
    )
    assert second.diffs[0].clash
    assert _stored(fake_db).display_name == "Ada King"  # nothing written in between
    accepted = emitted(editing.accepted)
    press(second, f"{CONFLICT}_apply")
    await accepted
    stored = _stored(fake_db)
    assert (stored.display_name, stored.role, stored.version) == ("Ada Lovelace", Role.STAFF, 4)


async def test_cancel_keeps_the_form_and_saves_nothing(
    editing: UserDialog, fake_backend: Backend, fake_db: FakeUnitOfWorkFactory
) -> None:
    ada = _stored(fake_db)
    await fake_backend.users.update(ada.id, 1, UserPatch(display_name="Ada King"))
    editing.display_name.setText("Ada Lovelace")
    editing.active.setChecked(False)
    dialog = await _save_into_conflict(editing)
    press(dialog, f"{CONFLICT}_cancel")
    await until(lambda: editing.error_at(""), what="a message at the form")
    assert editing.error_at("").startswith("Nothing was saved")
    assert editing.isVisible()
    assert editing.save_button.isEnabled()
    assert (editing.display_name.text(), editing.active.isChecked()) == ("Ada Lovelace", False)
    assert (_stored(fake_db).display_name, _stored(fake_db).is_active) == ("Ada King", True)
    # Saving again compares again.
    again = await _save_into_conflict(editing)
    accepted = emitted(editing.accepted)
    press(again, f"{CONFLICT}_apply")
    await accepted
    assert (_stored(fake_db).display_name, _stored(fake_db).is_active) == ("Ada Lovelace", False)


async def test_an_events_time_is_chosen_whole(
    qtbot: QtBot, fake_backend: Backend, fake_db: FakeUnitOfWorkFactory
) -> None:
    ada = await _ada(fake_backend)
    start = datetime(2026, 12, 3, 10, tzinfo=UTC)
    event = await fake_backend.events.create(
        EventDraft(owner_id=ada.id, title="Review", starts_at=start, ends_at=start + timedelta(1))
    )
    context = EventDialogContext(fake_backend.events, fake_backend.users.search, FrozenClock(start))
    form = EventDialog(context, event, ada)
    qtbot.addWidget(form)
    form.show()
    moved = start + timedelta(hours=2)
    await fake_backend.events.update(
        event.id,
        1,
        EventPatch(starts_at=moved, ends_at=moved + timedelta(hours=1), title="Design review"),
    )
    form.ends.setDateTime(to_qt(start + timedelta(minutes=30)))
    form.description.setPlainText("Bring the drafts.")
    dialog = await _save_into_conflict(form)
    assert [d.field for d in dialog.diffs] == ["title", "when", "description"]
    assert dialog.diffs[1].clash
    assert _cell(dialog, "when_theirs").endswith(
        "– " + f"{(moved + timedelta(hours=1)).astimezone():%H:%M}"
    )
    assert _cell(dialog, "title_theirs") == "Design review"
    assert _radio(dialog, "title_theirs").isChecked()
    _radio(dialog, "when_theirs").click()
    accepted = emitted(form.accepted)
    press(dialog, f"{CONFLICT}_apply")
    await accepted
    (stored,) = fake_db.tables.events.values()
    assert isinstance(form.saved, Event)
    assert (stored.title, stored.starts_at, stored.description) == (
        "Design review",
        moved,
        "Bring the drafts.",
    )
    assert stored.ends_at == moved + timedelta(hours=1)  # their end with their start
    await form.tasks.cancel_all()


async def test_on_postgres_a_row_changed_by_another_connection_is_merged(
    real_backend: Backend, make_window: Any, clock: FrozenClock
) -> None:
    ada = await _ada(real_backend)
    window: MainWindow = make_window(real_backend)
    await started(window, within=20)
    tab = window.users_tab
    tab.view.selectRow(0)
    tab.edit_action.trigger()
    form = await modal(UserDialog)
    form.display_name.setText("Ada Lovelace")
    assert real_backend.engine is not None
    other = create_engine(real_backend.engine.url, Settings(_env_file=None))
    try:
        sessions = create_session_factory(other)
        colleague = UserService(lambda: SqlUnitOfWork(sessions), clock)
        await colleague.update(
            ada.id, ada.version, UserPatch(role=Role.STAFF, display_name="Ada K.")
        )
        dialog = await _save_into_conflict(form)
        assert _cell(dialog, "display_name_theirs") == "Ada K."
        assert dialog.diffs[0].clash
        await colleague.update(ada.id, ada.version + 1, UserPatch(is_active=False))
        press(dialog, f"{CONFLICT}_apply")
        second = await until(
            lambda: next(
                (w for w in form.findChildren(ConflictDialog) if w.isVisible() and w is not dialog),
                None,
            ),
            within=20,
        )
        # My name, against the name I was just shown; and their new change.
        assert [(d.field, d.clash) for d in second.diffs] == [
            ("display_name", False),
            ("is_active", False),
        ]
        assert _radio(second, "display_name_mine").isChecked()
        assert _radio(second, "is_active_theirs").isChecked()
        changed = emitted(tab.changed, within=20)
        press(second, f"{CONFLICT}_apply")
        (row,) = await changed
    finally:
        await other.dispose()
    stored = await real_backend.scalar(
        "SELECT display_name || '/' || role || '/' || is_active || '/' || version FROM users"
    )
    assert stored == "Ada Lovelace/staff/false/4"
    assert (row.display_name, row.role, row.is_active, row.version) == (
        "Ada Lovelace",
        Role.STAFF,
        False,
        4,
    )


async def test_an_owner_chosen_meanwhile_by_someone_else_is_named(
    qtbot: QtBot, fake_backend: Backend
) -> None:
    ada = await _ada(fake_backend)
    bo = await fake_backend.users.create(UserDraft(email="bo@example.org", display_name="Bo"))
    start = datetime(2026, 12, 3, 10, tzinfo=UTC)
    event = await fake_backend.events.create(
        EventDraft(owner_id=ada.id, title="Review", starts_at=start, ends_at=start + timedelta(1))
    )
    context = EventDialogContext(
        fake_backend.events,
        fake_backend.users.search,
        FrozenClock(start),
        lookup=fake_backend.users.get_many,
    )
    form = EventDialog(context, event, ada)
    qtbot.addWidget(form)
    form.show()
    await fake_backend.events.update(event.id, 1, EventPatch(owner_id=bo.id))
    form.title.setText("Review (moved)")
    dialog = await _save_into_conflict(form)
    assert _cell(dialog, "owner_id_theirs") == "Bo <bo@example.org>"
    assert _cell(dialog, "owner_id_base") == "Ada <ada@example.org>"
    dialog.reject()
    await form.tasks.cancel_all()
