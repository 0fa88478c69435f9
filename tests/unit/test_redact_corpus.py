"""The de-identification pass measured on the labelled corpus (tests/unit/redact_corpus.py):
at least 99 % of the personal-data spans caught, at least 90 % of the masks on personal data
(issue 10's targets; the figures are in docs/de-identification.md)."""
from portal import redact
from tests.unit import redact_corpus
from tests.unit.redact_corpus import Span

KINDS = {redact.NAME, redact.PHONE, redact.EMAIL, redact.ID_NUMBER, redact.PASSPORT,
         redact.ACCOUNT, redact.PLATE, redact.ADDRESS, redact.BIRTH}


def test_the_corpus_is_large_and_labelled_with_known_kinds():
    examples = redact_corpus.load()
    assert len(examples) >= 200
    kinds = {span.kind for _, spans in examples for span in spans}
    assert kinds == KINDS
    assert sum(1 for _, spans in examples if not spans) >= 20  # sentences with nothing to mask


def test_recall_and_precision_meet_the_targets():
    score = redact_corpus.score()
    assert score.recall >= 0.99, score.misses
    assert score.precision >= 0.90, score.wrong


def test_a_span_with_one_digit_left_is_a_miss_and_a_mask_on_kept_text_is_wrong():
    text = "Gọi 0905 123 456 theo Điều 9"
    score = redact_corpus.score([(text, [Span("phone", 4, 16)])])
    assert score.recall == 1 and score.precision == 1
    # a labelled number the masker does not take (five digits) is a miss
    assert redact_corpus.score([("mã 12345 đây", [Span("id", 3, 8)])]).recall == 0
    assert redact_corpus.score([("Nhà Lê Văn Tám", [])]).precision == 0
    assert redact_corpus.score([("ông Tám", [Span("name", 4, 7)]), ("gặp tam rồi", [
        Span("name", 4, 7)])]).recall == 0.5
