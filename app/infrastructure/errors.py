"""Driver errors → domain errors, decided by SQLSTATE and constraint name."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import exc as sa_exc

from app.domain.errors import (
    AlreadyExists,
    DomainError,
    InvalidInput,
    InvalidReference,
    Unavailable,
)
from app.domain.events import DESCRIPTION_MAX, LOCATION_MAX, TITLE_MAX
from app.domain.tokens import NAME_MAX, PREFIX_LENGTH, REVOKED_BY_MAX
from app.domain.users import DISPLAY_NAME_MAX, EMAIL_MAX
from app.domain.validation import WHOLE_FORM, length_between, too_long

_log = logging.getLogger(__name__)

# Constraint name → (entity, field). Names come from tables.NAMING_CONVENTION.
_UNIQUE = {
    "uq_users_email_lower": ("user", "email"),
    "uq_tokens_secret_hash": ("token", "secret_hash"),
}
_FOREIGN = {
    "fk_tokens_owner_id_users": "owner_id",
    "fk_events_owner_id_users": "owner_id",
}
_CHECK = {
    "ck_events_ends_after_starts": ("ends_at", "The event cannot end before it starts."),
    "ck_events_title_length": ("title", length_between("title", 1, TITLE_MAX)),
    "ck_events_location_length": ("location", too_long("location", LOCATION_MAX)),
    "ck_events_description_length": ("description", too_long("description", DESCRIPTION_MAX)),
    "ck_users_email_length": ("email", length_between("email", 3, EMAIL_MAX)),
    "ck_users_display_name_length": (
        "display_name",
        length_between("display_name", 1, DISPLAY_NAME_MAX),
    ),
    "ck_users_role_known": ("role", "Unknown role."),
    "ck_tokens_name_length": ("name", length_between("name", 1, NAME_MAX)),
    "ck_tokens_prefix_length": ("prefix", length_between("prefix", 1, PREFIX_LENGTH)),
    "ck_tokens_expires_after_created": ("expires_at", "A token must expire after it is created."),
    "ck_tokens_revoked_by_length": ("revoked_by", too_long("revoked_by", REVOKED_BY_MAX)),
}
# SQLSTATE classes that mean "the server is not there or not answering".
_UNAVAILABLE_STATES = ("08", "53", "57P")


def _driver_error(error: sa_exc.DBAPIError) -> BaseException | None:
    # SQLAlchemy's asyncpg adapter chains the asyncpg exception as the cause.
    return error.orig.__cause__ if error.orig is not None else None


def _sqlstate(error: sa_exc.DBAPIError) -> str:
    for candidate in (_driver_error(error), error.orig):
        state = getattr(candidate, "sqlstate", None)
        if isinstance(state, str):
            return state
    return ""


def translate(error: sa_exc.DBAPIError, entity: str) -> DomainError | None:
    """The domain error for a driver error, or None if it is a programming error.

    Args:
        error: what SQLAlchemy raised.
        entity: the kind of record being written, for messages ("user", "token", …).
    """
    cause = _driver_error(error)
    constraint = getattr(cause, "constraint_name", None) or ""
    state = _sqlstate(error)
    if error.connection_invalidated or state.startswith(_UNAVAILABLE_STATES):
        return Unavailable()
    if state == "23505":
        owner, field = _UNIQUE.get(constraint, (entity, "value"))
        return AlreadyExists(owner, field)
    if state == "23503":
        return InvalidReference(_FOREIGN.get(constraint, "reference"))
    if state == "23514":
        field, message = _CHECK.get(constraint, (WHOLE_FORM, "A value is out of range."))
        return InvalidInput({field: message})
    if state == "22021" or state == "22P05":
        return InvalidInput({WHOLE_FORM: "Text contains characters the database cannot store."})
    if state == "57014":
        return Unavailable("The database took too long to answer and the request was cancelled.")
    if isinstance(error, sa_exc.InterfaceError | sa_exc.OperationalError):
        return Unavailable()
    return None


@asynccontextmanager
async def translated(entity: str) -> AsyncIterator[None]:
    """Run a block, turning driver and connection errors into domain errors."""
    try:
        yield
    except sa_exc.DBAPIError as error:
        domain = translate(error, entity)
        if domain is None:
            raise
        _log.info("database refused a %s operation: %s", entity, type(domain).__name__)
        raise domain from None
    except (OSError, TimeoutError) as error:
        # Raised by asyncpg while connecting: refused, unreachable, timed out.
        _log.info("database unreachable: %s", type(error).__name__)
        raise Unavailable() from None
