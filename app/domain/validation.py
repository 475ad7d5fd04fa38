"""Validated input models whose errors arrive as :class:`InvalidInput`, field by field."""

from __future__ import annotations

from collections.abc import Mapping
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
from pydantic_core import ErrorDetails

from app.domain.errors import InvalidInput

WHOLE_FORM = "__root__"
"""The key of a message about a whole input rather than one of its fields."""

# How a field is named in a message: the label its form shows.
LABELS = {
    "owner_id": "Owner",
    "display_name": "Name",
    "expires_at": "Expiry",
    "starts_at": "Start",
    "ends_at": "End",
    "created_at": "Creation time",
    "revoked_at": "Revocation time",
    "last_used_at": "Last use",
    "is_active": "Active",
    "all_day": "All day",
}

# One sentence per kind of pydantic error, in our words; {field} is the field's label,
# the other names are the error's parameters (pydantic's ``ctx``).
MESSAGES = {
    "missing": "This field is required.",
    "string_too_short": "{field} needs at least {min_length} characters.",
    "string_too_long": "{field} can have at most {max_length} characters.",
    "too_short": "{field} needs at least {min_length} items.",
    "too_long": "{field} can have at most {max_length} items.",
    "string_pattern_mismatch": "{field} is not in the expected form.",
    "greater_than": "{field} must be greater than {gt}.",
    "greater_than_equal": "{field} must be at least {ge}.",
    "less_than": "{field} must be less than {lt}.",
    "less_than_equal": "{field} can be at most {le}.",
    "multiple_of": "{field} must be a multiple of {multiple_of}.",
    "timezone_aware": "A time zone is required.",
    "int_parsing": "{field} must be a whole number.",
    "int_type": "{field} must be a whole number.",
    "int_from_float": "{field} must be a whole number.",
    "float_parsing": "{field} must be a number.",
    "float_type": "{field} must be a number.",
    "bool_parsing": "{field} must be yes or no.",
    "bool_type": "{field} must be yes or no.",
    "string_type": "{field} must be text.",
    "datetime_parsing": "{field} must be a date and time.",
    "datetime_type": "{field} must be a date and time.",
    "datetime_from_date_parsing": "{field} must be a date and time.",
    "enum": "{field} must be one of {expected}.",
    "literal_error": "{field} must be one of {expected}.",
    "tuple_type": "{field} must be a list.",
    "list_type": "{field} must be a list.",
    "extra_forbidden": "“{name}” is not something this form takes.",
}
# For a database check that bounds a length at both ends.
LENGTH_BETWEEN = "{field} must have {low} to {high} characters."
# A text that may not be empty says so rather than "at least 1 characters".
REQUIRED = "This field is required."
OTHER = "{field} is not valid."
_EMAIL = "value is not a valid email address: "


def too_long(field: str, limit: int) -> str:
    """The message for a text of ``field`` over ``limit`` characters."""
    return MESSAGES["string_too_long"].format(field=label(field), max_length=limit)


def length_between(field: str, low: int, high: int) -> str:
    """The message for a text of ``field`` outside ``low`` to ``high`` characters."""
    return LENGTH_BETWEEN.format(field=label(field), low=low, high=high)


def label(field: str) -> str:
    """The name a message gives ``field``: its form's label."""
    return LABELS.get(field) or field.replace("_", " ").capitalize()


def field_errors(error: ValidationError, labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """Turn a pydantic error into field → message in our words, first message per field.

    Args:
        error: what pydantic raised.
        labels: field → the name its messages use, instead of :func:`label`'s.
    """
    errors: dict[str, str] = {}
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else WHOLE_FORM
        errors.setdefault(field, _message(item, field, labels or {}))
    return errors


def _message(item: ErrorDetails, field: str, labels: Mapping[str, str]) -> str:
    kind, context = item["type"], dict(item.get("ctx") or {})
    if kind == "value_error":  # our own validators' words (and email-validator's)
        return str(item["msg"]).removeprefix("Value error, ").removeprefix(_EMAIL)
    if kind in ("too_short", "too_long") and isinstance(item.get("input"), str):
        kind = f"string_{kind}"  # a length checked on an optional text counts "items"
    if kind == "string_too_short" and context.get("min_length") == 1:
        return REQUIRED
    name = labels.get(field) or label(field)
    template = MESSAGES.get(kind, OTHER)
    return template.format(**context, field=name, name=field)


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
