"""A cell whose text is cut with "…" shows its whole text as a tooltip; a whole one does not."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem, QToolTip
from pytestqt.qtbot import QtBot

from tests.gui.test_table_model import _no_health, _user
from ui.tabs.columns import user_columns
from ui.tabs.table_model import RecordTableModel, record_view

LONG = "Ms Maximiliane Friederike von Hohenzollern-Sigmaringen of the Accounts department"


def _tip_of(qtbot: QtBot, name: str) -> str:
    model = RecordTableModel(user_columns(_no_health))
    model.reset([_user(1).model_copy(update={"display_name": name})], has_more=False)
    view = record_view("users", model, ("id", False))
    qtbot.addWidget(view)
    view.resize(900, 300)
    view.show()
    qtbot.waitExposed(view)
    index = model.index(0, model.column_named("display_name"))
    view.setColumnWidth(index.column(), 120)
    QToolTip.hideText()
    rect = view.visualRect(index)
    where = rect.center()
    event = QHelpEvent(QEvent.Type.ToolTip, where, view.viewport().mapToGlobal(where))
    option = QStyleOptionViewItem()
    option.rect = rect
    option.font = view.font()
    option.fontMetrics = view.fontMetrics()
    view.itemDelegateForIndex(index).helpEvent(event, view, option, index)
    shown = QToolTip.text() if QToolTip.isVisible() else ""
    QToolTip.hideText()
    QApplication.processEvents()
    return shown


def test_a_cut_name_shows_whole_in_its_tooltip(qtbot: QtBot) -> None:
    assert LONG in _tip_of(qtbot, LONG)


def test_a_name_that_fits_has_no_tooltip_of_its_own(qtbot: QtBot) -> None:
    assert _tip_of(qtbot, "Ana") == ""
