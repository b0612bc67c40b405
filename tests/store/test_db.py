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


def test_a_database_from_before_the_rate_limits_upgrades_and_keeps_its_publish_tables(settings):
    from alembic import command

    from doesittrain.store.db import alembic_config, forget_engines, upgrade

    config = alembic_config(settings.database_url)
    for revision in ("0100_notify", "0200_monitor"):  # the heads before the web branch existed
        command.upgrade(config, revision)
    upgrade(settings.database_url)
    forget_engines()
    tables = set(sa.inspect(engine_for(settings)).get_table_names())
    assert {"notify_published_values", "notify_publications", "notify_changes", "web_rate_limits"} <= tables
