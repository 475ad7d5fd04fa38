"""What a form's inputs hold, and which of their widgets take focus by Tab, in order."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)


def focusables(widget: QWidget) -> list[QWidget]:
    """``widget`` if Tab reaches it, else its direct children that Tab reaches (a row of them)."""
    if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
        return [widget]
    children = widget.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
    return [c for c in children if c.focusPolicy() & Qt.FocusPolicy.TabFocus]


def state_of(widget: QWidget) -> object:
    """What an input holds now, to tell whether anything was typed or chosen."""
    match widget:
        case QLineEdit():
            return widget.text()
        case QPlainTextEdit():
            return widget.toPlainText()
        case QTextEdit():
            return widget.toPlainText()
        case QDateTimeEdit():
            return widget.dateTime().toMSecsSinceEpoch()
        case QAbstractSpinBox():
            return widget.text()
        case QComboBox():
            return widget.currentIndex()
        case QAbstractButton() if widget.isCheckable():
            return widget.isChecked()
    return None
