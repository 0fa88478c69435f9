"""Commands: ``flask --app wsgi init-db | create-user | demo-data | import-procedures``."""
from __future__ import annotations

import secrets
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import func, select

from portal.db import get_session

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@contextmanager
def progress(total: int, label: str, file=None):
    """Click's progress bar while a long command works, on a terminal only: under cron (no
    terminal) nothing is printed. Yields ``advance(n)``, to call as work is done."""
    file = file or sys.stdout
    if total and file.isatty():
        with click.progressbar(length=total, label=label, file=file) as bar:
            yield bar.update
    else:
        yield lambda _done: None


def upgrade_database(engine, revision: str = "head") -> None:
    """Migrate to ``revision`` (the latest by default) on ``engine`` (idempotent).

    On SQLite, foreign keys are off while migrating: a batch migration rebuilds a table (copy,
    drop, rename), and dropping the old table with foreign keys on would delete every row
    that refers to it through ON DELETE CASCADE (a questionnaire's statements, a response's
    answers). Integrity is checked before the migration commits.

    :raise RuntimeError: when a migration left rows pointing at nothing (nothing committed).
    """
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)  # before its import logs plugins
    from alembic import command

    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # outside any transaction, or SQLite ignores it
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("a migration broke a foreign key; nothing was changed")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or migrate the database to the latest schema (safe to run again)."""
    upgrade_database(current_app.extensions["db"].engine)
    click.echo("Database is up to date.")


def _read_password(prompt: bool) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    if not prompt:
        return ""
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path):
    """Back up the whole database into DIRECTORY (SQLite's online backup, or pg_dump's custom
    format); safe while the portal runs. Prints the file written."""
    from portal.backup import BackupError, backup

    try:
        written = backup(current_app.extensions["db"].engine, directory)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{written} ({written.stat().st_size:,} bytes)")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path):
    """Restore FILE (made by `backup`) into the empty database of DATABASE_URL, migrate it to
    this version and skip the tracking numbers given since the backup."""
    from portal.backup import BackupError, restore

    try:
        revision = restore(current_app.extensions["db"].engine, file)
    except BackupError as error:
        raise click.ClickException(f"{error}. Nothing was changed.") from None
    click.echo(f"Restored {file.name} (schema {revision}); the database is up to date.")


@click.command("create-user")
@click.argument("username")
@click.option("--full-name", required=True, help="The person's full name.")
@click.option("--email", default="", help="Email address (optional).")
@click.option("--unit", "unit_code", default="", help="Code of the user's unit (optional).")
@click.option("--role", "roles", multiple=True, required=True,
              help="A role: admin, reception, handler, secretariat or leader. Repeat for more.")
@with_appcontext
def create_user_command(username, full_name, email, unit_code, roles):
    """Create a staff account. The password is asked for, or read from standard input."""
    import re

    from portal.auth.models import Unit
    from portal.auth.roles import ROLES
    from portal.auth.services import create_user, password_problem, username_taken
    from portal.text import EMAIL_PATTERN

    session = get_session()
    problems = []
    if not re.fullmatch(r"[A-Za-z0-9._-]{3,50}", username):
        problems.append("USERNAME must be 3-50 letters, digits, '.', '-' or '_'.")
    elif username_taken(session, username):
        problems.append(f"The username {username!r} is already taken.")
    if not full_name.strip() or len(full_name) > 200:
        problems.append("--full-name must be 1-200 characters.")
    if email and (len(email) > 254 or not re.fullmatch(EMAIL_PATTERN, email)):
        problems.append(f"--email {email!r} is not an email address.")
    bad_roles = sorted(set(roles) - set(ROLES))
    if bad_roles:
        problems.append(f"Unknown role(s): {', '.join(bad_roles)}. Use: {', '.join(ROLES)}.")
    unit = None
    if unit_code:
        unit = session.scalar(select(Unit).where(func.lower(Unit.code) == unit_code.lower()))
        if unit is None:
            problems.append(f"No unit has the code {unit_code!r}.")
    if problems:
        raise click.UsageError("\n".join(problems))
    password = _read_password(prompt=True)
    with force_locale("en"):
        problem = password_problem(password)
    if problem:
        raise click.UsageError(problem)
    create_user(session, username=username, full_name=full_name.strip(), password=password,
                email=email, unit=unit, roles=roles)
    session.commit()
    click.echo(f"Created {username} with roles {', '.join(sorted(set(roles)))}.")


@click.command("demo-data")
@click.option("--password", envvar="DEMO_PASSWORD", default=None,
              help="Password for the demo users (default: $DEMO_PASSWORD, else a random one "
                   "that is printed).")
@click.option("--if-empty", is_flag=True,
              help="Do nothing when the database already has staff accounts (for make run).")
@with_appcontext
def demo_data_command(password, if_empty):
    """Load units, counters, procedures, the hotline page and one user per role."""
    from portal.auth.models import User
    from portal.auth.services import password_problem
    from portal.demo import load_all

    session = get_session()
    if if_empty and session.scalar(select(func.count()).select_from(User)):
        click.echo("Staff accounts exist already: demo data not loaded.")
        return
    generated = not password
    if generated:
        password = secrets.token_urlsafe(12)
    with force_locale("en"):
        problem = password_problem(password)
    if problem:
        raise click.UsageError(problem)
    report = load_all(session, password)
    session.commit()
    click.echo(f"Demo data loaded: {report['units']} units, {report['procedures']} procedures, "
               f"{report.get('counters', 0)} counters.")
    click.echo(f"Demo users: {', '.join(report['users'])}.")
    if generated:
        click.echo(f"Their password: {password}")


@click.command("import-procedures")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@with_appcontext
def import_procedures_command(path: Path, dry_run: bool):
    """Import procedures from a CSV or JSON file (see docs/procedure-import.md)."""
    from portal.pages.procedure_import import parse_import
    from portal.pages.services import import_procedures

    import_file(path, dry_run, lambda session, data, name, limit: parse_import(
        data, name, max_bytes=limit), import_procedures)


def import_file(path: Path, dry_run: bool, read, write) -> None:
    """Run an import command: ``read(session, data, filename, max_bytes)`` checks the file
    (a ParsedImport), ``write(session, rows, dry_run=…, source=…)`` applies it (a summary with
    created and updated). Every problem is printed with its line; exit status 1 if any."""
    if not path.exists():
        raise click.UsageError(f"No such file: {path}")
    limit = current_app.config["IMPORT_MAX_BYTES"]
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    session = get_session()
    parsed = read(session, data, path.name, limit)
    if not parsed.ok:
        with force_locale("en"):  # commands speak English, like their --help
            for problem in parsed.problems:
                where = f"line {problem.line}" if problem.line else "file"
                click.echo(f"{path.name}, {where}: {problem.message}", err=True)
        click.echo("Nothing was imported.", err=True)
        sys.exit(1)
    summary = write(session, parsed.rows, dry_run=dry_run, source=path.name)
    if dry_run:
        click.echo(f"Checked: {summary.created} would be created, {summary.updated} updated. "
                   "Nothing was written (--dry-run).")
        return
    session.commit()
    click.echo(f"Imported: {summary.created} created, {summary.updated} updated.")


def init_app(app: Flask) -> None:
    for command in (init_db_command, create_user_command, demo_data_command,
                    import_procedures_command, backup_command, restore_command):
        app.cli.add_command(command)
