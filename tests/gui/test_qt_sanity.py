"""Guards against a broken Qt binding: PySide6 6.12.0 lost a reference to True or False on
every signal emission, and Tessera's window aborted after a few thousand of them."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QCheckBox


class _Emitter(QObject):
    flag = Signal(bool)
    anything = Signal(object)


def test_signals_keep_the_reference_counts_of_true_and_false(qapp: QApplication) -> None:
    emitter = _Emitter()
    box = QCheckBox()
    received: list[object] = []
    emitter.flag.connect(received.append)
    emitter.anything.connect(received.append)
    box.toggled.connect(received.append)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(200):
        emitter.flag.emit(True)
        emitter.anything.emit(False)
        box.setChecked(not box.isChecked())
    received.clear()
    assert (sys.getrefcount(True), sys.getrefcount(False)) == before
