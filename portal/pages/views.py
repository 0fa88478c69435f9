"""Public pages: home, hotline, the procedure catalogue and one procedure."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from portal.db import get_session
from portal.pages import queries
from portal.pages.models import LEVELS
from portal.pages.procedure_import import CODE_PATTERN
from portal.pagination import page_number, paginate
from portal.qrcodes import public_url, qr_response
from portal.text import query_text, whole_number

bp = Blueprint("pages", __name__)

MAX_QUERY_LENGTH = 200


@bp.get("/")
def home():
    return render_template("pages/home.html")


@bp.get("/hotline")
def hotline():
    return render_template("pages/hotline.html", page=queries.hotline_page(get_session()))


def catalogue_filters() -> dict:
    """The catalogue's query-string filters; anything malformed is ignored, never an error."""
    field = request.args.get("field", "")
    level = request.args.get("level", "")
    return {
        "q": query_text(request.args.get("q"), MAX_QUERY_LENGTH),
        "field_id": whole_number(field),
        "level": level if level in LEVELS else None,
        "body": query_text(request.args.get("body"), 300) or None,
    }


@bp.get("/procedures")
def procedures():
    session = get_session()
    filters = catalogue_filters()
    statement = queries.procedure_search(filters["q"], field_id=filters["field_id"],
                                         level=filters["level"], body=filters["body"])
    page = paginate(session, statement, page_number(request.args.get("page")),
                    current_app.config["PROCEDURES_PER_PAGE"])
    return render_template("pages/procedures.html", page=page, filters=filters,
                           fields=queries.fields_in_use(session),
                           bodies=queries.processing_bodies(session))


def _published(code: str):
    """:raise 404: for an unknown or retired code."""
    if not CODE_PATTERN.match(code):
        abort(404)
    return queries.procedure_by_code(get_session(), code) or abort(404)


@bp.get("/procedures/<code>")
def procedure(code: str):
    return render_template("pages/procedure.html", procedure=_published(code),
                           page_url=public_url("pages.procedure", code=code))


@bp.get("/procedures/<code>/qr.<any(png, svg):image_format>")
def procedure_qr(code: str, image_format: str):
    """The QR code of a procedure's page, to post at the counter."""
    procedure = _published(code)
    return qr_response(public_url("pages.procedure", code=procedure.code), image_format,
                       filename=f"qr-{procedure.code}")
