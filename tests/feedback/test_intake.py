"""The citizen's form at /feedback/new, the receipt, and what is stored."""
import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from feedback.codes import normalise_code
from feedback.models import Attachment, OutboxMessage, Ticket, TicketEvent
from tests.factories import feedback_form


def _count(db, model):
    return db.scalar(select(func.count()).select_from(model))


def _jpeg_with_location() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x8825] = {1: "N", 2: (12.0, 14.0, 30.0), 3: "E", 4: (109.0, 11.0, 40.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_a_citizen_sends_feedback_and_gets_a_code_and_the_next_steps(client, db):
    page = client.get("/feedback/new")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "khiếu nại" in text.lower() and "tố cáo" in text.lower()
    response = client.post("/feedback/new", data=feedback_form(consent_publish="y"))
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"])
    text = receipt.get_data(as_text=True)
    ticket = db.scalar(select(Ticket))
    assert ticket.code in text and normalise_code(ticket.code) == ticket.code
    assert ticket.state == "received" and ticket.channel == "web" and ticket.consent_publish
    assert ticket.classify_due_on.strftime("%d/%m/%Y") in text
    assert ticket.notify_due_on.strftime("%d/%m/%Y") in text
    assert ticket.phone_digits == "0905123456" and ticket.email == "binh@example.vn"
    history = db.scalars(select(TicketEvent)).all()
    assert [event.action for event in history] == ["received"]
    mail = db.scalar(select(OutboxMessage))
    assert mail.recipient == "binh@example.vn" and ticket.code in mail.subject
    assert ticket.code in mail.body and "/feedback/track" in mail.body


def test_the_receipt_is_shown_only_in_the_browser_that_sent_it(client, app, db):
    client.post("/feedback/new", data=feedback_form())
    code = db.scalar(select(Ticket.code))
    other = app.test_client()
    response = other.get(f"/feedback/receipt/{code}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/feedback/track")


def test_without_email_no_mail_is_queued_and_the_receipt_says_so(client, db):
    client.post("/feedback/new", data=feedback_form(email=None))
    assert _count(db, OutboxMessage) == 0
    code = db.scalar(select(Ticket.code))
    assert "no email address" in client.get(f"/feedback/receipt/{code}?lang=en").get_data(
        as_text=True)


@pytest.mark.parametrize("field,value,message", [
    ("name", "", "does not allow anonymous feedback"),
    ("address", "", "Your address is required"),
    ("phone", "", "requires a phone number or a postal address"),
    ("content", "Quá ngắn", "between 20 and 10,000"),
    ("content", "x" * 10_001, "between 20 and 10,000"),
    ("kind", "complaint", "Not a valid choice"),
    ("kind", None, "Choose feedback or petition"),
    ("email", "not-an-email", "ten@example.com"),
    ("phone", "12", "10 or 11 digits"),
    ("phone", "abc def ghij", "10 or 11 digits"),
])
def test_bad_input_is_refused_with_a_reason_and_the_text_kept(client, db, field, value,
                                                              message):
    data = feedback_form(**{field: value}) if value is not None else {
        key: val for key, val in feedback_form().items() if key != field}
    data["proposed_solution"] = "Đề nghị xin lỗi bằng văn bản"
    response = client.post("/feedback/new?lang=en", data=data)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and message in text
    assert "Đề nghị xin lỗi bằng văn bản" in text
    assert _count(db, Ticket) == 0 and _count(db, OutboxMessage) == 0


def test_a_postal_reply_replaces_the_phone_number(client, db):
    response = client.post("/feedback/new", data=feedback_form(phone="", reply_by_post="y"))
    assert response.status_code == 302
    ticket = db.scalar(select(Ticket))
    assert ticket.phone is None and ticket.reply_by_post


def test_the_honeypot_refuses_scripts(client, db):
    response = client.post("/feedback/new", data=feedback_form(website="http://spam"))
    assert response.status_code == 200 and _count(db, Ticket) == 0


def test_attachments_are_checked_by_content_and_photos_lose_their_location(client, db):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    data = feedback_form()
    data["attachments"] = [(io.BytesIO(_jpeg_with_location()), "anh.jpg"),
                           (io.BytesIO(pdf), "../../etc/don thu.pdf")]
    response = client.post("/feedback/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    files = db.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert [(f.filename, f.content_type) for f in files] == [
        ("anh.jpg", "image/jpeg"), ("don thu.pdf", "application/pdf")]
    with Image.open(io.BytesIO(files[0].data)) as image:
        assert not image.getexif() and "exif" not in image.info
    assert files[1].data == pdf


@pytest.mark.parametrize("payload,name,message", [
    (b"MZ\x90\x00 this is a program", "hoa-don.pdf", "is not a PDF, JPEG, PNG or Word"),
    (b"<html><script>alert(1)</script>", "anh.png", "is not a PDF, JPEG, PNG or Word"),
    (b"\xff\xd8\xff\xe0 not really a jpeg", "anh.jpg", "could not be read"),
    (b"", "rong.pdf", "is empty"),
])
def test_spoofed_or_damaged_files_are_refused_and_nothing_is_saved(client, db, payload, name,
                                                                   message):
    data = feedback_form()
    data["attachments"] = [(io.BytesIO(payload), name)]
    response = client.post("/feedback/new?lang=en", data=data,
                           content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and message in text and name in text
    assert "Hồ sơ cấp giấy chứng nhận" in text
    assert _count(db, Ticket) == 0 and _count(db, Attachment) == 0


def test_more_than_five_files_are_refused(client, db):
    pdf = b"%PDF-1.4\n%%EOF\n"
    data = feedback_form()
    data["attachments"] = [(io.BytesIO(pdf), f"{n}.pdf") for n in range(6)]
    response = client.post("/feedback/new?lang=en", data=data,
                           content_type="multipart/form-data")
    assert "at most 5 files" in response.get_data(as_text=True) and _count(db, Ticket) == 0


def _post_big(client, size: int):
    """Encoded in memory: the test client's own encoder leaves its temporary file open."""
    fields = MultiDict(feedback_form())
    fields.add("attachments", FileStorage(io.BytesIO(b"%PDF-1.4\n" + b"0" * size), "lon.pdf"))
    boundary, body = encode_multipart(fields)
    return client.post("/feedback/new?lang=en", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_a_file_over_10_mb_is_refused_with_the_text_kept(client, db):
    response = _post_big(client, 10 * 1024 * 1024)
    text = response.get_data(as_text=True)
    assert "larger than 10 MB" in text and "Hồ sơ cấp giấy chứng nhận" in text
    assert _count(db, Ticket) == 0


def test_a_request_over_the_limit_gets_the_413_page(client, app, db):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    response = _post_big(client, 2 * 1024 * 1024)
    assert response.status_code == 413 and "larger than we accept" in response.get_data(
        as_text=True)
    assert _count(db, Ticket) == 0


def test_codes_are_numbered_per_year_without_gaps(client, db):
    for _ in range(3):
        client.post("/feedback/new", data=feedback_form())
    numbers = db.scalars(select(Ticket.number).order_by(Ticket.id)).all()
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


def test_many_feedbacks_from_one_address_are_slowed_down_with_the_text_kept(client, app, db):
    app.config["FEEDBACK_LIMIT_PER_ADDRESS"] = "2/hour"
    for _ in range(2):
        assert client.post("/feedback/new", data=feedback_form()).status_code == 302
    response = client.post("/feedback/new", data=feedback_form(content="Nội dung thứ ba đủ dài "
                                                                       "để gửi đi được."))
    assert response.status_code == 429 and "Nội dung thứ ba" in response.get_data(as_text=True)
    assert _count(db, Ticket) == 2


def test_a_forged_csrf_token_is_refused_and_nothing_is_saved(csrf_app, db):
    from tests.portal.test_security import csrf_token

    client = csrf_app.test_client()
    forged = client.post("/feedback/new", data=feedback_form(csrf_token="forged"))
    assert forged.status_code == 400 and _count(db, Ticket) == 0
    token = csrf_token(client.get("/feedback/new").get_data(as_text=True))
    assert client.post("/feedback/new", data=feedback_form(csrf_token=token)).status_code == 302
    assert _count(db, Ticket) == 1


def test_files_a_corrected_form_cannot_keep_are_named_so_they_are_chosen_again(client, db):
    data = feedback_form(content="ngắn")
    data["attachments"] = [(io.BytesIO(_jpeg_with_location()), "anh-cong.jpg")]
    response = client.post("/feedback/new?lang=en", data=data,
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and db.scalar(select(Ticket)) is None
    assert "were not kept because the form had to be corrected" in page
    assert "anh-cong.jpg" in page


def test_required_marks_sit_in_their_labels_and_the_phone_has_one(client):
    page = client.get("/feedback/new?lang=en").get_data(as_text=True)
    for field, label in (("name", "Full name"), ("address", "Address"),
                         ("phone", "Phone number")):
        assert re.search(rf'<label for="{field}">{label}</label> <span class="required" '
                         r'aria-hidden="true">\*</span>', page), field
    assert "unless you tick “reply to me by post”" in page
    assert '<label for="email">Email (optional)</label>' in page
