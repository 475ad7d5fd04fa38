"""A clock for tests: frozen until told to move (the tester's kit's, shared with the plugin)."""

from __future__ import annotations

from tessera.testing.clock import FrozenClock

__all__ = ["FrozenClock"]
