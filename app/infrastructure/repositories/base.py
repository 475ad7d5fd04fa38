"""The generic async CRUD base that the three repositories share.

Queries are SQLAlchemy Core on the session's connection; rows become domain objects
at once (``model_construct``: rows are trusted, so no second validation). Paging is
keyset only: ``(sort, id) > (:value, :id)``, never OFFSET.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Row,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.errors import Conflict, InvalidInput, NotFound
from app.domain.paging import Cursor, Page, PageRequest
from app.infrastructure.errors import translated

EntityT = TypeVar("EntityT", bound=BaseModel)
DraftT = TypeVar("DraftT", bound=BaseModel)
FilterT = TypeVar("FilterT")
Clauses = list[ColumnElement[bool]]


def contains(column: Any, needle: str) -> ColumnElement[bool]:
    """Case-insensitive substring match, with LIKE's wildcards in ``needle`` taken literally."""
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")  # type: ignore[no-any-return]


def at_versions(table: Table, versions: Mapping[int, int]) -> ColumnElement[bool]:
    """``(id, version) IN (SELECT * FROM unnest(:ids, :versions))``.

    Two array parameters, whatever the number of rows: one statement, one plan.
    """
    ids = sorted(versions)
    wanted = (
        func.unnest(
            bindparam("guard_ids", ids, type_=ARRAY(BigInteger)),
            bindparam("guard_versions", [versions[i] for i in ids], type_=ARRAY(Integer)),
        )
        .table_valued("id", "version")
        .render_derived(name="wanted")
    )
    return tuple_(table.c.id, table.c.version).in_(select(wanted.c.id, wanted.c.version))


class SqlRepository(Generic[EntityT, DraftT, FilterT]):
    """add, get, list, count, estimate, update and delete for one table.

    Subclasses name the table, the entity, the sortable columns and how a filter
    becomes WHERE clauses, and convert rows to entities.
    """

    table: ClassVar[Table]
    entity_name: ClassVar[str]
    sortable: frozenset[str] = frozenset({"id"})
    touches_updated_at: ClassVar[bool] = True

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _to_entity(self, row: Row[Any]) -> EntityT:
        raise NotImplementedError

    def _where(self, filter: FilterT) -> Clauses:
        raise NotImplementedError

    def _values(self, draft: DraftT, now: datetime) -> dict[str, Any]:
        values = draft.model_dump()
        values["created_at"] = values.get("created_at", now)
        if self.touches_updated_at:
            values["updated_at"] = now
        return values

    async def _rows(self, statement: Any) -> Sequence[Row[Any]]:
        async with translated(self.entity_name):
            result = await self._session.execute(statement)
            return result.all()

    async def add(self, draft: DraftT, now: datetime) -> EntityT:
        """Insert the draft; the database assigns id and version 1."""
        statement = insert(self.table).values(self._values(draft, now)).returning(*self.table.c)
        return self._to_entity((await self._rows(statement))[0])

    async def find(self, ident: int) -> EntityT | None:
        """The record with this id, or None."""
        statement = select(self.table).where(self.table.c.id == ident)
        rows = await self._rows(statement)
        return self._to_entity(rows[0]) if rows else None

    async def get(self, ident: int) -> EntityT:
        """The record with this id; raises NotFound."""
        found = await self.find(ident)
        if found is None:
            raise NotFound(self.entity_name, ident)
        return found

    async def get_many(self, ids: Collection[int]) -> Sequence[EntityT]:
        """The records with these ids that exist, in id order (one query)."""
        if not ids:
            return []
        column = self.table.c.id
        statement = select(self.table).where(column.in_(sorted(set(ids)))).order_by(column)
        return [self._to_entity(row) for row in await self._rows(statement)]

    def _sort_column(self, name: str) -> Any:
        if name not in self.sortable:
            raise InvalidInput({"sort": f"Cannot sort {self.entity_name}s by {name!r}."})
        return self.table.c[name]

    async def list(self, filter: FilterT, page: PageRequest) -> Page[EntityT]:
        """One page of matching records, ordered by ``page.sort`` then id."""
        return await self._page(self._where(filter), page)

    async def _page(self, where: Clauses, page: PageRequest) -> Page[EntityT]:
        column = self._sort_column(page.sort)
        id_column = self.table.c.id
        key = tuple_(column, id_column) if column is not id_column else id_column
        statement = select(self.table).where(*where)
        if page.after is not None:
            after: Any = (
                tuple_(page.after.value, page.after.id)
                if column is not id_column
                else page.after.id
            )
            statement = statement.where(key < after if page.descending else key > after)
        order = [column.desc(), id_column.desc()] if page.descending else [column, id_column]
        if column is id_column:
            order = order[:1]
        statement = statement.order_by(*order).limit(page.limit + 1)
        rows = await self._rows(statement)
        items = tuple(self._to_entity(row) for row in rows[: page.limit])
        cursor = None
        if len(rows) > page.limit:
            last = rows[page.limit - 1]
            cursor = Cursor(last._mapping[page.sort], last.id)
        return Page(items, cursor)

    async def count(self, filter: FilterT) -> int:
        """Exact count of matching records."""
        statement = select(func.count()).select_from(self.table).where(*self._where(filter))
        return int((await self._rows(statement))[0][0])

    async def estimate_total(self) -> int:
        """The planner's row estimate: instant on a million rows, exact once analysed."""
        query = text("SELECT reltuples::bigint FROM pg_class WHERE oid = CAST(:t AS regclass)")
        estimate = int((await self._rows(query.bindparams(t=self.table.name)))[0][0])
        if estimate < 0:
            # Never analysed (a new table): small enough to count.
            exact = select(func.count()).select_from(self.table)
            return int((await self._rows(exact))[0][0])
        return estimate

    async def update(
        self, ident: int, version: int, changes: Mapping[str, object], now: datetime
    ) -> EntityT:
        """Apply ``changes`` if the row is still at ``version``; bump the version."""
        values: dict[str, Any] = dict(changes)
        values["version"] = self.table.c.version + 1
        if self.touches_updated_at:
            values["updated_at"] = now
        statement = (
            update(self.table)
            .where(self.table.c.id == ident, self.table.c.version == version)
            .values(values)
            .returning(*self.table.c)
        )
        rows = await self._rows(statement)
        if not rows:
            await self._raise_missing_or_stale(ident, version)
        return self._to_entity(rows[0])

    async def delete(self, ident: int, version: int | None = None) -> None:
        """Delete the row; with ``version``, only if it is still at that version."""
        statement = delete(self.table).where(self.table.c.id == ident)
        if version is not None:
            statement = statement.where(self.table.c.version == version)
        rows = await self._rows(statement.returning(self.table.c.id))
        if not rows:
            await self._raise_missing_or_stale(ident, version)

    async def delete_many(self, versions: Mapping[int, int]) -> Sequence[int]:
        """One DELETE of the rows still at their version; the ids deleted, in order."""
        if not versions:
            return []
        statement = (
            delete(self.table).where(at_versions(self.table, versions)).returning(self.table.c.id)
        )
        return sorted(int(row[0]) for row in await self._rows(statement))

    async def _update_many(
        self,
        versions: Mapping[int, int],
        where: Sequence[ColumnElement[bool]],
        values: Mapping[str, Any],
        now: datetime,
    ) -> Sequence[EntityT]:
        """One UPDATE of the rows still at their version that meet ``where``; bump versions."""
        if not versions:
            return []
        changes: dict[str, Any] = {**values, "version": self.table.c.version + 1}
        if self.touches_updated_at:
            changes["updated_at"] = now
        statement = (
            update(self.table)
            .where(at_versions(self.table, versions), *where)
            .values(changes)
            .returning(*self.table.c)
        )
        rows = sorted(await self._rows(statement), key=lambda row: int(row.id))
        return [self._to_entity(row) for row in rows]

    async def _raise_missing_or_stale(self, ident: int, version: int | None) -> None:
        if await self.find(ident) is None:
            raise NotFound(self.entity_name, ident)
        raise Conflict(self.entity_name, ident, version or 0)
