"""The desktop entry, the AppStream metadata, the icons, and the version the app reports.

``desktop-file-validate`` and ``appstreamcli`` run when installed; without them the files
are still checked here, in Python, for what those tools would reject.
"""

from __future__ import annotations

import configparser
import contextlib
import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

import app

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
DESKTOP = PACKAGING / "tessera.desktop"
METAINFO = PACKAGING / "org.tessera.Tessera.metainfo.xml"
SIZES = (16, 32, 48, 64, 128, 256)


def _pyproject_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def _tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)


def test_desktop_entry_is_valid() -> None:
    if shutil.which("desktop-file-validate"):
        done = _tool("desktop-file-validate", str(DESKTOP))
        assert done.returncode == 0, done.stdout + done.stderr
        # Hints are advice; errors (and warnings, which mean a broken key) are not.
        assert "error:" not in done.stdout, done.stdout
        assert "warning:" not in done.stdout, done.stdout
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(DESKTOP.read_text(encoding="utf-8"))
    assert parser.sections() == ["Desktop Entry"]
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Tessera"
    assert entry["Exec"].split()[0] == "tessera"
    assert entry["Icon"] == "tessera"
    assert entry["Categories"].endswith(";")
    main_categories = {"AudioVideo", "Development", "Education", "Game", "Graphics", "Network"}
    main_categories |= {"Office", "Science", "Settings", "System", "Utility"}
    assert main_categories & set(entry["Categories"].split(";"))


def test_metainfo_is_valid_appstream() -> None:
    if shutil.which("appstreamcli"):
        done = _tool("appstreamcli", "validate", "--no-net", "--no-color", str(METAINFO))
        # Exit 0 means no errors or warnings; infos and pedantic hints may remain.
        assert done.returncode == 0, done.stdout + done.stderr
    root = ET.parse(METAINFO).getroot()  # noqa: S314 - our own file
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == "org.tessera.Tessera"
    assert root.findtext("metadata_license") == "CC0-1.0"
    with (ROOT / "pyproject.toml").open("rb") as file:
        assert root.findtext("project_license") == tomllib.load(file)["project"]["license"]
    assert root.findtext("name") == "Tessera"
    assert root.find("description/p") is not None
    assert root.findtext("launchable") == DESKTOP.name
    assert root.find("content_rating") is not None
    releases = [r.get("version") for r in root.findall("releases/release")]
    assert _pyproject_version() in releases
    images = [image.text or "" for image in root.findall("screenshots/screenshot/image")]
    assert images
    assert all(image.endswith("docs/tokens.png") for image in images)
    assert (ROOT / "docs" / "tokens.png").is_file()


@pytest.mark.parametrize("size", SIZES)
def test_icon_png_has_its_size(size: int) -> None:
    png = PACKAGING / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "tessera.png"
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert header[12:16] == b"IHDR"
    assert struct.unpack(">II", header[16:24]) == (size, size)


def test_icon_svg_is_well_formed() -> None:
    root = ET.parse(PACKAGING / "icons" / "tessera.svg").getroot()  # noqa: S314 - our own file
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 256 256"


def test_version_is_pyproject_version() -> None:
    expected = _pyproject_version()
    assert expected == app.SOURCE_VERSION
    assert app.__version__ == expected
    with contextlib.suppress(PackageNotFoundError):  # a source tree, not installed
        assert version("tessera") == expected, "reinstall: python dev.py run"


def test_about_box_names_tessera_qt_and_postgresql() -> None:
    from PySide6.QtCore import qVersion

    from ui.dialogs.about import about_text

    text = about_text("Local database", "18.6")
    assert f"Tessera {_pyproject_version()}\n" in text
    assert f"Qt {qVersion()}" in text
    assert "Database: Local database (PostgreSQL 18.6)" in text
