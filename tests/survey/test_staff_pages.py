"""Counters, their links, QR codes and posters; dossier QR codes made at reception."""
import io
import re

import zxingcpp
from PIL import Image
from sqlalchemy import select

from portal.audit import AuditEntry
from survey.models import Counter, DossierLink
from tests.factories import make_counter, make_unit


def decode(png: bytes) -> str:
    [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return result.text


def test_a_new_counter_gets_a_working_survey_link(auth, client, db):
    auth.as_role("secretariat")
    unit = make_unit(db, code="PMT", name="Phòng Môi trường")
    response = client.post("/staff/survey/counters/new", data={
        "code": "Q07", "name": "Quầy số 7 — Môi trường", "unit_id": str(unit.id),
        "active": "y"})
    assert response.status_code == 302
    counter = db.scalar(select(Counter).where(Counter.code == "Q07"))
    assert counter.token and counter.token_issued_at
    listing = client.get("/staff/survey/counters").get_data(as_text=True)
    assert f"https://gopy.example.vn/q/{counter.token}" in listing
    assert client.get(f"/q/{counter.token}").status_code == 200
    actions = db.scalars(select(AuditEntry.action).where(
        AuditEntry.target_id == "Q07").order_by(AuditEntry.id)).all()
    assert actions == ["counter.create", "counter.link_issued"]


def test_bad_counter_forms_are_refused(auth, client, db):
    auth.as_role("admin")
    unit = make_unit(db)
    make_counter(db, code="Q01", unit=unit)
    for data, message in [
        ({"code": "q01", "name": "X", "unit_id": str(unit.id)},
         "Mã này đã được dùng cho một quầy khác."),
        ({"code": "Q 2", "name": "X", "unit_id": str(unit.id)}, "Chỉ dùng chữ cái"),
        ({"code": "Q02", "name": "", "unit_id": str(unit.id)}, "Mục này là bắt buộc."),
        ({"code": "Q02", "name": "X", "unit_id": "999999"}, "Lựa chọn không hợp lệ."),
    ]:
        page = client.post("/staff/survey/counters/new", data=data).get_data(as_text=True)
        assert message in page, message
    assert len(db.scalars(select(Counter)).all()) == 1


def test_rotating_replaces_the_link_and_revoking_ends_it(auth, client, db):
    auth.as_role("admin")
    counter = make_counter(db)
    old = counter.token
    client.post(f"/staff/survey/counters/{counter.id}/rotate")
    db.refresh(counter)
    assert counter.token != old
    assert client.get(f"/q/{old}").status_code == 404
    client.post(f"/staff/survey/counters/{counter.id}/revoke")
    db.refresh(counter)
    assert counter.token is None
    assert client.get(f"/staff/survey/counters/{counter.id}/qr.png").status_code == 404


def test_counter_qr_codes_decode_to_the_survey_url(auth, client, db):
    auth.as_role("admin")
    counter = make_counter(db)
    png = client.get(f"/staff/survey/counters/{counter.id}/qr.png")
    assert png.mimetype == "image/png"
    assert decode(png.data) == f"https://gopy.example.vn/q/{counter.token}"
    svg = client.get(f"/staff/survey/counters/{counter.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


def test_poster_and_table_tent_carry_names_call_and_short_url(auth, client, db):
    auth.as_role("secretariat")
    counter = make_counter(db, name="Quầy số 1 — Đất đai")
    for layout in ("poster", "tent"):
        page = client.get(f"/staff/survey/counters/{counter.id}/{layout}").get_data(as_text=True)
        assert "Quét mã QR để đánh giá sự phục vụ" in page
        assert "Quầy số 1 — Đất đai" in page
        assert f"https://gopy.example.vn/q/{counter.token}" in page
        assert f'class="sheet-{layout}"' in page
    tent = client.get(f"/staff/survey/counters/{counter.id}/tent").get_data(as_text=True)
    assert tent.count('class="face') == 2, "two faces, one printed upside down"


def test_reception_makes_a_dossier_qr_code(auth, client, db):
    auth.as_role("reception")
    counter = make_counter(db, code="Q05")
    page = client.post("/staff/survey/dossiers", data={
        "dossier_code": "000.00.10.H34-261124-0042", "counter_id": str(counter.id)},
    ).get_data(as_text=True)
    link = db.scalar(select(DossierLink))
    assert link.dossier_code == "000.00.10.H34-261124-0042" and link.counter_id == counter.id
    assert f"https://gopy.example.vn/q/{link.token}" in page
    png = client.get(f"/staff/survey/dossiers/{link.token}/qr.png")
    assert decode(png.data) == f"https://gopy.example.vn/q/{link.token}"
    again = client.post("/staff/survey/dossiers", data={
        "dossier_code": "000.00.10.H34-261124-0042", "counter_id": str(counter.id)},
    ).get_data(as_text=True)
    assert "Hồ sơ này đã có mã QR" in again
    assert len(db.scalars(select(DossierLink)).all()) == 1
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "dossier_link.create")).one()
    assert entry.actor_name and entry.target_id == "000.00.10.H34-261124-0042"


def test_bad_dossier_forms(auth, client, db):
    auth.as_role("reception")
    counter = make_counter(db)
    other = make_counter(db)
    for data, message in [
        ({"dossier_code": "", "counter_id": str(counter.id)}, "Mục này là bắt buộc."),
        ({"dossier_code": "x" * 61, "counter_id": str(counter.id)}, "Không được dài quá 60"),
        ({"dossier_code": "HS-1", "counter_id": "999999"}, "Lựa chọn không hợp lệ."),
    ]:
        page = client.post("/staff/survey/dossiers", data=data).get_data(as_text=True)
        assert message in page, message
    client.post("/staff/survey/dossiers", data={"dossier_code": "HS-9",
                                                "counter_id": str(counter.id)})
    moved = client.post("/staff/survey/dossiers", data={
        "dossier_code": "HS-9", "counter_id": str(other.id)}).get_data(as_text=True)
    assert re.search(r"Hồ sơ này đã có đường dẫn khảo sát của quầy", moved)


def test_who_may_do_what(auth, client, db):
    counter = make_counter(db)
    auth.as_role("reception")
    assert client.get("/staff/survey/counters").status_code == 403
    assert client.get("/staff/survey/dossiers").status_code == 200
    auth.logout()
    auth.as_role("leader")
    assert client.get("/staff/survey/dossiers").status_code == 403
    assert client.get(f"/staff/survey/counters/{counter.id}/poster").status_code == 403


def batch_upload(client, content: bytes, counter_id):
    return client.post("/staff/survey/dossiers/batch", data={
        "batch-file": (io.BytesIO(content), "ho-so.csv"), "batch-counter_id": str(counter_id)},
        content_type="multipart/form-data")


def test_a_batch_of_dossiers_gives_a_sheet_of_qr_codes(auth, client, db):
    auth.as_role("reception")
    first = make_counter(db, code="Q01")
    make_counter(db, code="Q02")
    content = "\ufeffdossier_code;counter\nHS-001;\nHS-002;q02\n\nHS-003;Q01\n".encode()
    page = batch_upload(client, content, first.id).get_data(as_text=True)
    links = {link.dossier_code: link for link in db.scalars(select(DossierLink))}
    assert set(links) == {"HS-001", "HS-002", "HS-003"}
    assert links["HS-002"].counter.code == "Q02" and links["HS-001"].counter_id == first.id
    assert "Đã tạo 3 mã QR." in page and page.count('class="page-url"') == 3
    again = batch_upload(client, b"HS-001\nHS-004\n", first.id).get_data(as_text=True)
    assert "Đã tạo 2 mã QR." in again  # HS-001 reprinted, HS-004 made
    assert len(db.scalars(select(DossierLink)).all()) == 4


def test_a_batch_with_a_bad_line_makes_nothing(auth, client, db):
    auth.as_role("reception")
    counter = make_counter(db, code="Q01")
    page = batch_upload(client, b"HS-1\nHS-2,Q99\nHS-1\nHS-3,Q01,extra\n" + b"x" * 70 + b"\n",
                        counter.id).get_data(as_text=True)
    assert "Chưa tạo mã QR nào." in page
    assert "Dòng 3: Hồ sơ HS-1 xuất hiện hai lần (lần đầu ở dòng 1)." in page
    assert "Dòng 4: Chỉ ghi tối đa hai cột" in page and "Dòng 5: Mã hồ sơ gồm 1-60" in page
    assert db.scalars(select(DossierLink)).all() == []
    unknown = batch_upload(client, b"HS-2,Q99\n", counter.id).get_data(as_text=True)
    assert "Không có quầy đang sử dụng nào mang mã Q99." in unknown
    assert "Tệp không phải văn bản mã UTF-8." in batch_upload(
        client, "HS-é".encode("latin-1"), counter.id).get_data(as_text=True)
    assert "Tệp không có mã hồ sơ nào." in batch_upload(client, b"\n\n", counter.id
                                                         ).get_data(as_text=True)
    assert db.scalars(select(DossierLink)).all() == []
