"""Template helpers: text-to-HTML for published content, the site's name."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Flask, current_app, g, request
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError

from portal.db import get_session

log = logging.getLogger(__name__)


def paragraphs(text: str | None, heading_level: int = 2) -> Markup:
    """Plain text as HTML: blank lines separate paragraphs, '- ' lines become a list,
    '## ' lines become headings of ``heading_level`` (one below the enclosing heading).
    Everything is escaped."""
    if not text:
        return Markup("")
    html: list[str] = []
    in_list = False
    paragraph: list[str] = []

    def close_paragraph():
        if paragraph:
            html.append("<p>" + "<br>".join(str(escape(line)) for line in paragraph) + "</p>")
            paragraph.clear()

    def close_list():
        nonlocal in_list
        if in_list:
            html.append("</ul>")
            in_list = False

    for raw_line in text.replace("\r\n", "\n").split("\n"):
        line = raw_line.strip()
        if not line:
            close_paragraph()
            close_list()
        elif line.startswith("## "):
            close_paragraph()
            close_list()
            html.append(f"<h{heading_level}>{escape(line[3:].strip())}</h{heading_level}>")
        elif line.startswith(("- ", "+ ", "• ")):
            close_paragraph()
            if not in_list:
                html.append("<ul>")
                in_list = True
            html.append(f"<li>{escape(line[2:].strip())}</li>")
        else:
            close_list()
            paragraph.append(line)
    close_paragraph()
    close_list()
    return Markup("\n".join(html))


def url_for_page(number: int) -> str:
    """The current address with ``page`` replaced: every other query argument kept as it is.

    (Not url_for(**request.args): that would let a visitor's "?endpoint=" or "?_external=" reach
    url_for's own parameters.)"""
    args = request.args.to_dict(flat=False)
    args["page"] = [str(number)]
    return request.path + "?" + urlencode(args, doseq=True)


def site_contact():
    """The published contact page (org name, hotline) for the header and footer, once a request."""
    if "site_contact" not in g:
        from portal import snapshots
        from portal.pages.queries import hotline_page

        try:
            g.site_contact = snapshots.get(get_session(), "contact", "page", hotline_page)
        except SQLAlchemyError:  # an error page must render even when the database is down
            log.exception("could not read the contact details")
            get_session().rollback()
            g.site_contact = None
    return g.site_contact


@dataclass(frozen=True)
class Entry:
    """A link that a feature package adds to the shared pages, so that portal/ never has to
    know the packages: a main-menu item, a home-page tile, or a staff start-page tile."""

    endpoint: str
    title: object  # lazy string
    text: object = None  # lazy string, for tiles
    roles: tuple = ()  # staff tiles: shown to these roles


def add_entry(app: Flask, place: str, entry: Entry) -> None:
    """place: 'menu', 'home' or 'staff'."""
    app.extensions.setdefault("entries", {}).setdefault(place, []).append(entry)


def entries(place: str) -> list[Entry]:
    return current_app.extensions.get("entries", {}).get(place, [])


def init_app(app: Flask) -> None:
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.globals["site_contact"] = site_contact
    app.jinja_env.globals["url_for_page"] = url_for_page
    app.jinja_env.globals["entries"] = entries
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
