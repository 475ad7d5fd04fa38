"""The setup wizard's database pages: Check (connect and report) and Apply (migrate)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from app.domain.connection_check import CheckReport
from app.domain.errors import DomainError
from app.domain.schema import Revision, SchemaState
from ui.dialogs.form import ERROR_STYLE
from ui.format import plural
from ui.wizard.base import APPLY, BAD, DONE, OK, WizardPage, rich_label


class CheckPage(WizardPage):
    """Connects and reports: server, database, rights, schema; offers to create the database."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("wizard_check")
        self.setTitle("Checking the database")
        self.status = rich_label(name="wizard_check_status")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(6)
        self.progress.setTextVisible(False)
        self.error = rich_label(name="wizard_check_error")
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
        migrations = plural(count, "{n} migration", "{n} migrations")
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


class ApplyPage(WizardPage):
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
        self.error = rich_label(name="wizard_apply_error")
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
        self.apply.setText(plural(len(pending), "Apply {n} migration", "Apply {n} migrations"))
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
