"""One renderer for every error: a friendly page in the visitor's language, JSON under /api/."""
from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and "
                                "try again.")),
    403: (_l("Not allowed"), _l("Your account does not have permission to open this page.")),
    404: (_l("Page not found"), _l("We could not find this page. It may have moved or the "
                                   "address may be mistyped.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is larger than we accept. Please send a smaller "
                              "file.")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Please wait a minute "
                                      "and try again.")),
    500: (_l("Something went wrong"), _l("An error occurred on our side and nothing was saved. "
                                         "Please try again in a few minutes.")),
}
CSRF_MESSAGE = _l("This form has expired or was not sent from this site. Please reload the page "
                  "and send it again.")


def render_error(code: int, message=None, **details):
    """The error page; JSON under /api/ and for requests that sent JSON (the tablet)."""
    title, default_message = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    message = message or default_message
    if request.path.startswith("/api/") or request.is_json:
        return jsonify(error=str(title), message=str(message), status=code, **details), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _handle_http(error: HTTPException):
    if isinstance(error, CSRFError):
        return render_error(400, CSRF_MESSAGE, csrf=True)
    # werkzeug's English descriptions are replaced by our translated ones.
    return render_error(error.code or 500)


def _handle_unexpected(error: Exception):
    session = g.get("db_session")
    if session is not None:
        session.rollback()
    if isinstance(error, HTTPException):
        return _handle_http(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(InternalServerError, _handle_unexpected)
    app.register_error_handler(Exception, _handle_unexpected)
