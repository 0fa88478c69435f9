"""Publishing a new questionnaire version without touching old responses."""
import copy
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from survey import instrument
from survey.models import Questionnaire
from survey.services import current_questionnaire
from tests.factories import make_counter, make_response

SHIPPED = json.loads((Path(__file__).resolve().parents[2] / "survey" / "instrument"
                      / "sipas-2023.1.json").read_text(encoding="utf-8"))


def short_version():
    """A shorter counter form: the civil-servant statements only, one reworded."""
    data = copy.deepcopy(SHIPPED)
    data["version"] = "2026.1-quay"
    data["dimensions"] = [d for d in data["dimensions"] if d["code"] == "CONG_CHUC"]
    data["dimensions"][0]["items"][0]["vi"] = "Công chức lịch sự, tôn trọng người dân."
    return data


def upload(client, data, make_current=True):
    body = json.dumps(data, ensure_ascii=False).encode() if isinstance(data, dict) else data
    form = {"file": (io.BytesIO(body), "q.json")}
    if make_current:
        form["make_current"] = "y"
    return client.post("/staff/survey/questionnaires", data=form,
                       content_type="multipart/form-data", follow_redirects=True)


def test_the_shipped_instrument_passes_its_own_checks():
    checked, problems = instrument.check(json.dumps(SHIPPED).encode())
    assert problems == [] and checked["version"] == "2023.1"


def test_a_new_version_is_used_by_new_answers_and_old_answers_keep_theirs(auth, client, db):
    counter = make_counter(db)
    old = make_response(db, counter, {"CC1": 5, "TC1": 4})
    db.commit()
    old_version = old.questionnaire_id
    auth.as_role("admin")
    page = upload(client, short_version()).get_data(as_text=True)
    assert "Đã công bố phiên bản 2026.1-quay." in page
    current = current_questionnaire(db)
    assert current.version == "2026.1-quay"
    assert [item.code for d in current.dimensions for item in d.items] == [
        "CC1", "CC2", "CC3", "CC4", "CC5"]
    form = client.get(f"/q/{counter.token}").get_data(as_text=True)
    assert form.count('type="radio"') == 5 * 6
    assert "Công chức lịch sự, tôn trọng người dân." in form
    db.refresh(old)
    assert old.questionnaire_id == old_version
    assert len(db.scalars(select(Questionnaire).where(Questionnaire.current.is_(True))).all()) == 1
    client.post(f"/staff/survey/questionnaires/{old_version}/current")
    db.expire_all()
    assert current_questionnaire(db).id == old_version


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(version="bad version!"), "version phải gồm"),
    (lambda d: d.update(version="2023.1"), "Phiên bản 2023.1 đã có"),
    (lambda d: d["scale"]["levels"].pop(), "scale phải liệt kê các mức 1 đến 5"),
    (lambda d: d.update(dimensions=[]), "dimensions phải là danh sách không rỗng."),
    (lambda d: d["dimensions"][0]["items"].append(dict(d["dimensions"][0]["items"][0])),
     "mỗi nội dung cần một mã riêng viết hoa"),
    (lambda d: d["dimensions"][0]["items"][0].update(vi=""),
     "Nội dung CC1 cần có văn bản tiếng Việt (vi)."),
    (lambda d: d["dimensions"][0].update(code="lower"), "cần một mã riêng viết hoa"),
    (lambda d: d["expectation"]["items"][0].update(code="CC1"),
     "Mỗi mục của câu hỏi mong muốn cần một mã riêng viết hoa"),
    (lambda d: d["expectation"].update(scale=d["expectation"]["scale"][:1]),
     "expectation.scale phải liệt kê"),
    (lambda d: d["expectation"]["scale"][0].update(value=0), "expectation.scale phải liệt kê"),
    (lambda d: d["expectation"].update(items=[]), "expectation.items phải là danh sách"),
    (lambda d: d["expectation"].update(vi=""), "expectation cần có câu hỏi bằng tiếng Việt"),
    (lambda d: d["expectation"]["items"][1].update(vi=""),
     "Mục KV2 của câu hỏi mong muốn cần có văn bản tiếng Việt (vi)."),
    (lambda d: (d.pop("expectation"), d.update(ask_expectation=True)),
     "ask_expectation cần có câu hỏi mong muốn"),
    (lambda d: d.update(ask_expectation="yes"), "ask_expectation phải là true hoặc false."),
])
def test_bad_questionnaire_files_publish_nothing(auth, client, db, mutate, message):
    auth.as_role("admin")
    data = short_version()
    mutate(data)
    page = upload(client, data).get_data(as_text=True)
    assert "Chưa công bố." in page and message in page
    assert current_questionnaire(db).version == "2023.1"


def test_not_json_and_too_large_files(auth, client, db):
    auth.as_role("admin")
    assert "Tệp không phải JSON mã UTF-8." in upload(client, b"\xff\xfe").get_data(as_text=True)
    assert "Tệp phải chứa một phiếu khảo sát." in upload(client, b"[]").get_data(as_text=True)
    # Encoded in memory: the test client's own encoder leaves its temporary file open.
    boundary, body = encode_multipart(MultiDict({"file": FileStorage(
        io.BytesIO(b" " * (600 * 1024)), "q.json")}))
    big = client.post("/staff/survey/questionnaires", data=body,
                      content_type=f"multipart/form-data; boundary={boundary}")
    assert "vượt quá giới hạn" in big.get_data(as_text=True)


def test_only_admins_publish(auth, client):
    auth.as_role("secretariat", "leader")
    assert client.get("/staff/survey/questionnaires").status_code == 403
