from datetime import timedelta


async def test_user_round_trip(tessera):
    await tessera.users.create(email="qa.kim@example.com", display_name="QA 김민준")
    await tessera.users.search("qa.kim")
    assert [row["Email"] for row in await tessera.users.rows()] == ["qa.kim@example.com"]


async def test_bad_email_is_a_field_error(tessera):
    errors = await tessera.users.create(email="not-an-email", display_name="X", expect_errors=True)
    assert "email" in errors


async def test_expiry_follows_the_clock(tessera):
    await tessera.users.create(email="owner@example.com", display_name="Owner")
    assert await tessera.tokens.issue(owner="owner@example.com", name="CI", days=30)
    tessera.clock.advance(timedelta(days=27))
    await tessera.idle()
    assert await tessera.tokens.status_of("CI") == "Expiring soon"
