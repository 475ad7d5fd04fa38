"""``TESSERA_DATABASE_URL`` that cannot be used: the window says why, and offers to edit it.

Before, ``launcher.initial()`` raised the parser's ValueError out of the start-up and the
process died with a traceback before any window.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from keyring.backends import fail
from pydantic import SecretStr
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QWizard
from pytestqt.qtbot import QtBot

from app.domain.tokens import DEFAULT_SOON
from app.infrastructure.profiles import ProfileStore
from app.infrastructure.settings import Settings
from app.launcher import AppLauncher
from tests.clock import FrozenClock
from tests.gui.helpers import NOW, modal, press
from ui import app as ui_app
from ui.wizard.setup_wizard import SetupWizard

SECRET = "Pw-n0t-shown-7"


def _launcher(tmp_path: Path, url: str) -> AppLauncher:
    settings = Settings(_env_file=None, database_url=SecretStr(url), data_dir=tmp_path / "data")
    store = ProfileStore(tmp_path / "config", keyring_backend=fail.Keyring())
    return AppLauncher(settings, store, FrozenClock(NOW))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (
            f"postgresql://u:{SECRET}@127.0.0.1:notaport/db",
            "The port “notaport” in the URL is not a number from 1 to 65535.",
        ),
        (
            f"postgresql://u:{SECRET}@127.0.0.1/db?sslmode=bogus",
            "Unknown sslmode “bogus”",
        ),
        (f"mysql://u:{SECRET}@127.0.0.1/db", "Tessera needs a PostgreSQL URL, not 'mysql'."),
        (
            f"postgresql://u:{SECRET}@[::1/db",
            "The host in the URL opens with “[” but has no closing “]”.",
        ),
        ("postgresql:///db", "The URL names no host."),
        (f"postgresql://u:{SECRET}@127.0.0.1:70000/db", "The port “70000”"),
    ],
)
async def test_the_reason_is_shown_and_quit_ends_cleanly(
    tmp_path: Path, url: str, reason: str
) -> None:
    launcher = _launcher(tmp_path, url)
    running = asyncio.ensure_future(ui_app.run(launcher, FrozenClock(NOW), DEFAULT_SOON))
    box = await modal(QMessageBox, "unreachable_dialog")
    assert box.windowTitle() == ui_app.UNUSABLE_URL_TITLE
    assert box.text().startswith("TESSERA_DATABASE_URL cannot be used: ")
    assert reason in box.text()
    assert box.informativeText() == ui_app.UNUSABLE_URL_ADVICE
    assert SECRET not in box.text() + box.informativeText()
    names = {b.objectName() for b in box.findChildren(QAbstractButton)}
    assert "unreachable_retry" not in names  # the environment would not change
    if os.environ.get("TESSERA_SHOTS"):
        box.grab().save(f"/tmp/errors-startup-{len(url)}.png")
    press(box, "unreachable_quit")
    assert await asyncio.wait_for(running, 10) == 0


async def test_edit_opens_the_wizard_filled_with_what_could_be_read(tmp_path: Path) -> None:
    launcher = _launcher(tmp_path, f"postgresql://ana:{SECRET}@db.example.org:notaport/ops")
    running = asyncio.ensure_future(ui_app.run(launcher, FrozenClock(NOW), DEFAULT_SOON))
    box = await modal(QMessageBox, "unreachable_dialog")
    press(box, "unreachable_edit")
    wizard = await modal(SetupWizard, "setup_wizard")
    where = wizard.where
    assert where.server.isChecked()
    assert (where.host.text(), where.port.value()) == ("db.example.org", 5432)
    assert (where.database.text(), where.user.text()) == ("ops", "ana")
    assert where.password.text() == SECRET  # masked in the field, kept so it need not be typed
    wizard.button(QWizard.WizardButton.CancelButton).click()
    assert await asyncio.wait_for(running, 10) == 0


def test_a_setting_that_cannot_be_used_is_told_in_a_dialog(qtbot: QtBot) -> None:
    seen: list[str] = []

    def answer() -> None:
        for widget in QApplication.topLevelWidgets():
            if widget.objectName() == "startup_error" and widget.isVisible():
                assert isinstance(widget, QMessageBox)
                seen.append(widget.text())
                widget.accept()
                return
        QTimer.singleShot(10, answer)  # not shown yet: look again when the loop turns

    QTimer.singleShot(0, answer)
    ui_app.startup_failed("TESSERA_POOL_SIZE must be at least 1.")

    assert seen == ["TESSERA_POOL_SIZE must be at least 1."]
