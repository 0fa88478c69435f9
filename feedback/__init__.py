"""Feedback and petitions (phản ánh, kiến nghị): intake, tracking, handling, publication.

The features come with the feedback issue; the package is wired like the others.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from feedback.views import bp

    app.register_blueprint(bp)
