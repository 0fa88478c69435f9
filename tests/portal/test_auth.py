"""Sign-in, throttling, sign-out, roles and the audit trail of it all."""
import pytest
from sqlalchemy import select

from portal.audit import AuditEntry
from tests.factories import PASSWORD, make_user


def audit_actions(db):
    return [entry.action for entry in db.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_staff_sign_in_and_out(client, db):
    user = make_user(db, username="reception1", roles=["reception"])
    response = client.post("/staff/login", data={"username": "reception1",
                                                 "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/staff/"
    home = client.get("/staff/").get_data(as_text=True)
    assert "Cán bộ tiếp nhận" in home and user.full_name in home
    assert user.last_login_at is not None
    client.post("/staff/logout")
    assert client.get("/staff/").status_code == 302
    assert audit_actions(db) == ["auth.login", "auth.logout"]


def test_username_is_not_case_sensitive(client, db):
    make_user(db, username="Handler2", roles=["handler"])
    response = client.post("/staff/login", data={"username": "handler2", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("username, password", [
    ("nobody", PASSWORD), ("known", "wrong password"), ("known", ""), ("", PASSWORD),
])
def test_a_failed_sign_in_gives_one_generic_message(client, db, username, password):
    make_user(db, username="known")
    response = client.post("/staff/login", data={"username": username, "password": password})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    if username and password:
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in page
    else:
        assert "Mục này là bắt buộc." in page
    assert client.get("/staff/").status_code == 302


def test_failures_are_audited_with_the_name_typed(client, db):
    make_user(db, username="known")
    client.post("/staff/login", data={"username": "known", "password": "bad"})
    [entry] = db.scalars(select(AuditEntry)).all()
    assert entry.action == "auth.login_failed" and entry.actor_name == "known"
    assert entry.details == {"reason": "bad credentials"} and entry.ip == "127.0.0.1"


def test_a_deactivated_account_cannot_sign_in(client, db):
    make_user(db, username="gone", active=False)
    response = client.post("/staff/login", data={"username": "gone", "password": PASSWORD})
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    [entry] = db.scalars(select(AuditEntry)).all()
    assert entry.details == {"reason": "inactive account"}


def test_five_failures_per_username_then_429_even_with_the_right_password(client, db):
    make_user(db, username="target")
    for attempt in range(5):
        response = client.post("/staff/login", data={"username": "target", "password": "x"},
                               environ_base={"REMOTE_ADDR": f"10.0.0.{attempt}"})
        assert response.status_code == 200
    response = client.post("/staff/login", data={"username": "target", "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert response.status_code == 429
    assert "tạm dừng trong một phút" in response.get_data(as_text=True)
    assert audit_actions(db)[-1] == "auth.login_throttled"
    other = make_user(db, username="other")
    assert client.post("/staff/login", data={"username": other.username, "password": PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.0.0.99"}).status_code == 302


def test_five_failures_per_address_then_429_for_any_username(client, db):
    make_user(db, username="victim")
    for attempt in range(5):
        client.post("/staff/login", data={"username": f"guess{attempt}", "password": "x"})
    response = client.post("/staff/login", data={"username": "victim", "password": PASSWORD})
    assert response.status_code == 429
    assert client.get("/staff/").status_code == 302


def test_the_throttle_window_ends(client, db, app):
    from portal.throttle import get_throttle

    make_user(db, username="patient")
    for _ in range(5):
        client.post("/staff/login", data={"username": "patient", "password": "x"})
    with app.app_context():
        throttle = get_throttle()
        throttle.clear("5/minute", "login-user", "patient")
        throttle.clear("5/minute", "login-ip", "127.0.0.1")
    response = client.post("/staff/login", data={"username": "patient", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("target, expected", [
    ("/staff/admin/users", "/staff/admin/users"),
    ("https://evil.example/", "/staff/"),
    ("//evil.example/x", "/staff/"),
    ("/\\evil.example", "/staff/"),
    ("/%09/evil.example", "/staff/"),
    ("/%0a/evil.example", "/staff/"),
    ("/%0d/evil.example", "/staff/"),
    ("/ /evil.example", "/staff/"),
    ("javascript:alert(1)", "/staff/"),
])
def test_after_sign_in_only_local_next_addresses_are_followed(client, db, target, expected):
    make_user(db, username="admin1", roles=["admin"])
    response = client.post(f"/staff/login?next={target}",
                           data={"username": "admin1", "password": PASSWORD})
    assert response.location == expected


def test_staff_pages_send_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/staff/admin/users")
    assert response.status_code == 302
    assert response.location.startswith("/staff/login?next=")


def test_wrong_role_gets_a_403_page(auth, client):
    auth.as_role("handler")
    response = client.get("/staff/admin/users")
    assert response.status_code == 403
    assert "không có quyền" in response.get_data(as_text=True)


def test_a_user_deactivated_while_signed_in_is_signed_out(auth, client, db):
    user = auth.as_role("admin")
    assert client.get("/staff/admin/users").status_code == 200
    user.active = False
    db.commit()
    assert client.get("/staff/admin/users").status_code == 302


def test_logout_needs_post(auth, client):
    auth.as_role("leader")
    assert client.get("/staff/logout").status_code == 405


def test_control_characters_in_a_sign_in_are_harmless(client, db):
    make_user(db, username="nul")
    response = client.post("/staff/login", data={"username": "nul\x00", "password": "x\x00"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)


# Sessions that end (issue 12, point 3): a copied session cookie is refused once its session
# is over on the server, whatever ended it.
def copy_of(app, client):
    """Another browser carrying a copy of ``client``'s session cookie."""
    copy = app.test_client()
    cookie = client.get_cookie("session")
    copy.set_cookie("session", cookie.value)
    return copy


def test_a_copied_cookie_is_refused_after_sign_out(app, client, db):
    make_user(db, username="copied", roles=["admin"])
    client.post("/staff/login", data={"username": "copied", "password": PASSWORD})
    copy = copy_of(app, client)
    assert copy.get("/staff/admin/users").status_code == 200, "the copy works while signed in"
    client.post("/staff/logout")
    replay = copy.get("/staff/admin/users")
    assert replay.status_code == 302 and replay.location.startswith("/staff/login")


def test_a_password_change_and_a_deactivation_end_the_other_sessions(app, client, db):
    from portal.auth.models import User

    user = make_user(db, username="changed", roles=["admin"])
    client.post("/staff/login", data={"username": "changed", "password": PASSWORD})
    copy = copy_of(app, client)
    db.get(User, user.id).set_password("a brand new password")
    db.commit()
    assert copy.get("/staff/admin/users").status_code == 302
    client.post("/staff/login", data={"username": "changed",
                                      "password": "a brand new password"})
    copy = copy_of(app, client)
    db.get(User, user.id).active = False
    db.commit()
    assert copy.get("/staff/admin/users").status_code == 302


def test_a_staff_session_ends_after_the_idle_time(app, client, db):
    import time

    app.config["STAFF_IDLE_MINUTES"] = 20
    make_user(db, username="idle", roles=["admin"])
    client.post("/staff/login", data={"username": "idle", "password": PASSWORD})
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 19 * 60  # active 19 minutes ago: still in
    assert client.get("/staff/admin/users").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 21 * 60
    ended = client.get("/staff/admin/users?lang=en")
    assert ended.status_code == 302
    assert ended.location == "/staff/login?next=/staff/admin/users?lang%3Den"
    page = client.get(ended.location).get_data(as_text=True)
    assert "signed out after 20 minutes without activity" in page
    assert audit_actions(db)[-1] == "auth.logout_idle"
    assert client.get("/staff/admin/users").status_code == 302, "it stays ended"
