"""Alembic migrations: the schema's history. ``app.infrastructure.migrations`` runs them."""
