"""Alembic environment: migrates the app's database (``flask --app wsgi init-db``)."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

# Every models module, so that autogenerate sees the whole schema.
import feedback.models  # noqa: F401
import portal.audit  # noqa: F401
import portal.auth.models  # noqa: F401
import portal.pages.models  # noqa: F401
import portal.snapshots  # noqa: F401
import portal.workcalendar.models  # noqa: F401
import survey.models  # noqa: F401
import survey.onestop.models  # noqa: F401
from feedback.words import described
from portal.db import Base

target_metadata = Base.metadata


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True, include_name=described)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:  # plain `alembic` use, e.g. autogenerate: the database from the environment
    import os

    from portal.config import from_environment

    url = os.environ.get("DATABASE_URL") or from_environment("instance")["DATABASE_URL"]
    with create_engine(url).begin() as own_connection:
        run(own_connection)
