"""The tabs' actions: one QAction each, shared by toolbar, menu and shortcut; why one is off."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


def make_action(
    owner: QWidget, name: str, text: str, shortcut: QKeySequence.StandardKey | None, slot: Any
) -> QAction:
    """An action of ``owner``'s, its shortcut working while focus is anywhere inside it."""
    action = QAction(text, owner)
    action.setObjectName(name)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(f"{text} ({QKeySequence(shortcut).toString()})")
    owner.addAction(action)
    action.triggered.connect(lambda: slot())
    return action


def explain(action: QAction, read_only: bool, reason: str) -> None:
    """While read-only a write action's tooltip says why it is off; then it is restored."""
    base = action.property("base_tip")
    if read_only:
        if base is None:
            base = action.toolTip()
            action.setProperty("base_tip", base)
        action.setToolTip(f"{base} — not available. {reason}")
    elif base is not None:
        action.setToolTip(str(base))
        action.setProperty("base_tip", None)


def refuse(action: QAction, reason: str) -> None:
    """Turn ``action`` off for the selection, its tooltip saying ``reason``; "" offers it."""
    if reason:
        action.setEnabled(False)
        explain(action, True, reason)
