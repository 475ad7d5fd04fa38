"""Validated input models whose errors arrive as :class:`InvalidInput`, field by field."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    StringConstraints,
    ValidationError,
    model_validator,
)

from app.domain.errors import InvalidInput

WHOLE_FORM = "__root__"
"""The key of a message about a whole input rather than one of its fields."""

_FRIENDLY = {
    "string_too_short": "This field is required.",
    "missing": "This field is required.",
    "timezone_aware": "A time zone is required.",
}


def field_errors(error: ValidationError) -> dict[str, str]:
    """Turn a pydantic error into field → message, first message per field."""
    errors: dict[str, str] = {}
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else WHOLE_FORM
        message = _FRIENDLY.get(item["type"], item["msg"]).removeprefix("Value error, ")
        message = message.removeprefix("value is not a valid email address: ")
        errors.setdefault(field, message)
    return errors


class Input(BaseModel):
    """Base of drafts and patches: immutable, strict about unknown fields.

    Construction raises :class:`InvalidInput` (not pydantic's error) so callers deal
    with one domain error type.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="wrap")
    @classmethod
    def _as_domain_error(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        try:
            return handler(data)
        except ValidationError as error:
            raise InvalidInput(field_errors(error)) from None


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Text cannot contain NUL characters.")
    return value


_OUTSIDE = "The date is outside the calendar (years 1 to 9999 in UTC)."
# asyncpg writes these two instants as PostgreSQL's -infinity/infinity and reads them back
# naive, so they could not round-trip: refused like the dates beyond them.
_SENTINELS = frozenset({datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)})


def _to_utc(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        # 0001-01-01 at +14:00 or 9999-12-31 at -01:00 have no UTC date; pydantic turns only
        # ValueError into a field error, so anything else would escape as a crash.
        raise ValueError(_OUTSIDE) from None
    if utc in _SENTINELS:
        raise ValueError(_OUTSIDE)
    return utc


RequiredText = Annotated[str, StringConstraints(min_length=1), AfterValidator(_no_nul)]
OptionalText = Annotated[str, AfterValidator(_no_nul)]
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
