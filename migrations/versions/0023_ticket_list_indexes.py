"""Indexes for the ticket lists at 100,000 tickets (issue 13, point 3): the staff queue's
order (nearest deadline first) so that its first page is read in order instead of sorting
every open ticket; due dates for the "due soon" range; the tickets whose citizen was not told
in time; and the duplicate link only where there is one (an index on "not a duplicate", true
of nearly every ticket, drew SQLite away from the published list's own order).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

QUEUE_ORDER = (sa.text('(due_on IS NULL)'), 'due_on', 'received_at', 'id', 'state')
PUBLIC_LIST = sa.text('published_at IS NOT NULL AND duplicate_of_id IS NULL')


def upgrade() -> None:
    op.drop_index('ix_ticket_duplicate_of_id', table_name='ticket')
    op.create_index('ix_ticket_duplicate_of_id', 'ticket', ['duplicate_of_id'],
                    sqlite_where=sa.text('duplicate_of_id IS NOT NULL'),
                    postgresql_where=sa.text('duplicate_of_id IS NOT NULL'))
    # a filter on the unit, the officer or the field reads its own part in the same order
    # (these replace the indexes on the officer and the field alone)
    op.create_index('ix_ticket_queue_order', 'ticket', list(QUEUE_ORDER))
    op.drop_index('ix_ticket_officer_id', table_name='ticket')
    op.drop_index('ix_ticket_procedure_field_id', table_name='ticket')
    for name, column in (('unit', 'unit_id'), ('officer', 'officer_id'),
                         ('field', 'procedure_field_id')):
        op.create_index(f'ix_ticket_queue_{name}', 'ticket', [column, *QUEUE_ORDER])
    op.create_index('ix_ticket_due_on', 'ticket', ['due_on'])
    # the published list of a field in its order, of a month's answers; the years it
    # offers, one look-up each
    op.create_index('ix_ticket_published_field', 'ticket',
                    ['procedure_field_id', 'published_at', 'id'],
                    sqlite_where=PUBLIC_LIST, postgresql_where=PUBLIC_LIST)
    op.create_index('ix_ticket_published_answered', 'ticket', ['answered_at', 'id'],
                    sqlite_where=PUBLIC_LIST, postgresql_where=PUBLIC_LIST)
    op.create_index('ix_ticket_published_year', 'ticket', ['year'],
                    sqlite_where=sa.text('published_at IS NOT NULL'),
                    postgresql_where=sa.text('published_at IS NOT NULL'))
    op.create_index('ix_ticket_notice_due', 'ticket', ['notify_due_on'],
                    sqlite_where=sa.text('first_notice_at IS NULL'),
                    postgresql_where=sa.text('first_notice_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_ticket_published_year', table_name='ticket')
    op.drop_index('ix_ticket_published_answered', table_name='ticket')
    op.drop_index('ix_ticket_published_field', table_name='ticket')
    op.drop_index('ix_ticket_notice_due', table_name='ticket')
    op.drop_index('ix_ticket_due_on', table_name='ticket')
    for name in ('unit', 'officer', 'field'):
        op.drop_index(f'ix_ticket_queue_{name}', table_name='ticket')
    op.create_index('ix_ticket_officer_id', 'ticket', ['officer_id'])
    op.create_index('ix_ticket_procedure_field_id', 'ticket', ['procedure_field_id'])
    op.drop_index('ix_ticket_queue_order', table_name='ticket')
    op.drop_index('ix_ticket_duplicate_of_id', table_name='ticket')
    op.create_index('ix_ticket_duplicate_of_id', 'ticket', ['duplicate_of_id'])
