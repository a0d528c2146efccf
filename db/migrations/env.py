"""Alembic environment: the engine is handed in by db.migrate (never built from a config file)."""

from alembic import context

from db.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # `alembic revision --autogenerate` run by a developer
    from db.session import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///schema-dev.db")

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
