"""The SQL of the token rules: status and quick-filter conditions, and the token aggregates.

Each condition is the SQL twin of a rule in :mod:`app.domain.tokens` and is written once
here, so the list, its count and the counts of the quick filters cannot disagree. Cutoffs
(now, now + soon, now - IDLE_AFTER) are bound parameters, never ``now() + interval``: the
planner then uses the expiry indexes, and the clock stays the service's.

No index was added for these queries: the counts over all tokens read the table in one
pass whatever the index; a single owner's counts and health use
``ix_tokens_owner_id_expires_at``; the histogram's range of unrevoked expiries uses
``ix_tokens_unrevoked_expires_at_id``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any, TypeAlias

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY

from app.domain.tokens import IDLE_AFTER, QuickFilter, TokenFilter, TokenStatus
from app.infrastructure.repositories.base import Clauses, contains, ids_param
from app.infrastructure.tables import tokens

# A SELECT of any columns (Select is generic in the types of its columns).
AnySelect: TypeAlias = Select[*tuple[Any, ...]]

_unrevoked = tokens.c.revoked_at.is_(None)
_expires = tokens.c.expires_at


def status_condition(status: TokenStatus, now: datetime, soon: timedelta) -> ColumnElement[bool]:
    """Tokens in ``status`` at ``now`` (see ``app.domain.tokens.token_status``)."""
    match status:
        case TokenStatus.REVOKED:
            return quick_condition(QuickFilter.REVOKED, now, soon)
        case TokenStatus.EXPIRED:
            return quick_condition(QuickFilter.EXPIRED, now, soon)
        case TokenStatus.EXPIRING_SOON:
            return quick_condition(QuickFilter.EXPIRING, now, soon)
        case TokenStatus.ACTIVE:
            return quick_condition(QuickFilter.ACTIVE, now, soon)
    return false()


def quick_condition(quick: QuickFilter, now: datetime, soon: timedelta) -> ColumnElement[bool]:
    """Tokens in ``quick`` at ``now`` (see ``app.domain.tokens.in_quick_filter``)."""
    match quick:
        case QuickFilter.REVOKED:
            return tokens.c.revoked_at.is_not(None)
        case QuickFilter.EXPIRED:
            return and_(_unrevoked, _expires <= now)
        case QuickFilter.EXPIRING:
            return and_(_unrevoked, _expires > now, _expires <= now + soon)
        case QuickFilter.ACTIVE:
            return and_(_unrevoked, _expires > now + soon)
        case QuickFilter.NEVER_USED:
            return and_(_unrevoked, tokens.c.last_used_at.is_(None))
        case QuickFilter.IDLE:
            last_seen = func.coalesce(tokens.c.last_used_at, tokens.c.created_at)
            return and_(_unrevoked, _expires > now, last_seen <= now - IDLE_AFTER)
    return false()


def filter_clauses(filter: TokenFilter) -> Clauses:
    """The WHERE clauses of a :class:`TokenFilter`."""
    where: Clauses = []
    if filter.owner_id is not None:
        where.append(tokens.c.owner_id == filter.owner_id)
    if filter.search:
        where.append(
            or_(contains(tokens.c.name, filter.search), contains(tokens.c.prefix, filter.search))
        )
    if filter.statuses or filter.quick is not None:
        if filter.as_of is None:
            raise ValueError("filtering by status or quick filter needs as_of")
        now, soon = filter.as_of, filter.soon
        if filter.statuses:
            where.append(or_(*(status_condition(s, now, soon) for s in filter.statuses)))
        if filter.quick is not None:
            where.append(quick_condition(filter.quick, now, soon))
    if filter.expires_from is not None:
        where.append(_expires >= filter.expires_from)
    if filter.expires_to is not None:
        where.append(_expires < filter.expires_to)
    return where


def quick_counts_query(now: datetime, soon: timedelta, owner_id: int | None) -> AnySelect:
    """One row: ``count(*) FILTER (WHERE ...)`` for each quick filter, in enum order."""
    counts = [
        func.count().filter(quick_condition(q, now, soon)).label(q.value) for q in QuickFilter
    ]
    statement: AnySelect = select(*counts).select_from(tokens)
    if owner_id is not None:
        statement = statement.where(tokens.c.owner_id == owner_id)
    return statement


def histogram_query(
    now: datetime, bucket: timedelta, buckets: int, owner_id: int | None
) -> AnySelect:
    """(bucket number, count) of unrevoked tokens expiring before the last bucket's end.

    Number 0 is "already expired" (``expires_at <= now``); number i >= 1 holds
    ``now + (i-1)*bucket <= expires_at < now + i*bucket`` (``width_bucket`` on the
    bounds, exact to the microsecond).
    """
    bounds = [now + i * bucket for i in range(buckets + 1)]
    bounds_param = bindparam("bounds", bounds, type_=ARRAY(DateTime(timezone=True)))
    number = case((_expires <= now, 0), else_=func.width_bucket(_expires, bounds_param))
    before_last_end = _expires < bounds[-1] if buckets else _expires <= now
    statement = (
        select(number.label("number"), func.count())
        .where(_unrevoked, before_last_end)
        .group_by(number)
    )
    if owner_id is not None:
        statement = statement.where(tokens.c.owner_id == owner_id)
    return statement


def health_query(owner_ids: Collection[int], now: datetime, soon: timedelta) -> AnySelect:
    """Per owner among ``owner_ids`` with any: (owner_id, expired, expiring)."""
    expired = quick_condition(QuickFilter.EXPIRED, now, soon)
    expiring = quick_condition(QuickFilter.EXPIRING, now, soon)
    return (
        select(
            tokens.c.owner_id,
            func.count().filter(expired),
            func.count().filter(expiring),
        )
        .where(tokens.c.owner_id == ids_param(owner_ids), _unrevoked, _expires <= now + soon)
        .group_by(tokens.c.owner_id)
    )


def next_status_change_query(now: datetime, soon: timedelta) -> AnySelect:
    """The first instant after ``now`` at which an unrevoked token changes status."""
    live = tokens.c.revoked_at.is_(None)
    expires = select(func.min(tokens.c.expires_at)).where(live, tokens.c.expires_at > now)
    turns_soon = select(func.min(tokens.c.expires_at)).where(live, tokens.c.expires_at > now + soon)
    return select(func.least(expires.scalar_subquery(), turns_soon.scalar_subquery() - soon))
