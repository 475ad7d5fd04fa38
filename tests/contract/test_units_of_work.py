"""The unit of work: what is committed stays, anything else is gone."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.domain.paging import PageRequest
from app.domain.ports import UnitOfWork
from tests.contract.rows import OURS, user

UowFactory = Callable[[], UnitOfWork]


async def test_committed_work_is_seen_by_the_next_unit(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        kim = await user(uow)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.users.get(kim.id) == kim


async def test_uncommitted_work_is_rolled_back(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await user(uow, "ghost")

    async def fail_half_way() -> None:
        async with uow_factory() as uow:
            await user(uow, "ghost2")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await fail_half_way()
    async with uow_factory() as uow:
        assert await uow.users.count(OURS) == 0


async def test_rollback_discards_the_units_work_and_the_unit_goes_on(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        await user(uow, "undone")
        await uow.rollback()
        assert await uow.users.count(OURS) == 0
        kept = await user(uow, "kept")
        await uow.commit()
    async with uow_factory() as uow:
        assert [u.id for u in (await uow.users.list(OURS, PageRequest())).items] == [kept.id]
