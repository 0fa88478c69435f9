"""A word index over the tickets' folded texts (issue 13, point 3): a word in one ticket of 500
was found by reading every ticket (0.1-0.2 s at 100,000). The search matches any part of a
word (``LIKE '%term%'``), so the index is one of three-letter pieces: SQLite's FTS5 with its
trigram tokenizer, kept in step by triggers, and PostgreSQL's pg_trgm GIN indexes, used by
the planner for the same LIKE.

The FTS5 table holds no copy of the texts (content='ticket'): only its index, which a
ticket's erasure or de-identification updates through the triggers (feedback.words.purge
then merges away the pieces the index still keeps of the old text).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-01 21:10:00
"""
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

COLUMNS = ('search_text', 'public_search')
_OLD = ", ".join(f"old.{column}" for column in COLUMNS)
_NEW = ", ".join(f"new.{column}" for column in COLUMNS)
_NAMES = ", ".join(COLUMNS)
SQLITE = (
    f"CREATE VIRTUAL TABLE ticket_words USING fts5({_NAMES}, content='ticket', "
    "content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER ticket_words_insert AFTER INSERT ON ticket BEGIN "
    f"INSERT INTO ticket_words (rowid, {_NAMES}) VALUES (new.id, {_NEW}); END",
    f"CREATE TRIGGER ticket_words_delete AFTER DELETE ON ticket BEGIN "
    f"INSERT INTO ticket_words (ticket_words, rowid, {_NAMES}) "
    f"VALUES ('delete', old.id, {_OLD}); END",
    f"CREATE TRIGGER ticket_words_update AFTER UPDATE OF {_NAMES} ON ticket BEGIN "
    f"INSERT INTO ticket_words (ticket_words, rowid, {_NAMES}) "
    f"VALUES ('delete', old.id, {_OLD}); "
    f"INSERT INTO ticket_words (rowid, {_NAMES}) VALUES (new.id, {_NEW}); END",
    "INSERT INTO ticket_words (ticket_words) VALUES ('rebuild')",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE:
            op.execute(statement)
    else:
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        for column in COLUMNS:
            op.execute(f'CREATE INDEX ix_ticket_{column}_words ON ticket '
                       f'USING gin ({column} gin_trgm_ops)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER ticket_words_{name}')
        op.execute('DROP TABLE ticket_words')
    else:
        for column in COLUMNS:
            op.execute(f'DROP INDEX ix_ticket_{column}_words')
