"""The generic async CRUD base that the three repositories share.

Queries are SQLAlchemy Core on the session's connection; rows become domain objects
at once, a whole result in one call of a pydantic ``TypeAdapter`` built once per
repository class (validation runs in pydantic-core: about four times faster than
``model_construct`` row by row in Python, and it also turns the driver's ``str`` into
``Role`` and its ``list`` of scopes into a ``tuple``). Paging is keyset only:
``(sort, id) > (:value, :id)``, never OFFSET.

Lookup by id, the hottest path, is one statement compiled once per class and sent
straight to asyncpg on the unit of work's own connection (see :meth:`SqlRepository.find`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

import asyncpg
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Row,
    Table,
    any_,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.errors import Conflict, InvalidInput, NotFound, Unavailable
from app.domain.paging import Cursor, Page, PageRequest
from app.infrastructure.errors import translate, translated

EntityT = TypeVar("EntityT", bound=BaseModel)
DraftT = TypeVar("DraftT", bound=BaseModel)
FilterT = TypeVar("FilterT")
Clauses = list[ColumnElement[bool]]


def contains(column: Any, needle: str) -> ColumnElement[bool]:
    """Case-insensitive substring match, with LIKE's wildcards in ``needle`` taken literally."""
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")  # type: ignore[no-any-return]


def ids_param(ids: Collection[int]) -> ColumnElement[Any]:
    """``ANY(:ids)`` with the ids as one array parameter (not one parameter per id).

    The same prepared statement then serves every call, whatever the number of ids.
    """
    return any_(bindparam("ids", sorted(set(ids)), type_=ARRAY(BigInteger)))


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


# What asyncpg raises for a statement sent to it directly: server errors, a closed or
# lost connection, and the socket's own errors.
_DRIVER_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)


def _from_driver(error: BaseException, entity: str) -> BaseException:
    """The domain error for an asyncpg error, decided by the same table as ``translated``.

    The driver's error is wrapped as SQLAlchemy wraps it (as ``orig``, where
    ``translate`` reads its SQLSTATE); an error that means no domain error comes back
    wrapped, as ``translated`` would let it through.
    """
    if isinstance(error, OSError | TimeoutError):
        return Unavailable()
    wrapped = (
        sa_exc.InterfaceError(None, None, error)
        if isinstance(error, asyncpg.InterfaceError)
        else sa_exc.DBAPIError(None, None, error)
    )
    return translate(wrapped, entity) or wrapped


class SqlRepository(Generic[EntityT, DraftT, FilterT]):
    """add, get, list, count, estimate, update and bulk delete for one table.

    Subclasses name the table, the entity, the sortable columns and how a filter
    becomes WHERE clauses. Rows become entities by the entity's own field types.
    """

    table: ClassVar[Table]
    entity: type[EntityT]
    entity_name: ClassVar[str]
    sortable: frozenset[str] = frozenset({"id"})
    touches_updated_at: ClassVar[bool] = True
    # Built once per subclass (``__init_subclass__``), never per call.
    _entities: ClassVar[TypeAdapter[list[Any]]]
    _by_id_sql: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._entities = TypeAdapter(list[cls.entity])  # type: ignore[name-defined]
        by_id = select(cls.table).where(cls.table.c.id == bindparam("ident"))
        cls._by_id_sql = str(by_id.compile(dialect=PGDialect_asyncpg()))  # type: ignore[no-untyped-call]

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._transaction: object = None  # the session's transaction that _driver is of
        self._driver: Any = None

    async def _driver_connection(self) -> Any:
        """The asyncpg connection under the session, asked of SQLAlchemy once per transaction.

        A session keeps one connection for the life of its transaction, and asking for
        it (a greenlet switch) costs a third of a lookup by id.
        """
        transaction = self._session.get_transaction()
        if transaction is None or transaction is not self._transaction:
            connection = await self._session.connection()
            self._transaction = self._session.get_transaction()
            self._driver = (await connection.get_raw_connection()).driver_connection
        return self._driver

    def _to_entities(self, rows: Sequence[Row[Any]]) -> list[EntityT]:
        """All rows of one result in one call: keys taken once, one plain dict per row."""
        if not rows:
            return []
        keys = rows[0]._fields  # the rows' own keys: same length (strict would cost 40%)
        entities: list[EntityT] = self._entities.validate_python(
            [dict(zip(keys, row, strict=False)) for row in rows]
        )
        return entities

    def _to_entity(self, row: Row[Any]) -> EntityT:
        return self.entity.model_validate(row._asdict())

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
        """The record with this id, or None.

        The SQL was compiled once from a SQLAlchemy ``select`` and goes straight to
        asyncpg on the unit of work's own connection; asyncpg keeps it prepared per
        connection. SQLAlchemy's execution layer cost twice the query itself here.

        Why reading outside a transaction is fine: SQLAlchemy's asyncpg adapter sends
        BEGIN lazily, with the first statement it executes. If none has run yet in this
        unit of work, this SELECT runs on its own (autocommit). It then sees what it
        would see as the first statement of the transaction, because the engine pins
        READ COMMITTED (each statement takes a fresh snapshot) and a unit of work with
        no statement yet has no uncommitted writes to see. Once a transaction has begun,
        the SELECT runs inside it and sees its writes. A read-only unit of work that
        only looks rows up by id so never sends BEGIN and ROLLBACK at all.
        """
        try:
            driver = await self._driver_connection()
            record = await driver.fetchrow(self._by_id_sql, ident)
        except _DRIVER_ERRORS as error:
            raise _from_driver(error, self.entity_name) from error
        return None if record is None else self.entity.model_validate(dict(record.items()))

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
        statement = select(self.table).where(column == ids_param(ids)).order_by(column)
        return self._to_entities(await self._rows(statement))

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
        # A backward read walks the list's order reversed, then turns the rows round.
        descending = page.descending != page.backward
        bound = page.before if page.backward else page.after
        if bound is not None:
            value: Any = tuple_(bound.value, bound.id) if column is not id_column else bound.id
            statement = statement.where(key < value if descending else key > value)
        order = [column.desc(), id_column.desc()] if descending else [column, id_column]
        statement = statement.order_by(*order[:1] if column is id_column else order)
        rows = await self._rows(statement.limit(page.limit + 1))
        kept = list(rows[: page.limit])
        more = len(rows) > page.limit
        if page.backward:
            kept.reverse()
        items = tuple(self._to_entities(kept))
        if not kept:
            return Page(items, None)
        first, last = kept[0], kept[-1]
        after_last = more if not page.backward else page.before is not None
        before_first = more if page.backward else page.after is not None
        return Page(
            items,
            Cursor(last._mapping[page.sort], last.id) if after_last else None,
            Cursor(first._mapping[page.sort], first.id) if before_first else None,
        )

    async def count(self, filter: FilterT, limit: int | None = None) -> int:
        """Count of matching records, exact, or stopping at ``limit`` rows."""
        where = self._where(filter)
        statement = select(func.count()).select_from(self.table).where(*where)
        if limit is not None:
            first = select(self.table.c.id).where(*where).limit(limit).subquery()
            statement = select(func.count()).select_from(first)
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
        return self._to_entities(rows)

    async def _raise_missing_or_stale(self, ident: int, version: int) -> None:
        if await self.find(ident) is None:
            raise NotFound(self.entity_name, ident)
        raise Conflict(self.entity_name, ident, version)
