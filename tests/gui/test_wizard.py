"""The first-run wizard on a scripted setup: every page, every outcome, in words."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWizard
from pytestqt.qtbot import QtBot

from app.domain.connection_check import CheckReport, Problem, SetupError, Target
from app.domain.schema import Revision, SchemaState
from tests.gui.helpers import emitted, modal, press, until
from ui import app as ui_app
from ui.wizard.setup_wizard import APPLY, CHECK, DONE, WHERE, SetupWizard

REVISIONS = [Revision("0001", "Users, tokens and events."), Revision("0002", "Indexes.")]


@dataclass
class ScriptedSetup:
    """A database whose answers the test decides."""

    state: SchemaState = SchemaState.EMPTY
    exists: bool = True
    fail_check: SetupError | None = None
    fail_migrate: SetupError | None = None
    checks: list[Target] = field(default_factory=list)
    migrated: list[Target] = field(default_factory=list)
    closed: int = 0

    async def check(self, target: Target) -> CheckReport:
        self.checks.append(target)
        if self.fail_check is not None:
            raise self.fail_check
        pending = [] if self.state is SchemaState.CURRENT else list(REVISIONS)
        return CheckReport(
            label=target.label,
            server_version="18.1",
            database_exists=self.exists,
            can_create_database=True,
            can_create_tables=True,
            state=self.state,
            current="0002" if self.state is SchemaState.CURRENT else None,
            head="0002",
            pending=pending if self.exists else [],
        )

    async def create_database(self, target: Target) -> None:
        self.exists = True

    async def migrate(self, target: Target, progress: Callable[[Revision], None]) -> None:
        if self.fail_migrate is not None:
            raise self.fail_migrate
        for revision in REVISIONS:
            progress(revision)
        self.state = SchemaState.CURRENT
        self.migrated.append(target)

    async def close(self) -> None:
        self.closed += 1


def _parse(text: str) -> Target:
    if not text.startswith("postgresql://"):
        raise ValueError("Not a PostgreSQL URL: it should start with postgresql://")
    return Target(kind="server", host="db.example.org", port=6543, database="ops", user="ana")


def _wizard(setup: ScriptedSetup, **kwargs: Any) -> SetupWizard:
    wizard = SetupWizard(setup, _parse, **kwargs)
    wizard.show()
    return wizard


async def test_two_clicks_to_a_local_database(qtbot: QtBot) -> None:
    setup = ScriptedSetup()
    wizard = _wizard(setup)
    qtbot.addWidget(wizard)
    press(wizard, "wizard_quick_local")  # click 1
    await until(lambda: wizard.currentId() == DONE, what="the Done page")
    assert setup.migrated == [Target()]
    assert "Local database" in wizard.done_page.summary.text()
    finished = emitted(wizard.finished)
    wizard.button(QWizard.WizardButton.FinishButton).click()  # click 2
    (result,) = await finished
    assert result == 1
    assert wizard.target == Target()


async def test_a_server_step_by_step(qtbot: QtBot) -> None:
    setup = ScriptedSetup()
    wizard = _wizard(setup)
    qtbot.addWidget(wizard)
    wizard.next()
    assert wizard.currentId() == WHERE
    where = wizard.where
    where.server.setChecked(True)
    assert not where.isComplete()  # a server needs a host
    where.host.setText("db.example.org")
    where.database.setText("tessera")
    where.user.setText("ana")
    where.password.setText("s3cret!")
    checked = emitted(wizard.checked)
    wizard.next()
    (report,) = await checked
    assert report is not None
    assert wizard.currentId() == CHECK
    status = wizard.check_page.status.text()
    assert "PostgreSQL 18.1" in status
    assert "2 migrations to apply" in status
    assert "0001: Users, tokens and events." in status
    wizard.next()
    assert wizard.currentId() == APPLY
    assert setup.migrated == []  # nothing happens before Apply
    assert not wizard.apply_page.isComplete()
    applied = emitted(wizard.applied)
    press(wizard, "wizard_apply_button")
    assert await applied == (True,)
    log = wizard.apply_page.log.toPlainText()
    assert log.splitlines() == ["Applied 0001: Users, tokens and events.", "Applied 0002: Indexes."]
    wizard.next()
    assert wizard.currentId() == DONE
    target = wizard.target
    assert (target.kind, target.host, target.user) == ("server", "db.example.org", "ana")
    assert target.password is not None
    assert target.password.get_secret_value() == "s3cret!"
    assert "s3cret" not in repr(target)


@pytest.mark.parametrize(
    ("problem", "words"),
    [
        (Problem.WRONG_PASSWORD, "The password for ana was not accepted."),
        (Problem.REFUSED, "Nothing answers on db.example.org:5432."),
        (Problem.TIMEOUT, "db.example.org did not answer within 5 seconds."),
    ],
)
async def test_a_failed_check_says_why_and_offers_to_try_again(
    qtbot: QtBot, problem: Problem, words: str
) -> None:
    setup = ScriptedSetup(fail_check=SetupError(problem, words))
    wizard = _wizard(setup, start=CHECK, target=Target(kind="server", host="db.example.org"))
    qtbot.addWidget(wizard)
    await until(lambda: wizard.check_page.error.text(), what="the error")
    assert wizard.check_page.error.text() == words
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    setup.fail_check = None
    checked = emitted(wizard.checked)
    press(wizard, "wizard_check_again")
    await checked
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()


async def test_a_failed_migration_is_reported_and_can_be_retried(qtbot: QtBot) -> None:
    failure = SetupError(
        Problem.MIGRATION_FAILED, "Migration 0001 failed: relation “events” already exists."
    )
    setup = ScriptedSetup(fail_migrate=failure)
    wizard = _wizard(setup, start=CHECK, target=Target(kind="server", host="h"))
    qtbot.addWidget(wizard)
    await emitted(wizard.checked)
    wizard.next()
    applied = emitted(wizard.applied)
    press(wizard, "wizard_apply_button")
    assert await applied == (False,)
    page = wizard.apply_page
    assert page.error.text() == failure.message
    assert "Rolled back: nothing was changed." in page.log.toPlainText()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert page.apply.isEnabled()


async def test_a_missing_database_can_be_created(qtbot: QtBot) -> None:
    setup = ScriptedSetup(exists=False)
    wizard = _wizard(setup, start=CHECK, target=Target(kind="server", host="h"))
    qtbot.addWidget(wizard)
    await emitted(wizard.checked)
    assert "does not exist yet" in wizard.check_page.status.text()
    assert not wizard.check_page.isComplete()
    checked = emitted(wizard.checked)
    press(wizard, "wizard_create_database")
    await checked
    assert "The database exists" in wizard.check_page.status.text()
    assert wizard.check_page.isComplete()


async def test_a_schema_from_a_newer_tessera_is_refused(qtbot: QtBot) -> None:
    setup = ScriptedSetup(state=SchemaState.AHEAD)
    wizard = _wizard(setup, start=CHECK, target=Target(kind="server", host="h"))
    qtbot.addWidget(wizard)
    await emitted(wizard.checked)
    assert "made by a newer Tessera" in wizard.check_page.status.text()
    assert not wizard.check_page.isComplete()


async def test_a_current_schema_skips_the_apply_page(qtbot: QtBot) -> None:
    setup = ScriptedSetup(state=SchemaState.CURRENT)
    wizard = _wizard(setup, start=CHECK, target=Target(kind="server", host="h"))
    qtbot.addWidget(wizard)
    await emitted(wizard.checked)
    wizard.next()
    assert wizard.currentId() == DONE


async def test_a_pasted_url_fills_the_fields(qtbot: QtBot) -> None:
    wizard = _wizard(ScriptedSetup(), start=WHERE)
    qtbot.addWidget(wizard)
    where = wizard.where
    where.server.setChecked(True)
    where.url.setText("mysql://nope")
    where.url.editingFinished.emit()
    assert "postgresql://" in where.url_error.text()
    where.url.setText("postgresql://ana@db.example.org:6543/ops")
    where.url.editingFinished.emit()
    assert (where.host.text(), where.port.value(), where.database.text()) == (
        "db.example.org",
        6543,
        "ops",
    )
    assert where.url_error.text() == ""


@dataclass
class ScriptedLauncher:
    setup: ScriptedSetup

    def parse_url(self, text: str) -> Target:
        return _parse(text)


async def test_start_asks_for_a_password_only_when_the_server_wants_one() -> None:
    setup = ScriptedSetup(
        state=SchemaState.CURRENT,
        fail_check=SetupError(Problem.WRONG_PASSWORD, "The password was not accepted."),
    )
    launcher = ScriptedLauncher(setup)
    target = Target(kind="server", host="db.example.org")
    running = asyncio.ensure_future(ui_app.ready_target(launcher, target))  # type: ignore[arg-type]
    dialog = await modal(QInputDialog, "password_dialog")
    setup.fail_check = None
    dialog.setTextValue("pw")
    dialog.accept()
    chosen = await running
    assert chosen is not None
    assert chosen.password is not None
    assert chosen.password.get_secret_value() == "pw"
    assert len(setup.checks) == 2


async def test_an_unreachable_server_offers_retry_edit_or_quit() -> None:
    setup = ScriptedSetup(
        state=SchemaState.CURRENT,
        fail_check=SetupError(Problem.REFUSED, "Nothing answers on db.example.org:5432."),
    )
    launcher = ScriptedLauncher(setup)
    running = asyncio.ensure_future(
        ui_app.ready_target(launcher, Target(kind="server", host="db.example.org"))  # type: ignore[arg-type]
    )
    box = await modal(QMessageBox, "unreachable_dialog")
    assert box.text() == "Nothing answers on db.example.org:5432."
    press(box, "unreachable_retry")
    box = await modal(QMessageBox, "unreachable_dialog")
    assert len(setup.checks) == 2
    press(box, "unreachable_quit")
    assert await running is None
