"""Two windows on one database: an edit that meets someone else's."""


async def test_a_conflict_between_two_windows_is_settled_in_the_comparison(tessera):
    await tessera.users.create(email="ana@example.com", display_name="Ana")
    other = await tessera.open_window()
    form = await other.users.open_edit(email="ana@example.com")
    await form.fill(display_name="Ana (from the second window)")

    await tessera.users.edit({"email": "ana@example.com"}, display_name="Ana (from the first)")
    await tessera.idle()
    assert "while you were editing" in form.note

    saved = await form.save(conflict="mine")

    assert form.conflicts == ["display_name"]
    assert saved.display_name == "Ana (from the second window)"
    assert [row["Name"] for row in await tessera.users.rows()] == ["Ana (from the second window)"]
