"""Saved connections: targets in ``profiles.json``, their passwords in the system keyring.

The file holds no password and is readable by its owner only. Where no keyring is usable
(a headless Linux box, say) a password is not saved at all and the app asks for it at
each start.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

import platformdirs
from pydantic import ValidationError

from app.domain.connection_check import Target

_LOG = logging.getLogger(__name__)
SERVICE = "tessera"
_FILE = "profiles.json"


@dataclass(frozen=True)
class Profile:
    """A saved connection; its target carries no password."""

    name: str
    target: Target


class _Keyring(Protocol):
    def get_password(self, service: str, username: str) -> str | None: ...
    def set_password(self, service: str, username: str, password: str) -> None: ...
    def delete_password(self, service: str, username: str) -> None: ...


def default_store() -> ProfileStore:
    """The store in the user's config folder, with the system keyring."""
    return ProfileStore(platformdirs.user_config_path("tessera", appauthor=False))


class ProfileStore:
    """Saved connections in ``folder/profiles.json``, passwords in a keyring."""

    def __init__(self, folder: Path, keyring_backend: object | None = None) -> None:
        """Open the store; nothing is read or written yet.

        Args:
            folder: where ``profiles.json`` lives (created 0700 on first save).
            keyring_backend: a ``keyring`` backend to use instead of the system's (tests).
        """
        self._folder = folder
        self._file = folder / _FILE
        backend = keyring_backend if keyring_backend is not None else _system_keyring()
        self._keyring = cast(_Keyring, backend) if _usable(backend) else None

    @property
    def path(self) -> Path:
        """The profiles file."""
        return self._file

    @property
    def can_store_passwords(self) -> bool:
        """Whether a usable keyring exists; without one, passwords are asked at each start."""
        return self._keyring is not None

    def list(self) -> builtins.list[Profile]:
        """All profiles, by name."""
        profiles = self._read()["profiles"]
        names = sorted(profiles, key=str.casefold)
        return [p for name in names if (p := self._profile(name, profiles[name]))]

    def get(self, name: str) -> Profile | None:
        """The profile called ``name``, or None."""
        return self._profile(name, self._read()["profiles"].get(name))

    def save(self, name: str, target: Target) -> bool:
        """Save or replace a profile; its password goes to the keyring if there is one.

        Returns:
            Whether the password was stored: False means the app must ask for it.

        Raises:
            ValueError: for a blank name.
            OSError: if the file cannot be written.
        """
        if not name.strip():
            raise ValueError("A profile needs a name.")
        data = self._read()
        data["profiles"][name] = target.model_dump(mode="json", exclude={"password"})
        self._write(data)
        if target.password is None or self._keyring is None:
            self._forget_password(name)  # an old password must not outlive its profile
            return False
        try:
            self._keyring.set_password(SERVICE, name, target.password.get_secret_value())
        except Exception as exc:  # a locked or refusing keyring: ask at each start instead
            _LOG.warning("The keyring did not take the password of %s: %s", name, exc)
            return False
        return True

    def password(self, name: str) -> str | None:
        """The saved password of a profile, or None."""
        if self._keyring is None:
            return None
        try:
            return self._keyring.get_password(SERVICE, name)
        except Exception as exc:
            _LOG.warning("The keyring did not give the password of %s: %s", name, exc)
            return None

    def delete(self, name: str) -> None:
        """Remove a profile and its password; an unknown name is ignored."""
        data = self._read()
        if data["profiles"].pop(name, None) is not None or data["last_used"] == name:
            if data["last_used"] == name:
                data["last_used"] = None
            self._write(data)
        self._forget_password(name)

    def last_used(self) -> str | None:
        """The name of the profile used last, if it still exists."""
        data = self._read()
        name = data["last_used"]
        return name if isinstance(name, str) and name in data["profiles"] else None

    def set_last_used(self, name: str) -> None:
        """Remember which profile was used last.

        Raises:
            KeyError: if there is no such profile.
        """
        data = self._read()
        if name not in data["profiles"]:
            raise KeyError(name)
        data["last_used"] = name
        self._write(data)

    def _profile(self, name: str, entry: Any) -> Profile | None:
        if entry is None:
            return None
        try:
            return Profile(name, Target.model_validate({**entry, "password": None}))
        except (ValidationError, TypeError) as exc:
            _LOG.warning("Ignoring unreadable profile %r in %s: %s", name, self._file, exc)
            return None

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self._file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except (OSError, ValueError) as exc:
            _LOG.warning("Ignoring unreadable %s: %s", self._file, exc)
            data = {}
        profiles = data.get("profiles") if isinstance(data, dict) else None
        last = data.get("last_used") if isinstance(data, dict) else None
        return {
            "version": 1,
            "profiles": profiles if isinstance(profiles, dict) else {},
            "last_used": last if isinstance(last, str) else None,
        }

    def _write(self, data: dict[str, Any]) -> None:
        self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._folder.chmod(0o700)  # mkdir's mode does not apply to a folder that existed
        # A scratch file renamed over the old one: a crash never leaves half a file.
        # mkstemp creates it 0600, so the content is never readable by others.
        fd, scratch = tempfile.mkstemp(dir=self._folder, prefix=".profiles.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2, ensure_ascii=False)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(scratch, 0o600)
            os.replace(scratch, self._file)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(scratch)
            raise

    def _forget_password(self, name: str) -> None:
        if self._keyring is None:
            return
        with contextlib.suppress(Exception):  # PasswordDeleteError when none was stored
            self._keyring.delete_password(SERVICE, name)


def _system_keyring() -> object | None:
    try:
        import keyring
    except ImportError:
        return None
    try:
        return keyring.get_keyring()
    except Exception as exc:
        _LOG.info("No keyring: %s", exc)
        return None


def _usable(backend: object | None) -> bool:
    """A real keyring: not keyring's "fail" or "null" stand-ins, nor one ranked 0."""
    if backend is None:
        return False
    try:
        from keyring.backends import fail, null

        if isinstance(backend, fail.Keyring | null.Keyring):
            return False
    except ImportError:
        pass
    try:
        priority = float(getattr(backend, "priority", 1))
    except Exception:  # a backend may raise here when its service is not running
        return False
    return priority > 0 and all(
        callable(getattr(backend, method, None))
        for method in ("get_password", "set_password", "delete_password")
    )
