"""De-identification on Vietnamese text: what must be masked and what must be kept."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.redact import LABELS, redact, segments

MASKED = [
    # phones: mobile, landline (Khánh Hòa 0258), +84, spaced, dotted, dashed
    ("Gọi cho tôi số 0905123456 nhé", "0905123456", "phone"),
    ("SĐT: 0905 123 456.", "0905 123 456", "phone"),
    ("liên hệ 0905.123.456", "0905.123.456", "phone"),
    ("điện thoại 090-512-3456", "090-512-3456", "phone"),
    ("máy bàn 02583 822 123 giờ hành chính", "02583 822 123", "phone"),
    ("số +84 905 123 456", "+84 905 123 456", "phone"),
    ("số (+84)905123456", "(+84)905123456", "phone"),
    ("số 84905123456", "84905123456", "phone"),
    ("gọi (0258) 3822 123 giờ hành chính", "(0258) 3822 123", "phone"),
    ("máy bàn 0258.3822.123.", "0258.3822.123", "phone"),
    ("ĐT 0258-3-822-123, gặp", "0258-3-822-123", "phone"),
    ("số cũ (058) 3822123", "(058) 3822123", "phone"),
    ("số +84 258 3822 123", "+84 258 3822 123", "phone"),
    ("gọi +84 (0) 905 123 456 nhé", "+84 (0) 905 123 456", "phone"),
    ("gọi 0084 905 123 456", "0084 905 123 456", "phone"),
    ("gọi 0905 12 34 56 buổi chiều", "0905 12 34 56", "phone"),
    ("0905123456.Cảm ơn", "0905123456", "phone"),
    # emails
    ("email nguyenvana@gmail.com để trả lời", "nguyenvana@gmail.com", "email"),
    ("Thư: tran.thi-b+pakn@khanhhoa.gov.vn", "tran.thi-b+pakn@khanhhoa.gov.vn", "email"),
    # ID numbers: CMND 9, CCCD 12, grouped
    ("CMND số 225123456 cấp năm 2010", "225123456", "id"),
    ("CCCD 056089001234 cấp ngày 10/5/2021", "056089001234", "id"),
    ("căn cước 056 089 001 234", "056 089 001 234", "id"),
    ("CCCD 0560 8900 1234 của tôi", "0560 8900 1234", "id"),
    ("CCCD số 056-089-001-234.", "056-089-001-234", "id"),
    ("CCCD 056.089.001.234 cấp", "056.089.001.234", "id"),
    ("CMND 225.123.456 cấp", "225.123.456", "id"),
    # passports, bank accounts and cards, dates of birth
    ("hộ chiếu số C1234567 còn hạn", "C1234567", "passport"),
    ("hộ chiếu B 7654321", "B 7654321", "passport"),
    ("số tài khoản 0071000123456 tại Vietcombank", "0071000123456", "account"),
    ("STK: 1903 5678 9012 34", "1903 5678 9012 34", "account"),
    ("thẻ 9704 1234 5678 9012 bị trừ tiền", "9704 1234 5678 9012", "account"),
    ("chuyển vào tài khoản 12345678 của tôi", "12345678", "account"),
    ("sinh ngày 12/05/1980 tại Nha Trang", "12/05/1980", "birth"),
    ("Năm sinh: 1975.", "1975", "birth"),
    # licence plates
    ("xe ô tô biển số 79A-123.45 đỗ trước cổng", "79A-123.45", "plate"),
    ("xe tải 79C12345 chở cát", "79C12345", "plate"),
    ("xe máy 79-H1 234.56 chạy", "79-H1 234.56", "plate"),
    ("xe 51LD-12345 của công ty", "51LD-12345", "plate"),
    ("xe 79H1-234.56", "79H1-234.56", "plate"),
    # addresses with a house number
    ("nhà tôi ở số 12 đường Trần Phú, phường Nha Trang", "số 12 đường Trần Phú", "address"),
    ("tại 45 Lê Lợi, phường Nha Trang", "45 Lê Lợi", "address"),
    ("địa chỉ 123/4 Nguyễn Trãi", "123/4 Nguyễn Trãi", "address"),
    ("hẻm 12/3 Nguyễn Thiện Thuật bị ngập", "hẻm 12/3 Nguyễn Thiện Thuật", "address"),
    ("số nhà 45, thôn Phước Lộc", "số nhà 45, thôn Phước Lộc", "address"),
    ("Ngõ 5 Hoàng Văn Thụ", "Ngõ 5 Hoàng Văn Thụ", "address"),
    ("ở 8B, đường Yersin", "8B, đường Yersin", "address"),
    # names: introduced, addressed with an honorific
    ("Tôi tên là Nguyễn Văn An, cư trú tại phường", "Nguyễn Văn An", "name"),
    ("Họ và tên: Trần Thị Bích Ngọc", "Trần Thị Bích Ngọc", "name"),
    ("Kính gửi: ông Lê Văn Tám", "Lê Văn Tám", "name"),
    ("cán bộ tên anh Hùng hướng dẫn rất tận tình", "Hùng", "name"),
    ("bà Phạm Thị Mai hàng xóm đổ rác", "Phạm Thị Mai", "name"),
    ("Chị Hoa ở bộ phận một cửa", "Hoa", "name"),
    ("Ông Nguyễn Văn A đề nghị", "Nguyễn Văn A", "name"),
    # names by their shape, without any lead-in; in capitals; without diacritics
    ("Hôm qua Lê Thị Hạnh ở bộ phận một cửa nói hồ sơ bị thất lạc", "Lê Thị Hạnh", "name"),
    ("Trần Văn Hùng đổ rác ra đường mỗi tối.", "Trần Văn Hùng", "name"),
    ("Tôi, NGUYỄN VĂN AN, đề nghị", "NGUYỄN VĂN AN", "name"),
    ("gửi Nguyen Van Binh trả lời", "Nguyen Van Binh", "name"),
    ("do Đỗ Minh Tuấn ký", "Đỗ Minh Tuấn", "name"),
    ("Chủ tịch UBND xã Trần Văn Hai đã hứa", "Trần Văn Hai", "name"),
    ("tổ trưởng Bình báo", "Bình", "name"),
    ("em la pham ngoc bao tran, sn 2001", "pham ngoc bao tran", "name"),
    ("vo hoang nam 20 long, le thi bich 8 long", "vo hoang nam", "name"),
    # given names in lower case after an honorific or a thank-you, with or without diacritics
    ("cảm ơn ngọc hân ở bộ phận một cửa", "ngọc hân", "name"),
    ("nhắn chị lan giùm em nha", "lan", "name"),
    ("cam on anh tuan nhieu", "tuan", "name"),
    ("Cảm ơn Ngọc Hân đã hướng dẫn", "Ngọc Hân", "name"),
    # a name in brackets before a job; the head of a village named after the job
    ("zalo gọi (Tuấn - chủ vựa phế liệu) báo", "Tuấn", "name"),
    ("Trưởng thôn Pi Năng Tiến đã gọi 1022", "Pi Năng Tiến", "name"),
    # a date of birth written again with a wrong year
    ("e sinh ngay 03/08/2001 ma so do ghi sai thanh 03/08/2010", "03/08/2010", "birth"),
    # forms typed in capitals; a passport of another country's shape; a signature
    ("HỘ CHIẾU SỐ C7654321 CỦA ÔNG ĐỖ QUANG VINH HẾT HẠN", "ĐỖ QUANG VINH", "name"),
    ("ĐỊA CHỈ: SỐ 45 NGUYỄN THIỆN THUẬT, PHƯỜNG NHA TRANG", "SỐ 45 NGUYỄN THIỆN THUẬT",
     "address"),
    ("NHA O SO 7 HEM 12 HUNG VUONG, DE NGHI CAP LAI", "SO 7 HEM 12 HUNG VUONG", "address"),
    ("Nhà đầu tư Kim Min-jun (hộ chiếu M12345678) đề nghị", "M12345678", "passport"),
    ("Nhà đầu tư Kim Min-jun (hộ chiếu M12345678) đề nghị", "Kim Min-jun", "name"),
    ("e chi chuyen loi thoi — Vy", "Vy", "name"),
    ("a oi e la tuan o so 15 le thanh ton nha", "tuan", "name"),
    ("a oi e la tuan o so 15 le thanh ton nha", "so 15 le thanh ton", "address"),
    ("Vợ chồng anh Lê Minh Tâm (12/03/1985) đề nghị", "12/03/1985", "birth"),
    ("bien so 79c 089 76 xa chat thai", "79c 089 76", "plate"),
    # a house number in a lot or a flat, also in a form typed in capitals
    ("nhà ở lô B12 khu đô thị", "lô B12", "address"),
    ("căn hộ 1205 tòa nhà", "căn hộ 1205", "address"),
    ("ĐỊA CHỈ: CĂN HỘ A-1508 CHUNG CƯ CT2 VĨNH ĐIỀM TRUNG, PHƯỜNG BẮC NHA TRANG", "A-1508",
     "address"),
]


@pytest.mark.parametrize("text,personal,kind", MASKED)
def test_personal_details_are_masked(text, personal, kind):
    result = redact(text)
    assert personal not in result.text
    assert LABELS[kind] in result.text
    assert any(mask.kind == kind and personal in mask.original for mask in result.masks)


KEPT = [
    "Căn cứ Điều 9 Nghị định số 20/2008/NĐ-CP ngày 14/02/2008 của Chính phủ",
    "theo Công văn số 123/STNMT-VP ngày 05/3/2026",
    "Thủ tục 1.004227 có thời hạn 15 ngày làm việc",
    "lệ phí 1.500.000 đồng cho 3 hồ sơ",
    "thửa đất số 123, tờ bản đồ số 45 tại phường Nha Trang",
    "Khoản 2 Điều 7 Luật Tiếp công dân 2013",
    "từ ngày 14/02/2026 đến ngày 22/02/2026",
    "tỉnh Bà Rịa - Vũng Tàu cũ và đường Ông Ích Khiêm",
    "diện tích 250,5 m2 và 0,3 ha",
    "Quyết định 31/2021/QĐ-TTg và Thông tư 01/2018/TT-VPCP",
    "Tôi đề nghị Sở xem xét. Chị có thể gọi lại.",
    "năm 2025 có 1250 hồ sơ, 98 hồ sơ trễ hạn",
    "đường dây nóng 1900 1234",
    "Sở Nông nghiệp và Môi trường tỉnh Khánh Hòa",
    "vào lúc 14:30 ngày 3 tháng 2",
    "lệ phí 150.000.000 đồng, bồi thường 2.350.000.000 đ",
    "tổng số tiền 150.000.000 chưa được trả",
    "hồ sơ H34.26-260315-0001 và 000.00.19.H34-260301-0012",
    "mã PA-2026-000123K, ngày 05-4-2026, 1.250,5 m²",
    "đường Trần Phú, đường Lê Thánh Tôn và phố Nguyễn Thị Minh Khai",
    "Trường THPT Lý Tự Trọng và Trường Tiểu học Trần Quốc Toản",
    "Công ty TNHH Hoàng Long ở phường Vĩnh Hải, thôn Võ Cạnh",
    "TP. Hồ Chí Minh, Hà Nội, Lâm Đồng và Phan Rang",
    "Đỗ xe trái phép. HỒ SƠ BỊ THẤT LẠC HAI LẦN",
    "đường dây nóng 1900 1234 hoặc 1022",
    "toi muon phan anh thai do phuc vu cua can bo o do thi moi",
    "Tôi phản ánh thái độ phục vụ của cán bộ vụ hành chính công",
    # everyday words after an honorific or a thank-you that fold like given names
    "cần chú trọng công tác, trẻ em trong hẻm, nhiều cụ già, em cảm ơn, anh dũng hy sinh",
    "cảm ơn quý cơ quan, cảm ơn thanh tra sở và trung tâm, cảm ơn anh chị nhiều",
    "Xin cảm ơn Quý vị, cảm ơn Đảng và Nhà nước, cảm ơn Trưởng phòng đã xuống",
    "trưởng thôn Võ Cạnh báo; ngày 03/08/2010 đo đạc (Nha Trang - nơi du lịch)",
    # capitals that are not names; a list of streets; the department's published landline
    "KHÁCH SẠN Ở ĐƯỜNG TRẦN PHÚ XẢ NƯỚC THẢI, TẬP THỂ HỘ DÂN THÔN TÂN KHÁNH KHÔNG NHẬN",
    "Tuyến đường Nguyễn Thị Minh Khai, Lê Thánh Tôn, Trần Quang Khải và Phạm Văn Đồng bị ngập",
    "Đường dây nóng của Sở Nông nghiệp và Môi trường: 0258.3822.579 (giờ hành chính)",
    "xử phạt theo Nghị định 45/2022/NĐ-CP. Tòa án nhân dân khu vực 1 – Khánh Hòa",
    "gặp cán bộ tư pháp; hỏi tiến độ; nhận tiền hỗ trợ; công dân Việt Nam",
]


@pytest.mark.parametrize("text", KEPT)
def test_legal_references_dates_amounts_and_places_are_kept(text):
    result = redact(text)
    assert result.text == text, result.masks


def test_the_senders_own_name_is_masked_wherever_it_appears_in_any_case():
    text = "Nguyễn Văn An gửi. Tôi, NGUYỄN VĂN AN, đề nghị; ký tên: nguyễn văn an"
    result = redact(text, known_names=["Nguyễn Văn An"])
    assert "an" not in result.text.lower().replace("[họ tên]", "").split()
    assert result.text.count("[họ tên]") == 3


def test_a_whole_letter_keeps_its_sense_and_loses_every_detail():
    letter = ("Kính gửi: Sở Nông nghiệp và Môi trường. Tôi tên là Trần Văn Bình, CCCD "
              "056089001234, ở số 12 đường Trần Phú, phường Nha Trang, điện thoại 0905 123 456, "
              "email binh.tv@gmail.com, sinh năm 1980, hộ chiếu C1234567, tài khoản "
              "0071000123456. Xe tải biển số 79C-123.45 đổ đất trái phép tại hẻm 7 "
              "Lê Thánh Tôn theo Điều 9 Nghị định số 20/2008/NĐ-CP.")
    result = redact(letter)
    for detail in ("Trần Văn Bình", "056089001234", "12 đường Trần Phú", "0905 123 456",
                   "binh.tv@gmail.com", "79C-123.45", "hẻm 7"):
        assert detail not in result.text
    for kept in ("phường Nha Trang", "Điều 9 Nghị định số 20/2008/NĐ-CP", "đổ đất trái phép",
                 "Sở Nông nghiệp và Môi trường"):
        assert kept in result.text
    assert {mask.kind for mask in result.masks} == set(LABELS)


def test_segments_mark_each_mask_for_highlighting():
    text = redact("Gọi 0905123456 hoặc email a@b.vn nhé").text
    parts = segments(text)
    assert "".join(piece for piece, _ in parts) == text
    assert [piece for piece, mark in parts if mark] == ["[số điện thoại]", "[email]"]
    assert segments("") == [] and segments(None) == []


def test_names_kept_as_places_are_listed_for_review():
    text = "Nhà ở đường Trần Phú gần Công ty TNHH Hoàng Long; [họ tên] đổ rác."
    assert redact(text).kept and {piece for piece, mark in segments(text) if mark} == {
        "Trần Phú", "Hoàng Long", "[họ tên]"}
    assert dict((piece, mark) for piece, mark in segments(text) if mark) == {
        "Trần Phú": "kept", "Hoàng Long": "kept", "[họ tên]": "masked"}


def test_empty_text_gives_nothing():
    assert redact(None).text == "" and redact("").masks == ()


@given(st.text(max_size=300))
def test_any_text_redacts_without_error_and_masks_do_not_overlap(text):
    result = redact(text, known_names=["Lê Văn Tám"])
    positions = [(mask.start, mask.end) for mask in result.masks]
    pairs = zip(positions, positions[1:], strict=False)
    assert all(end <= next_start for (_, end), (next_start, _) in pairs)
    assert all(text[start:end] for start, end in positions)


@pytest.mark.parametrize("text", ["Kính gửi: Sở Nông nghiệp và Môi trường",
                                  "Kính gửi Ủy ban nhân dân phường Nam Nha Trang",
                                  "Kính gửi: Quý cơ quan"])
def test_letters_addressed_to_an_organisation_keep_its_name(text):
    assert redact(text).text == text


def test_the_senders_known_address_is_masked_but_the_ward_kept():
    text = "Nhà tôi ở 99 Sentinelroad, phường Nha Trang; số 99 Sentinelroad bị ngập."
    result = redact(text, known_addresses=["số 99 Sentinelroad, phường Nha Trang, Khánh Hòa"])
    assert "Sentinelroad" not in result.text and "phường Nha Trang" in result.text


def test_one_capitalised_word_after_so_and_a_number_is_a_street():
    assert redact("ở số 8 Yersin bị ngập").text == "ở [địa chỉ] bị ngập"
