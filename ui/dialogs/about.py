"""Help → About: Tessera's version, Qt's, and the database's."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from app import __version__
from ui.dialogs.asyncdialog import shown


def about_text(database: str, server_version: str) -> str:
    """What the About box says."""
    return (
        f"Tessera {__version__}\nUsers, tokens and events of the scheduling service.\n\n"
        f"Qt {qVersion()}\nDatabase: {database} (PostgreSQL {server_version})"
    )


async def show_about(
    parent: QWidget, database: str, server_version: Callable[[], Awaitable[str]]
) -> None:
    """Ask the server its version, then show the About box (still worth showing without it)."""
    try:
        server = await server_version()
    except Exception:
        server = "unknown"
    box = QMessageBox(parent)
    box.setObjectName("about_dialog")
    box.setWindowTitle("About Tessera")
    box.setIcon(QMessageBox.Icon.Information)
    box.setText(about_text(database, server))
    await shown(box)
