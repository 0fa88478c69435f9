"""The administrator's working-day exceptions (extra days off, make-up working days), stored
in the database and combined with the public holidays into a :class:`portal.workdays.Calendar`.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.auth.roles import ADMIN
    from portal.templating import Entry, add_entry
    from portal.workcalendar.views import bp

    app.register_blueprint(bp)
    add_entry(app, "staff", Entry("workcalendar.exceptions", _l("Working-day calendar"), _l(
        "Extra days off and make-up working days decided each year; deadlines follow them."),
        (ADMIN,)))
