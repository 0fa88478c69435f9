"""Factory functions for test data; each flushes and returns what it made."""
from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from portal.auth.models import Unit, User
from portal.pages.models import Procedure
from portal.pages.services import FieldCache, apply_values

_numbers = itertools.count(1)
PASSWORD = "correct horse battery"


def make_unit(db: Session, **fields) -> Unit:
    number = next(_numbers)
    unit = Unit(code=fields.pop("code", f"U{number}"), name=fields.pop("name", f"Phòng {number}"),
                **fields)
    db.add(unit)
    db.flush()
    return unit


def make_user(db: Session, *, roles=(), password: str = PASSWORD, **fields) -> User:
    number = next(_numbers)
    user = User(username=fields.pop("username", f"user{number}"),
                full_name=fields.pop("full_name", f"Nguyễn Văn {number}"), **fields)
    user.set_password(password)
    user.set_roles(roles)
    db.add(user)
    db.commit()
    return user


def procedure_values(**overrides) -> dict:
    number = next(_numbers)
    values = {
        "code": f"1.{number:06d}",
        "name": f"Cấp giấy phép môi trường số {number}",
        "name_en": None,
        "field": "Môi trường",
        "level": "partial",
        "processing_body": "Sở Nông nghiệp và Môi trường tỉnh Khánh Hòa",
        "steps": "- Bước 1: Nộp hồ sơ\n- Bước 2: Nhận kết quả",
        "method": "Trực tiếp, bưu chính hoặc trực tuyến",
        "postal_return": True,
        "postal_fee": None,
        "dossier": "- Văn bản đề nghị\n- Báo cáo đề xuất",
        "dossier_quantity": "01 bộ",
        "time_limit": "30 ngày làm việc",
        "time_limit_days": 30,
        "subjects": "Tổ chức, cá nhân",
        "result": "Giấy phép môi trường",
        "forms": None,
        "requirements": None,
        "fees": "Theo quy định",
        "legal_basis": "Luật Bảo vệ môi trường số 72/2020/QH14",
        "decision": None,
        "internal_process": [],
    }
    values.update(overrides)
    return values


def make_procedure(db: Session, **overrides) -> Procedure:
    values = procedure_values(**overrides)
    procedure = Procedure()
    apply_values(procedure, values, FieldCache(db).get(values["field"], values.get("field_en")))
    db.add(procedure)
    db.commit()
    return procedure


def make_counter(db: Session, *, with_link: bool = True, **fields):
    from survey.models import Counter
    from survey.services import issue_counter_link

    number = next(_numbers)
    unit = fields.pop("unit", None) or make_unit(db)
    counter = Counter(code=fields.pop("code", f"Q{number:02d}"),
                      name=fields.pop("name", f"Quầy số {number}"), unit=unit, **fields)
    db.add(counter)
    db.flush()
    if with_link:
        issue_counter_link(db, counter)
    db.commit()
    return counter


def make_response(db: Session, counter, values: dict, *, when=None, officer=None,
                  flagged: bool = False, comment: str | None = None, channel: str = "counter",
                  field=None, reasons=("honeypot",), **fields):
    """A stored survey response; ``values`` maps item codes to 1-5 or None; a ``flagged``
    one is left out for ``reasons``."""
    from portal.db import utcnow
    from survey.models import Answer, Response
    from survey.services import current_questionnaire

    response = Response(
        questionnaire_id=current_questionnaire(db).id, counter_id=counter.id,
        officer_id=officer.id if officer else None, channel=channel,
        nonce=f"test-{next(_numbers)}-{id(values)}", submitted_at=when or utcnow(),
        comment=comment, flagged=flagged, flag_reasons=list(reasons) if flagged else None,
        exclusion=reasons[0] if flagged else None, procedure_field_id=field.id if field else None,
        **fields,
        answers=[Answer(item_code=code, value=value) for code, value in values.items()])
    db.add(response)
    return response


def feedback_form(**overrides) -> dict:
    """A valid citizen's feedback form (POST data)."""
    values = {
        "kind": "report",
        "content": "Hồ sơ cấp giấy chứng nhận quyền sử dụng đất của tôi bị trễ hẹn hai tuần "
                   "mà không có thư xin lỗi.",
        "name": "Trần Văn Bình",
        "address": "12 Trần Phú, phường Nha Trang, tỉnh Khánh Hòa",
        "phone": "0905 123 456",
        "email": "binh@example.vn",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def make_ticket(app, db: Session, **fields):
    """A ticket received now (through the service, so code and deadlines are real)."""
    from feedback import services
    from feedback.services import DeadlineRules
    from portal.workdays import vietnam_calendar

    values = dict(kind="report", content="Nội dung phản ánh đủ dài để được xem xét xử lý.",
                  name="Lê Thị Hoa", address="45 Lê Lợi, phường Nha Trang",
                  phone="0912345678", email="hoa@example.vn", channel="web")
    values.update(fields)
    received_at = values.pop("received_at", None)
    intake = services.Intake(**values, received_at=received_at)
    from datetime import date

    with app.test_request_context():
        ticket = services.receive(db, intake, vietnam_calendar(
            [date.today().year - 1, date.today().year, date.today().year + 1]), DeadlineRules())
    db.commit()
    return ticket


def sign_in_as(client, user) -> None:
    """Sign ``client`` out, then in as ``user`` (made with the factory's password)."""
    client.post("/staff/logout")
    assert client.post("/staff/login", data={"username": user.username,
                                             "password": PASSWORD}).status_code == 302


def act_on(client, db: Session, code: str, action: str, **fields) -> None:
    """Take a workflow action on a ticket through its page, with its current version."""
    from sqlalchemy import select

    from feedback.models import Ticket

    version = db.scalar(select(Ticket.version).where(Ticket.code == code))
    data = {"action": action, "version": str(version), **{k: str(v) for k, v in fields.items()}}
    response = client.post(f"/staff/feedback/{code}/act", data=data)
    assert response.status_code == 302, (action, response.get_data(as_text=True)[:2000])
    db.expire_all()


# The current questionnaire's statements, in order.
ITEM_CODES = ["TC1", "TC2", "TC3", "TC4", "TT1", "TT2", "TT3", "TT4", "CC1", "CC2", "CC3",
              "CC4", "CC5", "KQ1", "KQ2", "KQ3", "PA1", "PA2", "PA3"]


def nonce_of(page: str) -> str:
    """The survey form's nonce in a page."""
    import re

    return re.search(r'name="nonce" type="hidden" value="([^"]+)"', page).group(1)


def aged_nonce(app, token, seconds):
    """A nonce as if the form had been shown ``seconds`` ago (citizens take time to read)."""
    import time

    from itsdangerous import URLSafeTimedSerializer

    from survey.nonce import SALT

    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=SALT)
    return serializer.dumps({"t": token, "r": f"test{time.time_ns()}",
                             "at": int(time.time()) - seconds})


def survey_answers(value="4", **overrides):
    """A survey form's POST data: every statement at ``value`` unless overridden."""
    data = {code: value for code in ITEM_CODES}
    data.update(overrides)
    return data


def act_as(client, user, code, action, **fields):
    """Sign in as ``user`` and take a workflow action on a ticket with its current version;
    the response (with English messages)."""
    from sqlalchemy import select

    from feedback.models import Ticket

    client.post("/staff/logout")
    assert client.post("/staff/login", data={"username": user.username,
                                             "password": PASSWORD}).status_code == 302
    with client.application.extensions["db"].sessionmaker() as session:
        version = session.scalar(select(Ticket.version).where(Ticket.code == code))
    data = {"action": action, "version": str(fields.pop("version", version))}
    data.update({key: str(value) for key, value in fields.items()})
    return client.post(f"/staff/feedback/{code}/act?lang=en", data=data)


def tallied_responses(db: Session, counted: bool = True) -> int:
    """The responses the survey tally counts (``counted``: those that count; else those left
    out), read from its day cut by channel."""
    from sqlalchemy import func, select

    from survey.models import Tally
    from survey.rollup import LEFT_OUT, RESPONSES

    return db.scalar(select(func.coalesce(func.sum(Tally.n0), 0)).where(
        Tally.cut == 1, Tally.left_out.is_(not counted),
        (Tally.item_code == RESPONSES) if counted else Tally.item_code.like(f"{LEFT_OUT}%")))
