"""SIPAS satisfaction survey: counters, QR codes, responses, indices, dashboards.

"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from survey import cli, demo
    from survey.staff_views import bp as staff_bp
    from survey.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(staff_bp)
    cli.init_app(app)
    app.extensions.setdefault("demo_loaders", []).append(demo.load_counters)
