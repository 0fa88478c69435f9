"""Retention of personal data (DOMAIN.md §8; Law 91/2025/QH15, NĐ 13/2023/NĐ-CP: kept only as
long as its purpose needs). ``flask --app wsgi retention [--dry-run]``, daily, runs what each
package registered: each erases what is past its time (keeping de-identified text and the
statistics) and says how many; the run is recorded in the audit log with the counts only, never
the values. docs/privacy.md lists what is kept and for how long."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from portal import audit
from portal.db import get_session, utcnow, write_transaction

KEY = "retention"


def register(app: Flask, name: str, step: Callable[[Session, datetime, bool], int],
             done: str = "de-identified") -> None:
    """``step(session, now, dry_run)`` erases (or with ``dry_run`` counts) what is past its
    time and returns how many records; ``name`` labels it in the output and the audit log,
    ``done`` says what happened to them ("1 de-identified", "1 would be de-identified")."""
    app.extensions.setdefault(KEY, {})[name] = step
    app.extensions.setdefault(KEY + ".done", {})[name] = done


def run(session: Session, now: datetime, dry_run: bool) -> dict[str, int]:
    counts = {name: step(session, now, dry_run)
              for name, step in current_app.extensions.get(KEY, {}).items()}
    if not dry_run:
        audit.record(session, "retention.run", details=counts)
    return counts


@click.command("retention")
@click.option("--dry-run", is_flag=True, help="Count what is past its time; change nothing.")
@with_appcontext
def retention_command(dry_run: bool):
    """Erase the personal data kept past its retention period (cron: daily)."""
    write_transaction()
    session = get_session()
    counts = run(session, utcnow(), dry_run)
    if dry_run:
        session.rollback()
    else:
        session.commit()
    done = current_app.extensions.get(KEY + ".done", {})
    for name, count in counts.items():
        click.echo(f"{name}: {count} {'would be ' if dry_run else ''}{done[name]}")


def init_app(app: Flask) -> None:
    app.cli.add_command(retention_command)
