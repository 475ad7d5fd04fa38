"""Users on PostgreSQL."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import delete, func, or_, select

from app.domain.errors import NotFound
from app.domain.users import SORTS, DeleteImpact, User, UserDraft, UserFilter
from app.infrastructure.repositories.base import (
    Clauses,
    SqlRepository,
    at_versions,
    contains,
    ids_param,
)
from app.infrastructure.tables import events, tokens, users


class SqlUserRepository(SqlRepository[User, UserDraft, UserFilter]):
    """The users table."""

    table = users
    entity = User
    entity_name = "user"
    sortable = SORTS

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

    async def delete_impact(self, ids: Collection[int]) -> DeleteImpact:
        """Tokens and events of these users, in total: one statement whatever their number.

        The same statement reads which of the users still exist, so a user deleted
        meanwhile is ``NotFound`` rather than counted as owning nothing.
        """
        wanted = sorted(set(ids))
        if not wanted:
            return DeleteImpact(tokens=0, events=0)
        owners = ids_param(wanted)
        statement = select(
            select(func.array_agg(users.c.id)).where(users.c.id == owners).scalar_subquery(),
            select(func.count()).where(tokens.c.owner_id == owners).scalar_subquery(),
            select(func.count()).where(events.c.owner_id == owners).scalar_subquery(),
        )
        found, token_count, event_count = tuple((await self._rows(statement))[0])
        if missing := sorted(set(wanted) - set(found or ())):
            raise NotFound(self.entity_name, missing[0])
        return DeleteImpact(tokens=int(token_count), events=int(event_count))

    async def delete_many_counted(
        self, versions: Mapping[int, int]
    ) -> tuple[list[int], DeleteImpact]:
        """One DELETE of the users still at their version, counting what goes with them.

        The counts are read in the same statement: its snapshot still holds the tokens and
        events that ON DELETE CASCADE removes once the statement ends.
        """
        if not versions:
            return [], DeleteImpact(tokens=0, events=0)
        gone = delete(users).where(at_versions(users, versions)).returning(users.c.id).cte("gone")
        statement = select(
            gone.c.id,
            select(func.count()).where(tokens.c.owner_id == gone.c.id).scalar_subquery(),
            select(func.count()).where(events.c.owner_id == gone.c.id).scalar_subquery(),
        ).order_by(gone.c.id)
        rows = [tuple(row) for row in await self._rows(statement)]
        impact = DeleteImpact(
            tokens=sum(int(row[1]) for row in rows), events=sum(int(row[2]) for row in rows)
        )
        return [int(row[0]) for row in rows], impact
