"""The published one-stop evaluation (NĐ 61/2018 Điều 32): each unit's TT 01/2018 indices,
total and rating for a quarter or a year. No dossier codes, nothing about a person."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from portal.db import get_session
from portal.workdays import today_in_vietnam
from survey.onestop import queries, services

bp = Blueprint("onestop", __name__, template_folder="../templates")


@bp.get("/results/one-stop")
def results():
    today = today_in_vietnam()
    period = queries.period_from(request.args, today)
    scheme = services.current_scheme()
    return render_template("onestop/results.html", period=period, scheme=scheme,
                           scores=queries.scoreboard(get_session(), period, scheme),
                           years=queries.years(today), today=today)
