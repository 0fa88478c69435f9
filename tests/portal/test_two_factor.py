"""Two-step sign-in for staff (issue 12, point 4): TOTP (RFC 6238) enrolled by scanning a QR
code, hashed single-use recovery codes, required for administrators (or every role), throttled
and audited like passwords, and reset by an administrator."""
import re
import time

import pyotp
import pytest
from sqlalchemy import select

from portal.audit import AuditEntry
from portal.auth import two_factor
from portal.auth.models import RecoveryCode, User
from tests.factories import PASSWORD, make_user


def actions(db):
    return [entry.action for entry in db.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def password_step(client, username):
    return client.post("/staff/login", data={"username": username, "password": PASSWORD})


def enrol(client, db, user) -> tuple[str, list[str]]:
    """Set up the second factor through the page, as the person does; (secret, codes)."""
    page = client.get("/staff/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="totp-key">([A-Z2-7 ]+)</code>', page).group(1)
    secret = secret.replace(" ", "")
    shown = client.post("/staff/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert shown.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9-]{19})</code></li>", shown.get_data(as_text=True))
    return secret, codes


def code_for(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + steps_ahead * two_factor.STEP)


@pytest.fixture
def required(app):
    app.config["TWO_FACTOR_REQUIRED"] = "admin"


def test_an_administrator_must_set_it_up_before_any_staff_page(app, client, db, required):
    make_user(db, username="boss", roles=["admin"])
    response = password_step(client, "boss")
    assert response.status_code == 302
    gate = client.get("/staff/admin/users")
    assert gate.status_code == 302 and gate.location == "/staff/two-factor"
    page = client.get("/staff/two-factor?lang=en").get_data(as_text=True)
    assert "Your role needs two-step sign-in" in page
    assert "<svg" in page and 'class="totp-key"' in page, "a QR code and the key to type"
    assert client.get("/").status_code == 200, "public pages stay open"
    # a wrong code is refused with a message, nothing kept
    wrong = client.post("/staff/two-factor?lang=en", data={"code": "000000"})
    assert wrong.status_code == 422 and "This code is not right" in wrong.get_data(as_text=True)
    assert db.scalar(select(User.totp_secret).where(User.username == "boss")) is None
    secret, codes = enrol(client, db, None)
    assert len(codes) == 10 and len(set(codes)) == 10
    user = db.scalar(select(User).where(User.username == "boss"))
    assert user.totp_secret == secret
    stored = db.scalars(select(RecoveryCode.code_hash).where(
        RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored), "kept hashed"
    assert client.get("/staff/admin/users").status_code == 200
    assert "user.two_factor_on" in actions(db)


def test_other_roles_choose_unless_every_role_must(app, client, db, required):
    make_user(db, username="desk", roles=["reception"])
    password_step(client, "desk")
    assert client.get("/staff/feedback").status_code == 200
    app.config["TWO_FACTOR_REQUIRED"] = "all"
    assert client.get("/staff/feedback").location == "/staff/two-factor"


def test_signing_in_asks_the_code_after_the_password(app, client, db):
    user = make_user(db, username="coded", roles=["secretariat"])
    password_step(client, "coded")
    secret, codes = enrol(client, db, user)
    client.post("/staff/logout")
    first = password_step(client, "coded")
    assert first.location == "/staff/login/code"
    assert client.get("/staff/").status_code == 302, "not signed in by the password alone"
    wrong = client.post("/staff/login/code?lang=en", data={"code": "123456"})
    assert wrong.status_code == 422
    assert "This code is not right" in wrong.get_data(as_text=True)
    signed = client.post("/staff/login/code", data={"code": code_for(secret, 1)})
    assert signed.status_code == 302 and client.get("/staff/").status_code == 200
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login")
                       .order_by(AuditEntry.id.desc())).first()
    assert entry.details == {"second_factor": "totp"}
    assert "auth.code_failed" in actions(db)
    # the same code, replayed by someone who saw it, is refused
    client.post("/staff/logout")
    password_step(client, "coded")
    replay = client.post("/staff/login/code", data={"code": code_for(secret, 1)})
    assert replay.status_code == 422


def test_a_recovery_code_works_once(app, client, db):
    user = make_user(db, username="lostphone", roles=["handler"])
    password_step(client, "lostphone")
    _secret, codes = enrol(client, db, user)
    client.post("/staff/logout")
    password_step(client, "lostphone")
    used = client.post("/staff/login/code?lang=en", data={"code": codes[3].upper()})
    assert used.status_code == 302
    assert "9 are left" in client.get("/staff/?lang=en").get_data(as_text=True)
    client.post("/staff/logout")
    password_step(client, "lostphone")
    again = client.post("/staff/login/code", data={"code": codes[3]})
    assert again.status_code == 422, "a used recovery code is refused"


def test_wrong_codes_are_throttled_like_passwords(app, client, db):
    user = make_user(db, username="guessed", roles=["leader"])
    password_step(client, "guessed")
    secret, _codes = enrol(client, db, user)
    client.post("/staff/logout")
    password_step(client, "guessed")
    for _ in range(5):
        assert client.post("/staff/login/code", data={"code": "000000"}).status_code == 422
    blocked = client.post("/staff/login/code", data={"code": code_for(secret)})
    assert blocked.status_code == 429, "even the right code waits"
    assert "auth.code_throttled" in actions(db)


def test_the_code_step_needs_a_fresh_right_password(app, client, db):
    assert client.get("/staff/login/code").location == "/staff/login"
    user = make_user(db, username="slow", roles=["leader"])
    password_step(client, "slow")
    enrol(client, db, user)
    client.post("/staff/logout")
    password_step(client, "slow")
    with client.session_transaction() as session:
        session["two_factor_pending"] = {**session["two_factor_pending"],
                                         "at": int(time.time()) - 301}
    late = client.get("/staff/login/code")
    assert late.location == "/staff/login"
    for pending in ({"id": "x", "at": int(time.time())}, "nonsense", {"id": f"{user.id}-0"}):
        with client.session_transaction() as session:
            session["two_factor_pending"] = pending
        assert client.get("/staff/login/code").location == "/staff/login"


def test_an_administrator_resets_a_lost_second_factor(app, client, db, required):
    from tests.factories import sign_in_as

    user = make_user(db, username="reset-me", roles=["handler"])
    password_step(client, "reset-me")
    enrol(client, db, user)
    with client.session_transaction() as session:
        cookie_session = dict(session)
    admin = make_user(db, username="resetter", roles=["admin"], totp_secret="A" * 32)
    sign_in_as_admin = app.test_client()
    password_step(sign_in_as_admin, "resetter")
    assert sign_in_as_admin.post("/staff/login/code", data={
        "code": code_for("A" * 32)}).status_code == 302
    assert sign_in_as_admin.post(f"/staff/admin/users/{user.id}/two-factor/reset"
                                 ).status_code == 302
    db.expire_all()
    reset = db.get(User, user.id)
    assert reset.totp_secret is None and db.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id)) is None
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "user.two_factor_reset"))
    assert entry.actor_id == admin.id and entry.target_id == str(user.id)
    # their session ended; they sign in with the password alone again (optional for them)
    assert client.get("/staff/").status_code == 302
    assert cookie_session
    sign_in_as(client, reset)
    assert client.get("/staff/").status_code == 200
    # nothing to reset, and not for other roles
    again = sign_in_as_admin.post(f"/staff/admin/users/{user.id}/two-factor/reset?lang=en",
                                  follow_redirects=True)
    assert "has no two-step sign-in to reset" in again.get_data(as_text=True)
    assert client.post(f"/staff/admin/users/{user.id}/two-factor/reset").status_code == 403


@pytest.mark.parametrize("code", ["", " ", "12345", "1234567", "abcdef", "１２３４５６",
                                  "x" * 41, "\x00" * 6])
def test_bad_codes_are_refused_with_a_message(app, client, db, code):
    user = make_user(db, username="typo", roles=["leader"])
    password_step(client, "typo")
    enrol(client, db, user)
    client.post("/staff/logout")
    password_step(client, "typo")
    refused = client.post("/staff/login/code?lang=en", data={"code": code})
    assert refused.status_code in (200, 422)
    assert 'class="error"' in refused.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_matching_step_accepts_one_step_of_drift_and_never_a_step_twice():
    secret = pyotp.random_base32()
    now = 1_800_000_000
    totp = pyotp.TOTP(secret)
    step = now // two_factor.STEP
    assert two_factor.matching_step(secret, totp.at(now), None, now) == step
    assert two_factor.matching_step(secret, totp.at(now - 30), None, now) == step - 1
    assert two_factor.matching_step(secret, totp.at(now + 30), None, now) == step + 1
    assert two_factor.matching_step(secret, totp.at(now - 60), None, now) is None
    assert two_factor.matching_step(secret, totp.at(now), step, now) is None, "replayed"
    assert two_factor.matching_step(secret, totp.at(now + 30), step, now) == step + 1


def test_a_session_opened_with_the_password_alone_ends_once_the_factor_is_set_up(
        app, client, db, required):
    """Someone with only an administrator's password is held at the set-up page; when the
    administrator sets the factor up on their own device, that session ends."""
    make_user(db, username="victim-admin", roles=["admin"])
    intruder = app.test_client()
    password_step(intruder, "victim-admin")
    assert intruder.get("/staff/admin/users").location == "/staff/two-factor"
    password_step(client, "victim-admin")
    enrol(client, db, None)
    assert client.get("/staff/admin/users").status_code == 200, "the enrolling session stays"
    ended = intruder.get("/staff/admin/users")
    assert ended.status_code == 302 and ended.location == "/staff/login"
    assert intruder.get("/staff/").status_code == 302


def test_signing_in_again_after_a_long_pause_starts_a_fresh_idle_clock(app, client, db):
    make_user(db, username="returning", roles=["leader"])
    password_step(client, "returning")
    client.post("/staff/logout")
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 3 * 3600  # what an old sign-out could leave
    password_step(client, "returning")
    assert client.get("/staff/").status_code == 200
