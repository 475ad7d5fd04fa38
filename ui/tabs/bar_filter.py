"""The chart bar a person clicked, shown as a chip that removes the filter it stands for.

The bar counts unrevoked tokens (the chart is about what will expire), so the list it
filters shows unrevoked tokens only: the bar's number and the list's rows agree.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QToolButton

from app.domain.tokens import ExpiryBucket, TokenStatus

# A bar is about expiring: every status but revoked.
UNREVOKED = frozenset({TokenStatus.ACTIVE, TokenStatus.EXPIRING_SOON, TokenStatus.EXPIRED})


class BarChip(QToolButton):
    """ "Expires week of Dec 7 ✕": a click, Space, Enter or Esc in the table removes it."""

    def __init__(self, name: str, view: QAbstractItemView, clear: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName(f"{name}_bar_chip")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip("Remove this filter (Esc in the table)")
        self.setVisible(False)
        self.clicked.connect(lambda: clear())
        self.clear_action = QAction("Remove the chart filter", view)
        self.clear_action.setObjectName(f"{name}_clear_bar")
        self.clear_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.clear_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.clear_action.setEnabled(False)
        self.clear_action.triggered.connect(lambda: clear())
        view.addAction(self.clear_action)

    def show_bucket(self, bucket: ExpiryBucket | None, label: str) -> None:
        """Show the chip for ``bucket`` (whose bar reads ``label``), or hide it for None."""
        self.clear_action.setEnabled(bucket is not None)
        self.setVisible(bucket is not None)
        if bucket is None:
            return
        if bucket.starts is None:
            text, name = "Already expired ✕", "Remove the filter: already expired"
        else:
            text = "Expires week of {week} ✕".replace("{week}", label)
            name = "Remove the filter: expires in the week of {week}".replace("{week}", label)
        self.setText(text)
        self.setAccessibleName(name)
