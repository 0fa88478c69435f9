"""User and unit administration (admin only), every change audited."""
from sqlalchemy import select

from portal.audit import AuditEntry
from portal.auth.models import Unit, User
from tests.factories import PASSWORD, make_unit, make_user


def new_user_form(**overrides):
    data = {"username": "tiepnhan2", "full_name": "Trần Thị Bình", "email": "binh@example.vn",
            "unit_id": "0", "roles": ["reception", "handler"], "active": "y",
            "password": "a long enough password"}
    data.update(overrides)
    return data


def test_admin_creates_an_account_that_can_sign_in(auth, client, db):
    auth.as_role("admin")
    unit = make_unit(db, code="VP", name="Văn phòng Sở")
    response = client.post("/staff/admin/users/new",
                           data=new_user_form(unit_id=str(unit.id)), follow_redirects=True)
    assert "Đã tạo tài khoản tiepnhan2." in response.get_data(as_text=True)
    user = db.scalar(select(User).where(User.username == "tiepnhan2"))
    assert user.roles == {"reception", "handler"} and user.unit == unit
    assert user.password_hash != "a long enough password"
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "user.create")).one()
    assert entry.details["roles"] == ["handler", "reception"] and entry.target_id == str(user.id)
    auth.logout()
    assert auth.login("tiepnhan2", "a long enough password").status_code == 302


def test_bad_account_forms_keep_what_was_typed_and_save_nothing(auth, client, db):
    auth.as_role("admin", username="boss")
    cases = [
        (new_user_form(username="boss"), "Tên đăng nhập này đã được dùng."),
        (new_user_form(username="a b"), "Chỉ dùng chữ cái, chữ số"),
        (new_user_form(password=""), "Tài khoản mới cần có mật khẩu."),
        (new_user_form(password="short"), "Mật khẩu cần ít nhất 10 ký tự."),
        (new_user_form(email="not-an-email"), "Nhập địa chỉ thư điện tử dạng"),
        (new_user_form(full_name=""), "Mục này là bắt buộc."),
        (new_user_form(roles=["emperor"]), "không phải là lựa chọn hợp lệ"),
        (new_user_form(unit_id="999999"), "Lựa chọn không hợp lệ."),
    ]
    for data, message in cases:
        response = client.post("/staff/admin/users/new", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert message in page, message
        assert 'value="Trần Thị Bình"' in page or data["full_name"] == ""
    assert db.scalar(select(User).where(User.username != "boss")) is None


def test_admin_edits_roles_unit_and_deactivates(auth, client, db):
    auth.as_role("admin")
    user = make_user(db, username="canbo", roles=["reception"])
    unit = make_unit(db)
    response = client.post(f"/staff/admin/users/{user.id}", data={
        "full_name": "Lê Văn C", "email": "", "unit_id": str(unit.id), "roles": ["handler"],
        "password": ""})
    assert response.status_code == 302
    db.refresh(user)
    assert user.full_name == "Lê Văn C" and user.roles == {"handler"} and user.unit == unit
    assert user.active is False and user.check_password(PASSWORD)
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "user.update")).one()
    assert entry.details["changes"]["roles"] == [["reception"], ["handler"]]
    assert entry.details["changes"]["active"] == [True, False]


def test_the_username_cannot_be_changed(auth, client, db):
    auth.as_role("admin")
    user = make_user(db, username="fixed")
    client.post(f"/staff/admin/users/{user.id}", data={
        "username": "renamed", "full_name": "X", "unit_id": "0", "roles": ["leader"],
        "active": "y"})
    db.refresh(user)
    assert user.username == "fixed" and user.roles == {"leader"}


def test_password_reset_by_admin_is_audited_without_the_password(auth, client, db):
    auth.as_role("admin")
    user = make_user(db, username="forgetful")
    client.post(f"/staff/admin/users/{user.id}", data={
        "full_name": user.full_name, "unit_id": "0", "active": "y",
        "password": "brand new password"})
    db.refresh(user)
    assert user.check_password("brand new password")
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "user.update")).one()
    assert entry.details["changes"]["password"] == "changed"
    assert "brand new password" not in str(entry.details)


def test_unknown_user_is_404(auth, client):
    auth.as_role("admin")
    assert client.get("/staff/admin/users/999999").status_code == 404


def test_admin_creates_and_renames_a_unit(auth, client, db):
    auth.as_role("admin")
    response = client.post("/staff/admin/units/new", data={
        "code": "PMT", "name": "Phòng Môi trường", "name_en": "Environment Division",
        "active": "y"})
    assert response.status_code == 302
    unit = db.scalar(select(Unit).where(Unit.code == "PMT"))
    client.post(f"/staff/admin/units/{unit.id}", data={
        "code": "PMT", "name": "Phòng Môi trường và Biển", "name_en": "", "active": "y"})
    db.refresh(unit)
    assert unit.name == "Phòng Môi trường và Biển" and unit.name_en is None
    actions = [e.action for e in db.scalars(select(AuditEntry).where(
        AuditEntry.target_type == "unit"))]
    assert actions == ["unit.create", "unit.update"]
    assert "Phòng Môi trường và Biển" in client.get("/staff/admin/units").get_data(as_text=True)


def test_duplicate_or_bad_unit_codes_are_refused(auth, client, db):
    auth.as_role("admin")
    make_unit(db, code="VP")
    for data, message in [({"code": "vp", "name": "X"}, "Mã này đã được dùng cho một đơn vị khác."),
                          ({"code": "V P", "name": "X"}, "Chỉ dùng chữ cái"),
                          ({"code": "", "name": "X"}, "Mục này là bắt buộc."),
                          ({"code": "NEW", "name": ""}, "Mục này là bắt buộc.")]:
        response = client.post("/staff/admin/units/new", data=data)
        assert message in response.get_data(as_text=True)
    assert db.scalar(select(Unit).where(Unit.code != "VP")) is None


def test_the_audit_log_lists_sign_ins_for_admins(auth, client, db):
    auth.as_role("admin", username="chief")
    page = client.get("/staff/admin/audit?action=auth.login").get_data(as_text=True)
    assert "auth.login" in page and "chief" in page


def test_only_admins_reach_administration(auth, client):
    auth.as_role("secretariat", "leader", "handler", "reception")
    for url in ("/staff/admin/users", "/staff/admin/users/new", "/staff/admin/units",
                "/staff/admin/units/new", "/staff/admin/audit"):
        assert client.get(url).status_code == 403, url


def test_an_admin_cannot_lock_themselves_out(auth, client, db):
    me = auth.as_role("admin")
    response = client.post(f"/staff/admin/users/{me.id}", data={
        "full_name": me.full_name, "unit_id": "0", "roles": ["leader"]})
    page = response.get_data(as_text=True)
    assert "Bạn không thể tự bỏ vai trò quản trị của mình." in page
    assert "Bạn không thể tự khóa tài khoản của mình." in page
    db.refresh(me)
    assert me.roles == {"admin"} and me.active
    assert client.get("/staff/admin/users").status_code == 200


def test_changing_a_password_ends_the_sessions_signed_in_before(auth, client, db, app):
    victim = auth.as_role("secretariat")
    assert client.get("/staff/procedures").status_code == 200
    victim.set_password("changed by the admin")
    db.commit()
    assert client.get("/staff/procedures").status_code == 302
    assert auth.login(victim.username, "changed by the admin").status_code == 302
    assert client.get("/staff/procedures").status_code == 200
