"""Cells cut short with "…" show their whole text as a tooltip.

A column may give a tooltip of its own (a token's status explained); a cut cell then shows
its whole text first and that tooltip under it. A cell that fits keeps only its own.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
)


class ElidedTipDelegate(QStyledItemDelegate):
    """Paints as Qt does; a tooltip event over a cut cell shows the cell's whole text."""

    def helpEvent(  # noqa: N802
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        if event is not None and event.type() == QEvent.Type.ToolTip and index.isValid():
            text = index.data(Qt.ItemDataRole.DisplayRole)
            if isinstance(text, str) and text and self._cut(text, view, option, index):
                own = index.data(Qt.ItemDataRole.ToolTipRole)
                tip = text if not own or own == text else f"{text}\n{own}"
                QToolTip.showText(event.globalPos(), tip, view)
                return True
        return super().helpEvent(event, view, option, index)

    def _cut(
        self,
        text: str,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        cell = QStyleOptionViewItem(option)
        cell.rect = view.visualRect(view.model().index(index.row(), index.column()))
        self.initStyleOption(cell, index)
        style = view.style()
        room = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, cell, view)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        return cell.fontMetrics.horizontalAdvance(text) > room.width() - 2 * margin
