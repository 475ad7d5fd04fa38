"""The first-run wizard: choose where the data lives, check it, apply the migrations.

Pages: Welcome → Where the data lives → Check → Apply → Done. Every check and migration
runs on the qasync loop; the wizard stays responsive and says, in words, what it found.
"Use a local database" on the Welcome page runs the whole way by itself: two clicks
from a new installation to an open window.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.domain.errors import DomainError
from app.domain.schema import Revision, SchemaState
from app.domain.setup import CheckReport, DatabaseSetup, Target
from ui.forms import ERROR_STYLE
from ui.tasks import TaskRunner

WELCOME, WHERE, CHECK, APPLY, DONE = range(5)
OK, BAD = "✔", "✘"


def _label(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    if name:
        label.setObjectName(name)
    return label


class SetupWizard(QWizard):
    """Leads from nothing to a migrated database; ``target`` is the result."""

    checked = Signal(object)  # CheckReport, or None when the check failed
    applied = Signal(object)  # True or False; Signal(bool) miscounts references in PySide6 6.12

    def __init__(
        self,
        setup: DatabaseSetup,
        parse_url: Callable[[str], Target],
        *,
        start: int = WELCOME,
        target: Target | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("setup_wizard")
        self.setWindowTitle("Set up Tessera")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage)
        self.setMinimumSize(640, 470)
        self.setup = setup
        self.parse_url = parse_url
        self.target = target or Target()
        self.report: CheckReport | None = None
        self.automatic = False
        self.tasks = TaskRunner(self)
        self.welcome = WelcomePage()
        self.where = WherePage()
        self.check_page = CheckPage()
        self.apply_page = ApplyPage()
        self.done_page = DonePage()
        for number, page in enumerate(
            (self.welcome, self.where, self.check_page, self.apply_page, self.done_page)
        ):
            self.setPage(number, page)
        self.where.show_target(self.target)
        self.setStartId(start)

    def quick_local(self) -> None:
        """Local database, checked and migrated without further questions."""
        self.automatic = True
        self.where.local.setChecked(True)
        self.next()
        self.next()


class WelcomePage(QWizardPage):
    """What Tessera is and what the wizard will do."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("wizard_welcome")
        self.setTitle("Welcome to Tessera")
        text = _label(
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

    def _wizard(self) -> SetupWizard:
        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard)
        return wizard


class WherePage(QWizardPage):
    """On this computer, or a PostgreSQL server (fields or a pasted URL)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("wizard_where")
        self.setTitle("Where the data lives")
        self.local = QRadioButton("On this computer (recommended for one person)")
        self.local.setObjectName("wizard_local")
        self.server = QRadioButton("On a PostgreSQL server (shared by a team)")
        self.server.setObjectName("wizard_server")
        group = QButtonGroup(self)
        group.addButton(self.local)
        group.addButton(self.server)
        self.local.setChecked(True)
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
        self.url_error = _label(name="wizard_url_error")
        self.url_error.setStyleSheet(ERROR_STYLE)
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
        layout = QVBoxLayout(self)
        layout.addWidget(self.local)
        layout.addWidget(
            _label("<small>A private PostgreSQL in your user folder, started with Tessera.</small>")
        )
        layout.addWidget(self.server)
        layout.addWidget(self.fields)
        layout.addStretch(1)
        for signal in (self.local.toggled, self.host.textChanged, self.database.textChanged):
            signal.connect(self._changed)
        self._changed()

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

    def _from_url(self) -> None:
        text = self.url.text().strip()
        self.url_error.clear()
        if not text:
            return
        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard)
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
        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard)
        wizard.target = self.target()
        return True


class CheckPage(QWizardPage):
    """Connects and reports: server, database, rights, schema; offers to create the database."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("wizard_check")
        self.setTitle("Checking the database")
        self.status = _label(name="wizard_check_status")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(6)
        self.progress.setTextVisible(False)
        self.error = _label(name="wizard_check_error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.create_button = QPushButton("Create the database")
        self.create_button.setObjectName("wizard_create_database")
        self.create_button.clicked.connect(self._create)
        self.retry = QPushButton("Check again")
        self.retry.setObjectName("wizard_check_again")
        self.retry.clicked.connect(self._start)
        buttons = QHBoxLayout()
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.retry)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def _wizard(self) -> SetupWizard:
        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard)
        return wizard

    def initializePage(self) -> None:  # noqa: N802
        self._start()

    def _start(self) -> None:
        self._wizard().tasks.spawn(self._check(), name="wizard: check")

    async def _check(self) -> None:
        wizard = self._wizard()
        wizard.report = None
        self.setSubTitle(f"Connecting to {html.escape(wizard.target.label)}…")
        self.status.setText("")
        self.error.setText("")
        self.create_button.hide()
        self.retry.hide()
        self.progress.show()
        self.completeChanged.emit()
        try:
            report = await wizard.setup.check(wizard.target)
        except DomainError as error:
            self.progress.hide()
            self.setSubTitle(f"Tessera could not use {html.escape(wizard.target.label)}.")
            self.error.setText(html.escape(error.message))
            self.retry.show()
            wizard.checked.emit(None)
            return
        self.progress.hide()
        wizard.report = report
        self._show(report)
        self.completeChanged.emit()
        wizard.checked.emit(report)
        if wizard.automatic and report.usable:
            wizard.next()

    def _show(self, report: CheckReport) -> None:
        self.setSubTitle(html.escape(report.label))
        lines = [f"{OK} Connected: PostgreSQL {html.escape(report.server_version)}"]
        if report.database_exists:
            lines.append(f"{OK} The database exists")
            rights = "may" if report.can_create_tables else "may <b>not</b>"
            mark = OK if report.can_create_tables else BAD
            lines.append(f"{mark} This role {rights} create tables")
        else:
            lines.append(f"{BAD} The database does not exist yet")
            if report.can_create_database:
                self.create_button.show()
            else:
                self.error.setText(
                    "This role may not create databases. Ask the server's administrator to "
                    "create it, or choose another database."
                )
            lines.append("• Once it exists, Tessera will prepare its tables")
            self.status.setText("<br>".join(lines))
            return
        lines.append(self._schema(report))
        self.status.setText("<br>".join(lines))

    @staticmethod
    def _schema(report: CheckReport) -> str:
        count = len(report.pending)
        migrations = f"{count} migration{'s' if count != 1 else ''}"
        steps = "".join(
            f"<li>{html.escape(r.id)}: {html.escape(r.title)}</li>" for r in report.pending
        )
        match report.state:
            case SchemaState.CURRENT:
                return f"{OK} The tables are up to date (revision {report.head})"
            case SchemaState.AHEAD:
                return (
                    f"{BAD} The tables were made by a newer Tessera (revision "
                    f"{html.escape(report.current or 'unknown')}; this Tessera knows up to "
                    f"{report.head}). Install the newer Tessera to use this database."
                )
            case SchemaState.EMPTY:
                return f"• The database is empty: {migrations} to apply<ul>{steps}</ul>"
            case _:
                return f"• The tables are behind: {migrations} to apply<ul>{steps}</ul>"

    async def _created(self) -> None:
        wizard = self._wizard()
        self.create_button.setEnabled(False)
        try:
            await wizard.setup.create_database(wizard.target)
        except DomainError as error:
            self.error.setText(html.escape(error.message))
            return
        finally:
            self.create_button.setEnabled(True)
        await self._check()

    def _create(self) -> None:
        self._wizard().tasks.spawn(self._created(), name="wizard: create database")

    def isComplete(self) -> bool:  # noqa: N802
        report = self._wizard().report
        return report is not None and report.usable

    def nextId(self) -> int:  # noqa: N802
        report = self._wizard().report
        if report is not None and report.state is SchemaState.CURRENT:
            return DONE
        return APPLY


class ApplyPage(QWizardPage):
    """Applies pending migrations with a progress bar and a log of each revision."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("wizard_apply")
        self.setTitle("Preparing the tables")
        self.pending = QListWidget()
        self.pending.setObjectName("wizard_pending")
        self.progress = QProgressBar()
        self.progress.setObjectName("wizard_apply_progress")
        self.log = QPlainTextEdit()
        self.log.setObjectName("wizard_apply_log")
        self.log.setReadOnly(True)
        self.log.setMaximumHeight(110)
        self.error = _label(name="wizard_apply_error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.apply = QPushButton("Apply")
        self.apply.setObjectName("wizard_apply_button")
        self.apply.clicked.connect(self._start)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Migrations to apply, in order:"))
        layout.addWidget(self.pending)
        layout.addWidget(self.progress)
        layout.addWidget(self.log)
        layout.addWidget(self.error)
        layout.addWidget(self.apply, alignment=Qt.AlignmentFlag.AlignRight)
        self._done = False

    def _wizard(self) -> SetupWizard:
        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard)
        return wizard

    def initializePage(self) -> None:  # noqa: N802
        wizard = self._wizard()
        report = wizard.report
        pending = report.pending if report else []
        self._done = False
        self.pending.clear()
        self.pending.addItems([f"{r.id}  {r.title}" for r in pending])
        self.progress.setRange(0, max(len(pending), 1))
        self.progress.setValue(0)
        self.log.clear()
        self.error.clear()
        self.apply.setText(f"Apply {len(pending)} migration{'s' if len(pending) != 1 else ''}")
        self.apply.setEnabled(True)
        self.setSubTitle(
            "Nothing is changed until you press Apply. A migration that fails leaves the "
            "database as it was."
        )
        if wizard.automatic:
            self._start()

    def _start(self) -> None:
        self._wizard().tasks.spawn(self._apply(), name="wizard: apply")

    async def _apply(self) -> None:
        wizard = self._wizard()
        self.apply.setEnabled(False)
        self.error.clear()

        def applied(revision: Revision) -> None:
            self.progress.setValue(self.progress.value() + 1)
            self.log.appendPlainText(f"Applied {revision.id}: {revision.title}")

        try:
            await wizard.setup.migrate(wizard.target, applied)
        except DomainError as error:
            self.progress.setValue(0)
            self.log.appendPlainText("Rolled back: nothing was changed.")
            self.error.setText(html.escape(error.message))
            self.apply.setEnabled(True)
            wizard.applied.emit(False)
            return
        self._done = True
        self.apply.setText("Applied")
        self.progress.setValue(self.progress.maximum())
        self.completeChanged.emit()
        wizard.applied.emit(True)
        if wizard.automatic:
            wizard.next()

    def isComplete(self) -> bool:  # noqa: N802
        return self._done


class DonePage(QWizardPage):
    """A summary; Finish opens the window."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("wizard_done")
        self.setTitle("Ready")
        self.summary = _label(name="wizard_summary")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802
        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard)
        report = wizard.report
        version = f" (PostgreSQL {html.escape(report.server_version)})" if report else ""
        self.summary.setText(
            f"Tessera will use <b>{html.escape(wizard.target.label)}</b>{version}.<br><br>"
            "The tables are ready. Press <b>Finish</b> to open Tessera."
        )
