"""Tessera: a desktop client for the users, tokens and events of a scheduling service."""

from importlib.metadata import PackageNotFoundError, version

# pyproject.toml's [project] version, for a source tree that is not installed (a test
# checks that the two agree). Installed or bundled, the package metadata says it.
SOURCE_VERSION = "0.1.0"

try:
    __version__ = version("tessera")
except PackageNotFoundError:
    __version__ = SOURCE_VERSION
