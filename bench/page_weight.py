"""Benchmark: what a citizen's phone downloads for the survey page (issue 13, point 4: at
most 15 KB over the wire on a first visit, one request on a repeat visit).

Asks the page and every file it links (styles, script, images; not the print style, which a
phone does not fetch for the screen) the way a browser does, with its Accept-Encoding, and
adds up the bytes of the bodies; a repeat visit asks again only what is not cached for a
year ("immutable"). Headers are left out (they are about the same for any site).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fresh_database import fresh_app  # noqa: E402

BROWSERS = (("a phone over HTTPS (br)", "gzip, deflate, br, zstd"),
            ("over plain HTTP (gzip)", "gzip, deflate"),
            ("uncompressed", ""))


def main() -> list[str]:
    from brotli import decompress as unbrotli

    from portal.auth.models import Unit
    from portal.db import get_session
    from survey.models import Counter
    from survey.services import issue_counter_link

    app, engine = fresh_app("bench-weight-")
    with app.app_context():
        session = get_session()
        counter = Counter(code="W1", name="Quầy 1", unit=Unit(code="W", name="Bộ phận Một cửa"))
        session.add(counter)
        session.flush()
        issue_counter_link(session, counter)
        session.commit()
        token = counter.token
    client = app.test_client()
    rows = []
    for label, accept in BROWSERS:
        headers = {"Accept-Encoding": accept} if accept else {}
        page = client.get(f"/q/{token}", headers=headers)
        body = page.data
        if page.headers.get("Content-Encoding") == "br":
            body = unbrotli(body)
        elif page.headers.get("Content-Encoding") == "gzip":
            import gzip

            body = gzip.decompress(body)
        html = body.decode()
        links = re.findall(r'<(?:link|script|img)\b[^>]*(?:href|src)="(/static/[^"]+)"[^>]*>',
                           html)
        screen = [link for link in links
                  if not re.search(rf'href="{re.escape(link)}"[^>]*media="print"', html)]
        sizes, repeat = {"page": len(page.data)}, 1
        for link in screen:
            with client.get(link, headers=headers) as response:
                sizes[link] = len(response.data)
                if "immutable" not in response.headers.get("Cache-Control", ""):
                    repeat += 1
        total = sum(sizes.values())
        target = ("≤ 15 KB OK" if total <= 15_000 else "≤ 15 KB MISSED") if accept \
            else "(for comparison)"
        rows.append(f"| survey page, {label} | {engine.dialect.name} | page {len(page.data):,} B "
                    f"+ {len(screen)} files {total - len(page.data):,} B = **{total:,} B**; "
                    f"raw page {len(html.encode()):,} B | first visit {1 + len(screen)} "
                    f"requests, repeat visit {repeat} | {target} |")
    engine.dispose()
    return rows


if __name__ == "__main__":
    for line in main():
        print(line)
