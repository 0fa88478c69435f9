"""Commands just work (issue 12, point 8): run in the project folder after `make run`, a
command reads the same settings from the .env that `make run` wrote; a missing setting stops
it with one line, not a traceback."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ("DATABASE_URL", "SECRET_KEY", "PUBLIC_BASE_URL", "SESSION_COOKIE_SECURE",
            "FLASK_APP", "REDIS_URL", "RATELIMIT_STORAGE_URI")


def flask(folder: Path, *arguments: str) -> subprocess.CompletedProcess:
    """``flask --app wsgi …`` run in ``folder`` with none of the settings in the
    environment."""
    env = {name: value for name, value in os.environ.items() if name not in SETTINGS}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *arguments],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=120)


def test_make_writes_the_settings_once_for_the_commands(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "secret_key").write_text("k" * 64 + "\n")
    subprocess.run(["make", "-s", ".env", "PORT=5123"], cwd=tmp_path, check=True)
    settings = (tmp_path / ".env").read_text()
    assert "SECRET_KEY=" + "k" * 64 in settings
    assert "PUBLIC_BASE_URL=http://127.0.0.1:5123" in settings
    assert "SESSION_COOKIE_SECURE=0" in settings
    assert oct((tmp_path / ".env").stat().st_mode & 0o777) == "0o600"
    (tmp_path / ".env").write_text(settings + "# edited\n")
    subprocess.run(["make", "-s", ".env", "PORT=6000"], cwd=tmp_path, check=True)
    assert (tmp_path / ".env").read_text().endswith("# edited\n"), "never overwritten"


def test_a_command_in_the_project_folder_reads_the_settings_of_make_run(tmp_path):
    (tmp_path / ".env").write_text(
        f"DATABASE_URL=sqlite:///{tmp_path / 'portal.sqlite3'}\n"
        f"SECRET_KEY={'s' * 64}\nPUBLIC_BASE_URL=http://127.0.0.1:5123\n")
    assert flask(tmp_path, "init-db").returncode == 0
    assert flask(tmp_path, "demo-data", "--password", "demo-password-123").returncode == 0
    listed = flask(tmp_path, "counters")
    assert listed.returncode == 0, listed.stderr
    assert "http://127.0.0.1:5123/q/" in listed.stdout


def test_a_missing_setting_is_one_clear_line(tmp_path):
    stopped = flask(tmp_path, "counters")
    assert stopped.returncode == 1
    assert "Traceback" not in stopped.stderr
    assert stopped.stderr.strip().splitlines() == [
        "Cổng góp ý cannot start: PUBLIC_BASE_URL is missing: set it to the address citizens "
        "use (it goes into QR codes and printed links), e.g. export "
        "PUBLIC_BASE_URL=https://gopy.example.gov.vn (make run writes one for this machine "
        "into .env)"]
    (tmp_path / ".env").write_text("PUBLIC_BASE_URL=https://gopy.example.gov.vn\n")
    weak = flask(tmp_path, "counters")
    assert weak.returncode == 1 and len(weak.stderr.strip().splitlines()) == 1
    assert weak.stderr.startswith("Cổng góp ý cannot start: SECRET_KEY is missing or too weak")


class Terminal:
    """An output that says it is a terminal (click draws its bar only there)."""

    def __init__(self):
        self.written = []

    def write(self, text):
        self.written.append(text)

    def flush(self):
        pass

    def isatty(self):
        return True


class Cron(Terminal):
    def isatty(self):
        return False


def test_long_commands_show_a_progress_bar_on_a_terminal_and_nothing_under_cron():
    from portal.cli import progress

    terminal, cron = Terminal(), Cron()
    for output in (terminal, cron):
        with progress(10, "Scoring the dossiers again", file=output) as advance:
            advance(4)
            advance(6)
    drawn = "".join(terminal.written)
    assert "Scoring the dossiers again" in drawn and "100%" in drawn
    assert cron.written == []
    with progress(0, "Nothing to do", file=terminal) as advance:
        advance(0)


def test_the_rescore_and_rescreen_commands_report_their_progress(runner, db, monkeypatch):
    """Under the test runner (no terminal) they print only their result line."""
    calls = []
    from survey.onestop import services as onestop

    real = onestop.rescore
    monkeypatch.setattr(onestop, "rescore", lambda session, **options: calls.append(
        options) or real(session, **options))
    result = runner.invoke(args=["onestop-rescore", "--all"])
    assert result.exit_code == 0 and result.output == "Scored again: 0 dossiers.\n"
    assert callable(calls[0]["on_progress"])
    rescreened = runner.invoke(args=["survey-rescreen"])
    assert rescreened.exit_code == 0 and "%" not in rescreened.output


def test_a_wrong_setting_is_one_clear_line_too(tmp_path):
    (tmp_path / ".env").write_text(f"SECRET_KEY={'s' * 64}\nPUBLIC_BASE_URL=http://x.vn\n"
                                   "LOG_LEVEL=chatty\n")
    stopped = flask(tmp_path, "counters")
    assert stopped.returncode == 1 and "Traceback" not in stopped.stderr
    assert stopped.stderr.strip() == ("Cổng góp ý cannot start: LOG_LEVEL must be one of info, "
                                      "debug, warning, error, critical; got 'chatty'")
