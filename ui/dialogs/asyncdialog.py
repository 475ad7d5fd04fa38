"""Dialogs that can be awaited without a nested event loop (``exec`` would block qasync)."""

from __future__ import annotations

import asyncio
import contextlib

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget


async def shown(dialog: QDialog) -> int:
    """Open ``dialog`` window-modal and wait until it closes; returns its result code."""
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def finished(result: int) -> None:
        if not done.done():
            done.set_result(result)

    dialog.finished.connect(finished)
    dialog.open()
    try:
        return await done
    finally:
        with contextlib.suppress(RuntimeError):  # the dialog may be gone with its window
            dialog.finished.disconnect(finished)


async def confirm(
    parent: QWidget, title: str, text: str, action: str, detail: str = "", back: str = ""
) -> bool:
    """Ask a yes/no question whose yes button names the action ("Delete 3 users").

    ``back`` names the no button ("Keep editing"); it is Cancel when not given.
    """
    box = QMessageBox(parent)
    box.setObjectName("confirm_dialog")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    if detail:
        box.setInformativeText(detail)
    yes = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    yes.setObjectName("confirm_yes")
    if back:
        cancel = box.addButton(back, QMessageBox.ButtonRole.RejectRole)
    else:
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    cancel.setObjectName("confirm_cancel")
    box.setDefaultButton(cancel)
    await shown(box)
    return box.clickedButton() is yes
