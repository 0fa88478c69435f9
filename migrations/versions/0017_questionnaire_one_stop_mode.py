"""questionnaire one-stop mode: the TT 01/2018 questions asked not at all, besides the
statements, or instead of them on dossier links (was a yes/no switch); paper batches keep the
TT 01/2018 questions they printed

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 07:50:17.427260
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.add_column(sa.Column('one_stop_mode', sa.String(length=10), server_default='off',
                                      nullable=False))
    op.execute("UPDATE questionnaire SET one_stop_mode = 'besides' WHERE ask_one_stop")
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.drop_column('ask_one_stop')
    with op.batch_alter_table('survey_paper_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('one_stop', sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('survey_paper_batch', schema=None) as batch_op:
        batch_op.drop_column('one_stop')
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ask_one_stop', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.execute("UPDATE questionnaire SET ask_one_stop = (one_stop_mode <> 'off')")
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.drop_column('one_stop_mode')
