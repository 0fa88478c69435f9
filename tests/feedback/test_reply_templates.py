"""Reply templates edited by the secretariat, with placeholders checked before saving and
filled from the ticket and the hotline page (never from code)."""
import html

import pytest
from sqlalchemy import func, select

from feedback import replies
from feedback.models import ReplyTemplate, Ticket
from portal.audit import AuditEntry
from portal.demo import load_hotline
from tests.factories import act_as, make_ticket, sign_in_as


@pytest.mark.parametrize("body,problem", [
    ("Kính gửi {ten_nguoi_dan}", "{ten_nguoi_dan}"),
    ("Mã {code} và {Code}", "{Code}"),
    ("Thiếu ngoặc {code", "brace"),
    ("Thừa ngoặc code}", "brace"),
])
def test_a_template_with_an_unknown_or_broken_placeholder_is_refused(body, problem):
    found = replies.problems(body)
    assert found and problem in found[0]


def test_a_template_is_filled_and_literal_braces_stay():
    assert replies.problems("{code} {{ngoặc}}") == []
    assert replies.fill("{code} ngày {received} {{ngoặc}}", {"code": "PA-1", "received": "1/2"}) \
        == "PA-1 ngày 1/2 {ngoặc}"


def _template_form(**overrides):
    data = {"outcome": "competence", "procedure_field": "", "language": "vi",
            "title": "Trả lời về bồi thường", "active": "y",
            "body": "{department} ({department_address}) trả lời phản ánh {code} của {unit}; "
                    "gọi {hotline}."}
    data.update(overrides)
    return data


def test_the_secretariat_writes_a_template_and_a_handler_inserts_it(app, client, db, people):
    load_hotline(db)
    db.commit()
    sign_in_as(client, people["secretariat"])
    refused = client.post("/staff/feedback/templates/new?lang=en",
                          data=_template_form(body="Kính gửi {ho_ten}, ..."))
    assert refused.status_code == 200 and "Unknown placeholders: {ho_ten}" in html.unescape(
        refused.get_data(as_text=True))
    before = db.scalar(select(func.count()).select_from(ReplyTemplate))
    assert client.post("/staff/feedback/templates/new", data=_template_form()).status_code == 302
    template = db.scalar(select(ReplyTemplate).where(
        ReplyTemplate.title == "Trả lời về bồi thường"))
    assert db.scalar(select(func.count()).select_from(ReplyTemplate)) == before + 1
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "reply_template.create"))
    # a stale form does not overwrite someone else's change
    edit = f"/staff/feedback/templates/{template.id}"
    assert client.post(edit, data=_template_form(title="Sửa 1", version=template.version)) \
        .status_code == 302
    stale = client.post(edit, data=_template_form(title="Sửa 2", version=1))
    assert stale.status_code == 409 and db.get(ReplyTemplate, template.id).title == "Sửa 1"

    ticket = make_ticket(app, db)
    assert act_as(client, people["reception"], ticket.code, "accept", ticket_class="competence",
                  unit_id=people["unit"].id).status_code == 302
    assert act_as(client, people["handler"], ticket.code, "start").status_code == 302
    page = act_as(client, people["handler"], ticket.code, "draft", answer="",
                  template=template.id, insert_template="1").get_data(as_text=True)
    text = html.unescape(page)
    assert "Sở Nông nghiệp và Môi trường tỉnh Khánh Hòa (" in text
    assert f"trả lời phản ánh {ticket.code} của Phòng Đất đai; gọi 0258" in text
    assert "{department}" not in text and db.get(Ticket, ticket.id).answer is None
    # a template no longer offered cannot be inserted
    sign_in_as(client, people["secretariat"])
    db.expire_all()
    assert client.post(edit, data=_template_form(
        title="Sửa 1", active="", version=db.get(ReplyTemplate, template.id).version)) \
        .status_code == 302
    page = act_as(client, people["handler"], ticket.code, "draft", answer="",
                  template=template.id, insert_template="1")
    assert page.status_code == 400 and "Choose a template." in page.get_data(as_text=True)


def test_a_template_for_one_field_is_offered_only_on_its_tickets(app, client, db, people):
    from tests.factories import make_procedure

    field = make_procedure(db).field
    sign_in_as(client, people["secretariat"])
    assert client.post("/staff/feedback/templates/new", data=_template_form(
        title="Chỉ cho lĩnh vực này", procedure_field=str(field.id))).status_code == 302
    other = make_ticket(app, db)
    own = make_ticket(app, db, procedure_field_id=field.id)
    for ticket in (other, own):
        act_as(client, people["reception"], ticket.code, "accept", ticket_class="competence",
               unit_id=people["unit"].id)
        act_as(client, people["handler"], ticket.code, "start")
    sign_in_as(client, people["handler"])
    assert "Chỉ cho lĩnh vực này" not in client.get(f"/staff/feedback/{other.code}").get_data(
        as_text=True)
    assert "Chỉ cho lĩnh vực này" in client.get(f"/staff/feedback/{own.code}").get_data(
        as_text=True)


@pytest.mark.parametrize("role", ["handler", "reception", "leader"])
def test_only_the_secretariat_and_admins_edit_templates(client, people, role):
    sign_in_as(client, people[role])
    assert client.get("/staff/feedback/templates").status_code == 403
    assert client.post("/staff/feedback/templates/new", data=_template_form()).status_code == 403
