"""The ceiling for the survey benchmark (issue 13, point 1): a bare Flask app doing the same
work a citizen's survey completion needs, and nothing else.

GET renders, through Jinja, a form of the same shape and about the same size as the portal's
(19 statements of 6 radios each, 114 radios with their labels, a comment box, a hidden nonce,
a page around them); POST parses and checks the 19 answers and the comment, then inserts one
response row and 19 answer rows in the same database as the portal (its own two tables), in
one transaction, and redirects. No sessions, no CSRF, no screening, no rollups, no
translations: what a portal must add on top is what the ratio measures.
"""
from __future__ import annotations

from flask import Flask, redirect, request
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, Text, insert

LEVELS = ("1", "2", "3", "4", "5", "na")
LABELS = ("Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng",
          "Không áp dụng")

metadata = MetaData()
responses = Table("bench_reference_response", metadata,
                  Column("id", Integer, primary_key=True),
                  Column("token", String(60)), Column("comment", Text))
answers = Table("bench_reference_answer", metadata,
                Column("id", Integer, primary_key=True),
                Column("response_id", ForeignKey("bench_reference_response.id")),
                Column("item_code", String(10)), Column("value", Integer))

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Khảo sát mức độ hài lòng</title><link rel="stylesheet" href="/static/site.css"></head>
<body><header><p>Sở Nông nghiệp và Môi trường tỉnh Khánh Hòa</p></header>
<main><h1>Ông/Bà hài lòng thế nào với dịch vụ tại {{ counter }}?</h1>
<form method="post" action="/q/{{ token }}" novalidate>
<input type="hidden" name="nonce" value="{{ nonce }}">
{% for dimension in dimensions %}
<section class="dimension" aria-labelledby="d{{ loop.index }}">
<h2 id="d{{ loop.index }}">{{ loop.index }}. {{ dimension.name }}</h2>
{% for item in dimension["items"] %}
<fieldset class="statement" id="statement-{{ item.code }}">
<legend><span class="statement-number">{{ item.number }}.</span> {{ item.text }}</legend>
<div class="scale">
{% for value, label in levels %}
<div class="choice"><input type="radio" id="{{ item.code }}-{{ loop.index0 }}"
 name="{{ item.code }}" value="{{ value }}"><label for="{{ item.code }}-{{ loop.index0 }}">
<span class="choice-number">{{ value }}</span> {{ label }}</label></div>
{% endfor %}
</div></fieldset>
{% endfor %}
</section>
{% endfor %}
<label for="comment">Ý kiến khác (không bắt buộc)</label>
<textarea id="comment" name="comment" maxlength="2000" rows="4"></textarea>
<button type="submit">Gửi đánh giá</button>
</form></main>
<footer><p>Đường dây nóng: 0258 000 0000</p></footer></body></html>"""


CODES = ["TC1", "TC2", "TC3", "TC4", "TT1", "TT2", "TT3", "TT4", "CC1", "CC2", "CC3", "CC4",
         "CC5", "KQ1", "KQ2", "KQ3", "PA1", "PA2", "PA3"]


def create() -> Flask:
    """The reference app for gunicorn (``reference_survey:create()``) on DATABASE_URL, with
    the portal's engine settings; its tables are made beforehand (:func:`make_tables`)."""
    import os

    from portal.db import make_engine

    return make_app(make_engine(os.environ["DATABASE_URL"]), CODES, create_tables=False)


def make_tables(url: str) -> None:
    from portal.db import make_engine

    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()


def make_app(engine, codes: list[str], create_tables: bool = True) -> Flask:
    """The reference app on ``engine`` (its two tables created), asking ``codes``."""
    if create_tables:
        metadata.create_all(engine)
    dimensions = [{"name": f"Khía cạnh {number} của dịch vụ hành chính công", "items": []}
                  for number in range(1, 6)]
    for number, code in enumerate(codes, start=1):
        dimensions[min((number - 1) // 4, 4)]["items"].append({
            "code": code, "number": number,
            "text": f"Nội dung nhận định số {number} về việc tiếp nhận và giải quyết hồ sơ "
                    "của cơ quan, được viết đủ dài như trong phiếu thật."})
    levels = list(zip(LEVELS, LABELS, strict=True))
    app = Flask(__name__)
    page = app.jinja_env.from_string(PAGE)  # compiled once, as render_template caches it

    @app.get("/q/<token>")
    def form(token):
        return page.render(token=token, counter="Quầy 1", nonce="n" * 40,
                           dimensions=dimensions, levels=levels)

    @app.post("/q/<token>")
    def submit(token):
        values = {}
        for code in codes:
            value = request.form.get(code, "")
            if value not in LEVELS:
                return "bad answer", 400
            values[code] = None if value == "na" else int(value)
        comment = request.form.get("comment", "").strip()[:2000] or None
        with engine.begin() as connection:
            response_id = connection.execute(
                insert(responses).values(token=token, comment=comment)).inserted_primary_key[0]
            connection.execute(insert(answers), [
                {"response_id": response_id, "item_code": code, "value": value}
                for code, value in values.items()])
        return redirect(f"/q/{token}/thanks")

    return app


def drop(engine) -> None:
    metadata.drop_all(engine)
