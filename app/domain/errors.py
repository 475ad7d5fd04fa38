"""Domain errors: what went wrong, in words a person understands.

Adapters translate driver errors into these; the UI shows ``message`` (and, for
:class:`InvalidInput`, each message at its field). None of them carries a traceback
or a connection string.
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """Base class of every error the services raise on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """One or more fields hold values the domain refuses.

    Attributes:
        errors: field name → message, for a form to show at each field.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        summary = "; ".join(f"{field}: {text}" for field, text in self.errors.items())
        super().__init__(f"Please correct the highlighted fields ({summary}).")


class NotFound(DomainError):
    """The record does not exist (any more)."""

    def __init__(self, entity: str, ident: object) -> None:
        self.entity = entity
        self.ident = ident
        super().__init__(f"{entity.capitalize()} {ident} does not exist; it may have been deleted.")


class AlreadyExists(DomainError):
    """A unique field already holds this value in another record."""

    def __init__(self, entity: str, field: str) -> None:
        self.entity = entity
        self.field = field
        label = field.replace("_", " ")
        super().__init__(f"Another {entity} already has this {label}.")


class Conflict(DomainError):
    """The record changed since it was read (its version moved on)."""

    def __init__(self, entity: str, ident: object, expected_version: int) -> None:
        self.entity = entity
        self.ident = ident
        self.expected_version = expected_version
        super().__init__(
            f"{entity.capitalize()} {ident} was changed by someone else since you opened it. "
            "Reload it and apply your change again."
        )


class InvalidReference(DomainError):
    """A field points at a record that does not exist."""

    def __init__(self, field: str, message: str | None = None) -> None:
        self.field = field
        super().__init__(message or f"The {field.replace('_id', '')} chosen does not exist.")


class NotAllowed(DomainError):
    """A business rule refuses the action (for example extending a revoked token)."""


class Unavailable(DomainError):
    """The database cannot be reached or stopped answering."""

    def __init__(
        self, message: str = "The database cannot be reached. Check the connection and retry."
    ) -> None:
        super().__init__(message)
