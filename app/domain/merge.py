"""Three-way comparison of a record a user edited against the newer version someone saved.

A save guarded by a version that moved on must not overwrite anything silently. This compares,
field by field, what the user started from (``base``), what they have in the form (``mine``)
and what is stored now (``theirs``), and turns their choice per field into the changes to
apply on top of ``theirs``.

Fields that only make sense together (an event's start, end and all-day flag) can be compared
as one: they are then chosen as one, so a merge never pairs someone's start with another's end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.domain.bulk import Versioned


class Side(StrEnum):
    """Whose value of a field to keep."""

    MINE = "mine"
    THEIRS = "theirs"


@dataclass(frozen=True, slots=True)
class FieldDiff:
    """One field (or group of fields) as the user started from it, has it, and finds it.

    Attributes:
        field: the field's name, or the group's name.
        base: the value the user started from (a tuple for a group, in ``parts`` order).
        mine: the value in the user's form.
        theirs: the value stored now.
        parts: the fields of a group; empty for a single field.
    """

    field: str
    base: Any
    mine: Any
    theirs: Any
    parts: tuple[str, ...] = ()

    @property
    def changed_by_me(self) -> bool:
        """Whether the user changed the field."""
        return bool(self.mine != self.base)

    @property
    def changed_by_them(self) -> bool:
        """Whether the field changed in the database since the user read it."""
        return bool(self.theirs != self.base)

    @property
    def clash(self) -> bool:
        """Whether both sides changed the field, to different values."""
        return self.changed_by_me and self.changed_by_them and self.mine != self.theirs

    @property
    def open(self) -> bool:
        """Whether the choice matters: the two candidate values differ."""
        return bool(self.mine != self.theirs)

    @property
    def default(self) -> Side:
        """The side chosen unless the user says otherwise: the side that made the change.

        A clash defaults to the user's value; the dialog marks it so the choice is seen.
        """
        return Side.MINE if self.changed_by_me else Side.THEIRS

    def value(self, side: Side) -> Any:
        """The value on ``side``."""
        return self.mine if side is Side.MINE else self.theirs

    def fields(self, value: Any) -> dict[str, Any]:
        """``value`` as field → value (a group's tuple spread over its parts)."""
        if not self.parts:
            return {self.field: value}
        return dict(zip(self.parts, value, strict=True))


@dataclass(frozen=True, slots=True)
class Resolution:
    """What to save after the choices: changes on top of the stored row, at its version.

    Attributes:
        changes: field → value, only the fields whose chosen value differs from the stored one.
        expected_version: the stored row's version; the save must still find it there.
        values: every compared field as it will be after the save.
    """

    changes: dict[str, Any]
    expected_version: int
    values: dict[str, Any]


def compare(
    base: Versioned,
    mine: Mapping[str, Any],
    theirs: Versioned,
    together: Mapping[str, Sequence[str]] | None = None,
) -> list[FieldDiff]:
    """The fields that either side changed, in the order of ``mine``.

    Args:
        base: the record as the user read it.
        mine: the user's value of each editable field.
        theirs: the record as stored now.
        together: group name → fields compared and chosen as one (all must be in ``mine``);
            a group appears where its first field is in ``mine``.

    Returns:
        One entry per field or group that differs between any two of the three versions.
    """
    groups = {name: tuple(fields) for name, fields in (together or {}).items()}
    grouped = {field: name for name, fields in groups.items() for field in fields}
    diffs: list[FieldDiff] = []
    for field in mine:
        name = grouped.get(field)
        if name is None:
            diff = FieldDiff(field, getattr(base, field), mine[field], getattr(theirs, field))
        elif field == groups[name][0]:
            parts = groups[name]
            diff = FieldDiff(
                name,
                tuple(getattr(base, p) for p in parts),
                tuple(mine[p] for p in parts),
                tuple(getattr(theirs, p) for p in parts),
                parts,
            )
        else:
            continue
        if diff.changed_by_me or diff.changed_by_them:
            diffs.append(diff)
    return diffs


def resolve(
    diffs: Iterable[FieldDiff],
    theirs: Versioned,
    fields: Iterable[str],
    choices: Mapping[str, Side] | None = None,
) -> Resolution:
    """Turn the choice per field into the save to make on top of ``theirs``.

    Args:
        diffs: the comparison made by :func:`compare`.
        theirs: the record as stored now (the one the comparison was made against).
        fields: every editable field (the keys of the user's values).
        choices: field or group name → side; missing entries take the diff's default.

    Returns:
        The changes that differ from ``theirs``, its version, and the resulting values.
    """
    stored = {field: getattr(theirs, field) for field in fields}
    chosen: dict[str, Any] = {}
    for diff in diffs:
        side = (choices or {}).get(diff.field, diff.default)
        chosen.update(diff.fields(diff.value(side)))
    changes = {f: v for f, v in chosen.items() if f in stored and v != stored[f]}
    return Resolution(changes, theirs.version, {**stored, **changes})
