"""Languages: Vietnamese by default, English complete.

The locale comes from ``?lang=`` (which then sticks in a cookie), then the cookie, else
Vietnamese. The browser's Accept-Language is deliberately not consulted: many phones in Vietnam
are set to English while their owners read Vietnamese, and the department's pages and survey
are Vietnamese first (issue 9); English is one tap away on every page. Dates are shown
dd/mm/yyyy in Asia/Ho_Chi_Minh.
"""
from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from flask import Flask, g, request
from flask_babel import (
    Babel,
    format_date,
    format_datetime,
    format_decimal,
    gettext,
    lazy_gettext,
    ngettext,
)
from markupsafe import Markup, escape

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT_LANGUAGE = "vi"
LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600

_ = gettext
_l = lazy_gettext
__all__ = ["_", "_l", "ngettext", "init_app", "current_language"]


def select_locale() -> str:
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(LANG_COOKIE, "")
    if remembered in LANGUAGES:
        return remembered
    return DEFAULT_LANGUAGE


def current_language() -> str:
    if "language" not in g:
        g.language = select_locale()
    return g.language


def _remember_language(response):
    asked = request.args.get("lang", "")
    if asked in LANGUAGES and request.cookies.get(LANG_COOKIE) != asked:
        response.set_cookie(
            LANG_COOKIE, asked, max_age=LANG_COOKIE_MAX_AGE, samesite="Lax", httponly=True,
            secure=request.is_secure,
        )
    return response


def url_for_language(language: str) -> str:
    """The current URL with ``lang`` set, for the language picker."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [language]
    return request.path + "?" + urlencode(args, doseq=True)


def show_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy, in Asia/Ho_Chi_Minh for points in time."""
    if value is None:
        return ""
    return format_date(value, "dd/MM/yyyy")


def show_datetime(value: datetime | None) -> str:
    """dd/mm/yyyy HH:mm in Asia/Ho_Chi_Minh."""
    if value is None:
        return ""
    return format_datetime(value, "dd/MM/yyyy HH:mm")


def text_language(vi: str | None, en: str | None) -> str:
    """The language :func:`pick` shows for this pair: 'en' only when asked and present."""
    return "en" if current_language() == "en" and en else "vi"


def show_percent(value: float | None) -> str:
    """82,5 % in Vietnamese, 82.5% in English; an empty string for no value."""
    if value is None:
        return ""
    number = format_decimal(value, "0.0")
    return f"{number} %" if current_language() == "vi" else f"{number}%"


def show_decimal(value: float | None, places: int = 2) -> str:
    """2,50 in Vietnamese, 2.50 in English; an empty string for no value."""
    if value is None:
        return ""
    return format_decimal(value, "0." + "0" * places if places else "0")


def show_number(value: int | None) -> str:
    """1.000 in Vietnamese, 1,000 in English."""
    if value is None:
        return ""
    return format_decimal(value, "#,##0")


def show_iso_date(value: str | None) -> str:
    """A date stored as text (YYYY-MM-DD, e.g. in a history line's details) as dd/mm/yyyy."""
    try:
        return show_date(date.fromisoformat(value)) if value else ""
    except (TypeError, ValueError):
        return ""


def pick(vi: str | None, en: str | None) -> str:
    """The English text when English is shown and there is one, else the Vietnamese."""
    return (en if text_language(vi, en) == "en" else vi) or ""


def bilingual(vi: str | None, en: str | None) -> Markup:
    """:func:`pick` for page content: Vietnamese shown on an English page is marked
    lang="vi", so screen readers switch voice (WCAG 2.1, 3.1.2)."""
    language = text_language(vi, en)
    text = pick(vi, en)
    if language == current_language():
        return escape(text)
    return Markup('<span lang="{}">{}</span>').format(language, text)


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=current_language,
          default_translation_directories=str(app.root_path + "/../translations"))
    app.after_request(_remember_language)
    app.jinja_env.filters["date"] = show_date
    app.jinja_env.filters["datetime"] = show_datetime
    app.jinja_env.filters["isodate"] = show_iso_date
    app.jinja_env.filters["percent"] = show_percent
    app.jinja_env.filters["decimal"] = show_decimal
    app.jinja_env.filters["number"] = show_number
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, current_language=current_language,
        url_for_language=url_for_language, pick=pick, bilingual=bilingual,
        text_language=text_language,
    )
