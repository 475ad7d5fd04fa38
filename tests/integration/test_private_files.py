"""Tessera's own files are for its user alone: folders 0700, files 0600, whatever the umask.

The log folder and ``tessera.log`` (and its rotated copies), and the embedded server's
owners file and lock, were made with the umask's 0755 / 0644: anyone on the computer could
read them. The profiles file already was 0600 in a 0700 folder.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest

from app.infrastructure.embedded_owners import OwnersFile, this_process
from ui import crash


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _open_umask() -> Iterator[None]:
    """The common umask 022, which makes 0755 folders and 0644 files."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def log_handler(tmp_path: Path) -> Iterator[tuple[Path, RotatingFileHandler]]:
    path = crash.configure_logging(tmp_path / "state" / "log" / "tessera.log")
    (handler,) = (
        h
        for h in logging.getLogger().handlers
        if isinstance(h, RotatingFileHandler) and h.baseFilename == str(path)
    )
    try:
        yield path, handler
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()


def test_a_new_log_folder_and_file_are_private(
    log_handler: tuple[Path, RotatingFileHandler],
) -> None:
    path, handler = log_handler
    logging.getLogger("tessera.test").warning("written")
    handler.flush()

    assert "written" in path.read_text(encoding="utf-8")
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600


def test_rotated_logs_stay_private(log_handler: tuple[Path, RotatingFileHandler]) -> None:
    path, handler = log_handler
    logging.getLogger("tessera.test").warning("before the rotation")
    handler.doRollover()
    logging.getLogger("tessera.test").warning("after the rotation")
    handler.flush()

    assert mode(path.with_name("tessera.log.1")) == 0o600
    assert mode(path) == 0o600


def test_an_older_open_log_is_made_private(tmp_path: Path) -> None:
    folder = tmp_path / "log"
    folder.mkdir(mode=0o755)
    (folder / "tessera.log").write_text("from an older Tessera\n", encoding="utf-8")
    (folder / "tessera.log").chmod(0o644)

    path = crash.configure_logging(folder / "tessera.log")
    root = logging.getLogger()
    handler = next(h for h in root.handlers if getattr(h, "baseFilename", "") == str(path))
    root.removeHandler(handler)
    handler.close()

    assert mode(folder) == 0o700
    assert mode(path) == 0o600
    assert path.read_text(encoding="utf-8").startswith("from an older Tessera")


def test_the_owners_file_and_the_lock_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    owners = OwnersFile(data, data / "pgdata")

    with owners.locked(timeout=5):
        owners.write([this_process()])

    assert mode(data / "postgres.lock") == 0o600
    assert mode(data / "postgres.owners.json") == 0o600
    assert owners.live() == [this_process()]


def test_an_older_open_owners_file_and_lock_are_made_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    for name in ("postgres.lock", "postgres.owners.json"):
        (data / name).write_text("[]", encoding="utf-8")
        (data / name).chmod(0o644)
    owners = OwnersFile(data, data / "pgdata")

    with owners.locked(timeout=5):
        owners.write([])

    assert mode(data / "postgres.lock") == 0o600
    assert mode(data / "postgres.owners.json") == 0o600
