"""What the setup wizard's pages share: page ids, the wizard's state, a base page.

The pages read and write the wizard's state (target, report, ...) through
:class:`WizardBase`, so they need not import :class:`ui.wizard.setup_wizard.SetupWizard`, which
builds them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget, QWizard, QWizardPage

from app.domain.connection_check import CheckReport, DatabaseSetup, Target
from ui.tasks import TaskRunner

WELCOME, WHERE, CHECK, APPLY, DONE = range(5)
OK, BAD = "✔", "✘"


def rich_label(text: str = "", name: str = "") -> QLabel:
    """A word-wrapped rich-text label, named when ``name`` is given."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    if name:
        label.setObjectName(name)
    return label


class WizardBase(QWizard):
    """The state the pages share; :class:`ui.wizard.setup_wizard.SetupWizard` adds the pages."""

    checked = Signal(object)  # CheckReport, or None when the check failed
    applied = Signal(object)  # True or False; Signal(bool) miscounts references in PySide6 6.12

    def __init__(
        self,
        setup: DatabaseSetup,
        parse_url: Callable[[str], Target],
        *,
        target: Target | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setup = setup
        self.parse_url = parse_url
        self.target = target or Target()
        self.report: CheckReport | None = None
        self.automatic = False
        self.tasks = TaskRunner(self)

    def quick_local(self) -> None:
        """Local database, checked and migrated without further questions."""
        raise NotImplementedError


class WizardPage(QWizardPage):
    """A page of the setup wizard."""

    def _wizard(self) -> WizardBase:
        wizard = self.wizard()
        assert isinstance(wizard, WizardBase)
        return wizard
