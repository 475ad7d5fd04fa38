"""An open record form (New or Edit), filled and saved through its widgets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from app.domain.validation import WHOLE_FORM
from tessera.testing.driver import Driver
from tessera.testing.driving import choose, click, replace_text, set_checked, set_moment
from tessera.testing.waiting import until, visible_window
from ui.dialogs.conflict import ConflictDialog
from ui.dialogs.form import RecordDialog
from ui.dialogs.owner_picker import OwnerPicker

Side = Literal["mine", "theirs"]
Clash = Literal["save", "back"]


class Form:
    """A record dialog that is open: fill fields by name, save, read its errors.

    Field names are the form's own (``email``, ``display_name``, ``owner_id`` …); the widget
    of field ``f`` in dialog ``d`` is called ``d_f``. ``owner`` is accepted for ``owner_id``.
    """

    def __init__(self, driver: Driver, dialog: RecordDialog) -> None:
        self.driver = driver
        self.dialog = dialog
        self.conflicts: list[str] = []  # fields the last conflict comparison showed
        self.clash = ""  # what the last overlap warning said

    @property
    def name(self) -> str:
        """The dialog's objectName (``user_dialog``)."""
        return self.dialog.objectName()

    def widget(self, field: str) -> QWidget:
        """The input of ``field``."""
        found = self.dialog.findChild(QWidget, f"{self.name}_{field}")
        if found is None and field == "owner":
            found = self.dialog.findChild(QWidget, f"{self.name}_owner_id")
        assert found is not None, f"{self.name} has no field {field!r}"
        return found

    async def fill(self, **fields: Any) -> None:
        """Set each field as a person would: typing, arrow keys, the space bar, a pick."""
        for field, value in fields.items():
            await self.set(field, value)

    async def set(self, field: str, value: Any) -> None:
        """Set one field (see :meth:`fill`)."""
        qtbot = self.driver.qtbot
        widget = self.widget(field)
        if isinstance(widget, OwnerPicker):
            await self.driver.pick_owner(widget, str(value))
        elif isinstance(widget, QLineEdit | QPlainTextEdit):
            replace_text(qtbot, widget, str(value))
        elif isinstance(widget, QComboBox):
            choose(qtbot, widget, value)
        elif isinstance(widget, QCheckBox):
            set_checked(qtbot, widget, bool(value))
        elif isinstance(widget, QDateTimeEdit) and isinstance(value, datetime | date):
            set_moment(widget, value)
        else:
            editor = widget.findChild(QDateTimeEdit)
            unknown = f"do not know how to put {value!r} into {widget.objectName()}"
            assert editor is not None, unknown
            assert isinstance(value, datetime | date), unknown
            set_moment(editor, value)

    def errors(self) -> dict[str, str]:
        """The messages shown now, by field name ("" for the whole form)."""
        found: dict[str, str] = {}
        prefix = f"{self.name}_"
        for label in self.dialog.findChildren(QLabel):
            name = label.objectName()
            if not (name.startswith(prefix) and name.endswith("_error")):
                continue
            if label.isVisibleTo(self.dialog) and label.text():
                field = name[len(prefix) : -len("_error")]
                found[WHOLE_FORM if field == "form" else field] = label.text()
        return found

    @property
    def note(self) -> str:
        """What the form says about changes made elsewhere meanwhile ("" when nothing)."""
        label = self.dialog.findChild(QLabel, f"{self.name}_changed")
        return label.text() if label is not None and label.isVisibleTo(self.dialog) else ""

    async def save(
        self,
        *,
        expect_errors: bool = False,
        conflict: Side | None = None,
        clash: Clash | None = None,
    ) -> Any:
        """Press Save and wait until the form closes or shows errors.

        Args:
            expect_errors: return the field errors (a dict) instead of failing on them; the
                form is cancelled then.
            conflict: when a comparison opens (someone else saved meanwhile), keep ``mine``
                or ``theirs`` for every field; None fails the test if one opens.
            clash: when an overlap warning opens, ``save`` anyway or go ``back``; None
                fails the test if one opens.

        Returns:
            The stored record (a domain object), the errors with ``expect_errors``, or None
            after ``clash="back"`` (the form stays open).
        """
        self.driver.press_save(self.dialog)
        outcome = await until(self._outcome, self.driver.within, f"{self.name} to save")
        while outcome in ("conflict", "clash"):
            await (self._settle(conflict) if outcome == "conflict" else self._answer(clash))
            if outcome == "clash" and clash == "back":
                return None  # back at the form, nothing saved
            outcome = await until(self._outcome, self.driver.within, f"{self.name} to save")
        if outcome == "errors":
            errors = self.errors()
            await self.cancel()
            if expect_errors:
                return errors
            raise AssertionError(f"{self.name} refused to save: {errors}")
        assert not expect_errors, f"{self.name} saved, but errors were expected"
        await self.driver.idle()
        return self.dialog.saved

    def _outcome(self) -> str:
        if visible_window(ConflictDialog) is not None:
            return "conflict"
        if visible_window(QMessageBox, "clash_dialog") is not None:
            return "clash"
        if self.dialog.tasks.busy:
            return ""
        if not self.dialog.isVisible():
            return "saved"
        return "errors" if self.errors() else ""

    async def _settle(self, side: Side | None) -> None:
        dialog = visible_window(ConflictDialog)
        assert dialog is not None
        self.conflicts = sorted(
            name.removeprefix("conflict_dialog_").removesuffix("_status")
            for name in (w.objectName() for w in dialog.findChildren(QLabel))
            if name.endswith("_status")
        )
        assert side is not None, f"someone else changed {self.conflicts}: pass conflict=…"
        for name in (f"conflict_dialog_all_{side}", "conflict_dialog_apply"):
            button = dialog.findChild(QPushButton, name)
            assert button is not None, f"the comparison has no {name}"
            click(self.driver.qtbot, button)
        await until(lambda: not dialog.isVisible(), self.driver.within, "the comparison to close")

    async def _answer(self, answer: Clash | None) -> None:
        box = visible_window(QMessageBox, "clash_dialog")
        assert box is not None
        self.clash = "\n".join((box.text(), box.informativeText()))
        assert answer is not None, f"an overlap warning opened: {self.clash!r}; pass clash=…"
        button = box.findChild(QPushButton, f"clash_{answer}")
        assert button is not None
        click(self.driver.qtbot, button)
        await until(lambda: not box.isVisible(), self.driver.within, "the warning to close")

    async def cancel(self) -> None:
        """Press Cancel (and Discard, if the form asks) and wait for the form to close."""
        if not self.dialog.isVisible():
            return
        cancel = self.dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        click(self.driver.qtbot, cancel)

        def closed_or_asking() -> QMessageBox | bool:
            asking = visible_window(QMessageBox, "confirm_dialog")
            return asking or not self.dialog.isVisible()

        asking = await until(closed_or_asking, self.driver.within, "the form to close")
        if isinstance(asking, QMessageBox):
            discard = asking.findChild(QPushButton, "confirm_yes")
            assert discard is not None
            click(self.driver.qtbot, discard)
            await until(lambda: not self.dialog.isVisible(), self.driver.within, "the form")
        await self.driver.idle()


def row_of(columns: Any, record: Any) -> dict[str, str]:
    """A record as a table row would show it: column header → text."""
    return {column.header: column.text(record) for column in columns}
