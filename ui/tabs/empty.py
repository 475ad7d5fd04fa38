"""What an empty table says ("No users yet — press Ctrl+N to add one."), over its viewport."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QWidget


class EmptyNote(QLabel):
    """A centred note on a table's viewport that follows its size; shown only with text."""

    def __init__(self, viewport: QWidget, name: str) -> None:
        super().__init__(viewport)
        self.setObjectName(name)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setStyleSheet("color: palette(placeholder-text); font-size: 15px;")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        viewport.installEventFilter(self)

    def say(self, text: str) -> None:
        """Show ``text`` (hide the note when it is empty)."""
        self.setText(text)
        self.setVisible(bool(text))
        self._place()

    def _place(self) -> None:
        viewport = self.parentWidget()
        if viewport is not None:
            self.setGeometry(viewport.rect().adjusted(40, 40, -40, -40))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self._place()
        return super().eventFilter(watched, event)
