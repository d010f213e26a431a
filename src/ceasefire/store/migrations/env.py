"""Alembic environment: runs on the connection ``Database.upgrade`` hands over, or, from
the ``alembic`` command line, on CEASEFIRE_DATABASE_URL."""

from alembic import context

from ceasefire.store import dialects
from ceasefire.store.tables import Base

config = context.config


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=dialects.of(connection).render_as_batch,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    from ceasefire.config import Settings
    from ceasefire.store.db import Database

    database = Database(Settings.from_env().database_url)
    with database.engine.begin() as conn:
        run(conn)
