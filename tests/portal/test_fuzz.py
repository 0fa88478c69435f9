"""Hypothesis fuzzing of the public forms: the survey, the feedback form, the lookup and the
procedure search. Whatever arrives, the answer is never a server error, and a rejected request
stores nothing. FUZZ_EXAMPLES sets the number of examples (1,000 each in CI: make test)."""
import os
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from feedback.models import Attachment, OutboxMessage, Ticket, TicketEvent
from survey.models import Answer, Response
from tests.factories import ITEM_CODES, aged_nonce, make_counter, make_procedure

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1000"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])

# Text that a person, a script or an attacker might send: any Unicode (NUL, controls, RTL
# marks, emoji, combining marks), markup, SQL, very long runs, and plausible values.
nasty = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=string.printable, max_size=60),
    st.sampled_from(["", " ", "\x00", "' OR 1=1 --", "<script>alert(1)</script>", "%", "_",
                     "\u202e", "😀" * 5, "e\u0301" * 10, "0905 123 456", "a@b.vn",
                     "PA-2026-000001A", "4", "na", "99", "-1", "1e9"]),
    st.text(min_size=1, max_size=3).map(lambda text: text * 4000),
)


def _stored(db, *models) -> tuple:
    return tuple(db.scalar(select(func.count()).select_from(model)) for model in models)


def _relaxed(app):
    app.config.update(FEEDBACK_LIMIT_PER_ADDRESS="1000000/hour",
                      FEEDBACK_LOOKUP_FAILURES="1000000/hour",
                      SURVEY_LIMIT_PER_LINK="1000000/minute",
                      SURVEY_LIMIT_PER_ADDRESS="1000000/hour")


def test_fuzz_the_survey_form(app, client, db):
    _relaxed(app)
    counter = make_counter(db)
    nonce = aged_nonce(app, counter.token, 60)
    field = st.one_of(st.none(), nasty, st.sampled_from(["1", "2", "3", "4", "5", "na"]))

    @FUZZ
    @given(values=st.fixed_dictionaries({}, optional={code: field for code in ITEM_CODES}),
           comment=st.one_of(st.none(), nasty), extra=st.dictionaries(nasty, nasty, max_size=3),
           nonce_value=st.one_of(st.just(nonce), nasty))
    def check(values, comment, extra, nonce_value):
        data = {**extra, **{k: v for k, v in values.items() if v is not None},
                "nonce": nonce_value}
        if comment is not None:
            data["comment"] = comment
        before = _stored(db, Response, Answer)
        response = client.post(f"/q/{counter.token}", data=data)
        assert response.status_code < 500
        if response.status_code != 302:
            assert _stored(db, Response, Answer) == before

    check()


def test_fuzz_the_feedback_form(app, client, db):
    _relaxed(app)
    valid = {"kind": "report", "content": "Nội dung phản ánh đủ dài để được nhận.",
             "name": "Lê Văn Thử", "address": "Nha Trang", "phone": "0905123456"}

    @FUZZ
    @given(overrides=st.dictionaries(st.sampled_from(
        ["kind", "content", "name", "address", "phone", "email", "proposed_solution",
         "procedure_field", "procedure", "reply_by_post", "consent_publish", "website",
         "from_survey", "attachments"]), nasty, max_size=5),
        dropped=st.sets(st.sampled_from(sorted(valid)), max_size=2))
    def check(overrides, dropped):
        data = {k: v for k, v in {**valid, **overrides}.items() if k not in dropped}
        before = _stored(db, Ticket, TicketEvent, Attachment, OutboxMessage)
        response = client.post("/feedback/new", data=data)
        assert response.status_code < 500
        if response.status_code != 302:
            assert _stored(db, Ticket, TicketEvent, Attachment, OutboxMessage) == before

    check()


def test_fuzz_the_lookup(app, client, db):
    _relaxed(app)

    @FUZZ
    @given(code=nasty, contact=nasty)
    def check(code, contact):
        before = _stored(db, Ticket, TicketEvent)
        response = client.post("/feedback/track", data={"code": code, "contact": contact})
        assert response.status_code in (200, 404)
        assert _stored(db, Ticket, TicketEvent) == before

    check()


def test_fuzz_the_procedure_search(client, db):
    make_procedure(db)

    @FUZZ
    @given(args=st.dictionaries(st.sampled_from(["q", "field", "level", "body", "page", "lang"]),
                                nasty, max_size=4))
    def check(args):
        response = client.get("/procedures", query_string=args)
        assert response.status_code == 200

    check()
