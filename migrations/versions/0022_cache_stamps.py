"""Cache stamps (issue 13, point 1): a random stamp per group of tables, replaced by triggers
in the same transaction as any insert, change or delete of the group's rows, so that each
worker's copies of those rows (portal/snapshots.py) are reloaded after every change, whoever
made it.

On SQLite a table rebuilt by a later batch migration loses its triggers: such a migration must
create them again (tests/portal/test_snapshots.py fails when one is missing).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 13:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

GROUPS = {
    "questionnaire": ("questionnaire", "survey_dimension", "survey_item"),
    "counters": ("counter", "unit"),
    "duty": ("counter_duty", "staff_user"),
    "fields": ("procedure_field",),
    "contact": ("hotline_page", "hotline_number"),
}
WATCHED_COLUMNS = {"staff_user": ("full_name", "active")}
_SQLITE_STAMP = "lower(hex(randomblob(16)))"
_POSTGRES_STAMP = "md5(random()::text || clock_timestamp()::text)"


def upgrade() -> None:
    op.create_table(
        'cache_stamp',
        sa.Column('name', sa.String(length=30), nullable=False),
        sa.Column('stamp', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_stamp')))
    postgres = op.get_bind().dialect.name == "postgresql"
    new_stamp = _POSTGRES_STAMP if postgres else _SQLITE_STAMP
    for group in GROUPS:
        op.execute(f"INSERT INTO cache_stamp (name, stamp) VALUES ('{group}', {new_stamp})")
    if postgres:
        op.execute(f"""
            CREATE FUNCTION cache_stamp_replace() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE cache_stamp SET stamp = {_POSTGRES_STAMP} WHERE name = TG_ARGV[0];
                RETURN NULL;
            END $$""")
    for group, tables in GROUPS.items():
        for table in tables:
            create_triggers(table, group, postgres)


def create_triggers(table: str, group: str, postgres: bool) -> None:
    """The triggers that replace ``group``'s stamp when ``table`` changes (a later migration
    that rebuilds the table on SQLite calls this again)."""
    columns = WATCHED_COLUMNS.get(table)
    update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
    if postgres:  # once per statement, whatever the number of rows
        op.execute(f"""
            CREATE TRIGGER cache_stamp_{table} AFTER INSERT OR {update} OR DELETE OR TRUNCATE
            ON {table} FOR EACH STATEMENT EXECUTE FUNCTION cache_stamp_replace('{group}')""")
        return
    for event, when in (("insert", "INSERT"), ("update", update), ("delete", "DELETE")):
        op.execute(f"""
            CREATE TRIGGER cache_stamp_{table}_{event} AFTER {when} ON {table}
            BEGIN
                UPDATE cache_stamp SET stamp = {_SQLITE_STAMP} WHERE name = '{group}';
            END""")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for tables in GROUPS.values():
        for table in tables:
            if postgres:
                op.execute(f"DROP TRIGGER cache_stamp_{table} ON {table}")
            else:
                for event in ("insert", "update", "delete"):
                    op.execute(f"DROP TRIGGER cache_stamp_{table}_{event}")
    if postgres:
        op.execute("DROP FUNCTION cache_stamp_replace()")
    op.drop_table('cache_stamp')
