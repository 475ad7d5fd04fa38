"""The keyboard alone: a new user, and deleting one."""


async def test_a_user_can_be_created_with_the_keyboard_alone(tessera):
    await tessera.users.show()
    await tessera.activate()

    tessera.press("Ctrl+N")
    await tessera.users.form()
    tessera.type("keys@example.com")
    tessera.press("Tab")
    tessera.type("Only Keys")
    tessera.press("Return")

    await tessera.idle()
    assert [row["Email"] for row in await tessera.users.rows()] == ["keys@example.com"]


async def test_the_delete_key_deletes_the_selected_user_after_asking(tessera):
    await tessera.users.create(email="gone@example.com", display_name="Soon gone")
    await tessera.users.create(email="stays@example.com", display_name="Stays")

    await tessera.users.select(email="gone@example.com")
    await tessera.users.delete_selected()

    assert [row["Email"] for row in await tessera.users.rows()] == ["stays@example.com"]
