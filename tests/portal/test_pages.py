"""The public pages: home, hotline, the procedure catalogue and one procedure."""
import io
import re
import xml.etree.ElementTree as ElementTree

import pytest
import zxingcpp
from PIL import Image

from portal.pages.services import save_hotline
from tests.factories import make_procedure


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_home_lists_what_a_citizen_can_do(client):
    page = text_of(client.get("/"))
    assert "Thủ tục hành chính" in page
    assert 'href="/procedures"' in page and 'href="/hotline"' in page
    assert "Quét mã QR" in page


def hotline(db, **overrides):
    values = {"org_name": "Sở Nông nghiệp và Môi trường tỉnh Khánh Hòa",
              "org_name_en": "Khanh Hoa Department of Agriculture and Environment",
              "address": "04 Phan Chu Trinh, Nha Trang", "address_en": None,
              "postal_address": None, "postal_address_en": None, "email": "snnmt@khanhhoa.gov.vn",
              "website": "https://snnmt.khanhhoa.gov.vn", "office_hours": "Thứ Hai - Thứ Sáu",
              "office_hours_en": "Monday - Friday",
              "rules": "## Phản ánh phải có\n- Họ tên\n- Số điện thoại",
              "rules_en": "## What feedback must contain\n- Name\n- Phone"}
    values.update(overrides)
    page = save_hotline(db, values, [{"label": "Đường dây nóng", "label_en": "Hotline",
                                      "number": "0258 3822 222"}])
    db.commit()
    return page


def test_hotline_page_shows_contacts_and_rules_in_both_languages(client, db):
    hotline(db)
    page = text_of(client.get("/hotline"))
    assert "0258 3822 222" in page and 'href="tel:02583822222"' in page
    assert "snnmt@khanhhoa.gov.vn" in page
    assert "<h2>Phản ánh phải có</h2>" in page and "<li>Họ tên</li>" in page
    english = text_of(client.get("/hotline?lang=en"))
    assert "<h2>What feedback must contain</h2>" in english
    assert "Hotline" in english and "Khanh Hoa Department" in english


def test_hotline_page_before_anything_is_published_says_so(client, db):
    assert "chưa được công bố" in text_of(client.get("/hotline"))


def test_hotline_rules_are_escaped(client, db):
    hotline(db, rules="<img src=x onerror=alert(1)>")
    page = text_of(client.get("/hotline"))
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_search_ignores_diacritics_and_case(client, db):
    land = make_procedure(db, name="Đăng ký đất đai lần đầu", field="Đất đai")
    water = make_procedure(db, name="Cấp giấy phép khai thác nước", field="Tài nguyên nước")
    for query in ("dat dai", "ĐẤT ĐAI", "Dat  Dai", "đất"):
        page = text_of(client.get("/procedures", query_string={"q": query}))
        assert land.name in page, query
        assert water.name not in page, query


def test_search_by_code_puts_the_exact_code_first(client, db):
    make_procedure(db, code="2.000001", name="Thủ tục có nhắc 1.004227 trong tên")
    exact = make_procedure(db, code="1.004227", name="Zeta procedure")
    page = text_of(client.get("/procedures?q=1.004227"))
    assert page.index(exact.name) < page.index("Thủ tục có nhắc")


def test_filters_by_field_level_and_body(client, db):
    online = make_procedure(db, name="Một thủ tục toàn trình", level="full", field="Khoáng sản",
                            processing_body="UBND tỉnh")
    partial = make_procedure(db, name="Một thủ tục một phần", level="partial",
                             field="Khoáng sản")
    page = text_of(client.get("/procedures?level=full"))
    assert online.name in page and partial.name not in page
    page = text_of(client.get(f"/procedures?field={partial.field_id}&body=UBND tỉnh"))
    assert online.name in page and partial.name not in page


def test_the_catalogue_is_paginated(client, db, app):
    app.config["PROCEDURES_PER_PAGE"] = 2
    for number in range(5):
        make_procedure(db, name=f"Thủ tục {number}")
    first = text_of(client.get("/procedures"))
    assert "5 thủ tục" in first and "Trang 1 / 3" in first
    assert 'rel="next" href="/procedures?page=2"' in first
    last = text_of(client.get("/procedures?page=3"))
    assert last.count('class="meta"') == 1
    beyond = client.get("/procedures?page=99")
    assert beyond.status_code == 200 and "Không có thủ tục nào" in text_of(beyond)


@pytest.mark.parametrize("query", [
    "x" * 10_000, "' OR 1=1 --", "%", "_", "\\", "<script>alert(1)</script>", "\x00",
    "Robert'); DROP TABLE procedure;--",
])
def test_absurd_queries_give_a_normal_page(client, db, query):
    make_procedure(db, name="Thủ tục an toàn")
    response = client.get("/procedures", query_string={"q": query, "field": query,
                                                        "level": query, "body": query,
                                                        "page": query})
    assert response.status_code == 200
    page = text_of(response)
    assert "<script>alert(1)</script>" not in page
    assert "Không có thủ tục nào" in page or "Thủ tục an toàn" in page


def test_wildcards_are_matched_literally(client, db):
    make_procedure(db, name="Thủ tục bình thường")
    assert "Không có thủ tục nào" in text_of(client.get("/procedures?q=%25"))


def test_retired_procedures_leave_the_catalogue(client, db):
    from portal.db import utcnow

    gone = make_procedure(db, name="Thủ tục đã bãi bỏ")
    gone.retired_at = utcnow()
    db.commit()
    assert gone.name not in text_of(client.get("/procedures"))
    assert client.get(f"/procedures/{gone.code}").status_code == 404


def test_procedure_page_shows_every_published_component(client, db):
    procedure = make_procedure(
        db, code="1.004227", name="Cấp giấy phép khai thác nước dưới đất",
        steps="- Bước 1: Nộp hồ sơ", method="Nộp trực tuyến", dossier="- Đơn đề nghị",
        dossier_quantity="01 bộ", time_limit="23 ngày làm việc", subjects="Tổ chức",
        processing_body="Sở Nông nghiệp và Môi trường", result="Giấy phép",
        forms="Mẫu 01/TNN", requirements="Có giấy phép thăm dò", fees="Theo Nghị quyết HĐND",
        legal_basis="Luật Tài nguyên nước 2023", decision="QĐ 2345/QĐ-UBND",
        postal_return=True, postal_fee="30.000 đồng", field="Tài nguyên nước",
        internal_process=[{"step": "Tiếp nhận hồ sơ", "unit": "Bộ phận Một cửa",
                           "duration": "4 giờ"}])
    page = text_of(client.get("/procedures/1.004227"))
    for expected in ("Cấp giấy phép khai thác nước dưới đất", "1.004227", "Tài nguyên nước",
                     "Một phần", "<li>Bước 1: Nộp hồ sơ</li>", "Nộp trực tuyến",
                     "<li>Đơn đề nghị</li>", "01 bộ", "23 ngày làm việc", "Tổ chức",
                     "Sở Nông nghiệp và Môi trường", "Giấy phép", "Mẫu 01/TNN",
                     "Có giấy phép thăm dò", "Theo Nghị quyết HĐND", "Luật Tài nguyên nước 2023",
                     "QĐ 2345/QĐ-UBND", "30.000 đồng", "Tiếp nhận hồ sơ", "Bộ phận Một cửa",
                     "4 giờ", "Trình tự thực hiện", "Quy trình nội bộ"):
        assert expected in page, expected
    assert procedure.updated_at is not None
    assert re.search(r"\d{2}/\d{2}/\d{4}", page)


def test_unknown_procedure_is_a_friendly_404(client, db):
    response = client.get("/procedures/9.999999")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in text_of(response)


def test_procedure_page_has_a_print_stylesheet(client, db):
    procedure = make_procedure(db)
    page = text_of(client.get(f"/procedures/{procedure.code}"))
    [link] = re.findall(r'href="(/static/css/print\.[0-9a-f]{10}\.css)" media="print"', page)
    with client.get(link) as css:
        assert css.status_code == 200 and b".main-nav" in css.data


def test_procedure_qr_png_decodes_to_the_page_url(client, db):
    procedure = make_procedure(db, code="1.004227")
    response = client.get("/procedures/1.004227/qr.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))
    assert decoded.text == "https://gopy.example.vn/procedures/1.004227"
    assert procedure.code in text_of(client.get("/procedures/1.004227"))


def test_procedure_qr_svg_is_an_svg_of_the_same_code(client, db):
    make_procedure(db, code="1.004227")
    response = client.get("/procedures/1.004227/qr.svg")
    assert response.mimetype == "image/svg+xml"
    root = ElementTree.fromstring(response.data)
    assert root.tag.endswith("svg") and root.find(".//{http://www.w3.org/2000/svg}path") is not None


def test_qr_of_an_unknown_procedure_is_404(client, db):
    assert client.get("/procedures/nope/qr.png").status_code == 404


@pytest.mark.parametrize("code", ["%00", "a%20b", "x" * 40, "..%2F..%2Fetc"])
def test_malformed_procedure_codes_are_404(client, db, code):
    assert client.get(f"/procedures/{code}").status_code == 404
    assert client.get(f"/procedures/{code}/qr.svg").status_code == 404


def test_query_arguments_cannot_reach_url_building(client, db, app):
    app.config["PROCEDURES_PER_PAGE"] = 1
    make_procedure(db)
    make_procedure(db)
    response = client.get("/procedures?endpoint=x&_external=1&_anchor=y&values=z")
    assert response.status_code == 200
    page = text_of(response)
    assert 'href="/procedures?endpoint=x&amp;_external=1&amp;_anchor=y&amp;values=z&amp;page=2"' \
        in page
    assert "http://localhost" not in page
