"""Text helpers shared by every package. Pure: no Flask, no session."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Deliberately loose: one @, a dot in the domain, no spaces. Delivery proves the rest.
# A plain mailbox: local part of the usual characters, a domain of dot-separated labels. Stricter
# than RFC 5322 on purpose: nothing that could be a list, a comment or a route in a header.
EMAIL_PATTERN = (r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                 r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                 r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def whole_number(raw: str | None, max_digits: int = 9) -> int | None:
    """The number written in ``raw`` with ASCII digits only (``str.isdigit`` also accepts
    "²" and other digits ``int`` refuses), or None; at most ``max_digits`` digits so that it
    fits any database integer."""
    if raw and re.fullmatch(rf"[0-9]{{1,{max_digits}}}", raw):
        return int(raw)
    return None


def fold(text: str | None) -> str:
    """Lower-case, without diacritics, single-spaced: 'Đất  đai' -> 'dat dai'.

    Used on both sides of a search, so a citizen typing without accents finds accented text.
    """
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def like_escape(term: str, escape: str = "\\") -> str:
    """Escape LIKE wildcards so that user input matches literally."""
    return (term.replace(escape, escape * 2).replace("%", escape + "%")
            .replace("_", escape + "_"))


def clean_text(value: str | None) -> str:
    """Trim, normalise line ends to \\n and drop control characters (keeps tabs and newlines)."""
    if value is None:
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL_CHARACTERS.sub("", unicodedata.normalize("NFC", value)).strip()


def query_text(value: str | None, max_length: int) -> str:
    """A query-string value made safe to search with: bounded, no control characters."""
    return CONTROL_CHARACTERS.sub("", (value or "")[:max_length]).strip()


def search_terms(query: str | None, *, max_terms: int = 8, max_length: int = 200) -> list[str]:
    """The folded words of a search box, bounded so absurd input stays cheap."""
    folded = fold(query_text(query, max_length))
    terms = []
    for word in folded.split(" "):
        if word and word not in terms:
            terms.append(word)
    return terms[:max_terms]
