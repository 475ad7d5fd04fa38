"""The first-run wizard: choose where the data lives, check it, apply the migrations.

Pages: Welcome → Where the data lives → Check → Apply → Done. Every check and migration
runs on the qasync loop; the wizard stays responsive and says, in words, what it found.
"Use a local database" on the Welcome page runs the whole way by itself: two clicks
from a new installation to an open window.

The pages live in :mod:`ui.wizard.pages` (Welcome, Where, Done) and
:mod:`ui.wizard.check` (Check, Apply); what they share, in :mod:`ui.wizard.base`.
Import the wizard, its page ids and its pages from here.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget, QWizard

from app.domain.connection_check import DatabaseSetup, Target
from ui.wizard.base import APPLY, BAD, CHECK, DONE, OK, WELCOME, WHERE, WizardBase
from ui.wizard.check import ApplyPage, CheckPage
from ui.wizard.pages import DonePage, WelcomePage, WherePage

__all__ = [
    "APPLY",
    "BAD",
    "CHECK",
    "DONE",
    "OK",
    "WELCOME",
    "WHERE",
    "ApplyPage",
    "CheckPage",
    "DonePage",
    "SetupWizard",
    "WelcomePage",
    "WherePage",
]


class SetupWizard(WizardBase):
    """Leads from nothing to a migrated database; ``target`` is the result."""

    def __init__(
        self,
        setup: DatabaseSetup,
        parse_url: Callable[[str], Target],
        *,
        start: int = WELCOME,
        target: Target | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(setup, parse_url, target=target, parent=parent)
        self.setObjectName("setup_wizard")
        self.setWindowTitle("Set up Tessera")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage)
        self.setMinimumSize(640, 470)
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
