"""Page objects of the Users and Tokens tabs: what a tester does there, through the widgets."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QToolButton,
)

from app.domain.tokens import QuickFilter
from tessera.testing.driver import Driver
from tessera.testing.driving import CTRL, click, click_row, replace_text, shortcut
from tessera.testing.forms import Form, row_of
from tessera.testing.waiting import modal, until
from ui.dialogs.form import RecordDialog
from ui.dialogs.tokens import SecretDialog
from ui.tabs.base import RecordTab
from ui.tabs.tokens import QUICK_LABELS, TokensTab

Row = dict[str, str]


class TablePage:
    """One tab: its table, search, and the New / Edit / Delete actions, driven by keys."""

    tab_name: ClassVar[str]

    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.last_form: Form | None = None

    @property
    def tab(self) -> RecordTab[Any, Any]:
        """The tab's widget."""
        found = self.driver.window.findChild(RecordTab, f"{self.tab_name}_tab")
        assert found is not None, f"no {self.tab_name} tab"
        return found

    async def show(self) -> None:
        """Bring the tab to the front (its mnemonic, Alt+U / Alt+T / Alt+E)."""
        tabs = self.driver.window.tabs
        if tabs.currentWidget() is not self.tab:
            tabs.setCurrentWidget(self.tab)
        await self.driver.idle()

    async def search(self, text: str) -> list[Row]:
        """Type ``text`` into the tab's search field; returns the rows it then shows."""
        await self.show()
        replace_text(self.driver.qtbot, self.tab.search, text)
        return await self.rows()

    async def rows(self) -> list[Row]:
        """The rows the table shows now (once settled), as header text → cell text."""
        await self.driver.idle()
        view = self.tab.view
        model = view.model()
        headers = [
            str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())
        ]
        return [
            {header: str(model.data(model.index(r, c)) or "") for c, header in enumerate(headers)}
            for r in range(model.rowCount())
        ]

    def _keys(self) -> dict[str, str]:
        # A row may be matched by a column's key ("display_name") or its header ("Name").
        keys: dict[str, str] = {}
        for column in self.tab.model.columns:
            keys[column.key.casefold()] = column.header
            keys[column.header.casefold().replace(" ", "_")] = column.header
        return keys

    def _matching(self, rows: list[Row], match: Mapping[str, Any]) -> list[int]:
        keys = self._keys()
        unknown = [k for k in match if k.casefold() not in keys]
        assert not unknown, f"the {self.tab_name} table has no column {unknown}"
        return [
            number
            for number, row in enumerate(rows)
            if all(row[keys[k.casefold()]] == str(v) for k, v in match.items())
        ]

    async def select(self, add: bool = False, **match: Any) -> Row:
        """Click the one row whose columns have these values (Ctrl+click with ``add``)."""
        rows = await self.rows()
        found = self._matching(rows, match)
        assert len(found) == 1, f"{len(found)} {self.tab_name} rows match {match}: {rows}"
        click_row(self.driver.qtbot, self.tab.view, found[0], add=add)
        await until(
            lambda: found[0] in {i.row() for i in self.tab.view.selectionModel().selectedRows()},
            self.driver.within,
            f"row {match} to be selected",
        )
        return rows[found[0]]

    async def open_new(self) -> Form:
        """Press Ctrl+N in the table and return the New form."""
        await self.show()
        await self.driver.activate()
        shortcut(self.driver.qtbot, self.tab.view, Qt.Key.Key_N, CTRL)
        return await self.form()

    async def open_edit(self, **match: Any) -> Form:
        """Select the row matching ``match``, press Enter, and return the Edit form."""
        await self.select(**match)
        await self.driver.activate()
        shortcut(self.driver.qtbot, self.tab.view, Qt.Key.Key_Return)
        return await self.form()

    async def form(self) -> Form:
        """The record form that is open (or opens within the wait), once it has the focus."""
        window = self.driver.window

        def opened() -> RecordDialog | None:
            for widget in QApplication.topLevelWidgets():
                owner = widget.parentWidget()
                mine = owner is not None and owner.window() is window
                if isinstance(widget, RecordDialog) and widget.isVisible() and mine:
                    return widget
            return None

        dialog: RecordDialog = await until(opened, self.driver.within, "a form of this window")
        if not dialog.isActiveWindow():
            dialog.activateWindow()
        await until(dialog.isActiveWindow, self.driver.within, "the form to take the focus")
        self.last_form = Form(self.driver, dialog)
        return self.last_form

    async def create(self, *, expect_errors: bool = False, **fields: Any) -> Any:
        """New, fill ``fields``, Save. Returns the new row as the table shows rows.

        With ``expect_errors=True`` returns the errors shown (field name → message)
        instead, and cancels the form.
        """
        form = await self.open_new()
        await form.fill(**fields)
        saved = await form.save(expect_errors=expect_errors)
        return saved if expect_errors else self.shown_as(saved)

    async def edit(self, match: Mapping[str, Any], **fields: Any) -> Row:
        """Open the row matching ``match``, change ``fields``, Save; returns the row."""
        form = await self.open_edit(**match)
        await form.fill(**fields)
        return self.shown_as(await form.save())

    def shown_as(self, record: Any) -> Row:
        """A stored record as this tab's table shows it."""
        return row_of(self.tab.model.columns, record)

    async def delete_selected(self) -> str:
        """Press Delete, confirm; returns what the status bar then says."""
        await self.driver.activate()
        shortcut(self.driver.qtbot, self.tab.view, Qt.Key.Key_Delete)
        await self.confirm()
        return self.driver.window.statusBar().currentMessage()

    async def confirm(self) -> str:
        """Answer yes to the question that is open; returns its text."""
        box = await modal(QMessageBox, "confirm_dialog", self.driver.within)
        asked = box.text()
        yes = box.findChild(QPushButton, "confirm_yes")
        assert yes is not None
        click(self.driver.qtbot, yes)
        await until(lambda: not box.isVisible(), self.driver.within, "the question to close")
        await self.driver.idle()
        return asked


class UsersPage(TablePage):
    """The Users tab."""

    tab_name = "users"


class TokensPage(TablePage):
    """The Tokens tab: issue (the secret is shown once), status, quick filters, rotate."""

    tab_name = "tokens"

    async def issue(self, owner: str, name: str, days: int = 30, **fields: Any) -> str:
        """Issue a token for ``owner`` (an email) lasting ``days``; returns its secret."""
        secret, _ = await self._issue(owner=owner, name=name, days=days, **fields)
        return secret

    async def create(self, *, expect_errors: bool = False, **fields: Any) -> Any:
        """Issue a token from ``fields`` (``owner``, ``name``, ``scopes``, ``days`` or
        ``expires_at``); returns its row, or the errors with ``expect_errors``."""
        if expect_errors:
            form = await self._filled(**fields)
            return await form.save(expect_errors=True)
        _, row = await self._issue(**fields)
        return row

    async def _filled(self, days: int | None = None, **fields: Any) -> Form:
        form = await self.open_new()
        await form.fill(**fields)
        if days is not None:
            preset = form.dialog.findChild(QPushButton, f"token_dialog_preset_{days}")
            if preset is not None:
                click(self.driver.qtbot, preset)
            else:
                await form.set("expires_at", self.driver.clock() + timedelta(days=days))
        return form

    async def _issue(self, **fields: Any) -> tuple[str, Row]:
        form = await self._filled(**fields)
        issued = await form.save()
        secret = await self._close_secret()
        assert secret == issued.secret, "the secret shown is not the one issued"
        return secret, self.shown_as(issued.token)

    async def _close_secret(self) -> str:
        dialog = await modal(SecretDialog, within=self.driver.within)
        secret = dialog.findChild(QLineEdit, "secret_dialog_secret")
        assert secret is not None
        text = secret.text()
        box = dialog.findChild(QDialogButtonBox)
        assert box is not None
        click(self.driver.qtbot, box.button(QDialogButtonBox.StandardButton.Close))
        await until(lambda: not dialog.isVisible(), self.driver.within, "the secret to close")
        await self.driver.idle()
        return text

    async def status_of(self, name: str) -> str:
        """The status words the table shows for the token called ``name``."""
        found = [row for row in await self.rows() if row["Name"] == name]
        assert len(found) == 1, f"{len(found)} tokens are called {name!r}"
        return found[0]["Status"]

    async def quick_filter(self, name: str | None) -> list[Row]:
        """Click a quick filter ("Expiring soon", or its key "expiring"); None clears it.

        Returns the rows it shows.
        """
        await self.show()
        tab = self.tab
        assert isinstance(tab, TokensTab)
        if name is None:
            for checked in [b for b in tab.quick_buttons.values() if b.isChecked()]:
                click(self.driver.qtbot, checked)
            return await self.rows()
        quick = _quick(name)
        button = tab.findChild(QToolButton, f"tokens_quick_{quick.value}")
        assert button is not None
        if not button.isChecked():
            click(self.driver.qtbot, button)
        return await self.rows()

    def quick_counts(self) -> dict[str, int]:
        """The count on each quick filter button, by its label."""
        tab = self.tab
        assert isinstance(tab, TokensTab)
        return {QUICK_LABELS[q]: tab.counts.get(q, 0) for q in QUICK_LABELS}

    async def rotate(self, name: str) -> str:
        """Select the token called ``name``, Rotate, confirm; returns the successor's secret."""
        await self.select(name=name)
        tab = self.tab
        assert isinstance(tab, TokensTab)
        button = _tool_button(tab, "tokens_rotate")
        click(self.driver.qtbot, button)
        await self.confirm()
        return await self._close_secret()


def _quick(name: str) -> QuickFilter:
    for quick, label in QUICK_LABELS.items():
        if name.casefold() in (label.casefold(), quick.value.casefold()):
            return quick
    raise AssertionError(f"no quick filter {name!r}: {list(QUICK_LABELS.values())}")


def _tool_button(tab: RecordTab[Any, Any], action: str) -> QToolButton:
    """The toolbar's button of an action (toolbar buttons have no objectName of their own)."""
    for button in tab.toolbar.findChildren(QToolButton):
        shown = button.defaultAction()
        if shown is not None and shown.objectName() == action:
            return button
    raise AssertionError(f"the toolbar has no button for {action}")
