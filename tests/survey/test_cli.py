"""`counters` and `dossier-qr`, and the size of the QR codes they lead to."""
import io

import zxingcpp
from PIL import Image
from sqlalchemy import select

from portal.qrcodes import qr_png, qr_version
from survey.links import new_token
from survey.models import DossierLink
from tests.factories import make_counter


def test_counters_prints_code_name_and_survey_url(runner, db):
    counter = make_counter(db, code="Q01", name="Quầy số 1 — Đất đai")
    retired = make_counter(db, code="Q09", name="Quầy cũ", active=False)
    result = runner.invoke(args=["counters"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert f"Q01\tQuầy số 1 — Đất đai\thttps://gopy.example.vn/q/{counter.token}" in lines
    assert "Q09\tQuầy cũ\t(counter retired)" in lines
    assert retired.token not in result.output


def test_counters_needs_the_public_address(runner, db, app):
    make_counter(db)
    app.config["PUBLIC_BASE_URL"] = ""
    result = runner.invoke(args=["counters"])
    assert result.exit_code == 2 and "Set PUBLIC_BASE_URL" in result.output


def test_dossier_qr_makes_a_link_once_and_writes_a_readable_png(runner, db, tmp_path):
    make_counter(db, code="Q02")
    png = tmp_path / "receipt.png"
    first = runner.invoke(args=["dossier-qr", "000.00.10.H34-261124-0007", "--counter", "q02",
                                "--png", str(png)])
    assert first.exit_code == 0, first.output
    link = db.scalar(select(DossierLink))
    url = f"https://gopy.example.vn/q/{link.token}"
    assert first.output.strip() == f"Created: 000.00.10.H34-261124-0007\t{url}"
    [decoded] = zxingcpp.read_barcodes(Image.open(png))
    assert decoded.text == url
    again = runner.invoke(args=["dossier-qr", "000.00.10.H34-261124-0007", "--counter", "Q02"])
    assert again.output.startswith("Already made:") and url in again.output
    assert len(db.scalars(select(DossierLink)).all()) == 1


def test_dossier_qr_bad_input(runner, db):
    make_counter(db, code="Q03")
    make_counter(db, code="Q04")
    for args, message in [
        (["dossier-qr", "HS-1"], "Name the counter with --counter CODE"),
        (["dossier-qr", "HS-1", "--counter", "Q99"], "No active counter has the code 'Q99'"),
        (["dossier-qr", " ", "--counter", "Q03"], "DOSSIER_CODE must be 1-60"),
        (["dossier-qr", "x" * 61, "--counter", "Q03"], "DOSSIER_CODE must be 1-60"),
    ]:
        result = runner.invoke(args=args)
        assert result.exit_code == 2 and message in result.output, (args, result.output)
    runner.invoke(args=["dossier-qr", "HS-2", "--counter", "Q03"])
    moved = runner.invoke(args=["dossier-qr", "HS-2", "--counter", "Q04"])
    assert moved.exit_code == 2 and "already has a link for counter Q03" in moved.output


def test_a_survey_url_fits_a_version_4_qr_code():
    # A realistic provincial address; the bound the issue sets for printing.
    url = f"https://gopy.snnmt.khanhhoa.gov.vn/q/{new_token()}"
    assert qr_version(url) <= 4
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(url))))
    assert decoded.text == url
