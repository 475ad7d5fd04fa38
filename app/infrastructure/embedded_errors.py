"""The one error of the embedded PostgreSQL server, shared by the modules that run it.

It lives apart so that :mod:`app.infrastructure.embedded_owners` and
:mod:`app.infrastructure.embedded_user` can raise it without importing the server module that
imports them. :mod:`app.infrastructure.embedded` re-exports it.
"""

from __future__ import annotations


class EmbeddedServerError(Exception):
    """The embedded PostgreSQL server could not be set up, started or stopped."""
