"""Page weight (issue 13, point 4): static files under content-hashed names with a year's
cache, sent compressed; pages and data compressed by the app itself; a citizen's survey page
within 15 KB over the wire on a first visit, and one request on the next."""
import gzip
import re
import zlib

import brotli
import pytest

from portal.assets import Assets
from tests.factories import make_counter

HASHED = re.compile(r'(?:href|src)="(/static/[^"]+\.[0-9a-f]{10}\.[a-z]+)"')


def _hashed_links(page: str) -> list[str]:
    return HASHED.findall(page)


def test_pages_link_static_files_by_hashed_names_kept_a_year(client, db):
    page = client.get("/").get_data(as_text=True)
    links = _hashed_links(page)
    assert any("/static/css/site." in link for link in links)
    assert not re.search(r'(?:href|src)="/static/[^"]+/[a-z-]+\.(?:css|js|svg)"', page)
    for link in links:
        with client.get(link) as response:
            assert response.status_code == 200, link
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert response.headers["ETag"]


def test_the_plain_or_an_old_name_gets_the_current_file_revalidated(client, db):
    with client.get("/static/css/site.css") as plain:
        assert plain.status_code == 200 and plain.headers["Cache-Control"] == "no-cache"
        etag, body = plain.headers["ETag"], plain.data
    with client.get("/static/css/site.css", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304 and again.data == b""
    with client.get("/static/css/site.0123456789.css") as old:
        assert old.status_code == 200 and old.data == body
        assert old.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", [
    "/static/css/nothing.css", "/static/css/nothing.0123456789.css", "/static/../wsgi.py",
    "/static/%2e%2e/wsgi.py", "/static/css", "/static/css/site.css%00",
])
def test_unknown_static_files_are_not_found(client, db, path):
    with client.get(path) as response:
        assert response.status_code in (400, 404)


@pytest.mark.parametrize(("accept", "encoding", "decode"), [
    ("gzip, deflate, br", "br", brotli.decompress),
    ("gzip", "gzip", gzip.decompress),
    ("br;q=0, gzip", "gzip", gzip.decompress),
    ("", None, lambda data: data),
])
def test_static_files_are_sent_compressed_as_the_browser_accepts(client, db, accept, encoding,
                                                                  decode):
    with client.get("/static/css/site.css") as plain:
        expected = plain.data
    with client.get("/static/css/site.css", headers={"Accept-Encoding": accept}) as response:
        assert response.headers.get("Content-Encoding") == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
        assert decode(response.data) == expected


def test_a_changed_file_gets_a_new_name(tmp_path):
    (tmp_path / "css").mkdir()
    style = tmp_path / "css" / "a.css"
    style.write_text("body { color: red; }")
    assets = Assets(tmp_path)
    first = assets.hashed_name("css/a.css")
    assert re.fullmatch(r"css/a\.[0-9a-f]{10}\.css", first)
    style.write_text("body { color: blue; } /* longer */")
    assert assets.hashed_name("css/a.css") != first
    assert assets.hashed_name("css/missing.css") == "css/missing.css"


def test_pages_and_data_are_compressed_by_the_app(client, db):
    plain = client.get("/").data
    page = client.get("/", headers={"Accept-Encoding": "br, gzip"})
    assert page.headers["Content-Encoding"] == "br"
    assert brotli.decompress(page.data) == plain and len(page.data) < len(plain) / 3
    gzipped = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(gzipped.data) == plain
    assert "Content-Encoding" not in client.get("/").headers
    # a streamed export too
    with client.get("/feedback/published.csv", headers={"Accept-Encoding": "deflate"}) as csv:
        assert csv.status_code == 200 and csv.headers["Content-Encoding"] == "deflate"
        assert zlib.decompress(csv.data).startswith(b"\xef\xbb\xbf") or zlib.decompress(
            csv.data)


@pytest.mark.parametrize(("accept", "decode"), [
    ("gzip, deflate, br, zstd", brotli.decompress),  # a browser over HTTPS
    ("gzip, deflate", gzip.decompress),  # an old one, or plain HTTP
])
def test_the_survey_page_weighs_at_most_15_kb_on_a_first_visit_and_one_request_after(
        client, db, accept, decode):
    counter = make_counter(db)
    browser = {"Accept-Encoding": accept}
    page = client.get(f"/q/{counter.token}", headers=browser)
    html = decode(page.data).decode()
    sizes = {"page": len(page.data)}
    for link in _hashed_links(html):
        with client.get(link, headers=browser) as response:
            assert response.status_code == 200
            assert "immutable" in response.headers["Cache-Control"], link
            if 'media="print"' not in html.split(link)[1][:40]:
                sizes[link] = len(response.data)
    linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert sorted(linked) == sorted(_hashed_links(html)), "every file cached a year"
    assert sum(sizes.values()) <= 15_000, sizes


def test_staff_pages_are_not_compressed(client, db, auth):
    auth.as_role("secretariat")
    page = client.get("/staff/", headers={"Accept-Encoding": "br, gzip"})
    assert page.status_code == 200 and "Content-Encoding" not in page.headers
    assert b"</html>" in page.data
