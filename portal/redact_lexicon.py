"""Word lists of the de-identification pass (:mod:`portal.redact`). Pure data.

Kept apart so that the department can read and extend them without reading the patterns.
"""
from __future__ import annotations

# Vietnamese family names (họ) common enough to start a name found by its shape, with and
# without diacritics. Left out on purpose: family names that are far more often ordinary words
# or place names at the start of a capitalised phrase (Văn, An, Từ, Phí, Nông, Đồng, Ninh, Lạc,
# Giang, Quan, Âu, Hồng).
FAMILY_NAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Lương", "Trương", "Đinh", "Đào", "Đoàn", "Vương", "Trịnh",
    "Mai", "Cao", "Lâm", "Tô", "Tạ", "Hà", "Thái", "Châu", "Quách", "Phùng", "Kiều", "Lưu",
    "Tăng", "Triệu", "Mạc", "Hứa", "Tôn", "Thân", "Chu", "Lại", "Nghiêm", "Khúc", "Doãn",
    "Giáp", "Bạch", "Đàm", "Diệp", "Kim", "Khổng", "Tống", "Đậu", "Lã", "Khương", "Trình",
    "Lục", "Thạch", "Văng", "Nhan", "Vi", "Lò", "Hầu", "Mẫn", "Cù", "Ung", "Viên",
    "Nguyen", "Tran", "Le", "Pham", "Hoang", "Huynh", "Vu", "Vo", "Dang", "Bui", "Do", "Ho",
    "Ngo", "Duong", "Ly", "Luong", "Truong", "Dinh", "Dao", "Doan", "Vuong", "Trinh", "Lam",
    "To", "Ta", "Ha", "Thai", "Chau", "Quach", "Phung", "Kieu", "Luu", "Tang", "Trieu", "Mac",
    "Hua", "Ton", "Than", "Lai", "Nghiem", "Khuc", "Doan", "Giap", "Bach", "Dam", "Diep",
    "Âu Dương", "Tôn Thất", "Tôn Nữ", "Công Tằng Tôn Nữ", "Kha", "Sầm", "Phù", "Mấu",
    # ethnic minorities of Khánh Hòa and the Central Highlands (Raglai, Chăm, Cơ Ho, Ê Đê)
    "Pi Năng", "Pinăng", "Chamaléa", "Katơr", "Katơ", "Bo Bo", "Đàng", "Thiên Sanh", "Trượng",
    "Ksor", "Rơmah", "Êban", "Niê", "Mlô", "Byă", "Kpă", "Siu", "Touneh", "Liêng", "Ka",
    "Chamalea", "Pinang", "Pi Nang", "Kator", "Dang", "Quảng", "Chế", "Thập", "Lộ", "Tiết",
)

# Common Vietnamese middle and given names, folded (no diacritics): a name typed entirely in
# lower case ("em la pham ngoc bao tran") is a family name followed by two or three of them.
GIVEN_NAMES = frozenset("""
an anh bao bich binh cam cuong chau chi chinh cong dai dan danh dao dat diem diep dinh doan
dong duc dung duy duong gia giang ha hai han hang hanh hao hau hien hieu hoa hoai hoan hoang
hong hue hung huong huy huyen khang khanh khoa khoi kien kim lam lan linh loan loc long luan
luong ly mai manh minh my nam nga ngan nghia ngoc nguyen nhan nhat nhi nhu nhung oanh phat
phong phu phuc phuong quan quang quoc quy quyen quynh sang son tai tam tan thach thai thang
thanh thao thi thien thinh tho thu thuan thuy thuong tien tin toan trang tran tri trinh trong
truc trung truong tu tuan tuong tuyen tuyet uyen van viet vinh vu vy xuan yen le lieu suong
sen thom tram loi hop ut
""".split())

# The same given names as written with diacritics, lower case: typed with them, a given name is
# told apart from the everyday word that folds to the same letters ("trọng" from "trong",
# "Gia" from "già", "Đức" from "đục").
ACCENTED_GIVEN_NAMES = frozenset("""
an ân anh ánh bảo bích bình cầm cẩm cường châu chi chí chinh chính công đại dân danh đào đạt
diễm diệp định đình đoan doãn đông đồng đức dũng duy dương gia giang hà hạ hải hân hằng hạnh
hào hảo hậu hiền hiếu hoa hòa hoà hoài hoàn hoàng hồng huệ hùng hương huy huyền khang khánh
khoa khôi kiên kiệt kim lâm lan linh loan lộc long luân lương ly lý mai mạnh minh my mỹ nam nga
ngân nghĩa ngọc nguyên nhàn nhân nhật nhi như nhung oanh phát phong phú phúc phương quân quang
quốc quý quyên quỳnh sang sơn tài tâm tân thạch thái thắng thanh thảo thiện thịnh thọ thu thuận
thủy thúy thuỷ thương tiến tín toàn trang trân trí trinh trọng trúc trung trường tú tuấn tường
tuyền tuyết uyên việt vinh vũ vy xuân yến lệ liễu mỹ sương sen tình thơm trâm ý lợi hợp
hai ba tư năm sáu bảy tám chín mười út
""".split())

# Everyday phrases that, typed without diacritics, begin like a name ("phan anh" is "phản
# ánh", "do thi" is "đô thị") or like an honorific and a given name ("chú trọng", "anh dũng"):
# a lower-case name never starts with one of them.
COMMON_PHRASES = frozenset("""
phan anh|do thi|ho so|le phi|ly do|thai do|vu viec|ha tang|dinh ky|do dac|to chuc|lam viec
|cao toc|dang ky|do phuc|tran nha|vu khi|tu thien|hoang hon|hoa don|truong hop|giang vien
|chu tich|vi tri|ly lich|luong thuc|phan hoi|phan cong|phan tich|le hoi|tan thanh|hoa binh
|thanh tra|trung tam|chinh quyen|nhan dan|nhan vien|phong tai|phong ban|doan cong|doan kiem
|quy co|quy so|quy vi|quy ong|quy ba|quy anh|quy ban|quy lanh|tan tinh|anh chi|em hong
|chu trong|chu tam|bac tai|anh dung|anh minh|anh linh|anh van|anh quoc|anh tai|anh hao
|thanh pho|thanh vien|thanh lap|thanh toan|hanh chinh|chinh sach|cong tac|cong an|cong dan
|nam nay|nam ngoai|nam qua|nam truoc|nam sau|nam roi|ba muoi|ba nguoi|ba ngay|ba lan|ba thang
|ba nam|hai muoi|hai nguoi|hai ngay|hai lan|hai thang|hai nam|bao tin|nhan tin|goi lai|hoi lai
|bao lai|tien do|tu phap|tu van|nhan tien|le phi|hop dong|hop tac|hop le|hop ly|loi ich
|tam thoi|tam tru|tu nhan|tu ngay
""".replace("\n", "").split("|"))

# Honorifics and kinship words that address a person ("ông Tám", "chị Hoa").
HONORIFICS = ("ông", "bà", "anh", "chị", "em", "cô", "chú", "bác", "cụ", "cháu", "thím", "dì",
              "cậu", "mợ", "thầy", "ong")

# Words naming a person's job or relation, after which a capitalised word is their name
# ("cán bộ Hùng", "tổ trưởng Bình", "con trai tôi là Nam").
ROLE_WORDS = (
    "cán bộ", "công chức", "viên chức", "chuyên viên", "nhân viên", "kế toán", "thủ quỹ",
    "tổ trưởng", "tổ phó", "giám đốc", "phó giám đốc", "chủ tịch", "phó chủ tịch", "bảo vệ",
    "tài xế", "lái xe", "chủ nhà", "chủ xe", "chủ hộ", "chủ đất",
    "chủ cơ sở", "chủ quán", "chủ thầu", "hộ ông", "hộ bà", "hộ gia đình", "con trai",
    "con gái", "vợ", "chồng", "bố", "mẹ", "người tên", "tên là", "tên", "ten", "ten la",
    "con rể", "con dâu", "anh trai", "chị gái", "em trai", "em gái", "cháu nội", "cháu ngoại",
    "kỹ sư", "KS.", "ThS.", "TS.", "bác sĩ", "kiểm lâm", "kiểm lâm viên", "kiểm lâm địa bàn",
    "người trả lời", "người liên hệ", "đầu mối", "thuyền trưởng", "chủ tàu", "chủ ghe",
    "chủ hồ", "chủ trại", "tổ trưởng tổ nhân dân", "tổ trưởng tổ dùng nước", "người đại diện",
    "đại diện", "đồng chí", "đ/c", "chủ tài khoản", "chu tai khoan", "tai xe", "em là", "cháu là",
    "con là", "mình là", "mình tên", "e ten", "toi ten", "toi la",
    "luật sư", "kiểm soát viên", "thanh tra viên", "địa chính", "cán bộ địa chính",
    "người nhận", "người ký", "ký tên", "người làm chứng", "nhân chứng", "hàng xóm",
    "công dân", "khách du lịch", "du khách", "nhà đầu tư", "khách hàng", "người thuê",
)

# Jobs named after a place ("chủ tịch xã", "trưởng thôn"): one capitalised word after them is
# a person ("Chủ tịch xã Lượng"), more are the place ("trưởng thôn Võ Cạnh").
AREA_ROLE_WORDS = (
    "chủ tịch xã", "chủ tịch phường", "phó chủ tịch xã", "phó chủ tịch phường", "công an xã",
    "công an phường", "cán bộ xã", "cán bộ phường", "địa chính xã", "địa chính phường",
    "trưởng thôn", "trưởng ấp", "trưởng khu phố", "tổ trưởng tổ dân phố", "trưởng buôn",
    "bí thư xã", "bí thư phường", "bí thư chi bộ",
)

# Words that open the name of an organisation, a body or a document, not of a person
# ("Kính gửi: Sở …", "cán bộ Phòng Tài nguyên").
ORGANISATION_WORDS = (
    "Sở", "Ủy", "Uỷ", "UBND", "HĐND", "Phòng", "Bộ", "Hòn", "Núi", "Sông", "Suối", "Đèo",
    "Đầm", "Vịnh", "Bãi", "Cầu", "Chợ", "Quầy", "Trạm", "Chi cục", "Chi nhánh", "Chi bộ",
    "Trung tâm", "Trung ương", "Văn phòng", "Văn bản", "Ban", "Công ty", "Công an",
    "Công văn", "Công đoàn", "Cục", "Tổng cục", "Tổng công ty", "Thanh tra", "Hội đồng",
    "Hội Nông dân", "Hội Phụ nữ", "Hội Cựu chiến binh", "Đoàn kiểm tra", "Đoàn công tác",
    "Đoàn Thanh niên", "Trường THPT", "Trường THCS", "Trường Tiểu", "Trường Mầm", "Trường Đại",
    "Trường Cao", "Trường Trung", "Trường học", "Bệnh viện", "Ngân hàng", "Chính phủ",
    "Chính quyền", "Quốc hội", "Quốc lộ", "Tỉnh", "Thành phố", "Thành ủy", "Huyện", "Xã",
    "Phường", "Đội", "Lãnh đạo", "Quý cơ quan", "Quý Sở", "Quý Ban", "Quý Phòng", "Quý Ủy",
    "Quý UBND", "Quý Chi", "Quý Trung", "Quý lãnh đạo", "Các", "Bộ phận", "Tòa", "Viện",
    "Kho", "Quỹ", "Hợp tác", "HTX", "Tập đoàn", "Doanh nghiệp", "Nhà nước", "Nhà máy", "Khu",
    "Cảng", "Đài", "Báo", "Nghị", "Luật", "Thông tư", "Thông báo", "Quyết", "Điều", "Khoản",
    "Mục", "Chương", "Giấy", "Tờ", "Hồ sơ", "Mã số", "Mã hồ sơ", "Mã thủ tục",
    "Mã TTHC", "Mã QR", "Ngày", "Tháng", "Năm", "Theo", "Căn",
    "Tại", "Về", "Đề", "Kính", "Trân", "Xin", "Cảm", "Tôi", "Chúng", "Gia đình", "Dự án",
    "Đường", "Phố", "Thôn", "Ấp", "Tổ", "Lô", "Thửa", "Hẻm", "Việt kiều", "CCCD", "CMND",
    "ĐT", "SĐT", "UB", "CA", "CSGT", "Cty", "TNHH", "MST", "KS", "ThS", "TS", "PGS", "GS",
    "BS", "Giám đốc", "Giám", "Phó Giám", "Phó Chánh", "Phó Chủ", "Phó Trưởng", "Phó Chi",
    "Phó Hạt", "Chánh", "Hạt", "Đảng", "Quý vị", "Quý khách", "Quý cán bộ", "Trưởng",
    "Chủ tịch", "Chủ nhiệm", "Bí thư", "THCS", "THPT", "KCN", "CCN", "KDC", "KĐT",
)

# Words after which capitalised words name a place, a street, a school or a company:
# "đường Trần Phú", "Trường THPT Lý Tự Trọng", "phường Vĩnh Hải", "Công ty TNHH Hoàng Long".
STREET_WORDS = (
    "đường", "phố", "tuyến đường", "tuyến phố", "đại lộ", "quốc lộ", "tỉnh lộ", "hương lộ",
    "ngã tư", "ngã ba", "ngã năm", "nút giao", "vòng xoay", "cầu", "chợ", "bến", "cảng",
    "công viên", "quảng trường", "trường", "THPT", "THCS", "tiểu học", "mầm non", "mẫu giáo",
    "Tiểu học", "Mầm non", "Mẫu giáo", "Trung học cơ sở", "Trung học phổ thông", "Quốc lộ",
    "bệnh viện", "trạm y tế", "khu đô thị", "khu dân cư", "khu phố", "chung cư", "tòa nhà",
    "chùa", "nhà thờ", "tượng đài", "lăng", "đền", "giao với", "góc", "hẻm", "kiệt",
    "ngõ", "ngách", "mang tên", "duong", "pho", "truong", "cau", "cho", "khu xử lý", "bãi rác",
    "trạm", "cụm công nghiệp",
)
# Words after which capitalised words (within a few words) name a business.
COMPANY_WORDS = (
    "công ty", "cty", "TNHH", "cổ phần", "doanh nghiệp", "DNTN", "hợp tác xã", "HTX",
    "tập đoàn", "cửa hàng", "khách sạn", "nhà hàng", "nhà máy", "xí nghiệp", "cơ sở",
    "trang trại", "resort", "siêu thị", "đại lý", "nhà sách", "khu xử lý", "bãi rác",
)
AREA_WORDS = (
    "phường", "xã", "quận", "huyện", "tỉnh", "thành phố", "TP", "TP.", "Tp", "Tp.", "tp",
    "tp.", "thị xã", "thị trấn", "thôn", "ấp", "buôn", "làng", "xóm", "tổ dân phố",
    "sông", "suối", "núi", "đèo", "đảo", "hòn", "bãi", "vịnh", "đầm", "hồ", "biển", "miền",
    "kênh", "mương", "rạch", "kè", "cống", "đập",
    "thon", "xa", "phuong", "huyen", "tinh", "quan", "ap", "khu pho", "to dan pho", "p.",
    "x.", "q.", "h.",
)

# Places and public figures whose names have a person's shape (a family name first).
PLACES = (
    "Hồ Suối Dầu", "Hai Bà Trưng", "Bác Ái", "Hồ Chí Minh", "Hà Nội", "Hà Tĩnh", "Hà Giang",
    "Hà Nam", "Hà Đông", "Hà Tiên", "Hà Lan",
    "Lâm Đồng", "Cao Bằng", "Cao Lãnh", "Thái Bình", "Thái Nguyên", "Thái Lan", "Phan Rang",
    "Phan Rang-Tháp Chàm", "Phan Rang - Tháp Chàm", "Phan Thiết", "Phan Rí", "Lý Sơn",
    "Châu Âu", "Châu Á", "Châu Phi", "Châu Mỹ", "Châu Đốc", "Châu Thành", "Hồ Tây", "Mai Châu",
    "Tô Lịch", "Hoàng Sa", "Lương Sơn", "Kim Bảng", "Kim Sơn", "Lâm Hà", "Đà Lạt", "Hồ Gươm",
    "Đoàn Thanh niên", "Đoàn Thanh Niên", "Mai Linh", "Tô Hiến Thành", "Ông Ích Khiêm",
    "Bà Rịa", "Bà Chiểu", "Bà Điểm", "Bà Đen", "Bà Huyện Thanh Quan", "Bà Triệu", "Cô Giang",
    "Cô Bắc", "Cô Tô", "Bà Nà", "Bà Hom", "Bà Lài", "Vĩnh Hải", "Vĩnh Phước", "Vĩnh Nguyên",
    "Ha Noi", "Ho Chi Minh", "Lam Dong", "Thai Binh", "Thai Nguyen", "Phan Rang", "Phan Thiet",
    "Khánh Hòa", "Khánh Hoà", "Nha Trang", "Cam Ranh", "Ninh Hòa", "Vạn Ninh", "Diên Khánh",
    "Khánh Vĩnh", "Khánh Sơn", "Cam Lâm", "Ninh Thuận", "Việt Nam", "Võ Cạnh", "Vi Bằng",
    "Kim Ngân", "Mai Vàng", "Hoàng Gia", "Vương Quốc", "Tôn Giáo",
)
