"""CSRF on every form, and the security headers on every response."""
from __future__ import annotations

from flask import Flask, abort, request
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def _add_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if response.mimetype == "text/html":
        # Pages may show personal data to staff; never keep them in shared caches.
        headers.setdefault("Cache-Control", "no-store")
    return response


def _refuse_nul_in_path():
    """A NUL byte in a staff address names nothing (PostgreSQL cannot even compare text with
    one): not found. Public pages check their own codes, with their own friendly pages (the
    input sweep, tests/portal/test_input_sweep.py, holds both to no server error)."""
    if request.path.startswith("/staff/") and "\x00" in request.path:
        abort(404)


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.before_request(_refuse_nul_in_path)
    app.after_request(_add_headers)
