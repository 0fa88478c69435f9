"""Erasure of personal data (issue 12, point 7): when a ticket's personal data, a history
event's texts and an outbox message were erased.

The ticket history stays append-only but for one change: an event's ``note`` and ``details``
may be rewritten once, to their de-identified version, by setting ``erased_at``; who, when,
what and the states cannot change, and nothing can be deleted. So no copy of an erased value
stays in the history, and the history cannot otherwise be rewritten.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 10:02:14.355740
"""
import sqlalchemy as sa
from alembic import op

import portal.db

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

# The columns an erasure must leave as they were (note and details may change, once).
_KEPT = ("id", "ticket_id", "at", "actor_id", "action", "from_state", "to_state")


def upgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', portal.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personal_data_erased_at', portal.db.UTCDateTime(),
                                      nullable=True))
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', portal.db.UTCDateTime(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        kept = " AND ".join(f"NEW.{name} IS NOT DISTINCT FROM OLD.{name}" for name in _KEPT)
        op.execute(f"""
            CREATE OR REPLACE FUNCTION ticket_event_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
                        AND {kept} THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION 'ticket_event is append-only';
            END $$""")
    else:
        kept = " AND ".join(f"NEW.{name} IS OLD.{name}" for name in _KEPT)
        op.execute("DROP TRIGGER ticket_event_no_update")
        op.execute(f"""
            CREATE TRIGGER ticket_event_no_update BEFORE UPDATE ON ticket_event
            WHEN NOT (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL AND {kept})
            BEGIN SELECT RAISE(ABORT, 'ticket_event is append-only'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE OR REPLACE FUNCTION ticket_event_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'ticket_event is append-only'; END $$""")
    else:
        op.execute("DROP TRIGGER ticket_event_no_update")
        op.execute("DROP TRIGGER ticket_event_no_delete")
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
    if op.get_bind().dialect.name != "postgresql":  # the batch rebuilt the table
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER ticket_event_no_{event.lower()} BEFORE {event} ON ticket_event
                BEGIN SELECT RAISE(ABORT, 'ticket_event is append-only'); END""")
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_column('personal_data_erased_at')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
