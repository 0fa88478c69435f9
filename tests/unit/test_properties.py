"""Property tests: the pure text rules hold for any input, not just the examples we thought of."""
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.pages.procedure_import import parse_import
from portal.templating import paragraphs
from portal.text import fold, search_terms

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợ" \
             "ùúủũụừứửữựỳýỷỹỵ"


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@given(st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " "))
def test_folded_vietnamese_is_plain_ascii(text):
    assert fold(text).isascii()


@given(st.text())
def test_search_terms_are_bounded(text):
    terms = search_terms(text)
    assert len(terms) <= 8 and all(len(term) <= 200 for term in terms)


@given(st.text())
def test_paragraphs_never_let_markup_through(text):
    html = str(paragraphs(text))
    stripped = html
    for tag in ("<p>", "</p>", "<br>", "<ul>", "</ul>", "<li>", "</li>", "<h2>", "</h2>"):
        stripped = stripped.replace(tag, "")
    assert "<" not in stripped and ">" not in stripped


@settings(max_examples=300)
@given(st.binary(max_size=2000), st.sampled_from(["a.csv", "a.json", "a.txt"]))
def test_any_bytes_give_rows_or_problems_never_an_exception(data, name):
    result = parse_import(data, name, max_bytes=10_000)
    assert result.ok or result.problems


@settings(max_examples=200)
@given(st.lists(st.dictionaries(st.sampled_from(["code", "name", "field", "level", "steps"]),
                                st.one_of(st.text(max_size=30), st.integers(), st.none(),
                                          st.lists(st.text(max_size=5), max_size=3)))))
def test_any_json_shape_gives_rows_or_problems(items):
    result = parse_import(json.dumps(items).encode(), "a.json", max_bytes=100_000)
    assert result.ok or result.problems
    assert not (result.rows and result.problems)
