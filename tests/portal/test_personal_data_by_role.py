"""Personal data by role (DOMAIN.md §4.6; portal/privacy.py): every staff page and export,
opened by every role, with sentinel values in a ticket's contact details, in the citizen's
own words and in a survey comment. Swept from app.url_map, so a new page is covered."""
import io
import itertools
import re
import zipfile

import pytest

from tests.factories import (
    act_on,
    make_counter,
    make_procedure,
    make_response,
    make_ticket,
    make_unit,
    make_user,
    sign_in_as,
)
from tests.portal.test_security import PUBLIC_ENDPOINTS, SAMPLE_VALUES

# The sender's contact details: only for the people handling the ticket.
CONTACT = {"name": "Zzsender Quahog", "phone": "0944 555 666", "email": "zz.sender@example.vn",
           "address": "77 Zzsenderstreet, phường Nha Trang"}
CONTACT_PROBES = ("Zzsender", "0944 555 666", "0944555666", "zz.sender@example.vn",
                  "Zzsenderstreet")
# Personal data inside citizens' words (a neighbour, an officer): verbatim for the roles that
# work on cases, masked for the rest.
WORDS_PROBES = ("Zzneighbour", "0911 222 333", "Zzcommenter", "0933 444 555", "079088001122")
TICKET_TEXT = ("Hàng xóm Trần Văn Zzneighbour, số điện thoại 0911 222 333, đổ phế thải "
               "xây dựng ra hẻm suốt một tháng nay.")
COMMENT = "Cán bộ Lê Thị Zzcommenter gọi 0933 444 555 đòi tiền; CCCD tôi 079088001122."
# A dossier's citizen, as imported from the one-stop system: on no page or export at all (the
# apology letter, printed for the citizen, is the one place their name goes).
DOSSIER_PROBES = ("Zzdossier", "0977888999", "zz.dossier@example.vn")


def _expand(rule, values):
    """Every URL of ``rule``: each <any(...)> option, the other arguments from ``values``."""
    options = []
    for name in rule.arguments:
        choice = re.search(rf"<any\(([^)]*)\):{name}>", rule.rule)
        options.append([(name, option.strip()) for option in choice.group(1).split(",")]
                       if choice else [(name, values[name])])
    for combination in itertools.product(*options):
        url = rule.rule
        for name, value in combination:
            url = re.sub(rf"<(?:[^>]*:)?{name}>", value, url)
        yield url


def _text(response) -> str:
    """What a person could read in the response: the page, or every file of an xlsx."""
    body = response.get_data()
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return " ".join(archive.read(name).decode("utf-8", "replace")
                            for name in archive.namelist())
    return body.decode("utf-8", "replace")


@pytest.fixture()
def world(app, client, db):
    unit, other_unit = make_unit(db, code="UA"), make_unit(db, code="UB", name="Phòng B")
    people = {
        "reception": make_user(db, username="p-reception", roles=["reception"]),
        "handler": make_user(db, username="p-handler", roles=["handler"], unit_id=unit.id),
        "other handler": make_user(db, username="p-other", roles=["handler"],
                                   unit_id=other_unit.id),
        "secretariat": make_user(db, username="p-secretariat", roles=["secretariat"]),
        "leader": make_user(db, username="p-leader", roles=["leader"], unit_id=unit.id),
        "admin": make_user(db, username="p-admin", roles=["admin"]),
    }
    ticket = make_ticket(app, db, name=CONTACT["name"], phone=CONTACT["phone"],
                         email=CONTACT["email"], address=CONTACT["address"],
                         content=TICKET_TEXT)
    sign_in_as(client, people["reception"])
    act_on(client, db, ticket.code, "accept", ticket_class="competence", unit_id=unit.id)
    counter = make_counter(db, unit_id=unit.id)
    make_response(db, counter, {"CC1": 1}, comment=COMMENT)
    make_procedure(db, code="1.000777")
    _import_dossier(db, unit)
    db.commit()
    from sqlalchemy import select

    from survey.models import AlertRule

    # the rows' own ids: on PostgreSQL ids keep growing across rolled-back tests, so "1" names
    # nothing after the first tests of a run
    rule_id = db.scalar(select(AlertRule.id).order_by(AlertRule.id).limit(1))
    values = dict(SAMPLE_VALUES, code=ticket.code, counter_id=str(counter.id),
                  unit_id=str(unit.id), user_id=str(people["handler"].id),
                  **({"rule_id": str(rule_id)} if rule_id else {}))
    client.post("/staff/logout")
    return people, ticket, values


def _import_dossier(db, unit) -> None:
    from survey.onestop import services as onestop

    header = ("code,procedure_code,unit_code,received_at,due_at,returned_at,channel,status,"
              "supplements,citizen_name,citizen_phone,citizen_email")
    row = (f"HS-PROBE,1.000777,{unit.code},01/04/2026,10/04/2026,12/04/2026,counter,returned,2,"
           "Zzdossier Citizen,0977888999,zz.dossier@example.vn")
    parsed = onestop.read_import(db, f"{header}\n{row}\n".encode(), "probe.csv",
                                 max_bytes=10**6)
    assert parsed.ok, parsed.problems
    onestop.import_dossiers(db, parsed.rows, dry_run=False, source="probe.csv")


def _sweep(app, client, values, extra=()):
    """Every staff GET page and export as the signed-in user sees it: {url: text}."""
    urls = [url for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint not in PUBLIC_ENDPOINTS
            for url in _expand(rule, values)]
    pages = {}
    for url in [*urls, *extra]:
        with client.get(url) as response:  # a streamed export is read to its end
            if response.status_code == 200:
                text = _text(response)
                if "?q=" in url:  # the search box and links repeat what was typed
                    term = url.split("?q=")[1]
                    text = text.replace(f"q={term}", "").replace(f'value="{term}"', "")
                pages[url] = text
    return pages


EXTRA = ("/staff/survey/?q=Zzcommenter", "/staff/survey/?q=0933",
         "/staff/feedback?q=Zzneighbour", "/staff/feedback/reports?format=csv",
         "/staff/feedback/reports?format=xlsx", "/staff/survey/?flagged=1",
         "/staff/one-stop/scoreboard?year=2026&quarter=2",
         "/staff/one-stop/scoreboard?year=2026&quarter=2&format=csv",
         "/staff/one-stop/scoreboard/UA?year=2026&quarter=2")


@pytest.mark.parametrize("role,contact,words", [
    ("reception", True, True), ("handler", True, True), ("secretariat", True, True),
    ("admin", True, True), ("other handler", False, False), ("leader", False, False)])
def test_every_page_and_export_shows_personal_data_only_to_the_roles_that_need_it(
        app, client, db, world, role, contact, words):
    people, ticket, values = world
    sign_in_as(client, people[role])
    pages = _sweep(app, client, values, EXTRA)
    assert len(pages) >= 3
    for url, text in pages.items():
        for probe in DOSSIER_PROBES:
            assert probe not in text, (role, url, probe)
        if not contact:
            for probe in CONTACT_PROBES:
                assert probe not in text, (role, url, probe)
        if not words:
            for probe in WORDS_PROBES:
                assert probe not in text, (role, url, probe)
    # Showing the contact details is a deliberate, logged step, for the handling roles only.
    shown = client.post(f"/staff/feedback/{ticket.code}/contact")
    if contact:
        assert shown.status_code == 200 and "0944 555 666" in shown.get_data(as_text=True)
    else:
        assert shown.status_code == 403
    # the sweep sees what the role may see: it cannot pass by seeing nothing
    if words:
        seen = " ".join(pages.values())
        assert "Zzneighbour" in seen
    if role in ("leader", "secretariat", "admin"):  # they read the one-stop scoreboard
        assert "HS-PROBE" in pages["/staff/one-stop/scoreboard/UA?year=2026&quarter=2"]
        dashboard = pages["/staff/survey/"]
        export = pages["/staff/survey/export/responses.csv"]
        if words:
            assert "Zzcommenter" in dashboard and "0933 444 555" in export
        else:  # the comment is there, with its personal details masked
            assert "đòi tiền" in dashboard and "[số điện thoại]" in dashboard
            assert "đòi tiền" in export and "[số giấy tờ]" in export
            assert "đòi tiền" in pages["/staff/survey/export/responses.xlsx"]
            assert "đòi tiền" not in pages["/staff/survey/?q=Zzcommenter"]
