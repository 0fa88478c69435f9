"""Procedure management by admin and secretariat: create, edit, retire, import."""
import io
import json

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from portal.audit import AuditEntry
from portal.pages.models import Procedure
from tests.factories import make_procedure, procedure_values


def form_data(**overrides):
    values = procedure_values(**overrides)
    data = {key: ("" if value is None else value) for key, value in values.items()
            if key not in ("internal_process", "postal_return")}
    data["internal_process"] = overrides.get("internal_process_text", "")
    if values["postal_return"]:
        data["postal_return"] = "y"
    data.pop("internal_process_text", None)
    return data


def count(db):
    return db.scalar(select(func.count()).select_from(Procedure))


def test_secretariat_creates_a_procedure_that_is_published(auth, client, db):
    auth.as_role("secretariat")
    response = client.post("/staff/procedures/new", data=form_data(
        code="1.000001", name="Thẩm định báo cáo đánh giá tác động môi trường",
        internal_process_text="Tiếp nhận | Một cửa | 4 giờ\nThẩm định | Phòng Môi trường"))
    assert response.status_code == 302
    page = client.get("/procedures/1.000001").get_data(as_text=True)
    assert "Thẩm định báo cáo đánh giá tác động môi trường" in page
    assert "Phòng Môi trường" in page
    procedure = db.scalar(select(Procedure).where(Procedure.code == "1.000001"))
    assert [step.description for step in procedure.process_steps] == ["Tiếp nhận", "Thẩm định"]
    assert procedure.search_text.startswith("1.000001 tham dinh bao cao")
    assert db.scalar(select(AuditEntry.action).where(
        AuditEntry.target_id == "1.000001")) == "procedure.create"


def test_edit_form_shows_the_current_content_and_saves_changes(auth, client, db):
    auth.as_role("admin")
    procedure = make_procedure(db, internal_process=[
        {"step": "Tiếp nhận", "unit": "Một cửa", "duration": "4 giờ"},
        {"step": "Ký", "unit": "", "duration": ""}])
    page = client.get(f"/staff/procedures/{procedure.code}/edit").get_data(as_text=True)
    assert "Tiếp nhận | Một cửa | 4 giờ\nKý</textarea>" in page
    assert f'value="{procedure.field.name}"' in page
    client.post(f"/staff/procedures/{procedure.code}/edit",
                data=form_data(code=procedure.code, name="Tên mới", field="Đất đai"))
    db.refresh(procedure)
    assert procedure.name == "Tên mới" and procedure.field.name == "Đất đai"
    assert procedure.process_steps == []


def test_bad_procedure_forms_keep_the_text_and_save_nothing(auth, client, db):
    auth.as_role("secretariat")
    existing = make_procedure(db, code="1.000009")
    before = count(db)
    cases = [
        (form_data(code="1.000009"), "Mã này đã được dùng cho một thủ tục khác."),
        (form_data(code="bad code"), "Chỉ dùng chữ cái"),
        (form_data(name=""), "Mục này là bắt buộc."),
        (form_data(time_limit_days="400"), "Số phải từ 0 đến 365."),
        (form_data(time_limit_days="ba"), "Phải là số nguyên."),
        (form_data(level="maybe"), "Lựa chọn không hợp lệ."),
        (form_data(internal_process_text="a | b | c | d"), "internal_process: viết mỗi bước"),
        (form_data(name="x" * 501), "Không được dài quá 500 ký tự."),
    ]
    for data, message in cases:
        response = client.post("/staff/procedures/new", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and message in page, message
        assert "Tổ chức, cá nhân</textarea>" in page  # what was typed is still there
    assert count(db) == before
    assert existing.name in client.get("/procedures").get_data(as_text=True)


def test_retire_and_restore(auth, client, db):
    auth.as_role("admin")
    procedure = make_procedure(db, name="Thủ tục sẽ bãi bỏ")
    client.post(f"/staff/procedures/{procedure.code}/retire")
    assert client.get(f"/procedures/{procedure.code}").status_code == 404
    staff_list = client.get("/staff/procedures").get_data(as_text=True)
    assert "Thủ tục sẽ bãi bỏ" in staff_list and "Bãi bỏ ngày" in staff_list
    client.post(f"/staff/procedures/{procedure.code}/restore")
    assert client.get(f"/procedures/{procedure.code}").status_code == 200
    actions = db.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "procedure").order_by(AuditEntry.id)).all()
    assert actions == ["procedure.retire", "procedure.restore"]


def test_retire_needs_post(auth, client, db):
    auth.as_role("admin")
    procedure = make_procedure(db)
    assert client.get(f"/staff/procedures/{procedure.code}/retire").status_code == 405


def upload(client, content: bytes, name: str, dry_run=False):
    data = {"file": (io.BytesIO(content), name)}
    if dry_run:
        data["dry_run"] = "y"
    return client.post("/staff/procedures/import", data=data,
                       content_type="multipart/form-data")


def import_rows(*rows):
    items = []
    for overrides in rows:
        values = procedure_values(**overrides)
        values["postal_return"] = "có" if values["postal_return"] else "không"
        values["level"] = {"full": "toàn trình", "partial": "một phần", "none": ""}[
            values["level"]]
        items.append({key: value for key, value in values.items() if value is not None})
    return json.dumps(items).encode()


def test_import_page_creates_and_updates_by_code(auth, client, db):
    auth.as_role("secretariat")
    old = make_procedure(db, code="1.000100", name="Tên cũ")
    response = upload(client, import_rows({"code": "1.000100", "name": "Tên đã sửa"},
                                          {"code": "1.000101", "name": "Thủ tục mới"}), "a.json")
    page = response.get_data(as_text=True)
    assert "Đã nhập: tạo mới 1, cập nhật 1." in page
    db.refresh(old)
    assert old.name == "Tên đã sửa"
    assert "Thủ tục mới" in client.get("/procedures?q=thu tuc moi").get_data(as_text=True)
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "procedure.import")).one()
    assert entry.details == {"source": "a.json", "created": 1, "updated": 1}


def test_import_brings_a_retired_procedure_back(auth, client, db):
    from portal.db import utcnow

    auth.as_role("admin")
    retired = make_procedure(db, code="1.000200", retired_at=None)
    retired.retired_at = utcnow()
    db.commit()
    upload(client, import_rows({"code": "1.000200"}), "a.json")
    db.refresh(retired)
    assert retired.retired_at is None


def test_dry_run_reports_and_writes_nothing(auth, client, db):
    auth.as_role("admin")
    before = count(db)
    page = upload(client, import_rows({"code": "1.000300"}), "a.json",
                  dry_run=True).get_data(as_text=True)
    assert "Tệp hợp lệ: sẽ tạo mới 1 và cập nhật 0 thủ tục. Chưa ghi dữ liệu nào." in page
    assert count(db) == before


def test_a_file_with_one_bad_row_changes_nothing_and_lists_the_row(auth, client, db):
    auth.as_role("admin")
    kept = make_procedure(db, code="1.000400", name="Giữ nguyên")
    before = count(db)
    content = import_rows({"code": "1.000400", "name": "Không được ghi"},
                          {"code": "1.000401", "result": ""})
    page = upload(client, content, "a.json").get_data(as_text=True)
    assert "Chưa nhập dữ liệu nào" in page
    assert "<td>2</td><td>Thiếu result (bắt buộc).</td>" in page
    db.refresh(kept)
    assert kept.name == "Giữ nguyên" and count(db) == before


def test_import_refuses_bad_encoding_and_size(auth, client, db, app):
    auth.as_role("admin")
    latin = "code,name\n1,Đất".encode("utf-16")
    assert "không phải văn bản mã UTF-8" in upload(client, latin, "a.csv").get_data(as_text=True)
    # A 20 MB file, encoded in memory (the test client's own encoder leaves a temp file open).
    boundary, body = encode_multipart(MultiDict({"file": FileStorage(
        io.BytesIO(b"x" * (20 * 1024 * 1024)), "big.csv")}))
    response = client.post("/staff/procedures/import", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert "Tệp vượt quá giới hạn 10 MB." in response.get_data(as_text=True)
    assert app.config["IMPORT_MAX_BYTES"] == 10 * 1024 * 1024


def test_import_without_a_file_says_so(auth, client):
    auth.as_role("admin")
    response = client.post("/staff/procedures/import", data={},
                           content_type="multipart/form-data")
    assert "Hãy chọn tệp cần nhập." in response.get_data(as_text=True)


def test_only_content_editors_manage_procedures(auth, client, db):
    procedure = make_procedure(db)
    auth.as_role("handler", "reception", "leader")
    for method, url in [("get", "/staff/procedures"), ("get", "/staff/procedures/new"),
                        ("get", f"/staff/procedures/{procedure.code}/edit"),
                        ("post", f"/staff/procedures/{procedure.code}/retire"),
                        ("get", "/staff/procedures/import"), ("get", "/staff/hotline")]:
        assert getattr(client, method)(url).status_code == 403, url


def hotline_form(**overrides):
    data = {"org_name": "Sở Nông nghiệp và Môi trường tỉnh Khánh Hòa",
            "address": "04 Phan Chu Trinh", "email": "snnmt@khanhhoa.gov.vn",
            "website": "https://snnmt.khanhhoa.gov.vn", "rules": "## Quy định\n- Một",
            "numbers-0-label": "Đường dây nóng", "numbers-0-label_en": "Hotline",
            "numbers-0-number": "0258 3822 222"}
    data.update(overrides)
    return data


def test_secretariat_edits_the_hotline_page(auth, client, db):
    auth.as_role("secretariat")
    response = client.post("/staff/hotline", data=hotline_form(), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Đã cập nhật trang đường dây nóng." in page and "0258 3822 222" in page
    client.post("/staff/hotline", data=hotline_form(**{"numbers-0-number": "0258 1111 111"}))
    assert "0258 1111 111" in client.get("/hotline").get_data(as_text=True)
    assert "0258 3822 222" not in client.get("/hotline").get_data(as_text=True)
    assert db.scalar(select(func.count()).where(AuditEntry.action == "hotline.update")) == 2


def test_bad_hotline_forms_are_refused(auth, client, db):
    auth.as_role("admin")
    for data, message in [
        (hotline_form(**{"numbers-0-number": ""}), "Cần công khai ít nhất một số điện thoại."),
        (hotline_form(**{"numbers-0-label": ""}), "Mỗi số điện thoại cần có tên gọi."),
        (hotline_form(**{"numbers-0-number": "call us"}), "Chỉ gồm chữ số"),
        (hotline_form(email="x"), "Nhập địa chỉ thư điện tử dạng"),
        (hotline_form(website="javascript:alert(1)"), "Nhập địa chỉ bắt đầu bằng https://."),
        (hotline_form(rules=""), "Mục này là bắt buộc."),
    ]:
        page = client.post("/staff/hotline", data=data).get_data(as_text=True)
        assert message in page, message
    assert "chưa được công bố" in client.get("/hotline").get_data(as_text=True)


def test_the_code_of_an_existing_procedure_cannot_change(auth, client, db):
    auth.as_role("admin")
    procedure = make_procedure(db, code="1.000700")
    page = client.get("/staff/procedures/1.000700/edit").get_data(as_text=True)
    assert 'name="code"' not in page and "1.000700" in page
    client.post("/staff/procedures/1.000700/edit", data=form_data(code="9.999999", name="Mới"))
    db.refresh(procedure)
    assert procedure.code == "1.000700" and procedure.name == "Mới"


def test_last_updated_moves_when_only_the_steps_change(auth, client, db):
    from datetime import datetime, timezone

    auth.as_role("admin")
    procedure = make_procedure(db, code="1.000800")
    procedure.updated_at = datetime(2020, 1, 2, tzinfo=timezone.utc)
    db.commit()
    data = form_data(code="1.000800", name=procedure.name,
                     internal_process_text="Tiếp nhận | Một cửa | 4 giờ")
    data.update(steps=procedure.steps, dossier=procedure.dossier)
    client.post("/staff/procedures/1.000800/edit", data=data)
    db.refresh(procedure)
    assert procedure.updated_at.year > 2020
    assert "02/01/2020" not in client.get("/procedures/1.000800").get_data(as_text=True)


def test_an_imported_english_field_name_shows_on_english_pages(auth, client, db):
    auth.as_role("admin")
    upload(client, import_rows({"code": "1.000950", "field": "Đất đai", "field_en": "Land"}),
           "a.json")
    page = client.get("/procedures?lang=en").get_data(as_text=True)
    assert ">Land</option>" in page and "<span>Land</span>" in page
    assert "Đất đai" in client.get("/procedures?lang=vi").get_data(as_text=True)
