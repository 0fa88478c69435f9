"""SIPAS satisfaction survey: counters, QR codes, responses, indices, dashboards.

"""
from __future__ import annotations

from flask import Flask


def _add_links(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.auth.roles import ADMIN, HANDLER, LEADER, RECEPTION, SECRETARIAT
    from portal.templating import Entry, add_entry

    add_entry(app, "menu", Entry("survey.results", _l("Results")))
    add_entry(app, "home", Entry("survey.results", _l("Satisfaction results"), _l(
        "How satisfied citizens were with our service, by quarter and year.")))
    add_entry(app, "staff", Entry("survey_staff.dashboard", _l("Satisfaction dashboard"), _l(
        "Indices by dimension, unit, counter and officer; trend and comments."),
        (LEADER, SECRETARIAT, ADMIN)))
    add_entry(app, "staff", Entry("survey_staff.dossier_link", _l("Survey QR code for a dossier"),
                                  _l("A single-use QR code to print on the dossier receipt."),
                                  (RECEPTION, ADMIN)))
    add_entry(app, "staff", Entry("survey_staff.counters", _l("Counters and their QR codes"), _l(
        "Survey links, posters and table tents for each counter."), (ADMIN, SECRETARIAT)))
    add_entry(app, "staff", Entry("survey_alerts.listing", _l("Alerts on ratings"), _l(
        "When a counter's ratings turn bad (or very good): acknowledge, comment, close."),
        (LEADER, SECRETARIAT, ADMIN)))
    add_entry(app, "staff", Entry("survey_paper.entry", _l("Paper survey forms"), _l(
        "Print numbered paper forms for a counter; key in the returned ones."),
        (RECEPTION, SECRETARIAT, ADMIN)))
    add_entry(app, "staff", Entry("onestop_staff.scoreboard", _l(
        "One-stop evaluation (TT 01/2018)"), _l("The nine indices per unit, officers' scores, "
                                                "the dossiers that lost points, declarations."),
        (LEADER, SECRETARIAT, ADMIN)))
    add_entry(app, "staff", Entry("onestop_staff.late", _l("Late dossiers and apologies"), _l(
        "Dossiers due within one working day or late: the apology letter and new date."),
        (RECEPTION, HANDLER, SECRETARIAT, ADMIN)))
    add_entry(app, "staff", Entry("onestop_staff.dossier_import_page", _l(
        "Import dossier records"), _l("Records from the provincial one-stop system, for the "
                                      "evaluation under TT 01/2018."), (SECRETARIAT, ADMIN)))
    add_entry(app, "staff", Entry("onestop_staff.schemes", _l("Evaluation scheme versions"), _l(
        "Publish the indices, thresholds and ratings of the one-stop evaluation."), (ADMIN,)))
    add_entry(app, "staff", Entry("survey_staff.questionnaires", _l("Questionnaire versions"), _l(
        "Publish a new version of the survey; old answers keep theirs."), (ADMIN,)))


def init_app(app: Flask) -> None:
    from survey import cli, demo, rollup  # noqa: F401 - rollup registers its listener
    from survey.alert_views import bp as alerts_bp
    from survey.onestop import models as onestop_models  # noqa: F401 - its tables
    from survey.onestop.staff_views import bp as onestop_staff_bp
    from survey.onestop.views import bp as onestop_bp
    from survey.paper_views import bp as paper_bp
    from survey.rendering import questions
    from survey.staff_views import bp as staff_bp
    from survey.tablet_views import bp as tablet_bp
    from survey.views import bp

    app.jinja_env.globals["survey_questions"] = questions
    from survey import api as survey_api

    survey_api.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(tablet_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(paper_bp)
    app.register_blueprint(alerts_bp)
    app.register_blueprint(onestop_staff_bp)
    app.register_blueprint(onestop_bp)
    _add_links(app)
    cli.init_app(app)
    app.extensions.setdefault("demo_loaders", []).append(demo.load_counters)
    from portal import retention
    from survey.services import deidentify_old_comments

    retention.register(app, "survey comments", deidentify_old_comments)
    from survey.onestop.services import erase_old_citizens

    retention.register(app, "dossiers' citizens", erase_old_citizens, "erased")
