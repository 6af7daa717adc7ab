"""Alembic environment: runs on the connection ``consult.migrate`` hands it."""

from alembic import context

from consult import models  # noqa: F401  (registers the tables on Base.metadata)
from consult.db import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
