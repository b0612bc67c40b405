import sqlalchemy as sa

from doesittrain.store.db import engine_for


def test_migrations_create_every_table_on_both_databases(settings):
    engine = engine_for(settings)
    tables = set(sa.inspect(engine).get_table_names())
    assert {"meta", "alembic_version"} <= tables


def test_migrating_twice_changes_nothing(settings):
    from doesittrain.store.db import upgrade

    upgrade(settings.database_url)
    upgrade(settings.database_url)
    engine = engine_for(settings)
    with engine.connect() as connection:
        heads = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    assert heads, "no revision recorded"
    assert len(heads) == len(set(heads)), "a branch head recorded twice"
