"""Tokens: rotating one, and the quick filters."""

from datetime import timedelta

from tessera.testing import FROZEN_AT


async def test_rotate_revokes_the_token_and_issues_a_successor(tessera):
    await tessera.users.create(email="ci@example.com", display_name="CI bot")
    first = await tessera.tokens.issue(owner="ci@example.com", name="deploy", days=30)

    second = await tessera.tokens.rotate("deploy")

    assert second
    assert second != first
    deploys = [row for row in await tessera.tokens.rows() if row["Name"] == "deploy"]
    assert sorted(row["Status"] for row in deploys) == ["Active", "Revoked"]


async def test_the_expiring_soon_filter_shows_only_what_expires_soon(tessera):
    await tessera.users.create(email="ops@example.com", display_name="Ops")
    await tessera.tokens.create(
        owner="ops@example.com", name="short", expires_at=FROZEN_AT + timedelta(days=3)
    )
    await tessera.tokens.issue(owner="ops@example.com", name="long", days=90)

    rows = await tessera.tokens.quick_filter("Expiring soon")

    assert [row["Name"] for row in rows] == ["short"]
    assert tessera.tokens.quick_counts()["Expiring soon"] == 1
