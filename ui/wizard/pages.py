"""The setup wizard's question pages: Welcome, Where the data lives, and Done."""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.connection_check import Target
from ui.dialogs.form import ERROR_STYLE
from ui.wizard.base import WizardPage, rich_label


def may_hold_password(url: str) -> bool:
    """Whether a URL being typed may already hold a password (then it is shown masked).

    Before the ``@`` is typed, ``ana:5432`` could be a host and port: a colon followed by
    digits only is taken for a port, anything else for a password. ``password=`` in the
    query holds one too.
    """
    if "password=" in url.lower():
        return True
    _, scheme, rest = url.partition("://")
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0] if scheme else ""
    if "@" in authority:
        return ":" in authority.rpartition("@")[0]
    _, colon, after = re.sub(r"\[[^\]]*\]?", "", authority).partition(":")
    return bool(colon and after and not after.isdigit())


class WelcomePage(WizardPage):
    """What Tessera is and what the wizard will do."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("wizard_welcome")
        self.setTitle("Welcome to Tessera")
        text = rich_label(
            "Tessera manages the <b>users</b>, <b>tokens</b> and <b>events</b> of the "
            "scheduling service.<br><br>This wizard chooses where Tessera keeps its data, "
            "checks that it can use it, and prepares the tables. You can change this later "
            "in the window, with <i>File → Switch database…</i><br><br>"
            "Most people start with a database on this computer: Tessera runs it privately "
            "and needs nothing installed. Teams choose their shared PostgreSQL server with "
            "<i>Next</i>."
        )
        quick = QPushButton("Use a database on this computer")
        quick.setObjectName("wizard_quick_local")
        quick.setDefault(True)
        quick.clicked.connect(lambda: self._wizard().quick_local())
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addSpacing(12)
        layout.addWidget(quick, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)


class WherePage(WizardPage):
    """On this computer, or a PostgreSQL server (fields or a pasted URL)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("wizard_where")
        self.setTitle("Where the data lives")
        self._build_choice()
        self._build_server_fields()
        self._build_form()
        self._build_layout()
        for signal in (self.local.toggled, self.host.textChanged, self.database.textChanged):
            signal.connect(self._changed)
        self._changed()

    def _build_choice(self) -> None:
        self.local = QRadioButton("On this computer (recommended for one person)")
        self.local.setObjectName("wizard_local")
        self.server = QRadioButton("On a PostgreSQL server (shared by a team)")
        self.server.setObjectName("wizard_server")
        group = QButtonGroup(self)
        group.addButton(self.local)
        group.addButton(self.server)
        self.local.setChecked(True)

    def _build_server_fields(self) -> None:
        self.host = QLineEdit()
        self.host.setObjectName("wizard_host")
        self.host.setPlaceholderText("db.example.org")
        self.port = QSpinBox()
        self.port.setObjectName("wizard_port")
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit("tessera")
        self.database.setObjectName("wizard_database")
        self.user = QLineEdit("postgres")
        self.user.setObjectName("wizard_user")
        self.password = QLineEdit()
        self.password.setObjectName("wizard_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.ssl = QComboBox()
        self.ssl.setObjectName("wizard_ssl")
        self.ssl.addItems(["prefer", "require", "verify-full", "verify-ca", "disable"])
        self.ssl_root_cert = QLineEdit()
        self.ssl_root_cert.setObjectName("wizard_ssl_root_cert")
        self.ssl_root_cert.setPlaceholderText("/path/to/root.crt")
        self.ssl_root_cert.setToolTip(
            "The CA certificate (PEM file) that signed the server's certificate: "
            "verify-ca and verify-full check the server against it."
        )
        self.url = QLineEdit()
        self.url.setObjectName("wizard_url")
        self.url.setPlaceholderText("or paste postgresql://user@host:5432/tessera")
        self.url.editingFinished.connect(self._from_url)
        self.url.textChanged.connect(self._mask_password)
        self.url_error = rich_label(name="wizard_url_error")
        self.url_error.setStyleSheet(ERROR_STYLE)

    def _build_form(self) -> None:
        self.fields = QWidget()
        form = QFormLayout(self.fields)
        form.addRow("Host", self.host)
        form.addRow("Port", self.port)
        form.addRow("Database", self.database)
        form.addRow("User", self.user)
        form.addRow("Password", self.password)
        form.addRow("SSL", self.ssl)
        form.addRow("CA certificate", self.ssl_root_cert)
        self.ssl.currentTextChanged.connect(
            lambda mode: form.setRowVisible(self.ssl_root_cert, mode.startswith("verify"))
        )
        form.setRowVisible(self.ssl_root_cert, False)
        form.addRow("URL", self.url)
        form.addRow("", self.url_error)

    def _build_layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self.local)
        layout.addWidget(
            rich_label(
                "<small>A private PostgreSQL in your user folder, started with Tessera.</small>"
            )
        )
        layout.addWidget(self.server)
        layout.addWidget(self.fields)
        layout.addStretch(1)

    def show_target(self, target: Target) -> None:
        """Fill the fields from a target (editing a saved connection)."""
        (self.local if target.kind == "local" else self.server).setChecked(True)
        if target.kind == "server":
            self.host.setText(target.host)
            self.port.setValue(target.port)
            self.database.setText(target.database)
            self.user.setText(target.user)
            self.password.setText(target.password.get_secret_value() if target.password else "")
            self.ssl.setCurrentText(target.ssl_mode)
            self.ssl_root_cert.setText(target.ssl_root_cert)

    def _mask_password(self, text: str) -> None:
        hidden = may_hold_password(text)
        mode = QLineEdit.EchoMode.Password if hidden else QLineEdit.EchoMode.Normal
        if self.url.echoMode() != mode:
            self.url.setEchoMode(mode)
            self.url.setToolTip(
                "The URL holds a password, so it is hidden. Press Enter or Tab to fill the "
                "fields from it."
                if hidden
                else ""
            )

    def _from_url(self) -> None:
        text = self.url.text().strip()
        self.url_error.clear()
        if not text:
            return
        wizard = self._wizard()
        try:
            target = wizard.parse_url(text)
        except ValueError as error:
            self.url_error.setText(html.escape(str(error)))
            return
        self.show_target(target)
        self.url.clear()

    def _changed(self) -> None:
        self.fields.setEnabled(self.server.isChecked())
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        if self.local.isChecked():
            return True
        return bool(self.host.text().strip() and self.database.text().strip())

    def target(self) -> Target:
        """The target the page describes."""
        if self.local.isChecked():
            return Target()
        password = self.password.text()
        return Target(
            kind="server",
            host=self.host.text().strip(),
            port=self.port.value(),
            database=self.database.text().strip(),
            user=self.user.text().strip() or "postgres",
            password=password or None,
            ssl_mode=self.ssl.currentText(),
            ssl_root_cert=self.ssl_root_cert.text().strip(),
        )

    def validatePage(self) -> bool:  # noqa: N802
        wizard = self._wizard()
        wizard.target = self.target()
        return True


class DonePage(WizardPage):
    """A summary; Finish opens the window."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("wizard_done")
        self.setTitle("Ready")
        self.summary = rich_label(name="wizard_summary")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802
        wizard = self._wizard()
        report = wizard.report
        version = f" (PostgreSQL {html.escape(report.server_version)})" if report else ""
        self.summary.setText(
            f"Tessera will use <b>{html.escape(wizard.target.label)}</b>{version}.<br><br>"
            "The tables are ready. Press <b>Finish</b> to open Tessera."
        )
