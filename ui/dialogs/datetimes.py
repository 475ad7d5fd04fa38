"""Between aware datetimes and Qt's date-time editors."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QDateTimeEdit,
)


def to_qt(moment: datetime) -> QDateTime:
    """An aware datetime as a QDateTime (shown in local time)."""
    return QDateTime.fromMSecsSinceEpoch(int(moment.timestamp() * 1000))


def from_qt(value: QDateTime) -> datetime:
    """A QDateTime as an aware UTC datetime."""
    return datetime.fromtimestamp(value.toMSecsSinceEpoch() / 1000, UTC)


def time_edit() -> QDateTimeEdit:
    """A date-time editor with a calendar pop-up that names the local zone."""
    edit = QDateTimeEdit()
    edit.setCalendarPopup(True)
    zone = datetime.now().astimezone().tzname()
    edit.setDisplayFormat(f"yyyy-MM-dd HH:mm '{zone}'")
    return edit


def local_midnight(day: date) -> datetime:
    """The start of ``day`` in the computer's time zone, as an aware datetime."""
    return datetime.combine(day, time()).astimezone()
