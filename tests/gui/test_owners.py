"""The owner directory stays bounded and looks up again an owner it let go."""

from __future__ import annotations

from app.domain.users import UserDraft
from app.services.users import UserService
from tests.clock import FrozenClock
from tests.fakes import FakeUnitOfWorkFactory
from tests.gui.helpers import NOW, emitted
from ui.tabs.owners import OwnerDirectory


async def test_least_recently_shown_owners_are_let_go_and_looked_up_again() -> None:
    db = FakeUnitOfWorkFactory()
    users = UserService(db, FrozenClock(NOW))
    people = [
        await users.create(UserDraft(email=f"p{n}@example.org", display_name=f"Person {n}"))
        for n in range(5)
    ]
    owners = OwnerDirectory(users, limit=3)
    owners.add(people[:3])
    assert owners.label(people[0].id) == "Person 0"  # shown: now the most recent
    owners.add(people[3:])
    assert sorted(owners.known) == sorted([people[0].id, people[3].id, people[4].id])

    units = len(db.units)
    back = emitted(owners.changed)
    assert owners.label(people[1].id) == f"#{people[1].id}"  # let go: asked for anew…
    assert owners.tooltip(people[2].id) == f"User {people[2].id}"
    await back
    assert len(db.units) == units + 1  # …both in one lookup
    assert owners.label(people[1].id) == "Person 1"
    assert len(owners.known) == 3


async def test_an_owner_deleted_meanwhile_is_not_asked_for_again() -> None:
    db = FakeUnitOfWorkFactory()
    owners = OwnerDirectory(UserService(db, FrozenClock(NOW)))
    await owners.learn([404])
    units = len(db.units)
    assert owners.label(404) == "#404"
    assert owners.label(404) == "#404"
    assert len(db.units) == units
