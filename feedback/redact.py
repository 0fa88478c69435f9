"""De-identification of feedback text before publication (DOMAIN.md §4.6). Pure.

Masks names, phone numbers, emails, ID numbers (CMND 9 digits, CCCD 12 digits), licence plates
and house-number addresses in Vietnamese free text, replacing each with a bracketed label such as
``[số điện thoại]``. It is a first pass for a person to review, not a guarantee: the review page
highlights every mask (:func:`segments`), and the secretariat edits before publishing.

What is deliberately kept: legal references ("Điều 9 Nghị định số 20/2008/NĐ-CP"), dispatch
numbers ("Công văn số 123/STNMT-VP"), dates, amounts, procedure codes, land-parcel numbers, and
the commune or ward (DOMAIN.md allows the published address down to the commune/ward).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

NAME, PHONE, EMAIL, ID_NUMBER, PLATE, ADDRESS = "name", "phone", "email", "id", "plate", "address"

LABELS = {
    NAME: "[họ tên]",
    PHONE: "[số điện thoại]",
    EMAIL: "[email]",
    ID_NUMBER: "[số giấy tờ]",
    PLATE: "[biển số xe]",
    ADDRESS: "[địa chỉ]",
}

_UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_WORD = rf"[{_UPPER}][^\W\d_]*"  # a capitalised word
_NAME = rf"{_WORD}(?:[ \t]+{_WORD}){{0,4}}"
# Words that begin legal references and other capitalised phrases after a number.
_NOT_A_STREET = ("Nghị", "Luật", "Thông", "Quyết", "Điều", "Khoản", "Chương", "Mục", "Công",
                 "Văn", "Tờ", "Ngày", "Tháng", "Năm", "Giấy", "Bộ", "Sở", "Phòng", "UBND",
                 "Ủy", "Chỉ", "Kế", "Hồ", "Thửa", "Lô", "Người", "Hộ", "Trường", "Ha", "m", "Km")
_HONORIFICS = ("ông", "bà", "anh", "chị", "em", "cô", "chú", "bác", "cụ", "cháu", "thím", "dì",
               "cậu", "mợ")
# Place and street names that begin like a person addressed with an honorific.
_PLACES = ("Bà Rịa", "Bà Chiểu", "Bà Điểm", "Bà Đen", "Bà Huyện Thanh Quan", "Bà Triệu",
           "Ông Ích Khiêm", "Cô Giang", "Cô Bắc", "Cô Tô", "Bà Nà", "Bà Hom", "Bà Lài")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PLATE = re.compile(
    r"(?<![\w/.-])\d{2}[ \t-]?[A-Z]{1,2}\d?[ \t.-]?(?:\d{3}\.\d{2}|\d{4,5})(?![\w/])")
_PHONE = re.compile(
    r"(?<![\w/.+])(?:(?:\(?\+84\)?|0084|84)[ \t.-]?\d|0\d)(?:[ \t.-]?\d){8,9}(?![\w/])")
_ID_NUMBER = re.compile(
    r"(?<![\w/.])(?:\d{12}|\d{9}|\d{3}[ .]\d{3}[ .]\d{3}(?:[ .]\d{3})?)(?![\w/])")
_NUMBER = r"\d+[A-Za-z]?(?:/\d+[A-Za-z]?)*(?![\w/])"
_STREET_WORDS = r"(?:đường|Đường|phố|Phố|hẻm|Hẻm|ngõ|Ngõ|kiệt|Kiệt|ngách|Ngách|tổ|Tổ|thôn|Thôn)"
_ADDRESSES = [
    # "số nhà 12", "nhà số 12/3", with the street that follows if any
    re.compile(rf"(?:[Ss]ố nhà|[Nn]hà số)[ \t]+{_NUMBER}"
               rf"(?:,?[ \t]+{_STREET_WORDS}?[ \t]*{_NAME})?"),
    # "hẻm 12/3 Nguyễn Trãi", "ngõ 5"
    re.compile(rf"(?:hẻm|Hẻm|ngõ|Ngõ|kiệt|Kiệt|ngách|Ngách)[ \t]+{_NUMBER}(?:[ \t]+{_NAME})?"),
    # "(số) 12 đường Trần Phú", "45, phố Lê Lợi"
    re.compile(rf"(?<![\w/.])(?:[Ss]ố[ \t]+)?{_NUMBER},?[ \t]+{_STREET_WORDS}[ \t]+{_NAME}"),
    # "số 12 Yersin": after "số", one capitalised word is enough
    re.compile(rf"(?<![\w/.])[Ss]ố[ \t]+{_NUMBER}[ \t]+"
               rf"(?!(?:{'|'.join(_NOT_A_STREET)})\b){_WORD}"),
    # "(số) 12 Trần Phú": a number then two to five capitalised words, not a legal reference
    re.compile(rf"(?<![\w/.,])(?:[Ss]ố[ \t]+)?{_NUMBER}[ \t]+"
               rf"(?!(?:{'|'.join(_NOT_A_STREET)})\b){_WORD}(?:[ \t]+{_WORD}){{1,4}}"),
]
# Words that begin the name of an organisation or a place, not of a person ("Kính gửi: Sở …").
_ORGANISATION = ("Sở", "Ủy", "UBND", "Phòng", "Bộ", "Chi", "Trung", "Văn", "Ban", "Công", "Cục",
                 "Tổng", "Thanh", "Hội", "Đoàn", "Trường", "Bệnh", "Ngân", "Chính", "Quốc",
                 "Tỉnh", "Thành", "Huyện", "Xã", "Phường", "Đội", "Lãnh", "Quý", "Các")
_PERSON = rf"(?!(?:{'|'.join(_ORGANISATION)})\b){_NAME}"
_HONORIFIC = "|".join(form for word in _HONORIFICS for form in (word, word.capitalize()))
_INTRODUCED_NAME = re.compile(
    rf"(?:[Tt]ên tôi là|[Tt]ôi tên là|[Tt]ôi là|[Hh]ọ và tên|[Hh]ọ tên|[Nn]gười gửi|"
    rf"[Kk]ính gửi)[ \t]*:?[ \t]*(?:(?:{_HONORIFIC})[ \t]+)?({_PERSON})")
_ADDRESSED_NAME = re.compile(rf"(?<!\w)(?:{_HONORIFIC})[ \t]+({_PERSON})")


@dataclass(frozen=True)
class Mask:
    kind: str
    start: int  # in the original text
    end: int
    original: str


@dataclass(frozen=True)
class Redaction:
    text: str
    masks: tuple[Mask, ...]


def _house_parts(address: str) -> list[str]:
    """The parts of a known address that locate a house: the comma-separated parts with a
    digit ("số 12 Trần Phú"), without a leading "số"; the ward and province are kept."""
    parts = [part.strip() for part in address.split(",")]
    return [re.sub(r"^(?:[Ss]ố nhà|[Ss]ố)\s+", "", part) for part in parts
            if re.search(r"\d", part) and len(part) >= 3]


def find(text: str, known_names=(), known_addresses=()) -> list[Mask]:
    """Every span to mask, sorted and not overlapping (earlier kinds in the list win)."""
    spans: list[Mask] = []

    def add(kind: str, start: int, end: int) -> None:
        if start < end and not any(start < mask.end and mask.start < end for mask in spans):
            spans.append(Mask(kind, start, end, text[start:end]))

    for pattern, kind in ((_EMAIL, EMAIL), (_PLATE, PLATE), (_PHONE, PHONE),
                          (_ID_NUMBER, ID_NUMBER)):
        for match in pattern.finditer(text):
            add(kind, match.start(), match.end())
    known = [(NAME, n.strip()) for n in known_names if n and len(n.strip()) >= 2] + [
        (ADDRESS, part) for address in known_addresses if address
        for part in _house_parts(address)]
    for kind, value in sorted(set(known), key=lambda pair: len(pair[1]), reverse=True):
        for match in re.finditer(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.IGNORECASE):
            add(kind, match.start(), match.end())
    for pattern in (_INTRODUCED_NAME, _ADDRESSED_NAME):
        for match in pattern.finditer(text):
            if any(text.startswith(place, match.start()) for place in _PLACES):
                continue
            add(NAME, match.start(1), match.end(1))
    for pattern in _ADDRESSES:
        for match in pattern.finditer(text):
            add(ADDRESS, match.start(), match.end())
    return sorted(spans, key=lambda mask: mask.start)


def redact(text: str | None, known_names=(), known_addresses=()) -> Redaction:
    """``text`` with every personal detail found replaced by its label.

    ``known_names``, ``known_addresses``: the sender's, masked wherever they occur (for an
    address, its house-number parts).
    """
    if not text:
        return Redaction("", ())
    masks = find(text, known_names, known_addresses)
    pieces, position = [], 0
    for mask in masks:
        pieces.append(text[position:mask.start])
        pieces.append(LABELS[mask.kind])
        position = mask.end
    pieces.append(text[position:])
    return Redaction("".join(pieces), tuple(masks))


_LABEL_PATTERN = re.compile("|".join(re.escape(label) for label in LABELS.values()))


def segments(text: str | None) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is_mask) so a template can highlight each mask."""
    result, position = [], 0
    for match in _LABEL_PATTERN.finditer(text or ""):
        if match.start() > position:
            result.append((text[position:match.start()], False))
        result.append((match.group(0), True))
        position = match.end()
    if text and position < len(text):
        result.append((text[position:], False))
    return result
