"""What the window needs from the rest of Tessera (the composition root provides it)."""

from __future__ import annotations

from typing import Protocol

from app.domain.schema import SchemaMigrator
from app.services.events import EventService
from app.services.tokens import TokenService
from app.services.users import UserService


class Backend(Protocol):
    """The services, the schema, and the name of the database in use."""

    @property
    def users(self) -> UserService: ...

    @property
    def tokens(self) -> TokenService: ...

    @property
    def events(self) -> EventService: ...

    @property
    def migrations(self) -> SchemaMigrator: ...

    @property
    def label(self) -> str: ...
