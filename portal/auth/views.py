"""Sign-in, sign-out and the staff start page."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, logout_user

from portal import audit
from portal.auth import SECOND_FACTOR_KEY, SEEN_KEY, start_session, two_factor
from portal.auth.forms import CodeForm, LoginForm
from portal.auth.models import User
from portal.auth.services import Throttled, check_second_factor, complete_sign_in, sign_in
from portal.db import commit_despite_client_error, get_session
from portal.qrcodes import inline_svg
from portal.text import whole_number

bp = Blueprint("auth", __name__, url_prefix="/staff")


def _safe_next(target: str | None) -> str:
    """Only a path on this site; anything else goes to the staff start page.

    Browsers drop tabs and line breaks from URLs, so "/\t/evil.example" would become
    "//evil.example": any white space or control character disqualifies the target.
    """
    if not target or any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in target):
        return url_for("auth.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("auth.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            result = sign_in(get_session(), form.username.data.strip(), form.password.data,
                             request.remote_addr or "")
        except Throttled:
            commit_despite_client_error()  # keep the audit entry of the refused attempt
            return render_template("auth/login.html", form=form, throttled=True), 429
        if result.user is not None:
            target = _safe_next(request.args.get("next"))
            if result.user.totp_secret is not None:  # the code from their app comes next
                session[PENDING] = {"id": result.user.get_id(), "at": int(time.time()),
                                    "next": target}
                return redirect(url_for("auth.login_code"))
            complete_sign_in(get_session(), result.user)
            start_session(result.user)
            return redirect(target)  # (a second factor still to enrol: the gate sends there)
        flash(_("Wrong username or password."), "error")
    return render_template("auth/login.html", form=form, throttled=False)


PENDING = "two_factor_pending"  # the user whose password was right, waiting for the code
PENDING_SECONDS = 300
NEW_SECRET = "two_factor_new_secret"  # the secret being enrolled, until a code proves it


def _pending_user() -> tuple[User | None, dict]:
    """The user who gave the right password in the last five minutes (and has not signed out
    or changed password since), waiting for their code."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("at"), int) \
            or time.time() - pending["at"] > PENDING_SECONDS:
        return None, {}
    number = whole_number(str(pending.get("id", "")).partition("-")[0])
    user = get_session().get(User, number) if number else None
    if user is None or not user.active or user.get_id() != pending.get("id") \
            or user.totp_secret is None:
        return None, {}
    return user, pending


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step of signing in: the code from the authenticator app, or a recovery
    code."""
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    user, pending = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Please sign in again: the code is asked within five minutes of the "
                "password."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            factor = check_second_factor(get_session(), user, form.code.data)
        except Throttled:
            commit_despite_client_error()
            return render_template("auth/login_code.html", form=form, throttled=True), 429
        if factor is not None:
            session.pop(PENDING, None)
            complete_sign_in(get_session(), user, factor)
            start_session(user, second_factor=True)
            if factor == "recovery":
                flash(ngettext("You signed in with a recovery code: %(num)s is left. Make new "
                               "ones on your two-step sign-in page.",
                               "You signed in with a recovery code: %(num)s are left. Make new "
                               "ones on your two-step sign-in page.",
                               two_factor.recovery_codes_left(get_session(), user)), "info")
            return redirect(_safe_next(pending.get("next")))
        commit_despite_client_error()  # keep the audit entry of the wrong code
        form.code.errors.append(_("This code is not right, or was used already. Type the "
                                  "code your app shows now."))
        return render_template("auth/login_code.html", form=form, throttled=False), 422
    return render_template("auth/login_code.html", form=form, throttled=False)


@bp.route("/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_page():
    """Set up the second factor (scan the QR code, type a code), or see it is on and renew
    the recovery codes."""
    user, db = current_user, get_session()
    if user.totp_secret is not None:
        return render_template("auth/two_factor.html", enrolled=True, form=None,
                               left=two_factor.recovery_codes_left(db, user))
    secret = session.get(NEW_SECRET)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[NEW_SECRET] = two_factor.new_secret()
    form = CodeForm()
    form.code.description = _("The six digits the app shows.")
    if form.validate_on_submit():
        codes = two_factor.enrol(db, user, secret, form.code.data, actor=user)
        if codes is not None:
            session.pop(NEW_SECRET, None)
            session[SECOND_FACTOR_KEY] = True  # this session proved it; the others end
            return render_template("auth/recovery_codes.html", codes=codes, new=True)
        form.code.errors.append(_("This code is not right. Check that the phone's clock is "
                                  "set automatically, then type the code the app shows now."))
    uri = two_factor.provisioning_uri(secret, user.username)
    return render_template("auth/two_factor.html", enrolled=False, form=form,
                           qr=inline_svg(uri), secret=" ".join(
                               secret[start:start + 4] for start in range(0, 32, 4)),
                           required=two_factor.required_for(
                               user, current_app.config["TWO_FACTOR_REQUIRED"])), \
        422 if form.errors else 200


@bp.post("/two-factor/recovery-codes")
@login_required
def renew_recovery_codes():
    if current_user.totp_secret is None:
        return redirect(url_for("auth.two_factor_page"))
    codes = two_factor.renew_recovery_codes(get_session(), current_user)
    return render_template("auth/recovery_codes.html", codes=codes, new=False)


@bp.post("/logout")
@login_required
def logout():
    audit.record(get_session(), "auth.logout")
    current_user.end_sessions()  # a copy of the cookie is refused from now on
    logout_user()
    session.pop(SEEN_KEY, None)
    flash(_("You have signed out."), "info")
    return redirect(url_for("pages.home"))


@bp.get("/")
@login_required
def home():
    return render_template("auth/home.html")
