"""The wizard's SSL fields: the CA certificate line shows for verify-ca and verify-full."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.domain.connection_check import Target
from app.infrastructure.connection_check import target_from_url
from tests.gui.test_wizard import ScriptedSetup
from ui.wizard.setup_wizard import WHERE, SetupWizard


async def test_the_ca_certificate_field_follows_the_ssl_mode(qtbot: QtBot) -> None:
    wizard = SetupWizard(ScriptedSetup(), target_from_url, start=WHERE)
    qtbot.addWidget(wizard)
    wizard.show()
    where = wizard.where
    where.server.setChecked(True)
    assert not where.ssl_root_cert.isVisibleTo(wizard)

    where.url.setText("postgresql://ana@db.example.org/ops?sslmode=verify-full&sslrootcert=/ca.pem")
    where.url.editingFinished.emit()

    assert where.ssl.currentText() == "verify-full"
    assert where.ssl_root_cert.isVisibleTo(wizard)
    assert where.target().ssl_root_cert == "/ca.pem"
    where.ssl.setCurrentText("require")
    assert not where.ssl_root_cert.isVisibleTo(wizard)
    where.ssl.setCurrentText("verify-ca")
    assert where.ssl_root_cert.isVisibleTo(wizard)


async def test_a_saved_target_fills_the_ca_certificate(qtbot: QtBot) -> None:
    saved = Target(kind="server", host="db", ssl_mode="verify-ca", ssl_root_cert="/etc/ca.pem")
    wizard = SetupWizard(ScriptedSetup(), target_from_url, start=WHERE, target=saved)
    qtbot.addWidget(wizard)
    wizard.show()

    assert wizard.where.ssl_root_cert.text() == "/etc/ca.pem"
    assert wizard.where.target() == saved
