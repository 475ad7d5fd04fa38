"""When a save meets a newer version: compare field by field and let the user choose.

Nothing is overwritten without that choice. :func:`settle` fetches the stored row, shows
:class:`ConflictDialog` (awaited, never ``exec``), and saves the chosen values on top of the
stored version, asking again if the row moved on once more.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.bulk import Versioned
from app.domain.errors import Conflict
from app.domain.merge import FieldDiff, Side, compare, resolve
from app.domain.users import Role, User
from app.domain.validation import WHOLE_FORM
from ui.dialogs.asyncdialog import shown
from ui.format import ROLE_LABELS, exact, local


class Form(Protocol):
    """What a comparison is opened from: it says, in its own place, when nothing was saved."""

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Show messages by field (``WHOLE_FORM`` for the whole record)."""
        ...


class Stored(Versioned, Protocol):
    """A stored record with an id."""

    @property
    def id(self) -> int:
        """The record's id."""
        ...


V = TypeVar("V", bound=Stored)
P = TypeVar("P")

NAME = "conflict_dialog"
VALUE_WIDTH = 220  # pixels; longer values are elided and shown whole in their tooltip
CLASH_MARK = "⚠"
HEADERS = ("Field", "You started from", "Your value", "In the database now", "Keep")


@dataclass(frozen=True)
class RecordView:
    """How one kind of record reads in the conflict dialog.

    Attributes:
        noun: what the record is called ("user").
        labels: field or group name → label, for every field the form edits.
        text: how a field's value reads (for a group, its tuple of values).
        together: group name → fields chosen as one (see :func:`app.domain.merge.compare`).
    """

    noun: str
    labels: Mapping[str, str]
    text: Callable[[str, Any], str]
    together: Mapping[str, Sequence[str]] = field(default_factory=dict)


def plain(value: Any) -> str:
    """A value as a person reads it: Yes/No, local time, "(empty)" for blank text."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return local(value)
    if value is None or value == "":
        return "(empty)"
    return str(value)


def _user_text(name: str, value: Any) -> str:
    return ROLE_LABELS[Role(value)] if name == "role" else plain(value)


USER_VIEW = RecordView(
    "user",
    {"email": "Email", "display_name": "Name", "role": "Role", "is_active": "Active"},
    _user_text,
)


def when(value: tuple[datetime, datetime, bool]) -> str:
    """An event's time: its dates if all-day, else local start–end."""
    starts, ends, all_day = value
    if all_day:
        first = starts.astimezone(UTC).date()
        last = max(first, (ends.astimezone(UTC) - timedelta(days=1)).date())
        if first == last:
            return f"{first:%a} {first.day} {first:%b %Y}, all day"
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}, all day"
    start, end = starts.astimezone(), ends.astimezone()
    until = f"{end:%H:%M}" if end.date() == start.date() else local(end)
    return f"{local(start)} – {until}"


def event_view(
    owners: Sequence[User | None] = (), label: Callable[[int], str] | None = None
) -> RecordView:
    """The event view, naming owners by ``label`` or from ``owners`` (others by their id).

    ``owners`` is read each time a value is shown, so owners added to it later (the
    database's owner, looked up after the form was opened) are named too.
    """

    def text(name: str, value: Any) -> str:
        if name == "owner_id" and label is not None:
            return label(int(value))
        if name == "owner_id":
            names = {u.id: f"{u.display_name} <{u.email}>" for u in owners if u is not None}
            return names.get(value, f"User #{value}")
        if name == "when":
            return when(value)
        return plain(value)

    return RecordView(
        "event",
        {
            "owner_id": "Owner",
            "title": "Title",
            "location": "Location",
            "when": "When",
            "description": "Description",
        },
        text,
        {"when": ("starts_at", "ends_at", "all_day")},
    )


def _status(diff: FieldDiff) -> str:
    if diff.clash:
        return f"{CLASH_MARK} Changed by both — choose"
    if diff.changed_by_me and diff.changed_by_them:
        return "Same change on both sides"
    return "Changed by you" if diff.changed_by_me else "Changed in the database"


class ConflictDialog(QDialog):
    """Field | You started from | Your value | In the database now | Mine/Database."""

    def __init__(self, view: RecordView, diffs: Sequence[FieldDiff], parent: QWidget | None):
        super().__init__(parent)
        self.setObjectName(NAME)
        self.setWindowTitle(f"This {view.noun} was changed by someone else")
        self.diffs = list(diffs)
        self._mine: dict[str, QRadioButton] = {}
        self._theirs: dict[str, QRadioButton] = {}
        self._row_height = QRadioButton("Mine").sizeHint().height()
        clashes = sum(d.clash for d in self.diffs)
        intro = QLabel(
            f"Someone else saved this {view.noun} after you read it.\n"
            "Choose what to keep, field by field. Nothing is saved until you press “Save choices”."
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        if clashes:
            warning = QLabel(
                f"{CLASH_MARK} {clashes} field{'s were' if clashes > 1 else ' was'} changed on "
                "both sides. Your value is selected; check each marked row."
            )
            warning.setObjectName(f"{NAME}_clashes")
            warning.setWordWrap(True)
            warning.setStyleSheet(f"color: {clash_colour(self.palette())}; font-weight: bold;")
            layout.addWidget(warning)
        layout.addLayout(self._grid(view))
        layout.addSpacing(8)
        layout.addLayout(self._buttons())

    def _grid(self, view: RecordView) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(10)
        for column, header in enumerate(HEADERS):
            label = QLabel(header)
            bold = label.font()
            bold.setBold(True)
            label.setFont(bold)
            grid.addWidget(label, 0, column)
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        grid.addWidget(rule, 1, 0, 1, len(HEADERS))
        for row, diff in enumerate(self.diffs, start=2):
            self._add_row(grid, row, view, diff)
        for column in (1, 2, 3):
            grid.setColumnStretch(column, 1)
        return grid

    def _add_row(self, grid: QGridLayout, row: int, view: RecordView, diff: FieldDiff) -> None:
        name = view.labels.get(diff.field, diff.field)
        top = Qt.AlignmentFlag.AlignTop
        grid.addWidget(self._field_cell(name, diff), row, 0, top)
        for column, value in enumerate((diff.base, diff.mine, diff.theirs), start=1):
            cell = self._value_cell(view.text(diff.field, value), value)
            cell.setObjectName(f"{NAME}_{diff.field}_{('base', 'mine', 'theirs')[column - 1]}")
            grid.addWidget(cell, row, column, top)
        grid.addWidget(self._choice_cell(name, diff), row, 4, top)

    def _line(self, label: QLabel) -> QLabel:
        # As tall as a radio button and centred, so a row's text lines up with its choice.
        label.setMinimumHeight(self._row_height)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return label

    def _field_cell(self, name: str, diff: FieldDiff) -> QWidget:
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        label = self._line(QLabel(name))
        status = QLabel(_status(diff))
        status.setObjectName(f"{NAME}_{diff.field}_status")
        small = status.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        status.setFont(small)
        if diff.clash:
            bold = label.font()
            bold.setBold(True)
            label.setFont(bold)
            colour = f"color: {clash_colour(self.palette())};"
            label.setStyleSheet(colour)
            status.setStyleSheet(colour)
        column.addWidget(label)
        column.addWidget(status)
        return cell

    def _value_cell(self, text: str, value: Any) -> QLabel:
        flat = " ⏎ ".join(text.splitlines()) or text
        metrics = QFontMetrics(self.font())
        label = self._line(
            QLabel(metrics.elidedText(flat, Qt.TextElideMode.ElideRight, VALUE_WIDTH))
        )
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setMinimumWidth(min(VALUE_WIDTH, metrics.horizontalAdvance(flat)) + 4)
        tip = exact(value) if isinstance(value, datetime) else text
        if tip != label.text():
            label.setToolTip(tip)
        if value == "" or value is None:
            italic = QFont(label.font())
            italic.setItalic(True)
            label.setFont(italic)
        return label

    def _choice_cell(self, name: str, diff: FieldDiff) -> QWidget:
        cell = QWidget()
        row = QHBoxLayout(cell)
        row.setContentsMargins(0, 0, 0, 0)
        mine, theirs = QRadioButton("Mine"), QRadioButton("Database")
        mine.setObjectName(f"{NAME}_{diff.field}_mine")
        theirs.setObjectName(f"{NAME}_{diff.field}_theirs")
        mine.setAccessibleName(f"Keep your {name.lower()}")
        theirs.setAccessibleName(f"Take the {name.lower()} in the database")
        group = QButtonGroup(cell)
        for button in (mine, theirs):
            group.addButton(button)
            row.addWidget(button)
            button.setEnabled(diff.open)
        (mine if diff.default is Side.MINE else theirs).setChecked(True)
        if not diff.open:
            cell.setToolTip("Both versions hold the same value.")
        self._mine[diff.field], self._theirs[diff.field] = mine, theirs
        return cell

    def _buttons(self) -> QHBoxLayout:
        all_mine = QPushButton("Keep all mine")
        all_mine.setObjectName(f"{NAME}_all_mine")
        all_mine.setToolTip("Select your value on every row (it overwrites their changes).")
        all_mine.clicked.connect(lambda: self.choose_all(Side.MINE))
        all_theirs = QPushButton("Take all from database")
        all_theirs.setObjectName(f"{NAME}_all_theirs")
        all_theirs.setToolTip("Select the database's value on every row (drops your changes).")
        all_theirs.clicked.connect(lambda: self.choose_all(Side.THEIRS))
        box = QDialogButtonBox()
        apply = box.addButton("Save choices", QDialogButtonBox.ButtonRole.AcceptRole)
        apply.setObjectName(f"{NAME}_apply")
        apply.setDefault(True)
        self._apply = apply
        cancel = box.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName(f"{NAME}_cancel")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(all_mine)
        row.addWidget(all_theirs)
        row.addStretch(1)
        row.addWidget(box)
        return row

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self._apply.setFocus()  # Enter saves; "Keep all mine" should not take a stray Space

    def choose(self, field_name: str, side: Side) -> None:
        """Select ``side`` on the row of ``field_name``."""
        (self._mine if side is Side.MINE else self._theirs)[field_name].setChecked(True)

    def choose_all(self, side: Side) -> None:
        """Select ``side`` on every row."""
        for diff in self.diffs:
            self.choose(diff.field, side)

    def choices(self) -> dict[str, Side]:
        """Field or group name → the side selected on its row."""
        return {
            name: Side.MINE if button.isChecked() else Side.THEIRS
            for name, button in self._mine.items()
        }


def clash_colour(palette: QPalette) -> str:
    """An amber that reads on the window's background, light or dark."""
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return "#ffb74d" if dark else "#a04000"


async def settle(
    form: Form,
    view: RecordView,
    base: V,
    mine: Mapping[str, Any],
    get: Callable[[int], Awaitable[V]],
    update: Callable[[int, int, P], Awaitable[V]],
    patch: Callable[..., P],
) -> V | None:
    """Compare with the stored row, let the user choose, save; again if it moves on again.

    Args:
        form: the edit form; the dialog opens over it, and it says when nothing was saved.
        view: how the record's fields read.
        base: the record as the user read it.
        mine: the user's value of each editable field.
        get: the service's ``get(id)`` (NotFound when the row was deleted: that propagates).
        update: the service's ``update(id, version, patch)``.
        patch: builds the service's patch from field → value.

    Returns:
        The stored row after the save, or None when the user cancelled.
    """
    ident = base.id
    while True:
        theirs = await get(ident)
        diffs = compare(base, mine, theirs, view.together)
        choices: dict[str, Side] = {}
        if any(d.open for d in diffs):
            dialog = ConflictDialog(view, diffs, form if isinstance(form, QWidget) else None)
            accepted = await shown(dialog)
            choices = dialog.choices()
            dialog.deleteLater()
            if not accepted:
                form.show_errors({WHOLE_FORM: _not_saved(view.noun)})
                return None
        resolution = resolve(diffs, theirs, mine, choices)
        if not resolution.changes:
            return theirs
        try:
            return await update(ident, resolution.expected_version, patch(**resolution.changes))
        except Conflict:
            # Compare the choice just made with what was saved since: a fresh three-way.
            base, mine = theirs, resolution.values


def deleted_text(noun: str) -> str:
    """What an edit form says when its record was deleted meanwhile."""
    return (
        f"This {noun} was deleted by someone else while you were editing. Your changes were "
        "not saved. Copy what you need from the form, then press Cancel."
    )


def _not_saved(noun: str) -> str:
    return (
        f"Nothing was saved: this {noun} was changed by someone else. Your values are still "
        "here; press Save to compare again, or Cancel to drop them."
    )
