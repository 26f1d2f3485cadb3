<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi" sourcelanguage="en">
<context>
    <name>AdminUnitPicker</name>
    <message>
        <source>Search by current or former name</source>
        <translation>Tìm theo tên hiện tại hoặc tên cũ</translation>
    </message>
    <message>
        <source>Choose a commune or ward from the list</source>
        <translation>Chọn xã, phường trong danh sách</translation>
    </message>
</context>
<context>
    <name>AgentStatusBar</name>
    <message>
        <source>Not logged in</source>
        <translation>Chưa đăng nhập</translation>
    </message>
    <message>
        <source>Calls today: %1</source>
        <translation>Cuộc gọi hôm nay: %1</translation>
    </message>
    <message>
        <source>Waiting to send: %1</source>
        <translation>Chờ gửi: %1</translation>
    </message>
    <message>
        <source>In status: %1</source>
        <translation>Thời gian trạng thái: %1</translation>
    </message>
</context>
<context>
    <name>AgentWindow</name>
    <message>
        <source>Hotline 1022 — %1</source>
        <translation>Đường dây nóng 1022 — %1</translation>
    </message>
    <message>
        <source>&amp;Status</source>
        <translation>&amp;Trạng thái</translation>
    </message>
    <message>
        <source>&amp;Call</source>
        <translation>&amp;Cuộc gọi</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Hiển thị</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Ngôn ngữ</translation>
    </message>
    <message>
        <source>S&amp;ession</source>
        <translation>&amp;Phiên làm việc</translation>
    </message>
    <message>
        <source>Log out of the application</source>
        <translation>Đăng xuất khỏi ứng dụng</translation>
    </message>
    <message>
        <source>Save case (Ctrl+S)</source>
        <translation>Lưu hồ sơ (Ctrl+S)</translation>
    </message>
    <message>
        <source>Transfer to 115 (Ctrl+E)</source>
        <translation>Chuyển cấp cứu 115 (Ctrl+E)</translation>
    </message>
    <message>
        <source>Hold</source>
        <translation>Giữ máy</translation>
    </message>
    <message>
        <source>Hang up</source>
        <translation>Gác máy</translation>
    </message>
    <message>
        <source>Ready for the next call</source>
        <translation>Sẵn sàng nhận cuộc gọi tiếp</translation>
    </message>
    <message>
        <source>Forward to the responsible agency…</source>
        <translation>Chuyển cơ quan xử lý…</translation>
    </message>
    <message>
        <source>Current call</source>
        <translation>Cuộc gọi hiện tại</translation>
    </message>
    <message>
        <source>History search</source>
        <translation>Tra cứu lịch sử</translation>
    </message>
    <message>
        <source>A draft of an earlier call was saved as case %1.</source>
        <translation>Bản nháp của một cuộc gọi trước đã được lưu thành hồ sơ %1.</translation>
    </message>
    <message>
        <source>A draft of an earlier call could not be saved: complete it and save.</source>
        <translation>Bản nháp của một cuộc gọi trước chưa lưu được: hãy hoàn thành phiếu rồi lưu.</translation>
    </message>
    <message>
        <source>Callbacks (%1)</source>
        <translation>Gọi lại (%1)</translation>
    </message>
    <message>
        <source>%1 overdue</source>
        <translation>%1 quá hạn</translation>
    </message>
</context>
<context>
    <name>AgentsView</name>
    <message>
        <source>You hear the call; nobody hears you.</source>
        <translation>Bạn nghe cuộc gọi; không ai nghe thấy bạn.</translation>
    </message>
    <message>
        <source>Only the agent hears you.</source>
        <translation>Chỉ điện thoại viên nghe thấy bạn.</translation>
    </message>
    <message>
        <source>The agent and the caller both hear you.</source>
        <translation>Cả điện thoại viên và người gọi đều nghe thấy bạn.</translation>
    </message>
    <message>
        <source>Filter by name, status or topic…</source>
        <translation>Lọc theo tên, trạng thái hoặc chủ đề…</translation>
    </message>
    <message>
        <source>Set status (S)</source>
        <translation>Đặt trạng thái (S)</translation>
    </message>
    <message>
        <source>%1 agents</source>
        <translation>%1 điện thoại viên</translation>
    </message>
    <message>
        <source>%1 shown</source>
        <translation>đang hiện %1</translation>
    </message>
</context>
<context>
    <name>AuditView</name>
    <message>
        <source>Reading the log…</source>
        <translation>Đang đọc nhật ký…</translation>
    </message>
    <message>
        <source>The latest %1 supervision acts</source>
        <translation>%1 thao tác giám sát gần nhất</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Làm mới</translation>
    </message>
</context>
<context>
    <name>CallActions</name>
    <message>
        <source>Report %1 forwarded to %2, due %3.</source>
        <translation>Đã chuyển phản ánh %1 cho %2, hạn xử lý %3.</translation>
    </message>
    <message>
        <source>Transfer to 115</source>
        <translation>Chuyển cấp cứu 115</translation>
    </message>
    <message>
        <source>Transfer %1 to emergency (115) now?</source>
        <translation>Chuyển %1 sang cấp cứu 115 ngay?</translation>
    </message>
    <message>
        <source>Stay on the call</source>
        <translation>Ở lại cuộc gọi</translation>
    </message>
    <message>
        <source>A call is in progress. Log out anyway? The caller stays connected to your phone.</source>
        <translation>Đang có cuộc gọi. Vẫn đăng xuất? Người gọi vẫn được nối với máy điện thoại của bạn.</translation>
    </message>
    <message>
        <source>The case of the last call is not saved yet. Log out anyway?</source>
        <translation>Hồ sơ của cuộc gọi vừa rồi chưa được lưu. Vẫn đăng xuất?</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>Đăng xuất</translation>
    </message>
    <message>
        <source>Your draft is kept on this computer.</source>
        <translation>Bản nháp vẫn được giữ trên máy này.</translation>
    </message>
    <message>
        <source>Stay</source>
        <translation>Ở lại</translation>
    </message>
</context>
<context>
    <name>CallPanel</name>
    <message>
        <source>Incoming call…</source>
        <translation>Cuộc gọi đến…</translation>
    </message>
    <message>
        <source>No call</source>
        <translation>Chưa có cuộc gọi</translation>
    </message>
    <message>
        <source>Topic not chosen</source>
        <translation>Chưa chọn chủ đề</translation>
    </message>
    <message>
        <source>Waited: %1</source>
        <translation>Đã chờ: %1</translation>
    </message>
    <message>
        <source>Talk: %1 (since %2)</source>
        <translation>Đàm thoại: %1 (từ %2)</translation>
    </message>
    <message>
        <source>Call ended after %1 (from %2)</source>
        <translation>Cuộc gọi kết thúc sau %1 (bắt đầu %2)</translation>
    </message>
    <message>
        <source>After-call work: %1 left</source>
        <translation>Hoàn tất sau cuộc gọi: còn %1</translation>
    </message>
    <message>
        <source>After-call work time is up</source>
        <translation>Đã hết thời gian hoàn tất sau cuộc gọi</translation>
    </message>
</context>
<context>
    <name>CallbacksView</name>
    <message>
        <source>Call back</source>
        <translation>Gọi lại</translation>
    </message>
    <message>
        <source>Dial %1 now</source>
        <translation>Gọi ngay số %1</translation>
    </message>
    <message>
        <source>Calling %1…</source>
        <translation>Đang gọi %1…</translation>
    </message>
    <message>
        <source>Your phone is ringing; the caller is dialled when you answer.</source>
        <translation>Điện thoại của bạn đang đổ chuông; hệ thống gọi người dân khi bạn nhấc máy.</translation>
    </message>
    <message>
        <source>%1 callbacks, %2 overdue</source>
        <translation>%1 cuộc cần gọi lại, %2 quá hạn</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Làm mới</translation>
    </message>
    <message>
        <source>Monitoring over the days…</source>
        <translation>Diễn biến theo dõi…</translation>
    </message>
    <message>
        <source>The selected check-in&apos;s readings over the days (or double-click its row)</source>
        <translation>Chỉ số của người bệnh đang chọn qua các ngày (hoặc nhấp đúp vào dòng)</translation>
    </message>
</context>
<context>
    <name>CaseForm</name>
    <message>
        <source>Required</source>
        <translation>Bắt buộc</translation>
    </message>
    <message>
        <source>Required with %1</source>
        <translation>Bắt buộc khi có %1</translation>
    </message>
    <message>
        <source>Not fields of this form: %1</source>
        <translation>Không phải trường của phiếu này: %1</translation>
    </message>
    <message>
        <source>At least %1</source>
        <translation>Tối thiểu %1</translation>
    </message>
    <message>
        <source>At most %1</source>
        <translation>Tối đa %1</translation>
    </message>
    <message>
        <source>More than %1</source>
        <translation>Phải lớn hơn %1</translation>
    </message>
    <message>
        <source>Less than %1</source>
        <translation>Phải nhỏ hơn %1</translation>
    </message>
    <message>
        <source>At most %1 characters</source>
        <translation>Tối đa %1 ký tự</translation>
    </message>
    <message>
        <source>At least %1 characters</source>
        <translation>Tối thiểu %1 ký tự</translation>
    </message>
    <message>
        <source>Not in the expected form</source>
        <translation>Không đúng định dạng</translation>
    </message>
    <message>
        <source>Choose one of the listed values</source>
        <translation>Chọn một giá trị trong danh sách</translation>
    </message>
    <message>
        <source>Not allowed with the other answers</source>
        <translation>Không hợp với các câu trả lời khác</translation>
    </message>
    <message>
        <source>A choice is listed twice</source>
        <translation>Một lựa chọn bị lặp lại</translation>
    </message>
    <message>
        <source>Not the right kind of value</source>
        <translation>Giá trị không đúng kiểu</translation>
    </message>
    <message>
        <source>Not a valid date</source>
        <translation>Ngày không hợp lệ</translation>
    </message>
    <message>
        <source>Not valid</source>
        <translation>Không hợp lệ</translation>
    </message>
</context>
<context>
    <name>CaseViewer</name>
    <message>
        <source>Case</source>
        <translation>Hồ sơ</translation>
    </message>
    <message>
        <source>Reading the case…</source>
        <translation>Đang tải hồ sơ…</translation>
    </message>
    <message>
        <source>Case %1</source>
        <translation>Hồ sơ %1</translation>
    </message>
    <message>
        <source>Opened %1, last changed %2</source>
        <translation>Mở lúc %1, sửa lần cuối %2</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Có</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Không</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Ghi chú</translation>
    </message>
</context>
<context>
    <name>DateEditor</name>
    <message>
        <source>Clear the date</source>
        <translation>Xóa ngày</translation>
    </message>
</context>
<context>
    <name>DeclarationBox</name>
    <message>
        <source>Received</source>
        <translation>Nhận lúc</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>Họ và tên</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Điện thoại</translation>
    </message>
    <message>
        <source>Year of birth</source>
        <translation>Năm sinh</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Giới tính</translation>
    </message>
    <message>
        <source>Commune or ward</source>
        <translation>Xã, phường</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Địa chỉ</translation>
    </message>
    <message>
        <source>Positive on</source>
        <translation>Ngày dương tính</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>Xét nghiệm</translation>
    </message>
    <message>
        <source>Symptoms</source>
        <translation>Triệu chứng</translation>
    </message>
    <message>
        <source>Matching declaration</source>
        <translation>Tờ khai khớp số điện thoại</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>Nam</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>Nữ</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Khác</translation>
    </message>
</context>
<context>
    <name>EpisodeBanner</name>
    <message>
        <source>Chart…</source>
        <translation>Xem diễn biến…</translation>
    </message>
    <message>
        <source>The readings of every check-in, over the days</source>
        <translation>Chỉ số của mọi lần kiểm tra, theo từng ngày</translation>
    </message>
</context>
<context>
    <name>EpisodeChart</name>
    <message>
        <source>Day %1, %2</source>
        <translation>Ngày %1, %2</translation>
    </message>
    <message>
        <source>Breathing: %1 a minute</source>
        <translation>Nhịp thở: %1 lần/phút</translation>
    </message>
    <message>
        <source>Temperature: %1</source>
        <translation>Nhiệt độ: %1</translation>
    </message>
    <message>
        <source>Level: %1</source>
        <translation>Phân loại: %1</translation>
    </message>
    <message>
        <source>SpO2 (%)</source>
        <translation>SpO2 (%)</translation>
    </message>
    <message>
        <source>Breathing (a minute)</source>
        <translation>Nhịp thở (lần/phút)</translation>
    </message>
    <message>
        <source>Temperature (°C)</source>
        <translation>Nhiệt độ (°C)</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>Báo động</translation>
    </message>
    <message>
        <source>Day of illness (since the positive test)</source>
        <translation>Ngày bệnh (tính từ ngày xét nghiệm dương tính)</translation>
    </message>
    <message>
        <source>Breathing / temperature</source>
        <translation>Nhịp thở / nhiệt độ</translation>
    </message>
</context>
<context>
    <name>EpisodeDialog</name>
    <message>
        <source>Loading the episode…</source>
        <translation>Đang tải đợt theo dõi…</translation>
    </message>
    <message>
        <source>This patient has no home-monitoring episode.</source>
        <translation>Người bệnh này chưa có đợt theo dõi tại nhà.</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(chưa có tên)</translation>
    </message>
    <message>
        <source>born %1</source>
        <translation>sinh năm %1</translation>
    </message>
    <message>
        <source>Ended %1: %2</source>
        <translation>Kết thúc lúc %1: %2</translation>
    </message>
    <message>
        <source>Home monitoring — %1</source>
        <translation>Theo dõi tại nhà — %1</translation>
    </message>
    <message>
        <source>(positive on %1)</source>
        <translation>(dương tính ngày %1)</translation>
    </message>
    <message>
        <source>check-ins at %1</source>
        <translation>kiểm tra lúc %1</translation>
    </message>
    <message>
        <source>%1 check-ins recorded</source>
        <translation>đã ghi %1 lần kiểm tra</translation>
    </message>
    <message>
        <source>next %1</source>
        <translation>lần tới %1</translation>
    </message>
    <message>
        <source>Choose how the monitoring ends first.</source>
        <translation>Hãy chọn kết quả theo dõi trước.</translation>
    </message>
    <message>
        <source>Ending the monitoring…</source>
        <translation>Đang kết thúc theo dõi…</translation>
    </message>
    <message>
        <source>End the monitoring</source>
        <translation>Kết thúc theo dõi</translation>
    </message>
    <message>
        <source>End the home monitoring of %1 as “%2”? The check-ins still owed are cancelled.</source>
        <translation>Kết thúc theo dõi tại nhà cho %1 với kết quả “%2”? Các lần kiểm tra còn hẹn sẽ bị hủy.</translation>
    </message>
    <message>
        <source>Go back</source>
        <translation>Quay lại</translation>
    </message>
    <message>
        <source>The monitoring has ended: %1.</source>
        <translation>Đã kết thúc theo dõi: %1.</translation>
    </message>
    <message>
        <source>Choose the outcome</source>
        <translation>Chọn kết quả</translation>
    </message>
    <message>
        <source>End the monitoring:</source>
        <translation>Kết thúc theo dõi:</translation>
    </message>
    <message>
        <source>Note (why, where to, by whom)</source>
        <translation>Ghi chú (lý do, chuyển đến đâu, ai xác nhận)</translation>
    </message>
    <message>
        <source>End the monitoring…</source>
        <translation>Kết thúc theo dõi…</translation>
    </message>
    <message>
        <source>Home monitoring</source>
        <translation>Theo dõi tại nhà</translation>
    </message>
</context>
<context>
    <name>FormHost</name>
    <message>
        <source>The case form of the caller&apos;s topic appears here when a call is put through.</source>
        <translation>Phiếu hồ sơ theo chủ đề của người gọi sẽ hiện ở đây khi có cuộc gọi chuyển đến.</translation>
    </message>
</context>
<context>
    <name>ForwardDialog</name>
    <message>
        <source>Forward to the responsible agency</source>
        <translation>Chuyển cơ quan xử lý</translation>
    </message>
    <message>
        <source>Choose the agency…</source>
        <translation>Chọn cơ quan…</translation>
    </message>
    <message>
        <source>Another due date:</source>
        <translation>Hạn xử lý khác:</translation>
    </message>
    <message>
        <source>A note for the agency (optional)</source>
        <translation>Ghi chú cho cơ quan xử lý (không bắt buộc)</translation>
    </message>
    <message>
        <source>Forward</source>
        <translation>Chuyển</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Agency:</source>
        <translation>Cơ quan:</translation>
    </message>
    <message>
        <source>Otherwise due by the report&apos;s severity: %1.</source>
        <translation>Nếu không chọn: hạn theo mức độ của phản ánh, %1.</translation>
    </message>
    <message>
        <source>Note:</source>
        <translation>Ghi chú:</translation>
    </message>
    <message>
        <source>Forward report %1 to the agency responsible for it. Its staff see it at once; when they resolve it, the hotline calls the caller back.</source>
        <translation>Chuyển phản ánh %1 cho cơ quan có trách nhiệm xử lý. Cán bộ của cơ quan thấy ngay; khi họ xử lý xong, tổng đài gọi lại báo cho người phản ánh.</translation>
    </message>
    <message>
        <source>Choose the agency.</source>
        <translation>Hãy chọn cơ quan xử lý.</translation>
    </message>
    <message>
        <source>The note is too long (at most 2000 characters).</source>
        <translation>Ghi chú quá dài (tối đa 2000 ký tự).</translation>
    </message>
    <message>
        <source>The report could not be forwarded (%1).</source>
        <translation>Không chuyển được phản ánh (%1).</translation>
    </message>
</context>
<context>
    <name>HandoverDialog</name>
    <message>
        <source>Hand over your work</source>
        <translation>Bàn giao công việc</translation>
    </message>
    <message>
        <source>To a colleague:</source>
        <translation>Cho đồng nghiệp:</translation>
    </message>
    <message>
        <source>Back to the pool: any colleague on your topics can take them</source>
        <translation>Trả về chung (pool): đồng nghiệp nào cùng chủ đề cũng nhận được</translation>
    </message>
    <message>
        <source>Reading who shares your queues…</source>
        <translation>Đang tải danh sách đồng nghiệp cùng hàng chờ…</translation>
    </message>
    <message>
        <source>Hand over and log out</source>
        <translation>Bàn giao và đăng xuất</translation>
    </message>
    <message>
        <source>Stay logged in</source>
        <translation>Ở lại</translation>
    </message>
    <message>
        <source>You are logging out at the end of your shift. The callbacks and open cases you hold go:</source>
        <translation>Bạn sắp đăng xuất khi hết ca. Các cuộc gọi lại và hồ sơ đang mở bạn giữ sẽ được giao:</translation>
    </message>
    <message>
        <source>online</source>
        <translation>đang trực tuyến</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>ngoại tuyến</translation>
    </message>
    <message>
        <source>Nobody else answers your queues: the work goes back to the pool.</source>
        <translation>Không có ai khác trực hàng chờ của bạn: công việc được trả về chung.</translation>
    </message>
    <message>
        <source>Logging out…</source>
        <translation>Đang đăng xuất…</translation>
    </message>
</context>
<context>
    <name>IntradayView</name>
    <message>
        <source>All topics</source>
        <translation>Tất cả chủ đề</translation>
    </message>
    <message>
        <source>Today so far: %1 offered, %2 answered, %3 abandoned; same time last week: %4 offered</source>
        <translation>Hôm nay đến giờ: %1 cuộc gọi đến, %2 đã trả lời, %3 bỏ máy; cùng giờ tuần trước: %4 cuộc gọi đến</translation>
    </message>
    <message>
        <source>Offered: %1</source>
        <translation>Gọi đến: %1</translation>
    </message>
    <message>
        <source>Answered: %1</source>
        <translation>Đã trả lời: %1</translation>
    </message>
    <message>
        <source>Abandoned: %1</source>
        <translation>Bỏ máy: %1</translation>
    </message>
    <message>
        <source>Service level: %1</source>
        <translation>Mức phục vụ: %1</translation>
    </message>
    <message>
        <source>Offered last week: %1</source>
        <translation>Gọi đến tuần trước: %1</translation>
    </message>
    <message>
        <source>Topic:</source>
        <translation>Chủ đề:</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>Đã trả lời</translation>
    </message>
    <message>
        <source>Abandoned</source>
        <translation>Bỏ máy</translation>
    </message>
    <message>
        <source>Other offered (short abandon, timed out, waiting)</source>
        <translation>Cuộc gọi khác (bỏ máy ngay, hết thời gian chờ, đang chờ)</translation>
    </message>
    <message>
        <source>Offered, same day last week</source>
        <translation>Gọi đến, cùng ngày tuần trước</translation>
    </message>
    <message>
        <source>Service level (%, right axis)</source>
        <translation>Mức phục vụ (%, trục phải)</translation>
    </message>
    <message>
        <source>Calls per 15 minutes</source>
        <translation>Cuộc gọi mỗi 15 phút</translation>
    </message>
    <message>
        <source>Service level</source>
        <translation>Mức phục vụ</translation>
    </message>
    <message>
        <source>Today by quarter hour (local time)</source>
        <translation>Hôm nay theo từng 15 phút (giờ địa phương)</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>Available</source>
        <translation>Sẵn sàng</translation>
    </message>
    <message>
        <source>On Break</source>
        <translation>Tạm nghỉ</translation>
    </message>
    <message>
        <source>Logged Out</source>
        <translation>Đăng xuất</translation>
    </message>
    <message>
        <source>Meal break</source>
        <translation>Nghỉ ăn</translation>
    </message>
    <message>
        <source>Short rest</source>
        <translation>Nghỉ giải lao</translation>
    </message>
    <message>
        <source>Meeting</source>
        <translation>Họp</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Tập huấn</translation>
    </message>
    <message>
        <source>Personal matter</source>
        <translation>Việc riêng</translation>
    </message>
    <message>
        <source>Waiting for a call</source>
        <translation>Đang chờ cuộc gọi</translation>
    </message>
    <message>
        <source>Ringing</source>
        <translation>Đang đổ chuông</translation>
    </message>
    <message>
        <source>On a call</source>
        <translation>Đang đàm thoại</translation>
    </message>
    <message>
        <source>Idle</source>
        <translation>Không nhận cuộc gọi</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Đã kết nối</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Đang kết nối…</translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>Đang kết nối lại…</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Mất kết nối</translation>
    </message>
    <message>
        <source>Nurse</source>
        <translation>Điều dưỡng</translation>
    </message>
    <message>
        <source>Health staff</source>
        <translation>Cán bộ y tế</translation>
    </message>
    <message>
        <source>Clerk</source>
        <translation>Chuyên viên</translation>
    </message>
    <message>
        <source>Team lead</source>
        <translation>Trưởng nhóm</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>Quản trị viên</translation>
    </message>
    <message>
        <source>Talking</source>
        <translation>Đang đàm thoại</translation>
    </message>
    <message>
        <source>Wrap-up</source>
        <translation>Hoàn tất sau gọi</translation>
    </message>
    <message>
        <source>On break</source>
        <translation>Tạm nghỉ</translation>
    </message>
    <message>
        <source>Logged out</source>
        <translation>Đã đăng xuất</translation>
    </message>
    <message>
        <source>Listen</source>
        <translation>Nghe</translation>
    </message>
    <message>
        <source>Whisper</source>
        <translation>Nhắc riêng</translation>
    </message>
    <message>
        <source>Barge</source>
        <translation>Tham gia</translation>
    </message>
    <message>
        <source>ringing your phone</source>
        <translation>đang đổ chuông máy của bạn</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>đã kết nối</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>Bình thường</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Cảnh báo</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>Báo động</translation>
    </message>
    <message>
        <source>Listened</source>
        <translation>Nghe cuộc gọi</translation>
    </message>
    <message>
        <source>Whispered</source>
        <translation>Nhắc riêng</translation>
    </message>
    <message>
        <source>Barged in</source>
        <translation>Tham gia cuộc gọi</translation>
    </message>
    <message>
        <source>Ended supervision</source>
        <translation>Kết thúc giám sát</translation>
    </message>
    <message>
        <source>Set an agent&apos;s status</source>
        <translation>Đặt trạng thái điện thoại viên</translation>
    </message>
    <message>
        <source>Moved a waiting caller</source>
        <translation>Chuyển người gọi đang chờ</translation>
    </message>
    <message>
        <source>Played a recording</source>
        <translation>Nghe lại ghi âm</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Bị từ chối</translation>
    </message>
    <message>
        <source>Not connected to the server.</source>
        <translation>Chưa kết nối được với máy chủ.</translation>
    </message>
    <message>
        <source>The server did not answer in time.</source>
        <translation>Máy chủ không trả lời kịp thời.</translation>
    </message>
    <message>
        <source>Wrong username or password.</source>
        <translation>Sai tên đăng nhập hoặc mật khẩu.</translation>
    </message>
    <message>
        <source>Too many failed attempts; wait a minute and try again.</source>
        <translation>Đăng nhập sai quá nhiều lần; vui lòng chờ một phút rồi thử lại.</translation>
    </message>
    <message>
        <source>Your session has expired; please log in again.</source>
        <translation>Phiên làm việc đã hết hạn; vui lòng đăng nhập lại.</translation>
    </message>
    <message>
        <source>You are not allowed to do this.</source>
        <translation>Bạn không có quyền thực hiện thao tác này.</translation>
    </message>
    <message>
        <source>Not found.</source>
        <translation>Không tìm thấy.</translation>
    </message>
    <message>
        <source>Someone else got there first.</source>
        <translation>Người khác đã làm việc này trước.</translation>
    </message>
    <message>
        <source>Finish the call in hand first.</source>
        <translation>Hãy xong cuộc gọi đang có trước.</translation>
    </message>
    <message>
        <source>Not possible on this call.</source>
        <translation>Không làm được việc này trên cuộc gọi này.</translation>
    </message>
    <message>
        <source>Some fields are not valid.</source>
        <translation>Một số trường chưa hợp lệ.</translation>
    </message>
    <message>
        <source>The telephone switch refused the command.</source>
        <translation>Tổng đài từ chối lệnh.</translation>
    </message>
    <message>
        <source>The session ended before this was sent.</source>
        <translation>Phiên làm việc đã kết thúc trước khi yêu cầu này được gửi.</translation>
    </message>
    <message>
        <source>The server did not accept this request.</source>
        <translation>Máy chủ không chấp nhận yêu cầu này.</translation>
    </message>
    <message>
        <source>The server had a problem and could not do this; try again.</source>
        <translation>Máy chủ gặp sự cố nên chưa làm được; vui lòng thử lại.</translation>
    </message>
</context>
<context>
    <name>LeadHandoverView</name>
    <message>
        <source>Reading the hand-over…</source>
        <translation>Đang tải nội dung bàn giao…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Làm mới</translation>
    </message>
    <message>
        <source>Open red cases (%1)</source>
        <translation>Hồ sơ mức đỏ còn mở (%1)</translation>
    </message>
    <message>
        <source>Overdue callbacks (%1)</source>
        <translation>Cuộc gọi lại quá hạn (%1)</translation>
    </message>
    <message>
        <source>Forwarded reports overdue or due within a day (%1)</source>
        <translation>Phản ánh đã chuyển quá hạn hoặc đến hạn trong một ngày (%1)</translation>
    </message>
    <message>
        <source>Read at %1</source>
        <translation>Cập nhật lúc %1</translation>
    </message>
    <message>
        <source>Not read yet.</source>
        <translation>Chưa tải.</translation>
    </message>
</context>
<context>
    <name>LeadRequests</name>
    <message>
        <source>Mode changed: %1.</source>
        <translation>Đã đổi chế độ: %1.</translation>
    </message>
    <message>
        <source>Your phone will ring: answer it to supervise %1&apos;s call.</source>
        <translation>Máy của bạn sẽ đổ chuông: nhấc máy để giám sát cuộc gọi của %1.</translation>
    </message>
    <message>
        <source>Supervision ended.</source>
        <translation>Đã kết thúc giám sát.</translation>
    </message>
    <message>
        <source>%1: set to %2.</source>
        <translation>%1: đã chuyển sang %2.</translation>
    </message>
    <message>
        <source>The caller was moved to %1.</source>
        <translation>Đã chuyển người gọi sang %1.</translation>
    </message>
</context>
<context>
    <name>LeadTables</name>
    <message>
        <source>Monitored</source>
        <translation>Đang theo dõi</translation>
    </message>
    <message>
        <source>Due today</source>
        <translation>Đến hạn hôm nay</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Quá hạn</translation>
    </message>
    <message>
        <source>Worse</source>
        <translation>Xấu đi</translation>
    </message>
    <message>
        <source>Recovered</source>
        <translation>Đã khỏi</translation>
    </message>
    <message>
        <source>To a facility</source>
        <translation>Chuyển cơ sở y tế</translation>
    </message>
    <message>
        <source>(no commune)</source>
        <translation>(chưa rõ xã, phường)</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>Mã hồ sơ</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Họ tên</translation>
    </message>
    <message>
        <source>Born</source>
        <translation>Năm sinh</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>Ngày bệnh</translation>
    </message>
    <message>
        <source>SpO2</source>
        <translation>SpO2</translation>
    </message>
    <message>
        <source>Next check-in</source>
        <translation>Kiểm tra tiếp</translation>
    </message>
    <message>
        <source>Overdue / missed</source>
        <translation>Quá hạn / lỡ hẹn</translation>
    </message>
    <message>
        <source>Nurse</source>
        <translation>Điều dưỡng</translation>
    </message>
    <message>
        <source>Why worse</source>
        <translation>Lý do xấu đi</translation>
    </message>
    <message>
        <source>Agency</source>
        <translation>Đơn vị</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Activity</source>
        <translation>Hoạt động</translation>
    </message>
    <message>
        <source>In it for</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Call topic</source>
        <translation>Chủ đề cuộc gọi</translation>
    </message>
    <message>
        <source>Caller</source>
        <translation>Người gọi</translation>
    </message>
    <message>
        <source>Talk time</source>
        <translation>Đàm thoại</translation>
    </message>
    <message>
        <source>Calls today</source>
        <translation>Cuộc gọi
hôm nay</translation>
    </message>
    <message>
        <source>No answer</source>
        <translation>Không
nhấc máy</translation>
    </message>
    <message>
        <source>Wrap-up left</source>
        <translation>Còn
hoàn tất</translation>
    </message>
    <message>
        <source>Topic</source>
        <translation>Chủ đề</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>Thứ tự</translation>
    </message>
    <message>
        <source>Waiting for</source>
        <translation>Đã chờ</translation>
    </message>
    <message>
        <source>Returning caller</source>
        <translation>Người gọi lại</translation>
    </message>
    <message>
        <source>Yes, open case</source>
        <translation>Có, hồ sơ đang mở</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Ưu tiên</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Người thực hiện</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Thao tác</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Đối tượng</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Chi tiết</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Mức độ</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>Mã tiếp nhận</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Tuổi</translation>
    </message>
    <message>
        <source>Commune or ward</source>
        <translation>Xã, phường</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Số điện thoại</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Nhận lúc</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Hạn gọi</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Số lần gọi</translation>
    </message>
    <message>
        <source>overdue by %1</source>
        <translation>quá hạn %1</translation>
    </message>
    <message>
        <source>in %1</source>
        <translation>còn %1</translation>
    </message>
    <message>
        <source>Waiting to be called</source>
        <translation>Đang chờ gọi lại</translation>
    </message>
    <message>
        <source>Being dialled</source>
        <translation>Đang được gọi</translation>
    </message>
    <message>
        <source>Being dialled by %1</source>
        <translation>%1 đang gọi</translation>
    </message>
</context>
<context>
    <name>LeadWindow</name>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Hiển thị</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Ngôn ngữ</translation>
    </message>
    <message>
        <source>S&amp;ession</source>
        <translation>&amp;Phiên làm việc</translation>
    </message>
    <message>
        <source>Log out of the application</source>
        <translation>Đăng xuất khỏi ứng dụng</translation>
    </message>
    <message>
        <source>Wallboard (F11)</source>
        <translation>Màn hình treo tường (F11)</translation>
    </message>
    <message>
        <source>Mute the red alert sound</source>
        <translation>Tắt âm báo động đỏ</translation>
    </message>
    <message>
        <source>Home monitoring</source>
        <translation>Theo dõi tại nhà</translation>
    </message>
    <message>
        <source>Shift hand-over</source>
        <translation>Bàn giao ca</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Báo cáo</translation>
    </message>
    <message>
        <source>Queues</source>
        <translation>Hàng chờ</translation>
    </message>
    <message>
        <source>Agents</source>
        <translation>Điện thoại viên</translation>
    </message>
    <message>
        <source>Waiting callers</source>
        <translation>Người gọi đang chờ</translation>
    </message>
    <message>
        <source>Intraday</source>
        <translation>Trong ngày</translation>
    </message>
    <message>
        <source>Supervision log</source>
        <translation>Nhật ký giám sát</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Tra cứu lịch sử</translation>
    </message>
    <message>
        <source>Hotline 1022 — lead console — %1</source>
        <translation>Đường dây nóng 1022 — điều hành — %1</translation>
    </message>
    <message>
        <source>RED: topic %1</source>
        <translation>BÁO ĐỘNG: chủ đề %1</translation>
    </message>
    <message>
        <source>Urgent declarations</source>
        <translation>Khai báo khẩn cần gọi</translation>
    </message>
    <message>
        <source>Updated %1</source>
        <translation>Cập nhật lúc %1</translation>
    </message>
    <message>
        <source>Waiting for the board…</source>
        <translation>Đang chờ số liệu…</translation>
    </message>
</context>
<context>
    <name>LoginWindow</name>
    <message>
        <source>Hotline 1022 — log in</source>
        <translation>Đường dây nóng 1022 — đăng nhập</translation>
    </message>
    <message>
        <source>Hotline 0290 1022</source>
        <translation>Đường dây nóng 0290 1022</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Máy chủ</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Tên đăng nhập</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Mật khẩu</translation>
    </message>
    <message>
        <source>Server certificate</source>
        <translation>Chứng chỉ máy chủ</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Ngôn ngữ</translation>
    </message>
    <message>
        <source>host:port, e.g. hub.example.vn:8443</source>
        <translation>máy:cổng, ví dụ hub.example.vn:8443</translation>
    </message>
    <message>
        <source>optional (PEM file)</source>
        <translation>không bắt buộc (tệp PEM)</translation>
    </message>
    <message>
        <source>only for a server with its own certificate (PEM file)</source>
        <translation>chỉ dùng cho máy chủ có chứng chỉ riêng (tệp PEM)</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Chọn…</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>Đăng nhập</translation>
    </message>
    <message>
        <source>The certificate file holds no PEM certificate.</source>
        <translation>Tệp chứng chỉ không chứa chứng chỉ PEM nào.</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Đang kết nối tới %1…</translation>
    </message>
    <message>
        <source>Enter the server address.</source>
        <translation>Nhập địa chỉ máy chủ.</translation>
    </message>
    <message>
        <source>The server address is not valid (host:port; plain ws:// only to 127.0.0.1).</source>
        <translation>Địa chỉ máy chủ không hợp lệ (máy:cổng; ws:// không mã hóa chỉ dùng với 127.0.0.1).</translation>
    </message>
    <message>
        <source>Enter your username.</source>
        <translation>Nhập tên đăng nhập.</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>Nhập mật khẩu.</translation>
    </message>
    <message>
        <source>Cannot reach the server: %1</source>
        <translation>Không kết nối được máy chủ: %1</translation>
    </message>
    <message>
        <source>Logging in…</source>
        <translation>Đang đăng nhập…</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt)</source>
        <translation>Chứng chỉ (*.pem *.crt)</translation>
    </message>
</context>
<context>
    <name>Models</name>
    <message>
        <source>Case</source>
        <translation>Hồ sơ</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>Cuộc gọi</translation>
    </message>
    <message>
        <source>Callback</source>
        <translation>Gọi lại</translation>
    </message>
    <message>
        <source>Declaration</source>
        <translation>Tờ khai</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Đang mở</translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation>Theo dõi</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>Đã chuyển cấp cứu</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Đã đóng</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>Đã trả lời</translation>
    </message>
    <message>
        <source>Abandoned</source>
        <translation>Bỏ máy khi chờ</translation>
    </message>
    <message>
        <source>Hung up in menu</source>
        <translation>Gác máy ở lời chào</translation>
    </message>
    <message>
        <source>No agent</source>
        <translation>Không có người trực</translation>
    </message>
    <message>
        <source>Overflow</source>
        <translation>Quá tải</translation>
    </message>
    <message>
        <source>Dialing</source>
        <translation>Đang gọi</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Đã xong</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Đã hủy</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Không thành công</translation>
    </message>
    <message>
        <source>Hung up while waiting</source>
        <translation>Gác máy khi đang chờ</translation>
    </message>
    <message>
        <source>Web declaration</source>
        <translation>Tờ khai trực tuyến</translation>
    </message>
    <message>
        <source>Caller asked</source>
        <translation>Người dân yêu cầu</translation>
    </message>
    <message>
        <source>Reached</source>
        <translation>Đã liên lạc được</translation>
    </message>
    <message>
        <source>No answer</source>
        <translation>Không nghe máy</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>Máy bận</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>Từ chối cuộc gọi</translation>
    </message>
    <message>
        <source>Number does not exist</source>
        <translation>Số không tồn tại</translation>
    </message>
    <message>
        <source>Not dialled (your phone did not answer)</source>
        <translation>Chưa gọi (máy của bạn không trả lời)</translation>
    </message>
    <message>
        <source>Unknown (the server restarted)</source>
        <translation>Không rõ (máy chủ khởi động lại)</translation>
    </message>
    <message>
        <source>Red</source>
        <translation>Đỏ</translation>
    </message>
    <message>
        <source>Orange</source>
        <translation>Cam</translation>
    </message>
    <message>
        <source>Yellow</source>
        <translation>Vàng</translation>
    </message>
    <message>
        <source>Green</source>
        <translation>Xanh</translation>
    </message>
    <message>
        <source>%1 years old</source>
        <translation>%1 tuổi</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Thời gian</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Loại</translation>
    </message>
    <message>
        <source>Topic</source>
        <translation>Chủ đề</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Mã hồ sơ</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Tình trạng</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Nội dung</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Hạn gọi</translation>
    </message>
    <message>
        <source>Triage</source>
        <translation>Phân loại</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Số điện thoại</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Lý do</translation>
    </message>
    <message>
        <source>Declared by</source>
        <translation>Người khai báo</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Số lần gọi</translation>
    </message>
    <message>
        <source>Last try</source>
        <translation>Lần gọi gần nhất</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Ghi chú</translation>
    </message>
    <message>
        <source>overdue</source>
        <translation>quá hạn</translation>
    </message>
    <message>
        <source>1 danger sign</source>
        <translation>1 dấu hiệu nguy hiểm</translation>
    </message>
    <message>
        <source>%1 danger signs</source>
        <translation>%1 dấu hiệu nguy hiểm</translation>
    </message>
    <message>
        <source>Pool</source>
        <translation>Chung (pool)</translation>
    </message>
    <message>
        <source>Held by</source>
        <translation>Người giữ</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Cập nhật</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>Người bệnh</translation>
    </message>
    <message>
        <source>Answer due</source>
        <translation>Hạn xử lý</translation>
    </message>
    <message>
        <source>Agency</source>
        <translation>Cơ quan</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Tình trạng xử lý</translation>
    </message>
    <message>
        <source>Forwarded</source>
        <translation>Đã chuyển</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>Đang xử lý</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>Đã xử lý xong</translation>
    </message>
    <message>
        <source>Caller informed</source>
        <translation>Đã báo người phản ánh</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>Thấp</translation>
    </message>
    <message>
        <source>Medium</source>
        <translation>Trung bình</translation>
    </message>
    <message>
        <source>High</source>
        <translation>Cao</translation>
    </message>
    <message>
        <source>Urgent</source>
        <translation>Khẩn cấp</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1 ngày %2 giờ</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 giờ %2 phút</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 phút</translation>
    </message>
    <message>
        <source>Place reported</source>
        <translation>Địa điểm, cơ sở được phản ánh</translation>
    </message>
    <message>
        <source>Commune or ward</source>
        <translation>Xã, phường</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>Mức độ</translation>
    </message>
    <message>
        <source>Updated by</source>
        <translation>Người cập nhật</translation>
    </message>
    <message>
        <source>overdue by %1</source>
        <translation>quá hạn %1</translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation>còn %1</translation>
    </message>
    <message>
        <source>SpO2
(%)</source>
        <translation>SpO2
(%)</translation>
    </message>
    <message>
        <source>Breathing
(a minute)</source>
        <translation>Nhịp thở
(lần/phút)</translation>
    </message>
    <message>
        <source>Temp.
(°C)</source>
        <translation>Nhiệt độ
(°C)</translation>
    </message>
    <message>
        <source>Day of
illness</source>
        <translation>Ngày
bệnh</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Nguồn</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Phân loại</translation>
    </message>
    <message>
        <source>Danger
signs</source>
        <translation>Dấu hiệu
nguy hiểm</translation>
    </message>
    <message>
        <source>Negative
test</source>
        <translation>XN
âm tính</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>có</translation>
    </message>
</context>
<context>
    <name>Monitoring</name>
    <message>
        <source>Monitoring</source>
        <translation>Đang theo dõi</translation>
    </message>
    <message>
        <source>Recovered</source>
        <translation>Đã khỏi</translation>
    </message>
    <message>
        <source>Moved to a health facility</source>
        <translation>Chuyển cơ sở y tế</translation>
    </message>
    <message>
        <source>Deceased</source>
        <translation>Tử vong</translation>
    </message>
    <message>
        <source>Lost to follow-up</source>
        <translation>Mất liên lạc</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>Cuộc gọi</translation>
    </message>
    <message>
        <source>Web report</source>
        <translation>Tự khai web</translation>
    </message>
    <message>
        <source>Declaration</source>
        <translation>Tờ khai</translation>
    </message>
    <message>
        <source>SpO2 %1 → %2</source>
        <translation>SpO2 %1 → %2</translation>
    </message>
    <message>
        <source>respiratory rate %1 → %2</source>
        <translation>nhịp thở %1 → %2</translation>
    </message>
    <message>
        <source>triage %1 → %2</source>
        <translation>phân loại %1 → %2</translation>
    </message>
    <message>
        <source>danger signs %1 → %2</source>
        <translation>dấu hiệu nguy hiểm %1 → %2</translation>
    </message>
    <message>
        <source>Breathing %1</source>
        <translation>Nhịp thở %1</translation>
    </message>
    <message>
        <source>Worse: %1</source>
        <translation>Xấu đi: %1</translation>
    </message>
    <message>
        <source>missed %1</source>
        <translation>lỡ hẹn %1 lần</translation>
    </message>
    <message>
        <source>overdue</source>
        <translation>quá hạn</translation>
    </message>
    <message>
        <source>day %1</source>
        <translation>ngày %1</translation>
    </message>
    <message>
        <source>Home monitoring (check-in %1)</source>
        <translation>Theo dõi tại nhà (lần %1)</translation>
    </message>
    <message>
        <source>Home monitoring — day %1 (check-in %2)</source>
        <translation>Theo dõi tại nhà — ngày %1 (lần %2)</translation>
    </message>
    <message>
        <source>check-in %1</source>
        <translation>lần kiểm tra %1</translation>
    </message>
    <message>
        <source>Home monitoring: %1</source>
        <translation>Đang theo dõi tại nhà: %1</translation>
    </message>
    <message>
        <source>once a day</source>
        <translation>1 lần/ngày</translation>
    </message>
    <message>
        <source>%1 times a day</source>
        <translation>%1 lần/ngày</translation>
    </message>
</context>
<context>
    <name>MonitoringView</name>
    <message>
        <source>%1 patients monitored at home · %2 due today · %3 overdue · %4 worse</source>
        <translation>%1 người bệnh đang theo dõi tại nhà · %2 đến hạn kiểm tra hôm nay · %3 quá hạn · %4 xấu đi</translation>
    </message>
    <message>
        <source>read at %1</source>
        <translation>cập nhật lúc %1</translation>
    </message>
    <message>
        <source>Reading the patients monitored at home…</source>
        <translation>Đang tải danh sách người bệnh theo dõi tại nhà…</translation>
    </message>
    <message>
        <source>Patients (%1), the most urgent first</source>
        <translation>Người bệnh (%1), cần chú ý nhất lên trước</translation>
    </message>
    <message>
        <source>Patients of %1 (%2)</source>
        <translation>Người bệnh ở %1 (%2)</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Làm mới</translation>
    </message>
    <message>
        <source>All communes</source>
        <translation>Tất cả xã, phường</translation>
    </message>
    <message>
        <source>Filter by name, case or nurse…</source>
        <translation>Lọc theo tên, mã hồ sơ hoặc điều dưỡng…</translation>
    </message>
</context>
<context>
    <name>NumberEditor</name>
    <message>
        <source>Not a number</source>
        <translation>Không phải là số</translation>
    </message>
</context>
<context>
    <name>QAbstractSpinBox</name>
    <message>
        <source>&amp;Select All</source>
        <translation>Chọn &amp;tất cả</translation>
    </message>
    <message>
        <source>&amp;Step up</source>
        <translation>&amp;Tăng</translation>
    </message>
    <message>
        <source>Step &amp;down</source>
        <translation>&amp;Giảm</translation>
    </message>
</context>
<context>
    <name>QLineEdit</name>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Hoàn tác</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Làm lại</translation>
    </message>
    <message>
        <source>Cu&amp;t</source>
        <translation>&amp;Cắt</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>Sao &amp;chép</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>&amp;Dán</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Xóa</translation>
    </message>
    <message>
        <source>Select All</source>
        <translation>Chọn tất cả</translation>
    </message>
</context>
<context>
    <name>QMessageBox</name>
    <message>
        <source>Show Details...</source>
        <translation>Xem chi tiết...</translation>
    </message>
    <message>
        <source>Hide Details...</source>
        <translation>Ẩn chi tiết...</translation>
    </message>
</context>
<context>
    <name>QPlatformTheme</name>
    <message>
        <source>OK</source>
        <translation>Đồng ý</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Lưu</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <source>&amp;Yes</source>
        <translation>&amp;Có</translation>
    </message>
    <message>
        <source>&amp;No</source>
        <translation>&amp;Không</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Áp dụng</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Bỏ</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Thử lại</translation>
    </message>
    <message>
        <source>Ignore</source>
        <translation>Bỏ qua</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Mở</translation>
    </message>
    <message>
        <source>Help</source>
        <translation>Trợ giúp</translation>
    </message>
</context>
<context>
    <name>QShortcut</name>
    <message>
        <source>Ctrl</source>
        <translation>Ctrl</translation>
    </message>
    <message>
        <source>Shift</source>
        <translation>Shift</translation>
    </message>
    <message>
        <source>Alt</source>
        <translation>Alt</translation>
    </message>
    <message>
        <source>Meta</source>
        <translation>Meta</translation>
    </message>
    <message>
        <source>Num</source>
        <translation>Num</translation>
    </message>
    <message>
        <source>Del</source>
        <translation>Del</translation>
    </message>
    <message>
        <source>Esc</source>
        <translation>Esc</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>Enter</translation>
    </message>
    <message>
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
</context>
<context>
    <name>QWidgetTextControl</name>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Hoàn tác</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Làm lại</translation>
    </message>
    <message>
        <source>Cu&amp;t</source>
        <translation>&amp;Cắt</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>Sao &amp;chép</translation>
    </message>
    <message>
        <source>Copy &amp;Link Location</source>
        <translation>Sao chép địa chỉ &amp;liên kết</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>&amp;Dán</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Xóa</translation>
    </message>
    <message>
        <source>Select All</source>
        <translation>Chọn tất cả</translation>
    </message>
</context>
<context>
    <name>QueueTile</name>
    <message>
        <source>answered within %1 s</source>
        <translation>trả lời trong %1 giây</translation>
    </message>
    <message>
        <source>+%1 short</source>
        <translation>+%1 bỏ ngay</translation>
    </message>
    <message>
        <source>Waiting now</source>
        <translation>Đang chờ</translation>
    </message>
    <message>
        <source>Longest wait</source>
        <translation>Chờ lâu nhất</translation>
    </message>
    <message>
        <source>Service level</source>
        <translation>Mức phục vụ</translation>
    </message>
    <message>
        <source>Offered</source>
        <translation>Gọi đến</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>Đã trả lời</translation>
    </message>
    <message>
        <source>Abandoned</source>
        <translation>Bỏ máy</translation>
    </message>
    <message>
        <source>Abandon rate</source>
        <translation>Tỷ lệ bỏ máy</translation>
    </message>
    <message>
        <source>Avg. speed of answer</source>
        <translation>Chờ trung bình</translation>
    </message>
    <message>
        <source>Avg. handle time</source>
        <translation>Xử lý trung bình</translation>
    </message>
    <message>
        <source>Timed out</source>
        <translation>Hết thời gian chờ</translation>
    </message>
    <message>
        <source>Callbacks owed</source>
        <translation>Cần gọi lại</translation>
    </message>
    <message>
        <source>Callbacks overdue</source>
        <translation>Gọi lại quá hạn</translation>
    </message>
</context>
<context>
    <name>QueuesBoard</name>
    <message>
        <source>No queues to show yet: the board arrives from the hub.</source>
        <translation>Chưa có hàng chờ nào: số liệu đang được gửi từ máy chủ.</translation>
    </message>
</context>
<context>
    <name>RecordingPlayer</name>
    <message>
        <source>This recording cannot be played here: %1</source>
        <translation>Không phát được ghi âm này ở đây: %1</translation>
    </message>
    <message>
        <source>Recording of call %1</source>
        <translation>Ghi âm cuộc gọi %1</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Tạm dừng</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>Phát</translation>
    </message>
    <message>
        <source>Loading the recording from the hub…</source>
        <translation>Đang tải ghi âm từ máy chủ…</translation>
    </message>
    <message>
        <source>Every playback is recorded in the audit log.</source>
        <translation>Mỗi lần nghe lại đều được ghi vào nhật ký kiểm tra.</translation>
    </message>
</context>
<context>
    <name>ReferralsView</name>
    <message>
        <source>%1 forwarded reports, %2 overdue</source>
        <translation>%1 phản ánh đã chuyển, %2 quá hạn</translation>
    </message>
    <message>
        <source>Choose a report to read it and take its next step.</source>
        <translation>Chọn một phản ánh để xem nội dung và cập nhật bước tiếp theo.</translation>
    </message>
    <message>
        <source>%1 · %2 · forwarded %3 by %4</source>
        <translation>%1 · %2 · chuyển lúc %3, người chuyển: %4</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Đang gửi…</translation>
    </message>
    <message>
        <source>Report %1: %2.</source>
        <translation>Phản ánh %1: %2.</translation>
    </message>
    <message>
        <source>Only the staff of %1 can take this step.</source>
        <translation>Chỉ cán bộ của %1 mới cập nhật được bước này.</translation>
    </message>
    <message>
        <source>Forwarded reports</source>
        <translation>Phản ánh đã chuyển</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Làm mới</translation>
    </message>
    <message>
        <source>What is reported</source>
        <translation>Nội dung phản ánh</translation>
    </message>
    <message>
        <source>Note to the agency</source>
        <translation>Ghi chú cho cơ quan</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>Kết quả xử lý</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>Đang xử lý</translation>
    </message>
    <message>
        <source>Resolved…</source>
        <translation>Đã xử lý xong…</translation>
    </message>
    <message>
        <source>Caller informed</source>
        <translation>Đã báo người phản ánh</translation>
    </message>
    <message>
        <source>The agency is working on it</source>
        <translation>Cơ quan đang xử lý phản ánh này</translation>
    </message>
    <message>
        <source>Done: say what was done; the hotline calls the caller back to tell them</source>
        <translation>Xong: ghi kết quả xử lý; tổng đài sẽ gọi lại báo cho người phản ánh</translation>
    </message>
    <message>
        <source>The caller has been told the result</source>
        <translation>Người phản ánh đã được báo kết quả</translation>
    </message>
</context>
<context>
    <name>Reports</name>
    <message>
        <source>Queues</source>
        <translation>Hàng chờ</translation>
    </message>
    <message>
        <source>Agents</source>
        <translation>Điện thoại viên</translation>
    </message>
    <message>
        <source>Calls and callbacks</source>
        <translation>Cuộc gọi và gọi lại</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>Hồ sơ</translation>
    </message>
    <message>
        <source>Communes and wards</source>
        <translation>Xã phường</translation>
    </message>
    <message>
        <source>Peak hours</source>
        <translation>Giờ cao điểm</translation>
    </message>
    <message>
        <source>Summary report</source>
        <translation>Báo cáo tổng hợp</translation>
    </message>
    <message>
        <source>Hour</source>
        <translation>Giờ</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>Ngày</translation>
    </message>
    <message>
        <source>Week</source>
        <translation>Tuần</translation>
    </message>
    <message>
        <source>Month</source>
        <translation>Tháng</translation>
    </message>
    <message>
        <source>Whole period</source>
        <translation>Cả kỳ</translation>
    </message>
    <message>
        <source>Topic</source>
        <translation>Chủ đề</translation>
    </message>
    <message>
        <source>Agency</source>
        <translation>Cơ quan</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Điện thoại viên</translation>
    </message>
    <message>
        <source>Whole line</source>
        <translation>Toàn đường dây</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Hôm nay</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Hôm qua</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>7 ngày qua</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>Tháng này</translation>
    </message>
    <message>
        <source>Last month</source>
        <translation>Tháng trước</translation>
    </message>
    <message>
        <source>Working time</source>
        <translation>Thời gian làm việc</translation>
    </message>
    <message>
        <source>Outcomes</source>
        <translation>Kết quả xử lý</translation>
    </message>
    <message>
        <source>Triage levels</source>
        <translation>Phân loại nguy cơ</translation>
    </message>
    <message>
        <source>Case status</source>
        <translation>Trạng thái hồ sơ</translation>
    </message>
    <message>
        <source>Monday</source>
        <translation>Thứ Hai</translation>
    </message>
    <message>
        <source>Tuesday</source>
        <translation>Thứ Ba</translation>
    </message>
    <message>
        <source>Wednesday</source>
        <translation>Thứ Tư</translation>
    </message>
    <message>
        <source>Thursday</source>
        <translation>Thứ Năm</translation>
    </message>
    <message>
        <source>Friday</source>
        <translation>Thứ Sáu</translation>
    </message>
    <message>
        <source>Saturday</source>
        <translation>Thứ Bảy</translation>
    </message>
    <message>
        <source>Sunday</source>
        <translation>Chủ nhật</translation>
    </message>
    <message>
        <source>Week %1/%2</source>
        <translation>Tuần %1/%2</translation>
    </message>
</context>
<context>
    <name>ReportsView</name>
    <message>
        <source>The period ends before it starts.</source>
        <translation>Ngày kết thúc đang trước ngày bắt đầu.</translation>
    </message>
    <message>
        <source>Cancelled: the hub&apos;s answer will be ignored.</source>
        <translation>Đã hủy: kết quả máy chủ gửi về sau sẽ bị bỏ qua.</translation>
    </message>
    <message>
        <source>%1 sheets, %2 rows.</source>
        <translation>%1 trang, %2 dòng.</translation>
    </message>
    <message>
        <source>The hub sent a file that cannot be read.</source>
        <translation>Máy chủ gửi về một file không đọc được.</translation>
    </message>
    <message>
        <source>The file was not saved.</source>
        <translation>Chưa lưu file.</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>Không ghi được %1: %2</translation>
    </message>
    <message>
        <source>Saved %1 (%2 rows).</source>
        <translation>Đã lưu %1 (%2 dòng).</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Bảng tính Excel (*.xlsx)</translation>
    </message>
    <message>
        <source>CSV file (*.csv)</source>
        <translation>File CSV (*.csv)</translation>
    </message>
    <message>
        <source>Save the report</source>
        <translation>Lưu báo cáo</translation>
    </message>
    <message>
        <source>Preparing the file…</source>
        <translation>Đang chuẩn bị file…</translation>
    </message>
    <message>
        <source>Preparing the report…</source>
        <translation>Đang lập báo cáo…</translation>
    </message>
    <message>
        <source>Report:</source>
        <translation>Báo cáo:</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Từ ngày</translation>
    </message>
    <message>
        <source>to</source>
        <translation>đến</translation>
    </message>
    <message>
        <source>Totals per:</source>
        <translation>Cộng theo:</translation>
    </message>
    <message>
        <source>Broken down by:</source>
        <translation>Chia theo:</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>File:</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Xem</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Xuất file…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>Choose a report and its days, then press Show.</source>
        <translation>Chọn báo cáo và khoảng ngày rồi bấm Xem.</translation>
    </message>
</context>
<context>
    <name>ResolutionDialog</name>
    <message>
        <source>Report resolved</source>
        <translation>Kết quả xử lý phản ánh</translation>
    </message>
    <message>
        <source>What was done (the caller is told this)</source>
        <translation>Đã xử lý thế nào (nội dung này được báo lại cho người phản ánh)</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>Đã xử lý xong</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <source>How was report %1 resolved?</source>
        <translation>Phản ánh %1 đã được xử lý thế nào?</translation>
    </message>
    <message>
        <source>Write what was done before closing the report.</source>
        <translation>Hãy ghi kết quả xử lý trước khi đóng phản ánh.</translation>
    </message>
    <message>
        <source>At most 8000 characters.</source>
        <translation>Tối đa 8000 ký tự.</translation>
    </message>
</context>
<context>
    <name>ScreenPopView</name>
    <message>
        <source>Caller history (newest first)</source>
        <translation>Lịch sử người gọi (mới nhất trước)</translation>
    </message>
    <message>
        <source>Notes for the case (not part of the form)</source>
        <translation>Ghi chú cho hồ sơ (ngoài phiếu)</translation>
    </message>
    <message>
        <source>Case status:</source>
        <translation>Tình trạng hồ sơ:</translation>
    </message>
    <message>
        <source>Save case (Ctrl+S)</source>
        <translation>Lưu hồ sơ (Ctrl+S)</translation>
    </message>
    <message>
        <source>Open case %1 (%2), last changed %3</source>
        <translation>Hồ sơ đang mở %1 (%2), cập nhật lần cuối %3</translation>
    </message>
    <message>
        <source>Check the form: %1 field(s) need attention.</source>
        <translation>Kiểm tra lại phiếu: %1 trường cần sửa.</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Đang lưu…</translation>
    </message>
    <message>
        <source>Offline: the case will be sent when the link is back.</source>
        <translation>Mất kết nối: hồ sơ sẽ được gửi khi kết nối trở lại.</translation>
    </message>
    <message>
        <source>Someone else saved this case meanwhile: reading their version…</source>
        <translation>Người khác vừa lưu hồ sơ này: đang tải bản của họ…</translation>
    </message>
    <message>
        <source>Case %1 saved.</source>
        <translation>Đã lưu hồ sơ %1.</translation>
    </message>
    <message>
        <source>Someone else saved this case at %1; their changes are now in the form.</source>
        <translation>Người khác đã lưu hồ sơ này lúc %1; các thay đổi của họ đã được đưa vào phiếu.</translation>
    </message>
    <message>
        <source>You both changed: %1 (yours kept). Check them.</source>
        <translation>Cả hai cùng sửa: %1 (giữ bản của bạn). Hãy kiểm tra lại.</translation>
    </message>
    <message>
        <source>Save again to record it.</source>
        <translation>Bấm Lưu lần nữa để ghi lại.</translation>
    </message>
</context>
<context>
    <name>SearchView</name>
    <message>
        <source>Type a phone number or a case code.</source>
        <translation>Nhập số điện thoại hoặc mã hồ sơ.</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Đang tìm…</translation>
    </message>
    <message>
        <source>%1 results</source>
        <translation>%1 kết quả</translation>
    </message>
    <message>
        <source>Phone number or case code (e.g. F0-2026-000123)</source>
        <translation>Số điện thoại hoặc mã hồ sơ (ví dụ F0-2026-000123)</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Tìm</translation>
    </message>
</context>
<context>
    <name>SheetChart</name>
    <message>
        <source>Stack the bars</source>
        <translation>Cộng dồn các cột</translation>
    </message>
    <message>
        <source>No data in this period.</source>
        <translation>Không có số liệu trong kỳ này.</translation>
    </message>
    <message>
        <source>The chart shows the %1 largest of %2.</source>
        <translation>Biểu đồ chỉ vẽ %1 nhóm lớn nhất trong %2.</translation>
    </message>
</context>
<context>
    <name>SheetView</name>
    <message>
        <source>Calls offered: the darker, the busier.</source>
        <translation>Cuộc gọi đến: màu càng đậm càng đông.</translation>
    </message>
</context>
<context>
    <name>ShiftEnd</name>
    <message>
        <source>Not logged out: the server refused this colleague; choose another, or the pool (%1).</source>
        <translation>Chưa đăng xuất: máy chủ không nhận bàn giao cho đồng nghiệp này; hãy chọn người khác hoặc trả về chung (%1).</translation>
    </message>
    <message>
        <source>Work handed over</source>
        <translation>Đã bàn giao công việc</translation>
    </message>
    <message>
        <source>The server could not be reached: your callbacks and open cases go back to the pool when your session ends.</source>
        <translation>Không kết nối được máy chủ: các cuộc gọi lại và hồ sơ đang mở của bạn sẽ được trả về chung khi phiên làm việc kết thúc.</translation>
    </message>
    <message>
        <source>%1 callback(s) and %2 open case(s) handed over to %3.</source>
        <translation>Đã bàn giao %1 cuộc gọi lại và %2 hồ sơ đang mở cho %3.</translation>
    </message>
    <message>
        <source>%1 callback(s) and %2 open case(s) went back to the pool.</source>
        <translation>Đã trả về chung (pool) %1 cuộc gọi lại và %2 hồ sơ đang mở.</translation>
    </message>
</context>
<context>
    <name>StatusActions</name>
    <message>
        <source>Break reason</source>
        <translation>Lý do tạm nghỉ</translation>
    </message>
</context>
<context>
    <name>SupervisionBar</name>
    <message>
        <source>End</source>
        <translation>Kết thúc</translation>
    </message>
    <message>
        <source>Supervising %2&apos;s call (%1) — %3</source>
        <translation>Giám sát cuộc gọi của %2 (%1) — %3</translation>
    </message>
</context>
<context>
    <name>TriageBadge</name>
    <message>
        <source>Not assessed</source>
        <translation>Chưa đánh giá</translation>
    </message>
</context>
<context>
    <name>TriageBar</name>
    <message>
        <source>Triage:</source>
        <translation>Phân loại:</translation>
    </message>
    <message>
        <source>The call has ended: there is no caller to transfer.</source>
        <translation>Cuộc gọi đã kết thúc: không còn người gọi để chuyển.</translation>
    </message>
    <message>
        <source>Red flags: %1</source>
        <translation>Dấu hiệu nguy hiểm: %1</translation>
    </message>
    <message>
        <source>Missing for the triage: %1</source>
        <translation>Thiếu để phân loại: %1</translation>
    </message>
    <message>
        <source>Transfer to emergency %1</source>
        <translation>Chuyển cấp cứu %1</translation>
    </message>
</context>
<context>
    <name>UrgentView</name>
    <message>
        <source>No urgent declaration is waiting for a call.</source>
        <translation>Không có khai báo khẩn nào đang chờ gọi.</translation>
    </message>
    <message>
        <source>Urgent declarations to call: %1 (overdue: %2). Only the nurse who calls sees the name.</source>
        <translation>Khai báo khẩn cần gọi: %1 (quá hạn: %2). Chỉ điều dưỡng gọi lại mới thấy họ tên.</translation>
    </message>
</context>
<context>
    <name>WaitingView</name>
    <message>
        <source>All topics</source>
        <translation>Tất cả chủ đề</translation>
    </message>
    <message>
        <source>%1 callers waiting</source>
        <translation>%1 người gọi đang chờ</translation>
    </message>
    <message>
        <source>Topic:</source>
        <translation>Chủ đề:</translation>
    </message>
    <message>
        <source>Move to topic… (M)</source>
        <translation>Chuyển sang chủ đề… (M)</translation>
    </message>
</context>
<context>
    <name>WallTile</name>
    <message>
        <source>Waiting</source>
        <translation>Đang chờ</translation>
    </message>
    <message>
        <source>Longest wait</source>
        <translation>Chờ lâu nhất</translation>
    </message>
    <message>
        <source>Service level</source>
        <translation>Mức phục vụ</translation>
    </message>
    <message>
        <source>Answered today</source>
        <translation>Đã trả lời hôm nay</translation>
    </message>
    <message>
        <source>Abandoned today</source>
        <translation>Bỏ máy hôm nay</translation>
    </message>
    <message>
        <source>Agents available</source>
        <translation>ĐTV sẵn sàng</translation>
    </message>
    <message>
        <source>Agents talking</source>
        <translation>ĐTV đang đàm thoại</translation>
    </message>
</context>
<context>
    <name>Wallboard</name>
    <message>
        <source>Hotline 1022 — wallboard</source>
        <translation>Đường dây nóng 1022 — màn hình treo tường</translation>
    </message>
    <message>
        <source>Hotline 1022</source>
        <translation>Đường dây nóng 1022</translation>
    </message>
    <message>
        <source>Esc: leave the wallboard</source>
        <translation>Esc: thoát màn hình treo tường</translation>
    </message>
</context>
</TS>
