"""Saved connections: the JSON file, its permissions, and passwords in a keyring.

Every test injects its keyring: a test must never touch the developer's real one.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordDeleteError
from pydantic import SecretStr

from app.domain.connection_check import Target
from app.infrastructure.profiles import Profile, ProfileStore, default_store

PASSWORD = "correct horse battery staple"  # long and distinctive: easy to find in a file


class MemoryKeyring(KeyringBackend):
    """A keyring in a dict."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


def server(password: str | None = PASSWORD, host: str = "db.example") -> Target:
    return Target(
        kind="server",
        host=host,
        port=6432,
        database="tes",
        user="ann",
        password=SecretStr(password) if password else None,
        ssl_mode="require",
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_save_list_get_and_last_used(tmp_path: Path) -> None:
    keyring = MemoryKeyring()
    store = ProfileStore(tmp_path / "config", keyring)
    assert store.list() == []
    assert store.last_used() is None
    assert store.can_store_passwords

    assert store.save("Work", server())
    assert store.save("home", server(host="home.example"))
    store.set_last_used("Work")

    again = ProfileStore(tmp_path / "config", keyring)  # as after a restart
    assert [p.name for p in again.list()] == ["home", "Work"]
    assert again.get("Work") == Profile("Work", server(password=None))
    assert again.get("nobody") is None
    assert again.password("Work") == PASSWORD
    assert again.last_used() == "Work"
    with pytest.raises(KeyError):
        again.set_last_used("nobody")


def test_the_file_is_private_and_holds_no_password(tmp_path: Path) -> None:
    keyring = MemoryKeyring()
    folder = tmp_path / "config"
    store = ProfileStore(folder, keyring)

    assert store.save("Work", server())

    assert mode(folder) == 0o700
    assert mode(folder / "profiles.json") == 0o600
    raw = (folder / "profiles.json").read_text(encoding="utf-8")
    assert PASSWORD not in raw
    assert "password" not in json.loads(raw)["profiles"]["Work"]
    assert keyring.passwords == {("tessera", "Work"): PASSWORD}
    assert [p.name for p in folder.iterdir()] == ["profiles.json"]  # no scratch file left


def test_an_existing_open_folder_is_closed(tmp_path: Path) -> None:
    folder = tmp_path / "config"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)

    ProfileStore(folder, MemoryKeyring()).save("Work", server())

    assert mode(folder) == 0o700


def test_without_a_keyring_no_password_is_kept(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path, fail.Keyring())  # type: ignore[no-untyped-call]

    assert not store.can_store_passwords
    assert store.save("Work", server()) is False
    assert store.password("Work") is None
    assert store.get("Work") == Profile("Work", server(password=None))
    assert PASSWORD not in (tmp_path / "profiles.json").read_text(encoding="utf-8")


def test_delete_removes_the_profile_and_its_password(tmp_path: Path) -> None:
    keyring = MemoryKeyring()
    store = ProfileStore(tmp_path, keyring)
    store.save("Work", server())
    store.save("home", server())
    store.set_last_used("Work")

    store.delete("Work")
    store.delete("never saved")

    assert [p.name for p in store.list()] == ["home"]
    assert store.last_used() is None
    assert keyring.passwords == {("tessera", "home"): PASSWORD}


def test_saving_without_a_password_forgets_the_old_one(tmp_path: Path) -> None:
    keyring = MemoryKeyring()
    store = ProfileStore(tmp_path, keyring)
    store.save("Work", server())

    assert store.save("Work", server(password=None)) is False

    assert store.password("Work") is None
    assert keyring.passwords == {}


def test_an_unreadable_file_counts_as_empty(tmp_path: Path) -> None:
    (tmp_path / "profiles.json").write_text("{not json", encoding="utf-8")
    store = ProfileStore(tmp_path, MemoryKeyring())

    assert store.list() == []
    assert store.last_used() is None
    assert store.save("Work", server())
    assert [p.name for p in store.list()] == ["Work"]


def test_a_blank_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="name"):
        ProfileStore(tmp_path, MemoryKeyring()).save("  ", server())


def test_the_default_store_lives_in_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))

    # Nothing is saved: the developer's real keyring stays untouched.
    assert default_store().path == tmp_path / "tessera" / "profiles.json"
