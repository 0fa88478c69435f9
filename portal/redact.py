"""De-identification of feedback text before publication (DOMAIN.md §4.6). Pure.

Masks names, phone numbers, emails, identity-card, passport and bank-account numbers, licence
plates, dates of birth and house-number addresses in Vietnamese free text, replacing each with a
bracketed label such as ``[số điện thoại]``. It is a first pass for a person to review, not a
guarantee: the review page highlights every mask and, separately, every phrase shaped like a
name that was kept (:func:`segments`), and the secretariat edits before publishing. Its recall
and precision are measured on a labelled corpus (``docs/de-identification.md``).

How each kind is found:

- numbers: every run of digit groups (separated by spaces, dots or dashes, the first possibly
  in brackets or after +84) is judged by its digits, whatever the grouping: 10 or 11 digits
  from 0 (or after +84/0084/84) are a phone number, 9 or 12 an identity card, 13 to 19 (or 6
  to 19 after "tài khoản", "STK", "thẻ") a bank account or card. Amounts written in thousands
  ("150.000.000 đồng", "phí 2.500.000") and the short service numbers 1800/1900 are kept;
- names: introduced ("tôi là", "họ tên"), addressed ("ông", "chị"), after a job or relation
  ("cán bộ", "hàng xóm"), and **by their shape** anywhere: a Vietnamese family name followed by
  one to three capitalised syllables. A shaped name is kept after a street, place or company
  word ("đường Trần Phú", "phường Vĩnh Hải", "Công ty TNHH Hoàng Long") and when it is a known
  place ("Hà Nội", "TP. Hồ Chí Minh"); those are listed for review;
- house-number addresses: a number then a street ("12 đường Trần Phú", "45 Lê Lợi"), lanes
  ("hẻm 12/3 …"), "số nhà …", "lô B12", "căn hộ 1205"; the ward, commune and province are kept
  (DOMAIN.md allows the published address down to the commune or ward).

What is deliberately kept: legal references ("Điều 9 Nghị định số 20/2008/NĐ-CP"), dispatch
numbers ("Công văn số 123/STNMT-VP"), dates (other than of birth), amounts, areas, procedure and
dossier codes, land-parcel numbers, organisations and places.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from portal.redact_lexicon import (
    ACCENTED_GIVEN_NAMES,
    AREA_ROLE_WORDS,
    AREA_WORDS,
    COMMON_PHRASES,
    COMPANY_WORDS,
    FAMILY_NAMES,
    GIVEN_NAMES,
    HONORIFICS,
    ORGANISATION_WORDS,
    PLACES,
    ROLE_WORDS,
    STREET_WORDS,
)
from portal.text import fold

NAME, PHONE, EMAIL, ID_NUMBER, PASSPORT, ACCOUNT, PLATE, ADDRESS, BIRTH = (
    "name", "phone", "email", "id", "passport", "account", "plate", "address", "birth")

LABELS = {
    NAME: "[họ tên]",
    PHONE: "[số điện thoại]",
    EMAIL: "[email]",
    ID_NUMBER: "[số giấy tờ]",
    PASSPORT: "[số hộ chiếu]",
    ACCOUNT: "[số tài khoản]",
    PLATE: "[biển số xe]",
    ADDRESS: "[địa chỉ]",
    BIRTH: "[ngày sinh]",
}


def _alternation(words) -> str:
    """A regex alternation of ``words``, longest first, spaces matching any blank."""
    return "|".join(re.escape(word).replace(r"\ ", r"[ \t]+")
                    for word in sorted(set(words), key=len, reverse=True))


_UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
# A capitalised word (not the start of a code such as "H34.26" or "NT-90345-TS").
_WORD = rf"[{_UPPER}][^\W\d_]*(?:-[a-z]+)?(?!\w|-\d)"  # "Min-jun"
_NAME = rf"{_WORD}(?:[ \t]+{_WORD}){{0,4}}"

# Numbers ----------------------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PLATE = re.compile(
    r"(?<![\w/.-])\d{2}[ \t-]?[A-Z]{1,2}\d?[ \t.-]?(?:\d{3}[. ]\d{2}|\d{4,5})(?![\w/]|[.,]\d)")
_LOWER_PLATE = re.compile(
    r"(?<![\w/.-])\d{2}[a-z]{1,2}\d?[ \t-]?\d{3}[. ]\d{2}(?![\w/]|[.,]\d)")
_PASSPORT = re.compile(r"(?<![\w/.-])[A-Z][ \t]?\d{7}(?![\w/]|[.,]\d)")
# a passport named as such, of any country's shape: "hộ chiếu số PA1234567", "(hộ chiếu M12345678)"
_NAMED_PASSPORT = re.compile(r"(?i:hộ chiếu|ho chieu|passport)(?:[ \t]+(?i:số|so|no\.?))?"
                             r"[ \t:]*([A-Z]{1,2}[ \t]?\d{6,8})(?![\w/])")
_DATE = (r"\d{1,2}[ \t]*[/.-][ \t]*\d{1,2}[ \t]*[/.-][ \t]*\d{2,4}"
         r"|\d{1,2}[ \t]+tháng[ \t]+\d{1,2}[ \t]+năm[ \t]+\d{4}|\d{4}")
_BIRTH = re.compile(
    rf"(?:sinh ngày|ngày sinh|sinh năm|năm sinh|sinh ngay|ngay sinh|sinh nam|nam sinh|\bsn\b"
    rf"|\bns\b)"
    rf"(?:[^.;!?\d\n()]{{0,45}}?)({_DATE})(?![\w/])"
    rf"|(?<!\w)sinh[ \t]+((?:19|20)\d\d)(?!\w)", re.IGNORECASE)
_FULL_DATE = re.compile(r"(?<![\w/.])\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(?![\w/])")


def _day_and_month(date: str) -> tuple[int, int] | None:
    parts = re.findall(r"\d+", date)
    return (int(parts[0]), int(parts[1])) if len(parts) == 3 else None


# A run of digit groups: "0905 123 456", "(0258) 3822.123", "+84 (0) 905-123-456".
_GROUP = r"(?:\(\+?\d{1,4}\)|\+?\d+)"
_SEPARATOR = r"(?:[ \t]?[.-][ \t]?|[ \t]|(?<=\)))"
_DIGIT_RUN = re.compile(
    rf"(?<![\w/.,+-]){_GROUP}(?:{_SEPARATOR}{_GROUP})*(?!\w|[/.,-]\d)")
_THOUSANDS = re.compile(r"[1-9]\d{0,2}([.,])\d{3}(?:\1\d{3})*")
_UNIT_AFTER = re.compile(
    r"[ \t]*(?:đồng|đ\b|VNĐ|VND|vnđ|vnd|USD|usd|triệu|tỷ|nghìn|ngàn|m2|m²|m3|m³|ha\b|km|kg|"
    r"tấn|lít|%|người|hộ\b|hồ sơ|lượt|trường hợp)")
_MONEY_BEFORE = re.compile(
    r"(?<!\w)(?:tiền|giá|phí|trị giá|nộp|thu|chi|lương|thuế|bồi thường|hỗ trợ|tổng cộng|số dư)"
    r"[^\d.;!?]{0,12}$", re.IGNORECASE)
_TAX_CODE_BEFORE = re.compile(
    r"(?:mã số thuế|\bMST\b|mã số doanh nghiệp|hồ sơ số|số hồ sơ|mã hồ sơ|biên nhận số|"
    r"số biên nhận|biên lai số|số biên lai|phiếu thu số|số phiếu|số vào sổ|mã thủ tục|thủ tục)"
    r"[^\d.;!?]{0,25}$",
    re.IGNORECASE)
_HOTLINE_BEFORE = re.compile(
    r"(?:đường dây nóng|hotline|tổng đài|số máy bàn của (?:Sở|Chi cục|Văn phòng|UBND))"
    r"(?:(?!\b(?:tôi|em|mình|nhà|của tôi|cá nhân)\b)[^\d.;!?]){0,60}$", re.IGNORECASE)
_ACCOUNT_BEFORE = re.compile(r"(?:tài khoản|\bs?tk\b|số thẻ|thẻ ATM|thẻ tín dụng|\bthẻ)"
                             r"[^\d.;!?]{0,25}$", re.IGNORECASE)


def _number_kind(text: str, start: int, end: int) -> str | None:
    """What a run of digit groups is, judged by its digits and the words around it."""
    raw = text[start:end]
    digits = re.sub(r"\D", "", raw)
    if _THOUSANDS.fullmatch(raw) and (_UNIT_AFTER.match(text, end)
                                      or _MONEY_BEFORE.search(text[max(0, start - 30):start])):
        return None  # an amount: "150.000.000 đồng", "lệ phí 2.500.000"
    if re.fullmatch(r"[1-9]\d*", raw) and _UNIT_AFTER.match(text, end):
        return None  # an amount written without separators: "125000000 đồng"
    international = raw.startswith(("+", "(+")) or digits.startswith("0084") or (
        digits.startswith("84") and len(digits) in (11, 12) and not raw.startswith("0"))
    if international:
        national = "0" + (digits[4:] if digits.startswith("0084") else digits[2:]).lstrip("0")
        if len(national) in (10, 11):
            return PHONE
    if digits.startswith(("1800", "1900")) and len(digits) in (8, 10):
        return None  # a service line, not a person's number
    if digits.startswith("02") and len(digits) == 11 \
            and _HOTLINE_BEFORE.search(text[max(0, start - 80):start]):
        return None  # an office's published landline: "đường dây nóng của Sở 0258.3822.579"
    if _TAX_CODE_BEFORE.search(text[max(0, start - 30):start]):
        return None  # an enterprise's tax code is public
    if 6 <= len(digits) <= 19 and _ACCOUNT_BEFORE.search(text[max(0, start - 40):start]):
        return ACCOUNT
    if digits.startswith("0") and len(digits) in (10, 11):
        return PHONE
    if len(digits) in (9, 12):
        return ID_NUMBER
    if 10 <= len(digits) <= 19:
        return ACCOUNT
    return None


# Addresses --------------------------------------------------------------------------------
_NUMBER = r"\d+[A-Za-z]?(?:/\d+[A-Za-z]?)*(?![\w/])"
_LANES = r"(?:hẻm|Hẻm|ngõ|Ngõ|kiệt|Kiệt|ngách|Ngách|hem|Hem|kiet|Kiet|ngo|ngach)"
_STREETS = (rf"(?:đường|Đường|ĐƯỜNG|duong|phố|Phố|PHỐ|{_LANES[3:-1]}|tổ|Tổ|thôn|Thôn|tòa nhà|"
            rf"tòa|chung cư|CHUNG CƯ|khu đô thị|khu tái định cư|khu dân cư|khu|block)")
# A street's name: capitalised words, or a date ("đường 2 Tháng 4", "23 Tháng 10").
_STREET_NAME = (rf"(?:\d{{1,2}}[ \t]+[Tt]h[áa]ng[ \t]+\d{{1,2}}(?!\w)"
                rf"|{_NAME}(?:[ \t]+\d{{1,2}}(?!\w))?)")
# Capitalised words that follow a number without it being a house number.
_NOT_A_STREET = _alternation((
    "Nghị", "Luật", "Thông", "Quyết", "Điều", "Khoản", "Chương", "Mục", "Công", "Văn", "Tờ",
    "Ngày", "Tháng", "Năm", "Giấy", "Bộ", "Sở", "Phòng", "UBND", "Ủy", "Chỉ", "Kế", "Thửa",
    "Lô", "Người", "Hộ", "Trường", "Ha", "m", "Km", "Phường", "Xã", "Quận", "Huyện", "Tỉnh",
    "TP", "Thôn", "Ấp", "Hồ sơ", "Thủ tục", "Lượt", "Đơn", "Trung tâm", "Quầy"))
_ADDRESSES = [
    # "số nhà 12", "nhà số 12/3", with the street that follows if any
    re.compile(rf"(?:[Ss]ố nhà|[Nn]hà số)[ \t]+{_NUMBER}(?:,?[ \t]+(?:{_LANES}[ \t]+{_NUMBER},?"
               rf"[ \t]+)*(?:{_STREETS}[ \t]+)?{_STREET_NAME})?"),
    # "hẻm 12/3 Nguyễn Trãi", "ngõ 5", "7, hẻm 15 Hoàng Hoa Thám"
    re.compile(rf"(?<![\w/.])(?:(?:[Ss][ốo][ \t]+)?{_NUMBER},?[ \t]+)?{_LANES}[ \t]+{_NUMBER}"
               rf"(?:,?[ \t]+(?:{_LANES}[ \t]+{_NUMBER}[ \t]+)?(?:{_STREETS}[ \t]+)?"
               rf"{_STREET_NAME})?"),
    # "lô B12 khu đô thị Mỹ Gia", "căn hộ 1205", "Lô D5-23"
    re.compile(rf"(?:[Ll]ô|LÔ|[Cc]ăn hộ|CĂN HỘ|[Cc]ăn)[ \t]+(?:số[ \t]+)?[A-Z]{{0,4}}-?\d+[A-Z]?"
               rf"(?:[-.]\d+)*(?![\w/])(?!,?[ \t]+khoảnh)(?:,?[ \t]+{_STREETS}"
               rf"(?:[ \t]+(?:[^\W\d_{_UPPER}]+|[A-Z][A-Z0-9]*)){{0,4}}[ \t]+{_STREET_NAME})?"),
    # "(số) 12 đường Trần Phú", "45, phố Lê Lợi", "15 đường 2 Tháng 4", "1205 tòa nhà …"
    re.compile(rf"(?<![\w/.])(?<!trí )(?<!đường )(?<!Đường )(?<!đường số )(?<!Đường số )"
               rf"(?:[Ss]ố[ \t]+)?{_NUMBER},?[ \t]+"
               rf"{_STREETS}[ \t]+{_STREET_NAME}"),
    # "(số) 12 Trần Phú": a number then two to five capitalised words, not a legal reference
    re.compile(rf"(?<![\w/.,])(?:[Ss]ố[ \t]+)?{_NUMBER}[ \t]+"
               rf"(?!(?:{_NOT_A_STREET})\b){_WORD}(?:[ \t]+{_WORD}){{1,4}}"),
    # "số 12 Yersin": after "số", one capitalised word is enough
    re.compile(rf"(?<![\w/.])[Ss]ố[ \t]+{_NUMBER}[ \t]+(?!(?:{_NOT_A_STREET})\b){_WORD}"),
    # "em ở 45/2 tran quy cap": a house number with a slash after "ở", in lower case
    re.compile(r"(?<!\w)(?:ở|o|tại|tai)[ \t]+(\d+[A-Za-z]?/\d+[A-Za-z]?(?:/\d+)*"
               r"(?:[ \t]+[^\W\d_]+){0,4}?)(?=[ \t]*(?:[,.;)]|$|nè|nhé|nha\b))"),
    # "nhà ở 45 lê lợi,": a number after "nhà ở", "địa chỉ", written in lower case
    re.compile(r"(?:nhà ở|ở số|địa chỉ|đ/c|đc|dc|trú tại|ngụ tại|nha o|dia chi)[ \t]*:?[ \t]*"
               r"(\d+[A-Za-z]?(?:/\d+[A-Za-z]?)*(?:[ \t]+[^\W\d_]+){1,4})(?=[,.;)]|$)",
               re.IGNORECASE),
]

# "o so 15 le thanh ton", "nha o so 7": a house number after "ở số", and the street's words
_LOWER_HOUSE = re.compile(r"(?<!\w)(?:ở|o|tại|tai|nhà|nha)[ \t]+((?:số|so)[ \t]+"
                          r"\d+[A-Za-z]?(?:/\d+)*(?![\w/]))((?:[ \t]+[a-z]+){0,4})")

# Names ------------------------------------------------------------------------------------
_HONORIFIC = _alternation(form for word in HONORIFICS for form in (word, word.capitalize()))
# A person's name: capitalised words that do not open a body's name ("Sở …"), nor address the
# holder of a post ("Ông Giám đốc"); "Ông" may still be a family name ("ông Ông Đức Thắng").
_ORGANISATIONS = _alternation(ORGANISATION_WORDS)
_PERSON = rf"(?!(?:{_ORGANISATIONS}|(?:{_HONORIFIC})[ \t]+(?:{_ORGANISATIONS}))\b){_NAME}"
_INTRODUCED_NAME = re.compile(
    rf"(?:[Tt]ên tôi là|[Tt]ôi tên là|[Tt]ôi là|[Hh]ọ và tên|[Hh]ọ tên|[Nn]gười gửi|"
    rf"[Kk]ính gửi|[Nn]gười viết đơn|[Nn]gười phản ánh|[Kk]ý tên)[ \t]*:?[ \t]*"
    rf"(?:(?:{_HONORIFIC})[ \t]+)?({_PERSON})")
_ADDRESSED_NAME = re.compile(
    rf"(?<!\w)(?:{_HONORIFIC}|a|c|e|[Cc]ảm ơn|[Cc]ám ơn)(?:[ \t]+(?:là|la|tên|ten))?"
    rf"[ \t]+({_PERSON})")
# "e ten thanh", "tôi tên võ thị ngọc bích": a name typed in lower case after "tên"
_LOWER_INTRODUCED = re.compile(
    r"(?<!\w)(?:tôi|toi|em|e|mình|minh|cháu|chau)[ \t]+(?:tên|ten)(?:[ \t]+(?:là|la))?[ \t]+"
    r"((?:(?!(?:ở|o|sinh|nha|nhà|số|so|sdt|sđt|dt|đt)\b)[^\W\d_]+[ \t]*){1,4}?)"
    r"(?=[ \t]*(?:[,.;:()]|$|(?:ở|o|sinh|nha|nhà|số|so|sdt|sđt|dt|đt)\b))", re.IGNORECASE)
# Ê Đê and Gia Rai names ("Y Blô Êban", "H'Rin Niê"), Cơ Ho names ("K'Vang")
_ETHNIC_NAME = re.compile(
    rf"(?<!\w)(?:(?:Y|H['’][{_UPPER}][^\W\d_]*)(?:[ \t]+{_WORD}){{1,3}}"
    rf"|K['’][{_UPPER}][^\W\d_]*(?:[ \t]+{_WORD}){{0,2}})(?!\w)")
# a year in brackets or a table's next cell right after a name: its year of birth
_YEAR_AFTER_NAME = re.compile(
    r"[ \t]*(?:\(|\||,|;|–|-)[ \t]*((?:\d{1,2}[/.-]\d{1,2}[/.-])?(?:19\d\d|20[01]\d))"
    r"[ \t]*(?=\)|\||,|;|–|-|$)",
    re.MULTILINE)
_ROLE_NAME = re.compile(
    rf"(?<!\w)(?:{_alternation(r for w in ROLE_WORDS for r in (w, w[0].upper() + w[1:]))})"
    rf"[ \t]*:?[ \t]+({_PERSON})")
# "(Tuấn - chủ vựa phế liệu)", "(Lê Hoa, kế toán)": a name in brackets before a job
_BRACKETED_NAME = re.compile(
    rf"\([ \t]*({_PERSON})[ \t]*[-–,:][ \t]*"
    rf"(?:{_alternation(ROLE_WORDS)}|chủ|người|nhân viên|tổ trưởng)(?!\w)")
# "… e chi chuyen loi thoi — Vy": a signature after a dash, at the end of the message
_SIGNED_NAME = re.compile(rf"(?<=[ \t])[—–-][ \t]*({_PERSON})[ \t.!]*$", re.MULTILINE)
_AREA_ROLE_NAME = re.compile(
    rf"(?<!\w)(?:{_alternation(r for w in AREA_ROLE_WORDS for r in (w, w[0].upper() + w[1:]))})"
    rf"[ \t]+({_WORD})(?![ \t]+[{_UPPER}])")
_FAMILIES = _alternation(form for family in FAMILY_NAMES for form in (family, family.upper()))
_SHAPED_NAME = re.compile(rf"(?<!\w)(?:{_FAMILIES})(?:[ \t]+{_WORD}){{1,3}}(?!\w)")
# "Văn" and "Thị" as a middle name mark a person whatever the family name ("Mấu Thị Bích"),
# in any case when the family name is a known one ("lê văn mười", "nguyen thi tuyet").
_MIDDLE = r"(?:Văn|Thị|VĂN|THỊ|Van|Thi|VAN|THI)"
_MIDDLE_NAMED = re.compile(
    rf"(?<!\w)(?!(?:{_ORGANISATIONS})\b){_WORD}(?:[ \t]+{_WORD})?[ \t]+{_MIDDLE}"
    rf"(?:[ \t]+{_WORD}){{1,2}}")
_LOWER_NAMED = re.compile(
    rf"(?<!\w)(?:{_alternation(family.lower() for family in FAMILY_NAMES)})[ \t]+"
    rf"(?:văn|thị|van|thi)(?:[ \t]+[^\W\d_]+){{1,2}}(?!\w)")
# A shaped name right after one of these is a street, a place, a school or a company.
# A street or place word right before: as written in running text, or capitalised at the start
# of a sentence ("Đường Trần Phú…"); a capitalised "Kiệt" after a comma ends a name.
_CONTEXT_WORDS = STREET_WORDS + AREA_WORDS
_CONTEXT_BEFORE = re.compile(
    rf"(?:(?<!\w)({_alternation(_CONTEXT_WORDS)})"
    rf"|(?:^|(?<=[.!?;:(\n–-])|(?<=[.!?;:(\n–-][ \t]))"
    rf"({_alternation(word[0].upper() + word[1:] for word in _CONTEXT_WORDS)}))[ \t]*$")
_AREAS = frozenset(word.lower() for word in AREA_WORDS)
_COMPANY_BEFORE = re.compile(
    rf"(?<!\w)(?:{_alternation(COMPANY_WORDS)})"
    rf"(?:(?!\b(?:là|la|của|cua|do|ông|bà|anh|chị)\b)[^.;:!?\n]){{0,30}}$", re.IGNORECASE)
_LISTED_BEFORE = re.compile(rf"(?:{_NAME}[ \t]*(?:,|và|hoặc)[ \t]*)+$")
_STREET_BEFORE = re.compile(
    rf"(?<!\w)(?:{_alternation(w for word in STREET_WORDS for w in (word, word.capitalize()))})"
    rf"[ \t]*$")
_AREA_ROLE_BEFORE = re.compile(rf"(?<!\w)(?:{_alternation(AREA_ROLE_WORDS)})[ \t]*$",
                               re.IGNORECASE)
_PLACE_PREFIXES = tuple(sorted({fold(place) for place in PLACES}, key=len, reverse=True))
_KNOWN_PLACES = re.compile(rf"(?<!\w)(?:{_alternation(PLACES)})(?!\w)")
_MIDDLE_NAMES = ("van", "thi")


_FOLDED_FAMILIES = frozenset(fold(family) for family in FAMILY_NAMES if " " not in family)
_LOWER_WORD = re.compile(r"[^\W\d_]+")


def _lower_case_names(text: str):
    """(start, end) of names typed in lower case without diacritics: a family name and two
    or three common given names ("pham ngoc bao tran")."""
    # only words typed without diacritics: with them, a family name is told apart from the
    # everyday words that fold to the same letters ("phản ánh", "vụ", "định")
    words = [match for match in _LOWER_WORD.finditer(text)
             if match.group(0).islower() and match.group(0).isascii()]
    index = 0
    while index < len(words):
        first = words[index]
        following = words[index + 1].group(0) if index + 1 < len(words) else ""
        if fold(first.group(0)) in _FOLDED_FAMILIES \
                and f"{first.group(0)} {following}".strip() not in COMMON_PHRASES:
            run = [first]
            for word in words[index + 1:index + 4]:
                gap = text[run[-1].end():word.start()]
                if gap.strip(" \t") or fold(word.group(0)) not in GIVEN_NAMES:
                    break
                run.append(word)
            if len(run) >= 3:
                yield first.start(), run[-1].end()
                index += len(run)
                continue
        index += 1


# A thank-you names its person: "cảm ơn Ngọc Hân", "cám ơn chị lan".
_THANKS = r"(?:[Cc]ảm ơn|[Cc]ám ơn|[Cc]am on)"
# "e la tuan", "liên hệ lan", "e bao hung roi": a given name right after these
_LOWER_LEADS = ("tôi là", "toi la", "em là", "em la", "e là", "e la", "mình là", "minh la",
                "tên là", "ten la", "liên hệ", "lien he", "gặp", "gap", "hỏi", "nhắn", "gọi",
                "goi", "báo", "bao", "chi", "tổ trưởng", "trưởng thôn", "cán bộ")
_LOWER_HONORIFICS = frozenset(HONORIFICS)
_LOWER_ADDRESSED = re.compile(
    rf"(?<!\w)(?:(?:{_THANKS}|{_alternation(_LOWER_LEADS)})"
    rf"(?:[ \t]+(?:{_alternation(HONORIFICS)}))?|{_alternation(HONORIFICS)})"
    rf"(?=((?:[ \t]+[^\W\d_{_UPPER}]+){{1,3}}))")


def _given_name(word: str, accented: bool) -> bool:
    """Whether a lower-case word is a common given name: as written in text typed with
    diacritics ("trong" there is "in", not "Trọng"), folded in text typed without them."""
    return word in ACCENTED_GIVEN_NAMES if accented else fold(word) in GIVEN_NAMES


def _lower_house_numbers(text: str):
    """(start, end) of house numbers typed in lower case: the number and the words after it
    that are names (a street is named after a person: "le thanh ton", "hung vuong")."""
    for match in _LOWER_HOUSE.finditer(text):
        end = match.end(1)
        for word in _LOWER_WORD.finditer(text, match.start(2), match.end(2)):
            if word.group(0) not in GIVEN_NAMES and word.group(0) not in _FOLDED_FAMILIES:
                break
            end = word.end()
        yield match.start(1), end


def _lower_given_names(text: str):
    """(start, end) of given names typed in lower case after an honorific or a thank-you
    ("nhắn chị lan giùm", "cảm ơn ngọc hân"): one to three words that are common given names,
    none of them in an everyday phrase with its neighbour ("chú trọng", "cảm ơn quý cơ quan")."""
    for match in _LOWER_ADDRESSED.finditer(text):
        lead = fold(text[match.start():match.start(1)].lower()).split()[-1]
        words = list(_LOWER_WORD.finditer(text, match.start(1), match.end(1)))
        folded = [lead] + [fold(word.group(0)) for word in words] + [""]
        nearby = text[max(0, match.start() - 60):match.end() + 60]
        accented = not nearby.isascii()
        run = 0
        for index, word in enumerate(words, start=1):
            if not _given_name(word.group(0), accented) or word.group(0) in _LOWER_HONORIFICS \
                    or f"{folded[index - 1]} {folded[index]}" in COMMON_PHRASES \
                    or f"{folded[index]} {folded[index + 1]}" in COMMON_PHRASES:
                break
            run = index
        if run:
            yield words[0].start(), words[run - 1].end()


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
    kept: tuple[Mask, ...] = ()  # shaped like a name, kept as a place or an organisation


def _house_parts(address: str) -> list[str]:
    """The parts of a known address that locate a house: the comma-separated parts with a
    digit ("số 12 Trần Phú"), without a leading "số"; the ward and province are kept."""
    parts = [part.strip() for part in address.split(",")]
    return [re.sub(r"^(?:[Ss]ố nhà|[Ss]ố)\s+", "", part) for part in parts
            if re.search(r"\d", part) and len(part) >= 3]


def _is_place(text: str, start: int, end: int, companies: bool = True) -> bool:
    """Whether the name-shaped ``text[start:end]`` names a place, a street or (with
    ``companies``) a business; a business named with a middle name ("DNTN Nguyễn Văn An")
    names its owner, and is masked."""
    folded = fold(text[start:end])
    if any(folded == place or folded.startswith(place + " ") for place in _PLACE_PREFIXES):
        return True
    before = text[max(0, start - 60):start]
    if companies and _COMPANY_BEFORE.search(before):
        return True
    context = _CONTEXT_BEFORE.search(before)
    if context is None:
        # "tuyến đường Lê Thánh Tôn, Trần Quang Khải và Phạm Văn Đồng": a list of streets
        before = text[max(0, start - 160):start]
        listed = _LISTED_BEFORE.sub("", before)
        return listed != before and bool(_STREET_BEFORE.search(listed))
    if re.sub(r"[ \t]+", " ", (context.group(1) or context.group(2)).lower()) in _AREAS:
        if _AREA_ROLE_BEFORE.search(before):
            return False  # "trưởng thôn Pi Năng Tiến": the head of a village, named
        # "xã Phước Đồng", but "xã Trần Văn Hai", "tổ dân phố Châu Văn Lợi" are people
        return len(folded.split()) < 2 or folded.split()[1] not in _MIDDLE_NAMES
    return True  # "đường Phạm Văn Đồng"


def _in_capital_run(text: str, start: int, end: int) -> bool:
    """Whether an all-capitals phrase is part of a longer all-capitals line (a heading such
    as "HỒ SƠ BỊ THẤT LẠC"), which is not a name."""
    if not text[start:end].isupper():
        return False
    before = re.search(r"(\S+)[ \t]+$", text[:start])
    after = re.match(r"[ \t]+(\S+)", text[end:])
    return any(word and word.group(1).isupper() and word.group(1).isalpha()
               for word in (before, after))


_LOWER_FAMILIES = frozenset(family.lower() for family in FAMILY_NAMES if " " not in family)
_CAPITAL_RUN = re.compile(rf"[{_UPPER}]+(?:[^a-zà-ỹ]*?[{_UPPER}]+){{2,}}")
_ADDRESSES_IN_CAPITALS = [re.compile(pattern.pattern, pattern.flags | re.IGNORECASE)
                          for pattern in _ADDRESSES]


def _capital_stretches(text: str):
    """(start, end) of stretches typed in capitals, three words or more ("HỌ TÊN: TRẦN THỊ
    MỸ LỆ, ĐỊA CHỈ: SỐ 45 …"), where case says nothing of what is a name."""
    for match in _CAPITAL_RUN.finditer(text):
        if len(_LOWER_WORD.findall(match.group(0))) >= 3:
            yield match.start(), match.end()


def _names_in_capitals(text: str, start: int, end: int):
    """(start, end) of names in a stretch typed in capitals: a family name and one to three
    common given names ("ĐỖ QUANG VINH", not "ĐỖ XE TRÁI PHÉP")."""
    words = list(_LOWER_WORD.finditer(text, start, end))
    accented = not text[start:end].isascii()
    families = _LOWER_FAMILIES if accented else _FOLDED_FAMILIES
    index = 0
    while index < len(words):
        run = [words[index]]
        first = words[index].group(0).lower()
        if (first if accented else fold(first)) in families:
            for word in words[index + 1:index + 4]:
                given = word.group(0).lower()
                if text[run[-1].end():word.start()].strip(" \t") or not (
                        given in ("văn", "thị") or _given_name(given, accented)):
                    break
                run.append(word)
        folded = fold(" ".join(word.group(0) for word in run[:2]))
        if len(run) >= 2 and folded not in COMMON_PHRASES:
            yield run[0].start(), run[-1].end()
        index += len(run)


def find(text: str, known_names=(), known_addresses=()) -> list[Mask]:
    """Every span to mask, sorted and not overlapping (earlier kinds in the list win)."""
    return list(_scan(text, known_names, known_addresses)[0])


def _scan(text: str, known_names=(), known_addresses=()) -> tuple[list[Mask], list[Mask]]:
    spans: list[Mask] = []  # sorted by start, never overlapping
    kept: list[Mask] = []

    def free(start: int, end: int) -> bool:
        index = bisect.bisect_left(spans, start, key=lambda mask: mask.start)
        return start < end and (index == len(spans) or spans[index].start >= end) \
            and (index == 0 or spans[index - 1].end <= start)

    def add(kind: str, start: int, end: int) -> None:
        if free(start, end):
            bisect.insort(spans, Mask(kind, start, end, text[start:end]),
                          key=lambda mask: mask.start)

    for pattern, kind in ((_EMAIL, EMAIL), (_PLATE, PLATE), (_LOWER_PLATE, PLATE),
                          (_PASSPORT, PASSPORT)):
        for match in pattern.finditer(text):
            add(kind, match.start(), match.end())
    for match in _NAMED_PASSPORT.finditer(text):
        add(PASSPORT, match.start(1), match.end(1))
    for match in _BIRTH.finditer(text):
        group = 1 if match.group(1) else 2
        add(BIRTH, match.start(group), match.end(group))
    for match in _DIGIT_RUN.finditer(text):
        kind = _number_kind(text, match.start(), match.end())
        if kind:
            add(kind, match.start(), match.end())
    known = [(NAME, n.strip()) for n in known_names if n and len(n.strip()) >= 2] + [
        (ADDRESS, part) for address in known_addresses if address
        for part in _house_parts(address)]
    for kind, value in sorted(set(known), key=lambda pair: len(pair[1]), reverse=True):
        for match in re.finditer(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.IGNORECASE):
            add(kind, match.start(), match.end())
    capitals = list(_capital_stretches(text))
    for pattern, any_case in zip(_ADDRESSES, _ADDRESSES_IN_CAPITALS, strict=True):
        group = 1 if pattern.groups else 0
        for start, end in capitals:  # first, so that "SỐ 45 …" is taken whole
            for match in any_case.finditer(text, start, end):
                add(ADDRESS, match.start(group), match.end(group))
        for match in pattern.finditer(text):
            add(ADDRESS, match.start(group), match.end(group))
    for pattern in (_MIDDLE_NAMED, _LOWER_NAMED, _ETHNIC_NAME):
        for match in pattern.finditer(text):
            opening = " ".join(match.group(0).split()[:2])
            if opening not in COMMON_PHRASES \
                    and not _is_place(text, match.start(), match.end(), companies=False):
                add(NAME, match.start(), match.end())
    for match in _LOWER_INTRODUCED.finditer(text):
        add(NAME, match.start(1), match.end(1))
    for start, end in _lower_house_numbers(text):
        add(ADDRESS, start, end)
    for start, end in _lower_case_names(text):
        if not _is_place(text, start, end, companies=False):
            add(NAME, start, end)
    for start, end in _lower_given_names(text):
        add(NAME, start, end)
    for match in _SHAPED_NAME.finditer(text):
        start, end = match.start(), match.end()
        if not free(start, end) or _in_capital_run(text, start, end):
            continue
        if _is_place(text, start, end):
            kept.append(Mask(NAME, start, end, text[start:end]))
        else:
            add(NAME, start, end)
    places = [match.span() for match in _KNOWN_PLACES.finditer(text)]
    for pattern in (_INTRODUCED_NAME, _ADDRESSED_NAME, _ROLE_NAME, _AREA_ROLE_NAME,
                    _BRACKETED_NAME, _SIGNED_NAME):
        for match in pattern.finditer(text):
            if any(start < match.end(1) and match.start() < end for start, end in places):
                continue  # "đường Hai Bà Trưng", "Bà Rịa": inside a known place
            if _CONTEXT_BEFORE.search(text[max(0, match.start() - 30):match.start()]):
                continue  # "xã Bác Ái", "đường Bà Triệu": a place named like a person
            if pattern is _ADDRESSED_NAME and text[match.start()].isupper() \
                    and re.search(rf"[{_UPPER}][^\W\d_]*[ \t]+$", text[:match.start()]):
                continue  # "Đồng Bà Thìn": a capitalised honorific inside a proper name
            if pattern in (_ROLE_NAME, _AREA_ROLE_NAME) and text[match.start()].isupper() \
                    and re.search(r"\w[ \t]*$", text[:match.start()]):
                continue  # "Hạt Kiểm lâm Khánh Sơn": a capitalised job inside a body's name
            if any(fold(text[match.start():match.end(1)]).startswith(place)
                   for place in _PLACE_PREFIXES):
                continue  # "Bà Rịa", "Ông Ích Khiêm": a place that starts like an address
            add(NAME, match.start(1), match.end(1))
    lowered = text.lower() if len(text.lower()) == len(text) else text
    for start, end in capitals:
        for name_start, name_end in _names_in_capitals(text, start, end):
            if not _is_place(lowered, name_start, name_end, companies=False):
                add(NAME, name_start, name_end)
    for mask in [mask for mask in spans if mask.kind == NAME]:
        year = _YEAR_AFTER_NAME.match(text, mask.end)
        if year:
            add(BIRTH, year.start(1), year.end(1))
    births = {_day_and_month(mask.original) for mask in spans if mask.kind == BIRTH} - {None}
    for match in _FULL_DATE.finditer(text):
        if _day_and_month(match.group(0)) in births:
            add(BIRTH, match.start(), match.end())  # "sinh 03/08/2001, ghi sai thành 03/08/2010"
    return spans, kept


def redact(text: str | None, known_names=(), known_addresses=()) -> Redaction:
    """``text`` with every personal detail found replaced by its label.

    ``known_names``, ``known_addresses``: the sender's, masked wherever they occur (for an
    address, its house-number parts).
    """
    if not text:
        return Redaction("", ())
    masks, kept = _scan(text, known_names, known_addresses)
    pieces, position = [], 0
    for mask in masks:
        pieces.append(text[position:mask.start])
        pieces.append(LABELS[mask.kind])
        position = mask.end
    pieces.append(text[position:])
    return Redaction("".join(pieces), tuple(masks), tuple(kept))


_LABEL_PATTERN = re.compile("|".join(re.escape(label) for label in LABELS.values()))
MASKED, KEPT = "masked", "kept"


def segments(text: str | None) -> list[tuple[str, str | None]]:
    """``text`` (a proposed public version) cut into (piece, mark) for the review page: mark is
    ``MASKED`` for a label put in place of a detail, ``KEPT`` for a phrase shaped like a name
    that was kept as a place or an organisation, None for the rest."""
    text = text or ""
    marks = [(match.start(), match.end(), MASKED) for match in _LABEL_PATTERN.finditer(text)]
    marks += [(mask.start, mask.end, KEPT) for mask in _scan(text)[1]
              if not any(mask.start < end and start < mask.end for start, end, _ in marks)]
    result, position = [], 0
    for start, end, mark in sorted(marks):
        if start > position:
            result.append((text[position:start], None))
        result.append((text[start:end], mark))
        position = end
    if position < len(text):
        result.append((text[position:], None))
    return result


@dataclass(frozen=True)
class Known:
    """A person's details to erase wherever they occur (:func:`erase`)."""

    names: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """``text`` lower-cased and without accents, character by character, with the position
    in ``text`` of each folded character (so a match in the folded text maps back)."""
    folded: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        char = "d" if char in "đĐ" else char
        plain = "".join(c for c in unicodedata.normalize("NFD", char)
                        if not unicodedata.combining(c)).casefold()
        folded.append(plain)
        positions.extend([index] * len(plain))
    return "".join(folded), positions


def _value_pattern(value: str, digits_only: bool) -> str | None:
    if digits_only:
        digits = re.sub(r"\D", "", value)
        if len(digits) < 6:
            return None
        if digits.startswith("0"):  # a Vietnamese number: also written +84 …, 84 …
            digits = digits[1:]
        elif digits.startswith("84") and len(digits) == 11:
            digits = digits[2:]
        separator = r"[\s.()-]*"  # inside the number only: a match starts at a digit or "+"
        return rf"(?<!\d)(?:(?:(?:\+|00)?84|0){separator})?" + separator.join(digits) \
            + r"(?!\d)"
    words = fold(value).split()
    if not words or len("".join(words)) < 2:
        return None
    return r"(?<!\w)" + r"[\s,.-]+".join(re.escape(word) for word in words) + r"(?!\w)"


def erase(text: str | None, known: Known, *, heuristics: bool = True) -> str | None:
    """``text`` with a person's details gone: de-identified like :func:`redact` (unless
    ``heuristics`` is off: only the known details then), and every known name, address,
    phone number and email replaced by its label wherever it occurs, whatever its case,
    accents, spacing or the grouping of its digits. For the erasure of a ticket's personal
    data: what stays must hold no copy of what was erased."""
    if not text:
        return text
    text = _erase_known(text, known)
    if heuristics:  # after the known details: a heuristic could take part of one first
        text = redact(text, known.names, known.addresses).text
    return text


def _erase_known(text: str, known: Known) -> str:
    # emails and numbers first: a name can be part of an email address. An address is
    # erased whole only when it locates a house (has a number): a bare ward or town is not
    # the person's, and masking it everywhere would mangle the text.
    folded_patterns = [(EMAIL, _value_pattern(email, False)) for email in known.emails] \
        + [(PHONE, _value_pattern(phone, True)) for phone in known.phones] \
        + [(ADDRESS, _value_pattern(address, False)) for address in known.addresses
           if re.search(r"\d", address)] \
        + [(NAME, _value_pattern(name, False)) for name in known.names]
    for kind, pattern in folded_patterns:
        if pattern is None:
            continue
        folded, positions = _folded_with_positions(text)
        spans = [(positions[match.start()], positions[match.end() - 1] + 1)
                 for match in re.finditer(pattern, folded) if match.end() > match.start()]
        text = _replace(text, spans, LABELS[kind])
    for name in known.names:
        for pattern in _name_part_patterns(name):
            text = _replace(text, [match.span(1) for match in pattern.finditer(text)],
                            LABELS[NAME])
    return text


def _replace(text: str, spans, label: str) -> str:
    for start, end in reversed(spans):
        text = text[:start] + label + text[end:]
    return text


_HONORIFIC_WORDS = _alternation(HONORIFICS)


def _name_part_patterns(name: str) -> list[re.Pattern]:
    """People are called by one part of their name after "ông", "chị"… ("ông Bình", "chị
    Hoa"): each part there, accents as written (only the case may differ), so that "cơ quan"
    is not "Quân" nor "có đất" "Đạt"."""
    parts = dict.fromkeys(unicodedata.normalize("NFC", part) for part in name.split())
    return [re.compile(rf"(?<!\w)(?:{_HONORIFIC_WORDS})[ \t]+({re.escape(part)})(?!\w)",
                       re.IGNORECASE) for part in parts if len(part) >= 2]
