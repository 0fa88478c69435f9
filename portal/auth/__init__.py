"""Staff users, roles, sign-in and sign-out, the role_required decorator, user admin."""
from __future__ import annotations

import time
from functools import wraps

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_user, logout_user

from portal.db import get_session
from portal.text import whole_number

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to open that page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@login_manager.user_loader
def _load_user(user_id: str):
    from portal.auth.models import User

    number, _, _fingerprint = user_id.partition("-")
    if whole_number(number) is None:
        return None
    user = get_session().get(User, whole_number(number))
    if user is None or not user.active or user.get_id() != user_id:
        return None  # gone, deactivated, or the password changed since this session began
    return user


def role_required(*roles: str):
    """Allow the view to users holding any of ``roles``.

    :raise 302: to the sign-in page when nobody is signed in.
    :raise 403: when the signed-in user holds none of the roles.
    """
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # read by the route-sweep tests
        return wrapped

    return decorator


SEEN_KEY = "seen"  # when the signed-in user last made a request (seconds since the epoch)


def _end_idle_session():
    """Sign a staff member out after STAFF_IDLE_MINUTES without a request (an unattended
    screen at a counter), besides the session's whole lifetime."""
    if not current_user.is_authenticated:
        return None
    now = int(time.time())
    seen = session.get(SEEN_KEY)
    if isinstance(seen, int) and now - seen > current_app.config["STAFF_IDLE_MINUTES"] * 60:
        from portal import audit

        audit.record(get_session(), "auth.logout_idle", actor=current_user)
        logout_user()
        session.pop(SEEN_KEY, None)
        flash(_l("You were signed out after %(n)s minutes without activity. Please sign in "
                 "again.", n=current_app.config["STAFF_IDLE_MINUTES"]), "info")
        return redirect(url_for("auth.login", next=request.full_path
                                if request.method == "GET" else None))
    if not isinstance(seen, int) or now - seen >= 60:  # a new cookie at most once a minute
        session[SEEN_KEY] = now
    return None


ENROLMENT_OPEN = {"auth.two_factor_page", "auth.logout", "static"}


SECOND_FACTOR_KEY = "second_factor"  # this session gave the code (or set the factor up)


def start_session(user, second_factor: bool = False) -> None:
    """Sign ``user`` in on this browser: a fresh idle clock, and whether the second factor
    was given here (login_user plus what the gates below read)."""
    login_user(user)
    session[SEEN_KEY] = int(time.time())
    session[SECOND_FACTOR_KEY] = second_factor


def _second_factor_gate():
    """Two-step sign-in on every staff page:

    - a user with a second factor whose session never gave it (signed in before they set it
      up on another device) is signed out: the password alone no longer opens a session;
    - a user who must have one and has none yet can only set it up (or sign out)."""
    if not current_user.is_authenticated or request.endpoint == "static":
        return None
    if current_user.totp_secret is not None:
        if session.get(SECOND_FACTOR_KEY):
            return None
        logout_user()
        session.pop(SEEN_KEY, None)
        flash(_l("Please sign in again, with the code from your app."), "info")
        return redirect(url_for("auth.login"))
    if request.endpoint in ENROLMENT_OPEN or not request.path.startswith("/staff/"):
        return None
    from portal.auth.two_factor import required_for

    if required_for(current_user, current_app.config["TWO_FACTOR_REQUIRED"]):
        flash(_l("Your role needs two-step sign-in: set it up with your phone first."), "info")
        return redirect(url_for("auth.two_factor_page"))
    return None


def init_app(app: Flask) -> None:
    from portal.auth.roles import ROLE_LABELS

    login_manager.init_app(app)
    app.before_request(_end_idle_session)
    app.before_request(_second_factor_gate)
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS
