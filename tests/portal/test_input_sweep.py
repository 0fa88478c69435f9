"""No 500 from input (issue 12, point 2): every field of every form on every page, found by
opening every GET route of app.url_map as a user with every role (and the public forms as a
citizen), is sent spaces, nothing, NUL, huge, negative, non-numeric and fractional values;
every path parameter and every filter of a page gets the same. The answer is the form again
with a message, or 400/404: never a server error."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest

from portal.auth.roles import ROLES
from tests.factories import feedback_form, make_user, sign_in_as
from tests.factories import survey_answers as answers
from tests.portal.test_personal_data_by_role import _expand, world  # noqa: F401 (fixture)

BAD = [" ", "", "\x00", "9" * 40, "-1", "abc", "1.5", " 1", "%00"]
# Buttons and forms that end the sign-in or change who is signed in: the sweep keeps its user.
SKIPPED_ACTIONS = ("/staff/logout", "/staff/password")


class Forms(HTMLParser):
    """The forms of a page: (method, action, {field: default value})."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, str, dict]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(((attrs.get("method") or "get").lower(),
                               attrs.get("action") or "", {}))
            return
        if not self.forms:
            return
        fields = self.forms[-1][2]
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                if name not in fields or "checked" in attrs:
                    fields[name] = attrs.get("value", "y")
            else:
                fields[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, "")
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if "selected" in attrs or (not fields[self._select] and value):
                fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1][2][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(page: str, url: str) -> list[tuple[str, str, dict]]:
    parser = Forms()
    parser.feed(page)
    return [(method, urljoin(url, action) if action else url, fields)
            for method, action, fields in parser.forms]


def send(client, method: str, url: str, fields: dict) -> int:
    """The status of the form sent (a streamed export read to its end)."""
    if method == "get" and fields:
        url = urlsplit(url).path + "?" + urlencode(fields)
    with client.open(url, method=method.upper(), data=None if method == "get" else fields) \
            as response:
        response.get_data()
        return response.status_code


def page_of(client, url: str) -> str | None:
    """The HTML of a page that opens (None for an error, a redirect or a file)."""
    with client.get(url) as response:
        body = response.get_data()
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code != 200 or "text/html" not in response.content_type:
            return None
        return body.decode()


def sweep_form(client, method, url, fields, base=None, failures=None) -> int:
    """Each field in turn gets each bad value, the others their page's (or ``base``'s)
    values; returns how many requests were sent. Server errors go to ``failures``."""
    sent = 0
    defaults = {**fields, **(base or {})}
    for name in [*fields, "unknown_field"]:
        if name in ("csrf_token", "nonce") or re.search(r"-[1-9]\d*-", name):
            continue  # the rows of a list after its first are the same fields again
        for value in BAD:
            status = send(client, method, url, {**defaults, name: value})
            if status >= 500:
                failures.append((method, url, name, value, status))
            sent += 1
    return sent


def test_every_staff_form_field_survives_bad_values(app, client, db, world):  # noqa: F811
    people, ticket, values = world
    sweeper = make_user(db, username="sweeper", roles=list(ROLES),
                        unit_id=people["handler"].unit_id)
    sign_in_as(client, sweeper)
    pages = [url for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and rule.rule.startswith("/staff/")
             for url in _expand(rule, values)]
    swept, sent, failures = set(), 0, []
    for page in dict.fromkeys(pages):
        html = page_of(client, page)
        if html is None:
            continue
        for method, action, fields in forms_of(html, page):
            if action.endswith(SKIPPED_ACTIONS) or (method, action, tuple(fields)) in swept:
                continue
            swept.add((method, action, tuple(fields)))
            sent += sweep_form(client, method, action, fields, failures=failures)
    assert not failures, "\n".join(map(repr, failures))
    # a floor, so that the sweep cannot pass by sweeping nothing (50 forms, 2,142 values)
    assert len(swept) >= 45 and sent >= 2000, (len(swept), sent)


def test_every_public_form_field_survives_bad_values(app, client, db, world):  # noqa: F811
    from survey.models import Counter

    _people, ticket, values = world
    counter = db.get(Counter, int(values["counter_id"]))
    bases = {"/feedback/new": feedback_form(), f"/q/{counter.token}": answers(),
             "/feedback/track": {"code": ticket.code, "contact": "0944 555 666"}}
    sent, failures = 0, []
    for page, base in bases.items():
        html = page_of(client, page)
        assert html is not None, page
        forms = [form for form in forms_of(html, page) if form[1].endswith(page)]
        assert forms, page
        for method, action, fields in forms:
            sent += sweep_form(client, method, action, fields, base, failures)
    assert not failures, "\n".join(map(repr, failures))
    assert sent >= 300


@pytest.mark.parametrize("value", ["%00", "%20", "9" * 30, "-1", "a%00b", "%C3%28"])
def test_every_path_parameter_survives_bad_values(app, client, db, world, value):  # noqa: F811
    people, _ticket, values = world
    sign_in_as(client, make_user(db, username="sweeper", roles=list(ROLES)))
    checked, failures = 0, []
    for rule in app.url_map.iter_rules():
        if not rule.arguments or rule.endpoint == "static":
            continue
        for name in rule.arguments:
            for url in _expand(rule, {**values, name: value}):
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    status = send(client, method.lower(), url, {})
                    if status >= 500:
                        failures.append((method, url, status))
                    checked += 1
    assert not failures, "\n".join(map(repr, failures))
    assert checked >= 60


QUERY_BAD = ["%20", "%00", "9" * 30, "-1", "abc", "1.5"]


def test_every_query_parameter_of_every_page_survives_bad_values(app, client, db, world):  # noqa: F811,E501
    """The filters a page's own links and forms use, each given bad values."""
    people, _ticket, values = world
    sign_in_as(client, make_user(db, username="sweeper", roles=list(ROLES)))
    pages = [url for rule in app.url_map.iter_rules() if "GET" in rule.methods
             for url in _expand(rule, values)]
    names: dict[str, set] = {}
    for page in dict.fromkeys(pages):
        html = page_of(client, page)
        if html is None:
            continue
        for link in re.findall(r'href="([^"#]*\?[^"#]*)"', html):
            path, _, query = link.replace("&amp;", "&").partition("?")
            names.setdefault(path, set()).update(
                part.split("=", 1)[0] for part in query.split("&") if part)
    checked, failures = 0, []
    for path, parameters in names.items():
        if not path.startswith("/") or path.startswith(("/staff/logout", "/static")):
            continue
        for name in parameters:
            for value in QUERY_BAD:
                status = send(client, "get", f"{path}?{name}={value}", {})
                if status >= 500:
                    failures.append((path, name, value, status))
                checked += 1
    assert not failures, "\n".join(map(repr, failures))
    assert checked >= 200
