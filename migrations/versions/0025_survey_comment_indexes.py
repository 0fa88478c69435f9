"""The dashboard's list of the newest comments read among the responses with a comment only
(issue 13, point 2): at 1,000,000 responses the list of a procedure field's comments read
25,000 responses back through the date index to find 50.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-01 18:15:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

INDEXES = (('submitted', ()), ('counter', ('counter_id',)), ('officer', ('officer_id',)),
           ('field', ('procedure_field_id',)))


def upgrade() -> None:
    for name, columns in INDEXES:
        op.create_index(f'ix_survey_response_comment_{name}', 'survey_response',
                        [*columns, 'submitted_at'],
                        sqlite_where=sa.text('comment IS NOT NULL'),
                        postgresql_where=sa.text('comment IS NOT NULL'))


def downgrade() -> None:
    for name, _columns in INDEXES:
        op.drop_index(f'ix_survey_response_comment_{name}', table_name='survey_response')
