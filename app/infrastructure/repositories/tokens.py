"""Tokens on PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, false, or_, select

from app.domain.paging import Page, PageRequest
from app.domain.tokens import SORTS, NewToken, Token, TokenFilter, TokenStatus
from app.infrastructure.repositories.base import Clauses, SqlRepository, contains
from app.infrastructure.tables import tokens


class SqlTokenRepository(SqlRepository[Token, NewToken, TokenFilter]):
    """The tokens table."""

    table = tokens
    entity_name = "token"
    sortable = SORTS
    touches_updated_at = False

    def _to_entity(self, row: Row[Any]) -> Token:
        values = dict(row._mapping)
        values["scopes"] = tuple(values["scopes"])
        return Token.model_construct(**values)

    def _values(self, draft: NewToken, now: datetime) -> dict[str, Any]:
        values = super()._values(draft, now)
        values["scopes"] = list(draft.scopes)
        return values

    def _where(self, filter: TokenFilter) -> Clauses:
        where: Clauses = []
        if filter.owner_id is not None:
            where.append(tokens.c.owner_id == filter.owner_id)
        if filter.search:
            where.append(
                or_(
                    contains(tokens.c.name, filter.search), contains(tokens.c.prefix, filter.search)
                )
            )
        if filter.statuses:
            if filter.as_of is None:
                raise ValueError("filtering by status needs as_of")
            where.append(
                or_(
                    *(
                        _status_clause(s, filter.as_of, filter.as_of + filter.soon)
                        for s in filter.statuses
                    )
                )
            )
        return where

    async def get_by_hash(self, secret_hash: str) -> Token | None:
        """The token whose secret hashes to ``secret_hash`` (unique index)."""
        rows = await self._rows(select(tokens).where(tokens.c.secret_hash == secret_hash))
        return self._to_entity(rows[0]) if rows else None

    async def list_expiring(self, now: datetime, until: datetime, page: PageRequest) -> Page[Token]:
        """Unrevoked tokens with ``now < expires_at <= until``, soonest first."""
        where = [
            tokens.c.revoked_at.is_(None),
            tokens.c.expires_at > now,
            tokens.c.expires_at <= until,
        ]
        return await self._page(where, page)


def _status_clause(status: TokenStatus, now: datetime, soon_end: datetime) -> ColumnElement[bool]:
    # The SQL twin of app.domain.tokens.token_status; the cutoffs are parameters, not
    # now() + interval, so the planner can use the expiry index.
    unrevoked = tokens.c.revoked_at.is_(None)
    expires = tokens.c.expires_at
    match status:
        case TokenStatus.REVOKED:
            return tokens.c.revoked_at.is_not(None)
        case TokenStatus.EXPIRED:
            return and_(unrevoked, expires <= now)
        case TokenStatus.EXPIRING_SOON:
            return and_(unrevoked, expires > now, expires <= soon_end)
        case TokenStatus.ACTIVE:
            return and_(unrevoked, expires > soon_end)
    return false()
