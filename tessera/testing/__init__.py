"""Tessera's test kit: the pytest plugin, page objects, a frozen clock (docs/testing.md).

The plugin is registered through the ``pytest11`` entry point, so installing Tessera is
all a suite needs: the ``tessera`` fixture opens the window on a fresh database.
"""

from __future__ import annotations

from tessera.testing.clock import FROZEN_AT, FrozenClock

__all__ = ["FROZEN_AT", "FrozenClock"]
