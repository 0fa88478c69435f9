"""Reply templates per outcome: the usual wording of the department's answers, which the
officer completes. Official letters are written in Vietnamese (NĐ 20/2008 Điều 7 k1)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.workdays import VIETNAM

REPLY_TEMPLATES = {
    "competence": (_l("Answer: within the department's competence"), (
        "Sở Nông nghiệp và Môi trường đã nhận được phản ánh, kiến nghị {code} ngày {received}.\n\n"
        "Sau khi xem xét, Sở trả lời như sau:\n\n"
        "[nội dung trả lời, căn cứ pháp lý]\n\n"
        "Trân trọng cảm ơn ông/bà đã phản ánh, kiến nghị.")),
    "conduct": (_l("Answer: conduct of officials"), (
        "Sở Nông nghiệp và Môi trường đã nhận được phản ánh {code} ngày {received} về hành vi "
        "của cán bộ, công chức.\n\n"
        "Sở đã kiểm tra, xác minh và xử lý như sau:\n\n"
        "[kết quả kiểm tra, biện pháp xử lý, chấn chỉnh]\n\n"
        "Trân trọng cảm ơn ông/bà đã góp ý để Sở nâng cao chất lượng phục vụ.")),
    "not_accepted": (_l("Not accepted: what was missing"), (
        "Phản ánh, kiến nghị {code} ngày {received} chưa đủ điều kiện để xem xét, xử lý theo "
        "Điều 7 Nghị định số 20/2008/NĐ-CP, vì: [lý do].\n\n"
        "Đề nghị ông/bà bổ sung và gửi lại.")),
    "forwarded": (_l("Forwarded: the competent agency"), (
        "Nội dung phản ánh, kiến nghị {code} ngày {received} không thuộc thẩm quyền của Sở. "
        "Sở đã chuyển đến [cơ quan có thẩm quyền] tại Công văn số [số] ngày [ngày] để xem xét, "
        "giải quyết theo quy định.")),
}


def reply_text(key: str | None, current: str | None, ticket) -> str:
    """``current`` with the template ``key`` appended (nothing typed is ever replaced)."""
    if key not in REPLY_TEMPLATES:
        return current or ""
    received = ticket.received_at.astimezone(VIETNAM).strftime("%d/%m/%Y")
    text = REPLY_TEMPLATES[key][1].format(code=ticket.code, received=received)
    return f"{current.rstrip()}\n\n{text}" if current and current.strip() else text
