"""The survey tally (issue 13, point 2): the answers counted per day and per month, by
channel, by counter, by officer, and by procedure field, counted or not (under the reason
they are left out), so that every dashboard filter and report reads a number of rows that
does not grow with the answers. It replaces survey_rollup (days, counted answers only) and
survey_officer_rollup (months, counted answers only), and is filled from the answers.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

# A copy of survey/tally.py's cuts and survey/rollup.py's counting as they are at this
# revision: a migration must not change with later code.
CUTS = ((1, 'day', ('channel',)), (2, 'month', ('channel',)),
        (3, 'day', ('counter_id',)), (4, 'month', ('counter_id',)),
        (5, 'day', ('officer_id',)), (6, 'month', ('officer_id',)),
        (7, 'day', ('counter_id', 'channel', 'procedure_field_id')),
        (8, 'month', ('counter_id', 'channel', 'procedure_field_id')),
        (9, 'day', ('officer_id', 'counter_id', 'channel', 'procedure_field_id')),
        (10, 'month', ('officer_id', 'counter_id', 'channel', 'procedure_field_id')))
INDEXED = ('counter_id', 'officer_id', 'procedure_field_id')
LEVELS = range(6)
KEYS = {'counter_id': ('r.counter_id', '0'), 'channel': ('r.channel', "''"),
        'procedure_field_id': ('COALESCE(r.procedure_field_id, 0)', '0'),
        'officer_id': ('r.officer_id', '0')}
SAYS_SOMETHING = ("(r.comment IS NOT NULL OR EXISTS (SELECT 1 FROM survey_answer s "
                  "WHERE s.response_id = r.id AND s.value IS NOT NULL))")


def upgrade() -> None:
    op.create_table(
        'survey_tally',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cut', sa.SmallInteger(), nullable=False),
        sa.Column('period', sa.Date(), nullable=False),
        sa.Column('counter_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('procedure_field_id', sa.Integer(), nullable=False),
        sa.Column('officer_id', sa.Integer(), nullable=False),
        sa.Column('left_out', sa.Boolean(), nullable=False),
        sa.Column('item_code', sa.String(length=20), nullable=False),
        *(sa.Column(f'n{level}', sa.Integer(), nullable=False) for level in LEVELS),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_tally')),
        sa.UniqueConstraint('cut', 'period', 'counter_id', 'channel', 'procedure_field_id',
                            'officer_id', 'left_out', 'item_code',
                            name=op.f('uq_survey_tally_cut')))
    # a cut filtered by a counter, an officer or a field reads that one's rows only
    for key in INDEXED:
        op.create_index(f'ix_survey_tally_{key}', 'survey_tally',
                        ['cut', key, 'left_out', 'period'])
    _fill()
    op.drop_table('survey_rollup')
    op.drop_table('survey_officer_rollup')


def _fill() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        day = "CAST(r.submitted_at + INTERVAL '7 hours' AS DATE)"
        month = f"CAST(date_trunc('month', {day}) AS DATE)"
    else:
        day = "date(r.submitted_at, '+7 hours')"
        month = "date(r.submitted_at, '+7 hours', 'start of month')"
    columns = ('cut, period, counter_id, channel, procedure_field_id, officer_id, left_out, '
               'item_code, ' + ', '.join(f'n{level}' for level in LEVELS))
    by_level = ', '.join(f'SUM(CASE WHEN COALESCE(a.value, 0) = {level} THEN 1 ELSE 0 END)'
                         for level in LEVELS)
    only_n0 = ', '.join(['count(*)'] + ['0'] * (len(LEVELS) - 1))
    for number, grain, keys in CUTS:
        period = day if grain == 'day' else month
        selected = ', '.join([period] + [KEYS[name][0] if name in keys else KEYS[name][1]
                                         for name in KEYS] + ['r.flagged'])
        grouped = ', '.join([period] + [KEYS[name][0] for name in KEYS if name in keys]
                            + ['r.flagged'])
        officer = 'AND r.officer_id IS NOT NULL' if 'officer_id' in keys else ''
        for item, source, where, by_item in (
                (f'a.item_code, {by_level}',
                 'survey_answer a JOIN survey_response r ON r.id = a.response_id', '1 = 1',
                 ', a.item_code'),
                (f"'', {only_n0}", 'survey_response r', SAYS_SOMETHING, ''),
                (f"'*' || COALESCE(NULLIF(r.exclusion, ''), 'unknown'), {only_n0}",
                 'survey_response r',
                 'r.flagged', ', r.exclusion')):
            op.execute(f"""
                INSERT INTO survey_tally ({columns})
                SELECT {number}, {selected}, {item} FROM {source}
                WHERE {where} {officer} GROUP BY {grouped}{by_item}""")


def downgrade() -> None:
    op.create_table(
        'survey_rollup',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('counter_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('procedure_field_id', sa.Integer(), nullable=False),
        sa.Column('item_code', sa.String(length=20), nullable=False),
        sa.Column('value', sa.SmallInteger(), nullable=False),
        sa.Column('answers', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['counter_id'], ['counter.id'],
                                name=op.f('fk_survey_rollup_counter_id_counter')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_rollup')),
        sa.UniqueConstraint('day', 'counter_id', 'channel', 'procedure_field_id', 'item_code',
                            'value', name=op.f('uq_survey_rollup_day')))
    op.create_index('ix_survey_rollup_counter_day', 'survey_rollup', ['counter_id', 'day'])
    op.create_index(op.f('ix_survey_rollup_day'), 'survey_rollup', ['day'])
    op.create_table(
        'survey_officer_rollup',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('officer_id', sa.Integer(), nullable=False),
        sa.Column('item_code', sa.String(length=20), nullable=False),
        sa.Column('value', sa.SmallInteger(), nullable=False),
        sa.Column('answers', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['officer_id'], ['staff_user.id'],
                                name=op.f('fk_survey_officer_rollup_officer_id_staff_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_officer_rollup')),
        sa.UniqueConstraint('month', 'officer_id', 'item_code', 'value',
                            name=op.f('uq_survey_officer_rollup_month')))
    op.create_index(op.f('ix_survey_officer_rollup_month'), 'survey_officer_rollup', ['month'])
    # the day cut by counter, channel and field, and the month cut by officer, counted only,
    # one row per level
    fields = 'counter_id, channel, procedure_field_id'
    for level in LEVELS:
        op.execute(f"""
            INSERT INTO survey_rollup (day, {fields}, item_code, value, answers)
            SELECT period, {fields}, item_code, {level}, n{level} FROM survey_tally
            WHERE cut = 7 AND NOT left_out AND n{level} != 0""")
        op.execute(f"""
            INSERT INTO survey_officer_rollup (month, officer_id, item_code, value, answers)
            SELECT period, officer_id, item_code, {level}, n{level} FROM survey_tally
            WHERE cut = 6 AND NOT left_out AND item_code != ''
            AND n{level} != 0""")
    op.drop_table('survey_tally')
