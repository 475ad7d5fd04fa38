"""The wizard's URL field never shows a password typed or pasted into it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from app.infrastructure.connection_check import target_from_url
from tests.gui.test_wizard import ScriptedSetup
from ui.wizard.pages import may_hold_password
from ui.wizard.setup_wizard import WHERE, SetupWizard

SECRET = "s3cret"
URL = f"postgresql://ana:{SECRET}@db.example.org:6543/ops"


def _wizard() -> SetupWizard:
    wizard = SetupWizard(ScriptedSetup(), target_from_url, start=WHERE)
    wizard.show()
    return wizard


def test_which_urls_may_hold_a_password() -> None:
    assert may_hold_password("postgresql://ana:s")
    assert may_hold_password(URL)
    assert may_hold_password("postgresql://ana:1234@db")
    assert may_hold_password("postgresql://db/ops?user=ana&password=x")
    for readable in (
        "postgresql://ana",
        "postgresql://ana:",
        "postgresql://db.example.org:6543/ops",
        "postgresql://ana@db.example.org:6543/ops",
        "postgresql://[::1]:5432/ops",
        "postgres",
    ):
        assert not may_hold_password(readable), readable


async def test_a_typed_password_is_masked_from_its_first_letter(qtbot: QtBot) -> None:
    wizard = _wizard()
    qtbot.addWidget(wizard)
    where = wizard.where
    where.server.setChecked(True)
    where.url.setFocus()
    start = URL.index(SECRET)
    for n, letter in enumerate(URL):
        qtbot.keyClicks(where.url, letter)
        if n >= start:
            assert SECRET[:1] not in where.url.displayText()[start:], where.url.displayText()
    assert where.url.text() == URL
    assert where.url.echoMode() is QLineEdit.EchoMode.Password
    qtbot.keyClick(where.url, Qt.Key.Key_Return)
    assert (where.host.text(), where.user.text(), where.password.text()) == (
        "db.example.org",
        "ana",
        SECRET,
    )
    assert where.url.text() == ""
    assert where.url.echoMode() is QLineEdit.EchoMode.Normal  # the next URL is readable


async def test_a_pasted_password_is_never_shown(qtbot: QtBot) -> None:
    wizard = _wizard()
    qtbot.addWidget(wizard)
    where = wizard.where
    where.server.setChecked(True)
    QGuiApplication.clipboard().setText(URL)
    where.url.setFocus()
    where.url.paste()
    assert where.url.text() == URL
    assert SECRET not in where.url.displayText()
    qtbot.keyClicks(where.url, "x")  # typing on keeps it hidden
    assert SECRET not in where.url.displayText()
