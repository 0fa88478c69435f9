"""A low survey rating sent on as a ticket (channel "survey") with the citizen's consent."""
from sqlalchemy import func, select

from feedback.models import Ticket
from tests.factories import aged_nonce, feedback_form, make_counter
from tests.factories import survey_answers as answers


def test_a_low_rating_becomes_a_ticket_from_the_thank_you_page(app, client, db):
    counter = make_counter(db)
    data = answers(nonce=aged_nonce(app, counter.token, 60), value="1")
    data["comment"] = "Cán bộ hướng dẫn sai, tôi phải đi lại ba lần."
    thanks = client.post(f"/q/{counter.token}", data=data, follow_redirects=True)
    text = thanks.get_data(as_text=True)
    link = text.split('href="/feedback/new?from_survey=')[1].split('"')[0]
    form = client.get(f"/feedback/new?from_survey={link}").get_data(as_text=True)
    assert "Cán bộ hướng dẫn sai, tôi phải đi lại ba lần." in form
    response = client.post("/feedback/new", data=feedback_form(
        content="Cán bộ hướng dẫn sai, tôi phải đi lại ba lần.", from_survey=link))
    assert response.status_code == 302
    ticket = db.scalar(select(Ticket))
    assert ticket.channel == "survey" and ticket.survey_response_id == int(link)
    # the same response cannot make a second ticket, and another browser cannot use it
    client.post("/feedback/new", data=feedback_form(from_survey=link))
    other = app.test_client()
    other.post("/feedback/new", data=feedback_form(from_survey=link))
    channels = db.scalars(select(Ticket.channel).order_by(Ticket.id)).all()
    assert channels == ["survey", "web", "web"]
    assert db.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.survey_response_id.is_not(None))) == 1
