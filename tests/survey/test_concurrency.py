"""Two citizens (or one impatient double tap on two phones) submit one dossier's survey at the
same moment: exactly one response counts. Runs against the real database with real commits
(SQLite file, or PostgreSQL with TEST_DATABASE_URL), not inside a test transaction."""
import threading

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal import create_app
from portal.auth.models import Unit
from survey.links import new_token
from survey.models import Answer, Counter, DossierLink, Response
from survey.rollup import rebuild
from tests.conftest import make_config
from tests.factories import aged_nonce
from tests.factories import survey_answers as answers


def test_simultaneous_submits_of_one_dossier_count_once(engine, database_url):
    app = create_app(make_config(database_url))
    app.extensions["db"].sessionmaker.configure(bind=engine)
    with Session(engine) as session:  # arranged without services: no audit rows to leave
        unit = Unit(code=f"RACE{new_token()[:6]}", name="Đơn vị thử")
        counter = Counter(code=f"R{new_token()[:8]}", name="Quầy thử", unit=unit)
        link = DossierLink(token=new_token(), dossier_code=f"HS-{new_token()}", counter=counter)
        session.add_all([unit, counter, link])
        session.commit()
        ids = unit.id, counter.id, link.id
        token = link.token
    statuses = []
    start = threading.Barrier(4)

    def submit():
        client = app.test_client()
        with app.app_context():
            data = answers(nonce=aged_nonce(app, token, 60))
        start.wait(timeout=10)
        response = client.post(f"/q/{token}", data=data)
        statuses.append((response.status_code, "đã được đánh giá" in response.get_data(
            as_text=True)))

    threads = [threading.Thread(target=submit) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        with Session(engine) as session:
            stored = session.scalars(select(Response).where(Response.dossier_link_id == ids[2]))
            stored = stored.all()
        assert len(stored) == 1
        assert sorted(statuses) == [(200, True)] * 3 + [(302, False)]
    finally:
        with Session(engine) as session:
            response_ids = select(Response.id).where(Response.counter_id == ids[1])
            session.execute(delete(Answer).where(Answer.response_id.in_(response_ids)))
            session.execute(delete(Response).where(Response.counter_id == ids[1]))
            rebuild(session.connection())  # the tally without them
            session.execute(delete(DossierLink).where(DossierLink.id == ids[2]))
            session.execute(delete(Counter).where(Counter.id == ids[1]))
            session.execute(delete(Unit).where(Unit.id == ids[0]))
            session.commit()
        app.extensions["db"].engine.dispose()


def test_two_administrators_deciding_at_once_only_one_decides(engine, database_url):
    """Both pages showed review version 0; the second decision, made after the first was
    committed, is refused even though its session read the answer before (real commits)."""
    import pytest

    from portal.db import claim_version, utcnow
    from survey.services import StaleReview
    from survey.services import current_questionnaire as current

    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writing requests from their first statement (BEGIN "
                    "IMMEDIATE): the second decision reads the answer only after the first "
                    "committed, so this race cannot arise there")
    with Session(engine) as session:
        unit = Unit(code=f"REV{new_token()[:6]}", name="Đơn vị thử")
        counter = Counter(code=f"V{new_token()[:8]}", name="Quầy thử", unit=unit)
        session.add_all([unit, counter])
        session.flush()
        response = Response(questionnaire_id=current(session).id, counter_id=counter.id,
                            channel="counter", nonce=f"race-{new_token()}",
                            submitted_at=utcnow(), flagged=True, exclusion="inhuman")
        session.add(response)
        session.commit()
        ids = unit.id, counter.id, response.id
    try:
        with Session(engine) as first, Session(engine) as second:
            mine, theirs = first.get(Response, ids[2]), second.get(Response, ids[2])
            assert mine.review_version == theirs.review_version == 0
            claim_version(first, mine, Response.review_version, 0, StaleReview)
            first.commit()
            with pytest.raises(StaleReview):
                claim_version(second, theirs, Response.review_version, 0, StaleReview)
            second.rollback()
        with Session(engine) as session:
            assert session.get(Response, ids[2]).review_version == 1
    finally:
        with Session(engine) as session:
            session.execute(delete(Response).where(Response.id == ids[2]))
            rebuild(session.connection())  # the tally without them
            session.execute(delete(Counter).where(Counter.id == ids[1]))
            session.execute(delete(Unit).where(Unit.id == ids[0]))
            session.commit()
