"""Driving real widgets the way a person does: keys, clicks, and an input method for text.

pytest-qt's ``keyClicks`` types only what a keyboard layout has keys for; text beyond
ASCII (Hangul, accents) arrives the way an input method delivers it, as a committed
``QInputMethodEvent``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QPoint, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type ``text`` into the focused ``widget``: keys for ASCII, an input method for the rest."""
    run = ""
    for char in text:
        if run and char.isascii() != run[-1].isascii():
            _send(qtbot, widget, run)
            run = ""
        run += char
    _send(qtbot, widget, run)


def _send(qtbot: QtBot, widget: QWidget, run: str) -> None:
    if not run:
        return
    if run.isascii():
        qtbot.keyClicks(widget, run)
        return
    event = QInputMethodEvent()
    event.setCommitString(run)
    QApplication.sendEvent(widget, event)


def replace_text(qtbot: QtBot, widget: QLineEdit | QPlainTextEdit, text: str) -> None:
    """Select everything in the field (Ctrl+A), then type ``text`` over it."""
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, CTRL)
    if text:
        type_text(qtbot, widget, text)
    else:
        qtbot.keyClick(widget, Qt.Key.Key_Delete)


def choose(qtbot: QtBot, combo: QComboBox, value: Any) -> None:
    """Pick the item whose text or data is ``value`` with the arrow keys."""
    wanted = _index_of(combo, value)
    combo.setFocus()
    key = Qt.Key.Key_Down if wanted > combo.currentIndex() else Qt.Key.Key_Up
    for _ in range(combo.count()):
        if combo.currentIndex() == wanted:
            return
        qtbot.keyClick(combo, key)
    raise AssertionError(f"could not reach {value!r} in {combo.objectName()} with the keys")


def _index_of(combo: QComboBox, value: Any) -> int:
    text = str(getattr(value, "value", value)).casefold()
    for number in range(combo.count()):
        data = combo.itemData(number)
        candidates = {combo.itemText(number).casefold(), str(getattr(data, "value", data))}
        if text in {c.casefold() for c in candidates}:
            return number
    items = [combo.itemText(n) for n in range(combo.count())]
    raise AssertionError(f"{combo.objectName()} offers no {value!r} (it offers {items})")


def set_checked(qtbot: QtBot, box: QCheckBox, checked: bool) -> None:
    """Tick or untick with the space bar."""
    if box.isChecked() != bool(checked):
        box.setFocus()
        qtbot.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked() == bool(checked), f"{box.objectName()} did not toggle"


def set_moment(edit: QDateTimeEdit, value: datetime | date) -> None:
    """Put a date or an aware time into a date(-time) editor.

    Typed keys depend on the editor's sections and the locale; the editor's own setter is
    what its calendar pop-up calls, so this is what a pick in the pop-up does.
    """
    if isinstance(edit, QDateEdit) or not isinstance(value, datetime):
        day = value.date() if isinstance(value, datetime) else value
        edit.setDate(QDate(day.year, day.month, day.day))
        return
    edit.setDateTime(QDateTime.fromMSecsSinceEpoch(int(value.timestamp() * 1000)))


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    """Click a button in its middle."""
    assert button.isEnabled(), f"{button.objectName() or button.text()} is disabled"
    qtbot.mouseClick(button, LEFT, pos=button.rect().center())


def click_row(qtbot: QtBot, view: QAbstractItemView, row: int, add: bool = False) -> None:
    """Click row ``row`` of a table (Ctrl+click adds it to the selection)."""
    model = view.model()
    index = model.index(row, min(1, model.columnCount() - 1))
    view.scrollTo(index)
    rect = view.visualRect(index)
    modifier = CTRL if add else Qt.KeyboardModifier.NoModifier
    qtbot.mouseClick(view.viewport(), LEFT, modifier, QPoint(rect.center()))


def shortcut(qtbot: QtBot, widget: QWidget, key: Qt.Key, modifier: Any = None) -> None:
    """Press a key (with ``modifier``) with focus in ``widget``'s window."""
    window = widget.window()
    window.activateWindow()
    widget.setFocus()
    qtbot.keyClick(widget, key, modifier or Qt.KeyboardModifier.NoModifier)


def release_modifiers() -> None:
    """Let go of Ctrl, Shift and Alt.

    A key sent with a modifier (``QTest.keyClick(view, Key_End, ControlModifier)``) leaves
    ``QGuiApplication.keyboardModifiers()`` holding it until the next key event, so a later
    ``QTableView.selectRow`` toggles the row instead of selecting it.
    """
    nobody = QWidget()
    for key in (Qt.Key.Key_Control, Qt.Key.Key_Shift, Qt.Key.Key_Alt):
        QTest.keyRelease(nobody, key)
    nobody.deleteLater()
