"""Sign-in, sign-out and the staff start page."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal import audit
from portal.auth.forms import LoginForm
from portal.auth.services import Throttled, sign_in
from portal.db import commit_despite_client_error, get_session

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
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong username or password."), "error")
    return render_template("auth/login.html", form=form, throttled=False)


@bp.post("/logout")
@login_required
def logout():
    audit.record(get_session(), "auth.logout")
    current_user.end_sessions()  # a copy of the cookie is refused from now on
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("pages.home"))


@bp.get("/")
@login_required
def home():
    return render_template("auth/home.html")
