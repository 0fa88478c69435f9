"""Finding tickets by their words through the word index (issue 13, point 3; migration 0026,
feedback/words.py): the staff queue and the published list find the same tickets whichever
way the search is read (through the index for rare words, in the list's own order for common
ones), the index follows every change of a ticket's text, and an erasure leaves nothing of
the erased words in it."""
import pytest
from sqlalchemy import select, text, update

from feedback import erasure, words
from feedback import workflow as wf
from feedback.models import Ticket
from portal.db import utcnow
from portal.text import fold
from tests.factories import make_ticket, sign_in_as

TEXTS = ("Sạt lở bờ sông Cái gần nhà tôi, đề nghị kè bờ.",
         "Nước thải từ xưởng chế biến chảy ra sông.",
         "Tiếng ồn về đêm từ công trình xây dựng.")
# Searches and the tickets (by TEXTS index) each finds: rare and common words, a short
# syllable the index cannot look up, capitals and accents, wildcards typed by the citizen.
SEARCHES = {"sat lo": {0}, "sông": {0, 1}, "SÔNG cái": {0}, "lo": {0}, "nuoc thai": {1},
            "tieng on ve dem": {2}, "song dem": set(), "xyzq": set(), "50%": set(),
            "s_ng": set(), "ke bo": {0}}


def _found(page: str, tickets) -> set[int]:
    return {number for number, ticket in enumerate(tickets) if ticket.code in page}


@pytest.mark.parametrize("rare", [words.RARE, 0], ids=["through the index", "in list order"])
def test_the_staff_queue_finds_every_ticket_holding_the_words(app, client, db, people,
                                                             monkeypatch, rare):
    monkeypatch.setattr(words, "RARE", rare)
    tickets = [make_ticket(app, db, content=content) for content in TEXTS]
    sign_in_as(client, people["reception"])
    for query, expected in SEARCHES.items():
        response = client.get("/staff/feedback", query_string={"q": query, "all": "1"})
        assert response.status_code == 200
        assert _found(response.get_data(as_text=True), tickets) == expected, query


@pytest.mark.parametrize("rare", [words.RARE, 0], ids=["through the index", "in list order"])
def test_the_published_list_finds_only_the_published_words(app, client, db, monkeypatch, rare):
    monkeypatch.setattr(words, "RARE", rare)
    tickets = [make_ticket(app, db, content="Nội dung riêng của người gửi, sạt lở đất.")
               for _ in TEXTS]
    for ticket, question in zip(tickets, TEXTS, strict=True):
        db.execute(update(Ticket).where(Ticket.id == ticket.id).values(
            published_at=utcnow(), public_question=question, public_answer="Đã xử lý.",
            public_search=fold(f"{ticket.code} {question} Đã xử lý.")))
    db.commit()
    for query, expected in SEARCHES.items():
        response = client.get("/feedback/published", query_string={"q": query})
        assert response.status_code == 200
        assert _found(response.get_data(as_text=True), tickets) == expected, query
    # the sender's own words are never searched on the public list
    assert _found(client.get("/feedback/published?q=rieng+cua").get_data(as_text=True),
                  tickets) == set()


def _holding(db, query: str) -> set[int]:
    return set(db.scalars(words.holding(db, select(Ticket.id), Ticket.id, Ticket.search_text,
                                        query)))


def test_the_word_index_follows_every_change_of_a_ticket(app, db):
    first, second = (make_ticket(app, db, content=content) for content in TEXTS[:2])
    assert _holding(db, "sat lo") == {first.id} and _holding(db, "song") == {first.id, second.id}
    first.search_text = f"{first.code.lower()} dat dai cap giay chung nhan"
    db.commit()
    assert _holding(db, "sat lo") == set() and _holding(db, "giay chung") == {first.id}
    second.search_text = f"{second.code.lower()} tieng on"
    db.commit()
    assert _holding(db, "song") == set() and _holding(db, "tieng on") == {second.id}
    if db.get_bind().dialect.name == "sqlite":  # the index itself, asked alone, agrees
        for term in ("sat", "giay", "song", "nuoc", "dat"):
            assert set(db.scalars(text("SELECT rowid FROM ticket_words WHERE search_text "
                                       "LIKE :term"), {"term": f"%{term}%"})) \
                == set(db.scalars(select(Ticket.id).where(Ticket.search_text.like(
                    f"%{term}%"))))


def _index_bytes(db) -> bytes:
    return b"".join(block for block in db.scalars(text("SELECT block FROM ticket_words_data"))
                    if isinstance(block, bytes))


def test_an_erased_name_leaves_nothing_in_the_word_index(app, db):
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL's indexes cannot be read apart from their table")
    # letters Vietnamese does not use, so that no other piece of text shares their first
    # letter and the index stores "zwj" whole (FTS5 stores a piece after its neighbour's
    # shared beginning)
    ticket = make_ticket(app, db, name="Zwjf Kqvb",
                         content="Tôi là Zwjf Kqvb, hồ sơ đất của tôi bị trễ hẹn hai tuần.")
    ticket.state, ticket.finished_at = wf.CLOSED, utcnow()
    db.commit()
    assert b"zwj" in _index_bytes(db), "the name is in the index before the erasure"
    erasure.erase_ticket(db, db.get(Ticket, ticket.id), utcnow(), by=erasure.BY_REQUEST)
    db.commit()
    assert "zwjf" not in db.get(Ticket, ticket.id).search_text
    assert b"zwj" not in _index_bytes(db)


def test_the_word_index_and_its_triggers_are_in_place(db):
    """A later migration that rebuilds the ticket table on SQLite drops its triggers, and the
    index would then hide every ticket received or changed since from a search: this fails
    then."""
    if db.get_bind().dialect.name == "postgresql":
        found = set(db.scalars(text(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'ticket' "
            "AND indexdef LIKE '%gin_trgm_ops%'")))
        assert found == {"ix_ticket_search_text_words", "ix_ticket_public_search_words"}
    else:
        found = set(db.scalars(text(
            "SELECT name FROM sqlite_master WHERE tbl_name = 'ticket' AND type = 'trigger'")))
        assert {f"ticket_words_{event}" for event in ("insert", "update", "delete")} <= found
        sql = db.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'ticket_words'"))
        assert "tokenize='trigram'" in sql and "content='ticket'" in sql
