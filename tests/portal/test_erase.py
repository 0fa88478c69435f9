"""Erasure of a known person's details (portal.redact.erase, used by feedback/erasure.py):
wherever and however they were written, and only them when the heuristics are off."""
import pytest

from portal.redact import Known, erase

_PERSON = Known(names=("Trần Văn Bình", "Xylo Quortzé"), addresses=("12 Hẻm Zeta, phường Lộc Thọ",),
                phones=("0905 123 456",), emails=("binh.tran@example.vn",))


@pytest.mark.parametrize(("written", "left"), [
    ("Gọi 0905.123.456, +84 905 123 456, (090) 5123-456 hoặc 84905123456.",
     "Gọi [số điện thoại], [số điện thoại], ([số điện thoại] hoặc [số điện thoại]."),
    ("TRAN VAN BINH và tran  van binh", "[họ tên] và [họ tên]"),
    ("Thư gửi BINH.TRAN@EXAMPLE.VN", "Thư gửi [email]"),
    ("Ở 12 hẻm zeta, phường Lộc Thọ.", "Ở [địa chỉ]."),
    ("Đã gọi ông Quortzé; anh Bình nói.", "Đã gọi ông [họ tên]; anh [họ tên] nói."),
    ("Anh QUORTZÉ gửi lại", "Anh [họ tên] gửi lại"),
    ("Đường Trần Phú, xã Bình Lộc; Văn bản số 12.", "Đường Trần Phú, xã Bình Lộc; Văn bản số 12."),
])
def test_erase_finds_the_known_details_however_they_are_written(written, left):
    assert erase(written, _PERSON, heuristics=False) == left


def test_erase_also_de_identifies_unless_told_not_to():
    text = "Hàng xóm Nguyễn Thị Lan gọi 0912 000 111."
    assert erase(text, _PERSON) == "Hàng xóm [họ tên] gọi [số điện thoại]."
    assert erase(text, _PERSON, heuristics=False) == text
    assert erase(None, _PERSON) is None and erase("", _PERSON) == ""
    assert erase("Bình thường", Known()) == "Bình thường"


@pytest.mark.parametrize(("name", "written"), [
    # one part of a name is masked after "ông", "chị"… only, with its own accents
    ("Lê Minh Quân", "Cơ quan có thẩm quyền đã trả lời."),
    ("Nguyễn Tiến Đạt", "Thửa đất có đất ở và đất vườn."),
    ("Trần Văn Quyết", "Quyết định số 12 đã giải quyết."),
    ("Trần Thị Lan", "Nhà bên cạnh em lấn sang."),
])
def test_erase_leaves_ordinary_words_that_look_like_a_part_of_the_name(name, written):
    assert erase(written, Known(names=(name,)), heuristics=False) == written


def test_an_address_without_a_number_is_not_erased_everywhere():
    person = Known(addresses=("Nha Trang",), phones=("0905123456",))
    assert erase("Ở Nha Trang, gọi (090) 5123-456.", person, heuristics=False) \
        == "Ở Nha Trang, gọi ([số điện thoại]."
