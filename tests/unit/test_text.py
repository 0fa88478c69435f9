from portal.text import clean_text, fold, like_escape, search_terms


def test_fold_removes_vietnamese_diacritics_and_case():
    assert fold("Đất  đai") == "dat dai"
    assert fold("KHOÁNG SẢN") == "khoang san"
    assert fold("Tài nguyên nước") == "tai nguyen nuoc"
    assert fold("Đo đạc và bản đồ") == "do dac va ban do"


def test_fold_treats_composed_and_decomposed_text_alike():
    composed = "Thủ tục"
    decomposed = "Thu\u0309 tu\u0323c"
    assert fold(composed) == fold(decomposed) == "thu tuc"


def test_fold_of_nothing_is_empty():
    assert fold(None) == "" and fold("") == ""


def test_like_escape_makes_wildcards_literal():
    assert like_escape("100%_x\\") == "100\\%\\_x\\\\"


def test_search_terms_are_folded_unique_and_bounded():
    assert search_terms("Đất đai đất") == ["dat", "dai"]
    assert len(search_terms("a b c d e f g h i j k")) == 8
    assert search_terms("x" * 10_000) == ["x" * 200]
    assert search_terms(None) == []


def test_clean_text_normalises_line_ends_and_drops_control_characters():
    assert clean_text("  a\r\nb\rc\x00\x07 ") == "a\nb\nc"
    assert clean_text("tab\tkept") == "tab\tkept"
