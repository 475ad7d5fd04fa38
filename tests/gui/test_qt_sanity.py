"""Guards against a broken Qt binding: PySide6 6.12.0 lost a reference to True or False on
every signal emission, and on Python 3.11 Tessera's window aborted after a few hundred of
them ("Fatal Python error: bool_dealloc: deallocating True or False").

Since Python 3.12 True and False are immortal (PEP 683): their reference counts are a
constant that extension modules built for the stable ABI still nudge either way, so they say
nothing there, and the same broken binding loses nothing that matters. The test therefore
asks what a person would notice on every version: a program that sends many booleans
through signals, a checkbox and a bool-returning override lives to the end. Where True and
False are still counted (3.11), their counts must also come out unchanged; an ordinary
object sent through a signal keeps its count on every version.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

ROUNDS = 20_000  # True starts near 600 on 3.11: losing one a round would free it

CHILD = """
import json, sys
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Signal
from PySide6.QtWidgets import QApplication, QCheckBox

rounds = int(sys.argv[1])
app = QApplication([])

class Emitter(QObject):
    flag = Signal(bool)
    anything = Signal(object)

class Accepting(QObject):
    def event(self, event):  # a bool-returning override, called from C++
        return True

emitter, box, accepting = Emitter(), QCheckBox(), Accepting()
received = {"flag": 0, "anything": 0, "toggled": 0, "accepted": 0}

def counter(name):
    def count(value):
        received[name] += 1
    return count

emitter.flag.connect(counter("flag"))
emitter.anything.connect(counter("anything"))
box.toggled.connect(counter("toggled"))
carried = object()
before = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(carried)
for n in range(rounds):
    emitter.flag.emit(n % 2 == 0)
    emitter.anything.emit(n % 3 == 0)
    emitter.anything.emit(carried)
    box.setChecked(not box.isChecked())
    received["accepted"] += QCoreApplication.sendEvent(accepting, QEvent(QEvent.Type.User))
after = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(carried)
print(json.dumps({"before": before, "after": after, "received": received}))
"""


def test_signals_carrying_booleans_never_use_up_true_and_false() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROUNDS)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert child.returncode == 0, f"the child died ({child.returncode}): {child.stderr[-2000:]}"
    report = json.loads(child.stdout)
    assert report["received"] == {
        "flag": ROUNDS,
        "anything": 2 * ROUNDS,
        "toggled": ROUNDS,
        "accepted": ROUNDS,
    }
    (true_before, false_before, carried_before) = report["before"]
    (true_after, false_after, carried_after) = report["after"]
    assert carried_after == carried_before
    if sys.version_info < (3, 12):  # counted, not immortal: every lost reference shows
        assert max(true_before, false_before) < ROUNDS
        assert (true_after, false_after) == (true_before, false_before)
