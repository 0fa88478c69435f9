from portal.templating import paragraphs


def test_paragraphs_escape_html():
    html = str(paragraphs("<script>alert(1)</script>"))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_paragraphs_make_lists_headings_and_paragraphs():
    html = str(paragraphs("## Quy định\n\nDòng một\ndòng hai\n\n- a\n- b\n\nCuối"))
    assert html == ("<h2>Quy định</h2>\n<p>Dòng một<br>dòng hai</p>\n<ul>\n<li>a</li>\n"
                    "<li>b</li>\n</ul>\n<p>Cuối</p>")


def test_paragraphs_of_nothing_is_empty():
    assert str(paragraphs(None)) == ""


def test_paragraph_headings_take_the_level_asked_for():
    assert str(paragraphs("## Ghi chú", 3)) == "<h3>Ghi chú</h3>"
