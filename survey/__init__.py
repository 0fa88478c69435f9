"""SIPAS satisfaction survey: counters, QR codes, responses, indices, dashboards.

This package so far holds the counters of the one-stop section; the survey itself comes with
the survey issue.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from survey import demo
    from survey.views import bp

    app.register_blueprint(bp)
    app.extensions.setdefault("demo_loaders", []).append(demo.load_counters)
