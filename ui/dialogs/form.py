"""Form plumbing: a field with its error underneath, and a dialog that saves asynchronously."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.acting import current_action
from app.domain.changes import Change, Entity, Operation
from app.domain.errors import (
    AlreadyExists,
    Conflict,
    DomainError,
    InvalidInput,
    InvalidReference,
    NotFound,
    Unavailable,
)
from app.domain.validation import WHOLE_FORM
from ui.connection import ConnectionWatcher
from ui.dialogs.asyncdialog import confirm
from ui.dialogs.inputs import focusables, state_of
from ui.format import local
from ui.tasks import UNEXPECTED, TaskRunner

ERROR_STYLE = "color: #c62828;"  # readable on light and dark backgrounds alike


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def field_errors(error: DomainError) -> dict[str, str]:
    """Where a domain error belongs in a form: field → words (WHOLE_FORM for the whole form)."""
    if isinstance(error, InvalidInput):
        return dict(error.errors)
    if isinstance(error, AlreadyExists | InvalidReference):
        return {error.field: error.message}
    return {WHOLE_FORM: error.message}


class RecordDialog(QDialog):
    """A form whose Save runs a coroutine; errors land at their fields, nothing is lost.

    Subclasses add rows with :meth:`add_field` and implement :meth:`save`. One that edits a
    stored record sets :attr:`deleted_text` and settles a newer version in
    :meth:`resolve_conflict`.

    It opens with focus in its first field and Save as the default button (Enter saves);
    Esc, Cancel or closing it asks before throwing typed input away. A parent with a
    ``select_saved(row)`` method hears of the row saved (:attr:`stored`).
    """

    #: The record saved (see :meth:`saved_row`), emitted just before the dialog closes.
    stored = Signal(object)

    #: What the form says when the record was deleted meanwhile ("" shows the plain error).
    deleted_text = ""

    def __init__(self, name: str, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.tasks = TaskRunner(self)
        outer = getattr(parent, "tasks", None)
        if isinstance(outer, TaskRunner):
            # A save that finds the server gone tells the window's connection watcher too.
            self.tasks.unavailable.connect(outer.unavailable)
        watcher = getattr(parent.window() if parent else None, "connection", None)
        if isinstance(watcher, ConnectionWatcher):
            watcher.reconnected.connect(self._connection_back)
        self._outage = ""  # the "cannot be reached" shown at the form, until it is back
        select_saved = getattr(parent, "select_saved", None)
        if callable(select_saved):
            self.stored.connect(select_saved)
        self._errors: dict[str, QLabel] = {}
        self._inputs: dict[str, QWidget] = {}
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form_error = QLabel()
        self.form_error.setObjectName(f"{name}_form_error")
        self.form_error.setStyleSheet(ERROR_STYLE)
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.setObjectName(f"{name}_buttons")
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName(f"{name}_save")
        self.save_button.setDefault(True)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName(f"{name}_cancel")
        self.buttons.accepted.connect(self._save_clicked)
        self.buttons.rejected.connect(self.cancel)
        # Said when the change log shows the record changed by someone else meanwhile.
        self.changed_note = QLabel()
        self.changed_note.setObjectName(f"{name}_changed")
        self.changed_note.setStyleSheet(ERROR_STYLE)
        self.changed_note.setWordWrap(True)
        self.changed_note.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.changed_note)
        layout.addLayout(self.form)
        layout.addWidget(self.form_error)
        layout.addWidget(self.buttons)
        self.saved: Any = None
        self._can_save = True
        self.editing: tuple[Entity, int] | None = None  # the stored record being edited
        self._action = current_action()  # this dialog's own writes are not news to it
        self._as_opened: tuple[object, ...] | None = None  # the inputs when first shown
        self._asking = False

    # Keyboard, focus, and leaving ---------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._as_opened is not None:
            return
        # The buttons were made before the fields: put the fields first in the Tab order.
        chain = [w for i in self._inputs.values() for w in focusables(i)]
        chain += [self.save_button, self.cancel_button]
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)
        chain[0].setFocus(Qt.FocusReason.OtherFocusReason)
        self._as_opened = self._state()

    def _state(self) -> tuple[object, ...]:
        return tuple(state_of(w) for i in self._inputs.values() for w in focusables(i))

    def changed(self) -> bool:
        """Whether anything was typed or chosen since the dialog opened."""
        return self._as_opened is not None and self._state() != self._as_opened

    def cancel(self) -> None:
        """Cancel, Esc, closing the window: ask first when typed input would be lost."""
        if not self.changed():
            self.reject()
        elif not self._asking:
            self._asking = True
            self.tasks.spawn(self._ask_to_discard(), name=f"{self.objectName()}: discard?")

    async def _ask_to_discard(self) -> None:
        try:
            discard = await confirm(
                self,
                "Discard changes",
                "Discard your changes?",
                "Discard",
                "What you typed here has not been saved.",
                back="Keep editing",
            )
        finally:
            self._asking = False
        if discard:
            self.reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.matches(QKeySequence.StandardKey.Cancel):
            self.cancel()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.changed() and _loop_running():  # none runs while the program shuts down
            event.ignore()
            self.cancel()
            return
        super().closeEvent(event)

    def _connection_back(self) -> None:
        # The window reconnected: a "cannot be reached" at the form is no longer true.
        if self._outage and self.form_error.text() == self._outage:
            self.form_error.clear()
            self.form_error.hide()
            self.adjustSize()
        self._outage = ""

    def saved_row(self) -> Any:
        """The table row the save produced (None when it is not one row)."""
        return self.saved

    def changed_elsewhere(self, change: Change) -> None:
        """Say, before Save, that someone else changed (or deleted) the record meanwhile."""
        if change.action is not None and change.action == self._action:
            return
        who = f"{change.actor} ({change.program})" if change.program else change.actor
        if change.operation is Operation.DELETE:
            text = f"Deleted by {who} at {local(change.changed_at)} while you were editing."
        else:
            text = (
                f"Changed by {who} at {local(change.changed_at)} while you were editing: "
                "Save shows what changed and lets you choose."
            )
        self.changed_note.setText(text)
        self.changed_note.show()

    def add_field(self, field: str, label: str, widget: QWidget, help_text: str = "") -> None:
        """A labelled input with a (hidden) error line under it."""
        widget.setObjectName(f"{self.objectName()}_{field}")
        if help_text:
            widget.setToolTip(help_text)
        error = QLabel()
        error.setObjectName(f"{self.objectName()}_{field}_error")
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(error)
        self.form.addRow(label, box)
        self._errors[field] = error
        self._inputs[field] = widget
        for button in [widget, *widget.findChildren(QPushButton)]:
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)  # Enter saves, whatever was clicked last

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Put each message at its field; one that fits no field goes above the buttons."""
        for label in self._errors.values():
            label.hide()
        loose: list[str] = []
        for field, message in errors.items():
            at = self._errors.get(field)
            if at is None:
                loose.append(message)
                continue
            at.setText(message)
            at.show()
        self.form_error.setText("\n".join(loose))
        self.form_error.setVisible(bool(loose))
        first = next((f for f in errors if f in self._inputs), None)
        if first is not None:
            self._inputs[first].setFocus()
        self.adjustSize()  # make room for the messages

    def error_at(self, field: str) -> str:
        """The message shown at ``field`` ("" when none)."""
        label = self._errors[field] if field else self.form_error
        return label.text() if label.isVisibleTo(self) else ""

    async def save(self) -> Any:
        """Build the input and call the service; raise DomainError to show it."""
        raise NotImplementedError

    async def resolve_conflict(self, error: Conflict) -> Any:
        """Settle a save that met a newer version of the record.

        Returns the stored record, or None when nothing was saved (having said why at the
        form). Raising NotFound says the record is gone. The default shows the error.
        """
        raise error

    def record_deleted(self) -> None:
        """Say the record is gone; keep what was typed, but offer no save that cannot work."""
        self.show_errors({WHOLE_FORM: self.deleted_text})
        self._can_save = False
        self.save_button.setEnabled(False)
        self.save_button.setToolTip("The record no longer exists. Copy what you need, then Cancel.")

    def _save_clicked(self) -> None:
        if self._can_save:
            self.tasks.spawn(self._save(), name=f"{self.objectName()}: save")

    async def _save(self) -> None:
        self.save_button.setEnabled(False)
        try:
            try:
                saved = await self.save()
            except Conflict as error:
                saved = await self.resolve_conflict(error)
        except NotFound as error:
            if not self.deleted_text:
                self.show_errors(field_errors(error))
                return
            self.record_deleted()
            return
        except DomainError as error:
            self.show_errors(field_errors(error))
            if isinstance(error, Unavailable):
                self._outage = error.message
                self.tasks.unavailable.emit(error.message)
            return
        except Exception:
            self.show_errors({WHOLE_FORM: UNEXPECTED})
            raise
        finally:
            self.save_button.setEnabled(self._can_save)
        if saved is None:
            return
        self.saved = saved
        if (row := self.saved_row()) is not None:
            self.stored.emit(row)
        self.accept()
