"""A small, realistic data set for screenshots and demos, written through the services."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.bootstrap import Tessera
from app.domain.events import EventDraft
from app.domain.tokens import TokenRequest
from app.domain.users import Role, UserDraft
from app.services.tokens import TokenService
from app.services.users import UserService

PEOPLE = [
    ("Ana García", "ana.garcia"),
    ("김민준", "minjun.kim"),
    ("Lukas Schäfer", "lukas.schaefer"),
    ("佐藤 陽菜", "hina.sato"),
    ("Olumide Adeyemi", "olumide"),
    ("Eleni Papadopoulou", "eleni.p"),
    ("Priya Natarajan", "priya.n"),
    ("Иван Петров", "ivan.petrov"),
    ("Chloé Dubois", "chloe.dubois"),
    ("이서연", "seoyeon.lee"),
    ("Mateo Rossi", "mateo.rossi"),
    ("Fatima Zahra El Idrissi", "fatima.elidrissi"),
    ("Jonas Andersson", "jonas.a"),
    ("Nguyễn Thu Hà", "thuha.nguyen"),
    ("Sofía Martínez 🎸", "sofia.martinez"),
    ("Tomasz Kowalczyk", "tomasz.k"),
    ("Aiyana Redcloud", "aiyana"),
    ("박지훈", "jihoon.park"),
    ("Zeynep Yılmaz", "zeynep.yilmaz"),
    ("William O'Connor", "will.oconnor"),
]
TOKEN_NAMES = [
    ("CI deploy", ("deploy", "read")),
    ("Calendar sync", ("calendar:read", "calendar:write")),
    ("Reporting export", ("read",)),
    ("Mobile app", ("read", "write")),
    ("Backup job", ("read", "backup")),
    ("Slack bot", ("events:read",)),
]
EVENTS = [
    ("Weekly planning", "Room Aurora"),
    ("1:1 with manager", "Video call"),
    ("Customer demo", "Seoul office, 5F"),
    ("Design review", "Room Borealis"),
    ("Lunch & learn: PostgreSQL indexes", "Kitchen"),
    ("Release retrospective", "Video call"),
    ("Dentist", ""),
    ("Quarterly review 📈", "Board room"),
]


@dataclass
class Clock:
    """A settable clock so tokens can be issued "in the past"."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


async def fill(tessera: Tessera, now: datetime, seed: int = 7) -> None:
    """Create users, tokens in every status, and a realistic week of events."""
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not secrets
    roles = [Role.ADMINISTRATOR, Role.STAFF] + [Role.MEMBER] * 4
    users = []
    clock = Clock(now)
    people = UserService(tessera.database.unit_of_work, clock)
    for number, (name, handle) in enumerate(PEOPLE):
        clock.now = now - timedelta(days=400 - number * 19, hours=rng.randint(0, 9))
        draft = UserDraft(
            email=f"{handle}@example.org",
            display_name=name,
            role=roles[number % len(roles)],
            is_active=number % 9 != 8,
        )
        users.append(await people.create(draft))
    tokens = TokenService(tessera.database.unit_of_work, clock)
    for user in users[:14]:
        for name, scopes in rng.sample(TOKEN_NAMES, rng.randint(1, 3)):
            issued_days_ago = rng.randint(5, 200)
            clock.now = now - timedelta(days=issued_days_ago, hours=rng.randint(0, 23))
            lifetime = timedelta(days=rng.choice([30, 60, 90, 180, 365]))
            lifetime = min(lifetime, timedelta(days=issued_days_ago + rng.randint(-20, 40)))
            lifetime = max(lifetime, timedelta(days=1))
            issued = await tokens.issue(
                TokenRequest(
                    owner_id=user.id,
                    name=name,
                    scopes=scopes,
                    expires_at=clock.now + lifetime,
                )
            )
            if rng.random() < 0.12:
                clock.now = now - timedelta(days=rng.randint(0, 3))
                await tokens.revoke(issued.token.id, issued.token.version)
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0)
    for user in users[:10]:
        for _ in range(rng.randint(2, 4)):
            title, place = rng.choice(EVENTS)
            hour = rng.choice([8, 9, 10, 13, 14, 16])
            start = monday + timedelta(days=rng.randint(0, 11), hours=hour)
            length = timedelta(minutes=rng.choice([30, 45, 60, 90]))
            await tessera.events.create(
                EventDraft(
                    owner_id=user.id,
                    title=title,
                    location=place,
                    starts_at=start,
                    ends_at=start + length,
                )
            )
