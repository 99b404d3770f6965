"""Alembic environment: HallQ runs migrations in-process at start, handing in
its own connection (``config.attributes['connection']``)."""

from __future__ import annotations

from alembic import context

from queue_server.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through queue_server.storage (open_store / SqlStore.migrate)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
