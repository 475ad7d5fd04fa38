"""Running the embedded PostgreSQL server as a system user when Tessera runs as root.

PostgreSQL refuses to run as root, so a root process hands the cluster to the system user
``tessera_pg``: it creates the user once, lets it reach the data folder and the binaries, and
gives it the cluster's files. POSIX only; nothing here is called on Windows.
"""

from __future__ import annotations

import logging
import os
import stat
import subprocess
from pathlib import Path

from app.infrastructure.embedded_errors import EmbeddedServerError

_LOG = logging.getLogger("app.infrastructure.embedded")  # one logger for the whole server
SYSTEM_USER = "tessera_pg"  # PostgreSQL refuses to run as root


def system_account() -> tuple[int, int]:
    """Find the system user that runs PostgreSQL, creating it with ``useradd`` if missing.

    Returns:
        The ``(uid, gid)`` of :data:`SYSTEM_USER`.

    Raises:
        EmbeddedServerError: if the user does not exist and cannot be created.
    """
    import pwd  # POSIX only

    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        # /usr/sbin is often missing from PATH (sudo, cron, desktop launchers).
        useradd = "/usr/sbin/useradd" if os.path.exists("/usr/sbin/useradd") else "useradd"
        _LOG.info("Creating system user %s to run PostgreSQL (it refuses root)", SYSTEM_USER)
        command = [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin"]
        try:
            done = subprocess.run([*command, SYSTEM_USER], capture_output=True, text=True)  # noqa: S603
        except OSError as exc:
            raise EmbeddedServerError(f"Cannot create user {SYSTEM_USER}: {exc}") from None
        try:
            entry = pwd.getpwnam(SYSTEM_USER)  # another process may have made it meanwhile
        except KeyError:
            raise EmbeddedServerError(f"useradd {SYSTEM_USER}: {done.stderr.strip()}") from None
    return entry.pw_uid, entry.pw_gid


def grant_traverse(folder: Path) -> None:
    """Let every user traverse ``folder`` and each of its parents (``o+x``), where they cannot.

    Args:
        folder: A folder the system user must reach: the data folder, or one of the binaries'.

    Raises:
        OSError: if a folder's mode cannot be read or changed.
    """
    for path in (folder, *folder.parents):
        mode = path.stat().st_mode
        if not mode & stat.S_IXOTH:
            _LOG.info("Adding o+x to %s so %s can reach it", path, SYSTEM_USER)
            path.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)


def chown_tree(root: Path, uid: int, gid: int) -> None:
    """Give ``root`` and everything under it to ``uid:gid``, symbolic links themselves included.

    Args:
        root: The folder to hand over, typically the cluster's.
        uid: The new owner.
        gid: The new group.

    Raises:
        OSError: if an entry cannot be handed over.
    """
    _LOG.info("Handing %s over to %s", root, SYSTEM_USER)
    for folder, dirs, files in os.walk(root):
        for name in (folder, *(os.path.join(folder, n) for n in dirs + files)):
            os.chown(name, uid, gid, follow_symlinks=False)
