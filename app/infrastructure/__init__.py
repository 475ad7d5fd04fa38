"""Adapters: PostgreSQL through SQLAlchemy async + asyncpg, Alembic, the embedded server."""
