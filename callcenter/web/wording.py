"""What the public pages say, in Vietnamese (the default) and English. One table, so a test
can prove every text has both."""

from __future__ import annotations

from typing import Any

from rules.declaration import FieldError

TEXTS: dict[str, tuple[str, str]] = {
    # key: (Vietnamese, English)
    "site": ("Đường dây nóng 0290 1022 — Tỉnh Cà Mau", "Hotline 0290 1022 — Cà Mau province"),
    "choose_topic": ("Chọn nội dung khai báo", "Choose what to declare"),
    "intro": ("Khai báo để nhân viên y tế gọi lại, tư vấn và theo dõi sức khỏe tại nhà. "
              "Không cần đăng nhập.",
              "Declare your case so that a health worker calls you back, advises you and "
              "follows your health at home. No login needed."),
    "required_note": ("Mục có dấu * là bắt buộc.", "Fields marked * are required."),
    "required_mark": ("bắt buộc", "required"),
    "send": ("Gửi khai báo", "Send the declaration"),
    "errors_title": ("Vui lòng sửa các mục sau:", "Please correct the following:"),
    "danger_title": ("Có dấu hiệu nguy hiểm — gọi cấp cứu 115 ngay",
                     "A danger sign — call the emergency number 115 now"),
    "danger_body": ("Đừng chờ nhân viên gọi lại. Bạn vẫn có thể gửi khai báo sau khi gọi.",
                    "Do not wait for our call. You can still send the declaration after "
                    "calling."),
    "call_115": ("Gọi 115", "Call 115"),
    "call_hotline": ("Gọi 0290 1022", "Call 0290 1022"),
    "unit_hint": ("Gõ tên xã, phường hiện nay hoặc tên cũ trước sáp nhập",
                  "Type the commune or ward's current name, or its name before the merger"),
    "former_names": ("trước đây", "formerly"),
    "date_hint": ("ngày/tháng/năm", "day/month/year"),
    "received_title": ("Đã nhận khai báo", "Declaration received"),
    "receipt_code": ("Mã tiếp nhận", "Receipt code"),
    "keep_code": ("Ghi lại mã này: cùng số điện thoại, bạn dùng nó để tra cứu tình trạng.",
                  "Keep this code: with your phone number, it looks up where your "
                  "declaration stands."),
    "next_steps": ("Tiếp theo", "What happens next"),
    "next_call": ("Nhân viên y tế sẽ gọi cho bạn trước {due}, từ số 0290 1022. Hãy để "
                  "điện thoại gần bên.",
                  "A health worker will call you before {due}, from 0290 1022. Keep your "
                  "phone near you."),
    "next_worse": ("Nếu có dấu hiệu nặng hơn (khó thở, SpO2 từ 96% trở xuống, đau ngực), gọi 115 "
                   "ngay.",
                   "If you get worse (short of breath, SpO2 at 96% or below, chest pain), call "
                   "115 at once."),
    "status_title": ("Tra cứu tình trạng khai báo", "Where does my declaration stand?"),
    "status_phone": ("Số điện thoại đã khai báo", "The phone number you declared"),
    "lookup": ("Tra cứu", "Look up"),
    "not_found": ("Không tìm thấy khai báo với mã và số điện thoại này.",
                  "No declaration has this code and phone number."),
    "state_received": ("Đã nhận khai báo.", "Your declaration was received."),
    "state_will_call": ("Đã nhận. Nhân viên y tế sẽ gọi cho bạn trước {due}.",
                        "Received. A health worker will call you before {due}."),
    "state_calling_now": ("Nhân viên y tế đang gọi cho bạn.",
                          "A health worker is calling you now."),
    "state_retry": ("Nhân viên y tế đã gọi nhưng chưa liên lạc được; sẽ gọi lại trước "
                    "{due}.",
                    "A health worker called but could not reach you; they will call "
                    "again before {due}."),
    "state_called": ("Nhân viên y tế đã gọi cho bạn.", "A health worker has called you."),
    "state_not_reached": ("Chưa liên lạc được với bạn sau nhiều lần gọi. Vui lòng gọi "
                          "0290 1022.",
                          "We could not reach you after several calls. Please call "
                          "0290 1022."),
    "state_closed": ("Khai báo đã được xử lý.", "Your declaration has been dealt with."),
    "declared_at": ("Gửi lúc", "Sent at"),
    "another": ("Khai báo khác", "Another declaration"),
    "check_status": ("Tra cứu tình trạng", "Check the status"),
    "language": ("English", "Tiếng Việt"),
    "error_title": ("Không thực hiện được", "That did not work"),
    "error_400": ("Yêu cầu không hợp lệ.", "The request was not valid."),
    "error_404": ("Không có trang này.", "There is no such page."),
    "error_405": ("Yêu cầu không hợp lệ.", "The request was not valid."),
    "error_413": ("Nội dung gửi quá lớn.", "What was sent is too large."),
    "error_429": ("Bạn đã gửi quá nhiều lần. Vui lòng thử lại sau ít phút, hoặc gọi "
                  "0290 1022.",
                  "Too many tries. Please try again in a few minutes, or call 0290 1022."),
    "error_500": ("Hệ thống đang bận. Khai báo chưa được lưu; vui lòng thử lại, hoặc gọi "
                  "0290 1022.",
                  "The system is busy. Nothing was saved; please try again, or call "
                  "0290 1022."),
    "error_csrf": ("Trang đã mở quá lâu. Vui lòng gửi lại — những gì bạn nhập vẫn còn.",
                   "The page was open too long. Please send it again — what you typed "
                   "is kept."),
    "back": ("Quay lại", "Back"),
    # the patient's own home-treatment check-in (/theo-doi/<topic>)
    "check_in_title": ("Báo cáo sức khỏe hằng ngày khi điều trị tại nhà",
                       "Daily health check-in during home treatment"),
    "check_in_intro": ("Dành cho người bệnh F0 đang được nhân viên y tế theo dõi tại nhà. "
                       "Nhập mã tiếp nhận và số điện thoại đã khai báo, rồi các chỉ số "
                       "hôm nay.",
                       "For F0 patients followed at home by a health worker. Enter your "
                       "receipt code and the phone number you declared, then today's "
                       "readings."),
    "check_in_lead": ("Đang được theo dõi điều trị tại nhà?", "Followed at home?"),
    "check_in_link": ("Gửi báo cáo sức khỏe hằng ngày", "Send your daily health check-in"),
    "check_in_send": ("Gửi báo cáo", "Send the check-in"),
    "danger_body_check_in": ("Đừng chờ nhân viên gọi lại. Bạn vẫn có thể gửi báo cáo sau "
                             "khi gọi.",
                             "Do not wait for our call. You can still send the check-in "
                             "after calling."),
    "check_in_not_found": ("Không tìm thấy đợt theo dõi điều trị tại nhà đang mở với mã và "
                           "số điện thoại này.",
                           "We could not find an active home-treatment follow-up for this "
                           "code and phone number."),
    "check_in_not_found_hint": ("Kiểm tra mã trên trang xác nhận khai báo và số điện thoại "
                                "đã khai báo, hoặc gọi 0290 1022.",
                                "Check the code on your declaration's receipt and the phone "
                                "number you declared, or call 0290 1022."),
    "check_in_recorded": ("Đã ghi nhận báo cáo sức khỏe", "Check-in recorded"),
    "check_in_at": ("Ghi nhận lúc {at}.", "Recorded at {at}."),
    "check_in_danger_body": ("Chỉ số của bạn có dấu hiệu nguy hiểm. Đừng chờ nhân viên "
                             "gọi lại.",
                             "Your check-in shows a danger sign. Do not wait for our call."),
    "check_in_alerted": ("Nhân viên y tế đã được báo và sẽ gọi cho bạn ngay.",
                         "The health workers have been alerted and will call you at once."),
    "check_in_next": ("Nhân viên y tế sẽ gọi theo dõi bạn trước {due}, từ số 0290 1022.",
                      "A health worker will call to follow up on you before {due}, from "
                      "0290 1022."),
    "check_in_daily": ("Gửi báo cáo mỗi ngày, và ngay khi thấy mệt hơn.",
                       "Send a check-in every day, and at once if you feel worse."),
    "check_in_ended": ("Đợt theo dõi điều trị tại nhà đã kết thúc: theo hướng dẫn, bạn đã "
                       "khỏi bệnh.",
                       "Your home-treatment follow-up has ended: by the guidance, you have "
                       "recovered."),
    "check_in_after_end": ("Bạn không cần gửi báo cáo nữa. Nếu thấy mệt trở lại, gọi "
                           "0290 1022.",
                           "You need not send check-ins any more. If you feel unwell again, "
                           "call 0290 1022."),
    "check_in_another": ("Gửi báo cáo khác", "Send another check-in"),
    # field errors, by FieldError.code; {label} is the field's name, {limit} a bound
    "err_required": ("Vui lòng nhập {label}.", "Please enter {label}."),
    "err_type": ("{label}: vui lòng nhập số.", "{label}: please enter a number."),
    "err_choice": ("{label}: vui lòng chọn trong danh sách.",
                   "{label}: please choose from the list."),
    "err_too_small": ("{label} phải từ {limit} trở lên.", "{label} must be {limit} or more."),
    "err_too_large": ("{label} phải không quá {limit}.", "{label} must be at most {limit}."),
    "err_too_short": ("Vui lòng nhập {label}.", "Please enter {label}."),
    "err_too_long": ("{label} dài quá {limit} ký tự.", "{label} is longer than {limit} "
                     "characters."),
    "err_format": ("{label} chưa đúng định dạng.", "{label} is not in the right form."),
    "err_date": ("{label}: vui lòng nhập ngày theo dạng ngày/tháng/năm.",
                 "{label}: please enter a date as day/month/year."),
    "err_future_date": ("{label} không thể là ngày trong tương lai.",
                        "{label} cannot be in the future."),
    "err_phone": ("Số điện thoại chưa đúng (ví dụ 0912 345 678).",
                  "The phone number is not right (for example 0912 345 678)."),
    "err_admin_unit": ("Không tìm thấy xã, phường này. Gõ vài chữ của tên rồi chọn trong "
                       "danh sách.",
                       "No such commune or ward. Type part of its name and choose from "
                       "the list."),
    "err_admin_unit_many": ("Có nhiều xã, phường khớp: {limit}. Vui lòng chọn một.",
                            "Several communes or wards match: {limit}. Please choose one."),
    "err_receipt": ("Mã tiếp nhận có dạng KB-XXXX-XXXX (trên trang xác nhận khai báo).",
                    "The receipt code looks like KB-XXXX-XXXX (on your declaration's "
                    "receipt)."),
    "err_no_reading": ("Vui lòng nhập ít nhất một chỉ số, hoặc đánh dấu triệu chứng.",
                       "Please enter at least one reading, or tick a symptom."),
    "err_unknown_field": ("Mục {label} không thuộc biểu mẫu.", "{label} is not on this form."),
}


def text(key: str, language: str, **values: Any) -> str:
    vi, en = TEXTS[key]
    return (en if language == "en" else vi).format(**values)


def field_error(error: FieldError, label: str, language: str) -> str:
    """An error as the form shows it beside the field."""
    key = f"err_{error.code}"
    if error.code == "format" and "date" in error.message:
        key = "err_date"
    if key not in TEXTS:
        key = "err_format"
    limit = error.limit
    if isinstance(limit, list | tuple):
        limit = ", ".join(str(v) for v in limit)
    return text(key, language, label=label, limit=limit if limit is not None else "")
