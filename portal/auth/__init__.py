"""Staff users, roles, sign-in and sign-out, the role_required decorator, user admin."""
from __future__ import annotations

from functools import wraps

from flask import Flask, abort
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user

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


def init_app(app: Flask) -> None:
    from portal.auth.roles import ROLE_LABELS

    login_manager.init_app(app)
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS
