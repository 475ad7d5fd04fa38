"""PostgreSQL repositories: one generic base, three small subclasses."""

from app.infrastructure.repositories.events import SqlEventRepository
from app.infrastructure.repositories.tokens import SqlTokenRepository
from app.infrastructure.repositories.users import SqlUserRepository

__all__ = ["SqlEventRepository", "SqlTokenRepository", "SqlUserRepository"]
