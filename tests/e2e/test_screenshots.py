"""Full-page screenshots of every public page and the main staff pages, in Vietnamese and
English, on a phone and a desktop, written to artifacts/ for review. Each page must answer
200 with its heading."""
import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_survey_journey import sign_in

pytestmark = pytest.mark.e2e

PUBLIC = {"home": "/", "hotline": "/hotline", "procedures": "/procedures",
          "procedure": "/procedures/{procedure}", "survey": "/q/{token}", "results": "/results",
          "feedback-new": "/feedback/new", "feedback-track": "/feedback/track",
          "feedback-published": "/feedback/published",
          "feedback-published-one": "/feedback/published/{ticket}", "login": "/staff/login",
          "tablet": "/tablet/{tablet}"}
STAFF = {"staff-home": "/staff/", "staff-queue": "/staff/feedback",
         "staff-ticket": "/staff/feedback/{ticket}", "staff-reports": "/staff/feedback/reports",
         "staff-survey": "/staff/survey/", "staff-counters": "/staff/survey/counters",
         "staff-officers": "/staff/survey/officers", "staff-calendar": "/staff/admin/calendar",
         "staff-procedures": "/staff/procedures", "staff-outbox": "/staff/feedback/outbox",
         "staff-survey-review": "/staff/survey/flagged", "staff-alerts": "/staff/survey/alerts",
         "staff-alert-rules": "/staff/survey/alerts/rules",
         "staff-paper": "/staff/survey/paper", "staff-paper-entry": "/staff/survey/paper/entry"}


def _shoot(page, live_server, pages, sample, device):
    for name, path in pages.items():
        for language in ("vi", "en"):
            response = page.goto(f"{live_server}{path.format(**sample)}?lang={language}")
            assert response.status == 200, (path, response.status)
            assert page.locator("h1").count() >= 1, path
            screenshot(page, f"{name}-{language}-{device}")


def test_screenshots_of_public_pages(live_server, sample, phone, desktop):
    _shoot(phone, live_server, PUBLIC, sample, "phone")
    _shoot(desktop, live_server, PUBLIC, sample, "desktop")


def test_screenshots_of_staff_pages(live_server, sample, phone, desktop):
    for page, device in ((desktop, "desktop"), (phone, "phone")):
        sign_in(page, live_server, "admin")
        _shoot(page, live_server, STAFF, sample, device)
