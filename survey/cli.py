"""Survey commands: ``counters``, ``dossier-qr``, ``survey-rollup``, ``survey-rescreen``,
``survey-alerts`` and the one-stop evaluation's ``import-dossiers``."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from portal.cli import progress
from portal.db import get_session, write_transaction
from portal.qrcodes import qr_png, qr_version
from survey import services
from survey.models import Counter, Response

MAX_QR_VERSION = 4  # the bound: small enough to print on a receipt


def survey_url(token: str) -> str:
    """The full survey address for paper (the path /q/<token> is fixed: it is printed)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        raise click.UsageError("Set PUBLIC_BASE_URL (the address citizens use), e.g. "
                               "export PUBLIC_BASE_URL=https://gopy.example.gov.vn")
    return f"{base}/q/{token}"


@click.command("counters")
@with_appcontext
def counters_command():
    """List each counter's code, name and survey URL."""
    counters = get_session().scalars(select(Counter).order_by(Counter.code)).all()
    if not counters:
        click.echo("No counters yet.")
        return
    for counter in counters:
        if counter.token and counter.active:
            where = survey_url(counter.token)
            check_qr_size(where)
        else:
            where = "(no survey link: revoked)" if counter.active else "(counter retired)"
        click.echo(f"{counter.code}\t{counter.name}\t{where}")


@click.command("dossier-qr")
@click.argument("dossier_code")
@click.option("--counter", "counter_code", default=None,
              help="Code of the counter that received the dossier (default: the only one).")
@click.option("--png", "png_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the QR code as a PNG image to this file.")
@with_appcontext
def dossier_qr_command(dossier_code: str, counter_code: str | None, png_path: Path | None):
    """Make (or show again) the single-use survey link of a dossier."""
    dossier_code = dossier_code.strip()
    if not dossier_code or len(dossier_code) > 60 or not dossier_code.isprintable():
        raise click.UsageError("DOSSIER_CODE must be 1-60 printable characters.")
    session = get_session()
    active = select(Counter).where(Counter.active.is_(True))
    if counter_code:
        counter = session.scalar(active.where(func.lower(Counter.code) == counter_code.lower()))
        if counter is None:
            raise click.UsageError(f"No active counter has the code {counter_code!r}.")
    else:
        candidates = session.scalars(active).all()
        if len(candidates) != 1:
            raise click.UsageError("Name the counter with --counter CODE "
                                   "(see flask --app wsgi counters).")
        counter = candidates[0]
    url_base = survey_url("")  # fail before writing anything when the address is unknown
    link, created = services.create_dossier_link(session, dossier_code, counter)
    if link.counter_id != counter.id:
        raise click.UsageError(f"Dossier {dossier_code} already has a link for counter "
                               f"{link.counter.code}.")
    session.commit()
    url = url_base + link.token
    check_qr_size(url)
    if png_path is not None:
        png_path.write_bytes(qr_png(url))
    click.echo(("Created" if created else "Already made") + f": {dossier_code}\t{url}")


@click.command("import-dossiers")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@with_appcontext
def import_dossiers_command(path: Path, dry_run: bool):
    """Import dossier records from the one-stop system, CSV or JSON (docs/dossier-import.md)."""
    from portal.cli import import_file
    from survey.onestop import services as onestop

    write_transaction()
    import_file(path, dry_run, lambda session, data, name, limit: onestop.read_import(
        session, data, name, max_bytes=limit), onestop.import_dossiers)


@click.command("onestop-rescore")
@click.option("--all", "everything", is_flag=True,
              help="Score every dossier again (after a new scheme is published).")
@with_appcontext
def onestop_rescore_command(everything: bool):
    """Score again the open dossiers whose promised day has passed (run daily), and recount
    the scoreboard's figures of their months."""
    from survey.onestop import services as onestop

    write_transaction()
    session = get_session()
    with progress(onestop.rescore_count(session, everything=everything),
                  "Scoring the dossiers again") as advance:
        count = onestop.rescore(session, everything=everything, on_progress=advance)
    session.commit()
    click.echo(f"Scored again: {count} dossiers.")


def check_qr_size(url: str) -> int:
    version = qr_version(url)
    if version > MAX_QR_VERSION:
        click.echo(f"Warning: the QR code of {url} needs version {version} "
                   f"(more than {MAX_QR_VERSION}); shorten PUBLIC_BASE_URL.", err=True)
    return version


@click.command("survey-rollup")
@with_appcontext
def survey_rollup_command():
    """Recount the survey tally (dashboard, officer report, /results) from the stored answers."""
    from survey.rollup import rebuild

    session = get_session()
    rebuild(session.connection())
    session.commit()
    click.echo("Survey rollup recounted.")


@click.command("survey-rescreen")
@click.option("--dry-run", is_flag=True, help="Say what would change, change nothing.")
@with_appcontext
def survey_rescreen_command(dry_run: bool):
    """Apply the screening rules (survey/screening.py, current settings) to every stored
    answer again and recount the rollups; answers an administrator decided keep their
    decision."""
    from survey.rescreen import rescreen
    from survey.screening import rules_from

    write_transaction()  # one transaction: the flags and the rollups change together
    session = get_session()
    total = session.scalar(select(func.count()).select_from(Response)) or 0
    with progress(total, "Screening the answers again") as advance:
        result = rescreen(session, rules_from(current_app.config), on_progress=advance)
    if dry_run:
        session.rollback()
    else:
        session.commit()
    click.echo(f"{'Would re-screen' if dry_run else 'Re-screened'} {result.examined} answers: "
               f"{result.now_counted} left out before are counted now, "
               f"{result.now_excluded} counted before are left out now, "
               f"{result.decided} decided by an administrator kept as they were.")
    for reason, number in sorted(result.excluded_by_reason.items()):
        click.echo(f"  left out: {number}\t{reason}")
    if not dry_run:
        click.echo("Rollups recounted.")


@click.command("survey-alerts")
@with_appcontext
def survey_alerts_command():
    """Check the alert rules; raise and email the alerts whose condition holds (cron: every
    few minutes)."""
    from survey import alerts
    from survey.reports import index_rules

    base = survey_url("").removesuffix("/q/")  # the emails link to the alert: a real address
    write_transaction()
    session = get_session()
    with current_app.test_request_context("/", base_url=base):
        raised = alerts.evaluate(session, services.current_questionnaire(session),
                                 index_rules())
        session.commit()
    click.echo(f"{len(raised)} alerts raised")


def init_app(app) -> None:
    app.cli.add_command(survey_alerts_command)
    app.cli.add_command(survey_rescreen_command)
    app.cli.add_command(survey_rollup_command)
    app.cli.add_command(counters_command)
    app.cli.add_command(dossier_qr_command)
    app.cli.add_command(import_dossiers_command)
    app.cli.add_command(onestop_rescore_command)
