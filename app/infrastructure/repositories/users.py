"""Users on PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, func, or_, select

from app.domain.users import SORTS, DeleteImpact, Role, User, UserDraft, UserFilter
from app.infrastructure.repositories.base import Clauses, SqlRepository, contains
from app.infrastructure.tables import events, tokens, users


class SqlUserRepository(SqlRepository[User, UserDraft, UserFilter]):
    """The users table."""

    table = users
    entity_name = "user"
    sortable = SORTS

    def _to_entity(self, row: Row[Any]) -> User:
        values = dict(row._mapping)
        values["role"] = Role(values["role"])
        return User.model_construct(**values)

    def _where(self, filter: UserFilter) -> Clauses:
        where: Clauses = []
        if filter.search:
            where.append(
                or_(
                    contains(users.c.email, filter.search),
                    contains(users.c.display_name, filter.search),
                )
            )
        if filter.role is not None:
            where.append(users.c.role == filter.role.value)
        if filter.is_active is not None:
            where.append(users.c.is_active.is_(filter.is_active))
        return where

    async def get_by_email(self, email: str) -> User | None:
        """The user with this email, ignoring case (served by ``uq_users_email_lower``)."""
        statement = select(users).where(func.lower(users.c.email) == email.lower())
        rows = await self._rows(statement)
        return self._to_entity(rows[0]) if rows else None

    async def delete_impact(self, ident: int) -> DeleteImpact:
        """How many tokens and events would be deleted with this user."""
        await self.get(ident)
        statement = select(
            select(func.count()).where(tokens.c.owner_id == ident).scalar_subquery(),
            select(func.count()).where(events.c.owner_id == ident).scalar_subquery(),
        )
        token_count, event_count = tuple((await self._rows(statement))[0])
        return DeleteImpact(tokens=int(token_count), events=int(event_count))
