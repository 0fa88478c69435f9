"""Staff pages of the one-stop evaluation: the dossier import."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from portal.auth import role_required
from portal.auth.roles import ADMIN, SECRETARIAT
from portal.db import get_session, write_transaction
from portal.pages.forms import ImportForm
from survey.onestop import dossier_import, services

bp = Blueprint("onestop_staff", __name__, url_prefix="/staff/one-stop",
               template_folder="../templates")

IMPORTERS = (SECRETARIAT, ADMIN)


@bp.route("/import", methods=["GET", "POST"])
@role_required(*IMPORTERS)
def dossier_import_page():
    form = ImportForm()
    parsed = summary = None
    session = get_session()
    if form.validate_on_submit():
        write_transaction()
        upload = form.file.data
        limit = current_app.config["IMPORT_MAX_BYTES"]
        # Read one byte past the limit: enough to know the file is too large.
        parsed = services.read_import(session, upload.stream.read(limit + 1),
                                      upload.filename or "", max_bytes=limit)
        if parsed.ok:
            summary = services.import_dossiers(session, parsed.rows, dry_run=form.dry_run.data,
                                               source=upload.filename or "upload")
    return render_template("onestop/import.html", form=form, parsed=parsed, summary=summary,
                           kept=services.dossier_count(session),
                           import_columns=dossier_import.COLUMNS,
                           import_required=dossier_import.REQUIRED)
