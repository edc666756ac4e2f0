//! The dossier (hồ sơ) shared by the citizen portal and the back office: its national status
//! codes, its code format and the views pages render.
use serde::{Deserialize, Serialize};

use super::calendar::Day;
use crate::i18n::Lang;

/// The 10 national status codes used when syncing with the National Public Service Portal
/// (REQUIREMENTS §0), plus 0 for a draft that has not been submitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    Draft = 0,
    Submitted = 1,
    Accepted = 2,
    Refused = 3,
    InProcess = 4,
    SupplementRequested = 5,
    PaymentRequested = 6,
    WithdrawalRequested = 7,
    Stopped = 8,
    Processed = 9,
    Returned = 10,
}

impl Status {
    pub const ALL: [Status; 11] = [
        Status::Draft,
        Status::Submitted,
        Status::Accepted,
        Status::Refused,
        Status::InProcess,
        Status::SupplementRequested,
        Status::PaymentRequested,
        Status::WithdrawalRequested,
        Status::Stopped,
        Status::Processed,
        Status::Returned,
    ];

    pub fn code(self) -> i32 {
        self as i32
    }

    pub fn from_code(c: i32) -> Option<Status> {
        Self::ALL.into_iter().find(|s| s.code() == c)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (vi, en) = match self {
            Status::Draft => ("Bản nháp", "Draft"),
            Status::Submitted => ("Mới đăng ký", "Submitted"),
            Status::Accepted => ("Được tiếp nhận", "Accepted"),
            Status::Refused => ("Không được tiếp nhận", "Refused at intake"),
            Status::InProcess => ("Đang xử lý", "In process"),
            Status::SupplementRequested => ("Yêu cầu bổ sung", "Supplement requested"),
            Status::PaymentRequested => {
                ("Yêu cầu thực hiện nghĩa vụ tài chính", "Payment requested")
            }
            Status::WithdrawalRequested => ("Công dân yêu cầu rút hồ sơ", "Withdrawal requested"),
            Status::Stopped => ("Dừng xử lý", "Processing stopped"),
            Status::Processed => ("Đã xử lý xong", "Processed"),
            Status::Returned => ("Đã trả kết quả", "Result returned"),
        };
        match lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// The applicant may still ask to withdraw (before a result exists).
    pub fn can_withdraw(self) -> bool {
        matches!(
            self,
            Status::Submitted | Status::Accepted | Status::InProcess
        )
    }

    /// No further change is expected.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Refused | Status::Stopped | Status::Returned)
    }
}

/// Dossier code (Circular 01/2018/TT-VPCP): `<agency code>-<YYMMDD>-<NNNN>`, the sequence per
/// agency and receipt day; more than 9,999 a day widens the number rather than failing.
pub fn format_code(agency_code: &str, day: Day, seq: u32) -> String {
    format!("{agency_code}-{}-{seq:04}", day.yymmdd())
}

/// Splits a code into agency code, date and sequence, or None when it is not one.
pub fn parse_code(code: &str) -> Option<(String, String, u32)> {
    let code = code.trim();
    let (rest, seq) = code.rsplit_once('-')?;
    let (agency, date) = rest.rsplit_once('-')?;
    let agency_ok = !agency.is_empty()
        && agency.len() <= 40
        && agency
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.');
    let date_ok = date.len() == 6 && date.bytes().all(|b| b.is_ascii_digit());
    let seq_ok = (4..=7).contains(&seq.len()) && seq.bytes().all(|b| b.is_ascii_digit());
    (agency_ok && date_ok && seq_ok).then(|| {
        (
            agency.to_string(),
            date.to_string(),
            seq.parse().unwrap_or(0),
        )
    })
}

/// P-7: the criteria of the national satisfaction index (Decision 766/QĐ-TTg, group 5), each
/// scored 1 (very dissatisfied) to 5 (very satisfied).
pub const RATING_CRITERIA: [(&str, &str, &str); 5] = [
    (
        "information",
        "Tiếp cận thông tin về thủ tục",
        "Access to information about the procedure",
    ),
    (
        "procedure",
        "Thủ tục và thành phần hồ sơ",
        "The procedure and its documents",
    ),
    ("attitude", "Thái độ của cán bộ", "Officers' attitude"),
    ("timeliness", "Thời gian giải quyết", "Timeliness"),
    ("result", "Kết quả giải quyết", "The result"),
];

/// A line in "my dossiers" (P-5.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierRow {
    pub id: i32,
    pub code: Option<String>,
    pub procedure_name: String,
    pub status: Status,
    pub updated_at: i64,
    pub due_date: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileView {
    pub id: i32,
    pub slot: String,
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: i64,
    /// The submission round it came with (B-đ): 1 with the application, 2 with the first
    /// supplement, …
    pub version: i32,
    /// An officer's scan of a paper brought to the counter (B-đ).
    pub digitised: bool,
    /// When a newer version replaced it.
    pub superseded_at: Option<i64>,
    /// A remote-signing request for it waits for the applicant's confirmation (P-4).
    #[serde(default)]
    pub signing: bool,
    /// Who signed it through the remote-signing CA (P-4).
    #[serde(default)]
    pub signed_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub at: i64,
    pub action: String,
    pub to: Option<Status>,
    pub note: Option<String>,
}

/// One item of the task list (P-3.1): a form section or a document slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskItem {
    pub title_vi: String,
    pub title_en: String,
    pub href: String,
    pub done: bool,
    pub required: bool,
}

/// Everything the applicant's dossier pages show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DossierView {
    pub id: i32,
    pub code: Option<String>,
    pub procedure_code: String,
    pub procedure_name: String,
    pub agency_name: String,
    pub status: Status,
    pub channel: String,
    pub schema: super::eform::FormSchema,
    pub values: super::eform::Values,
    pub problems: Vec<crate::error::FieldError>,
    /// The dossier's files now.
    pub files: Vec<FileView>,
    /// Files replaced after submission, kept as earlier versions (B-đ).
    pub history: Vec<FileView>,
    pub events: Vec<EventView>,
    pub tasks: Vec<TaskItem>,
    pub revision: i32,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub due_date: Option<String>,
    pub expires_at: Option<i64>,
    pub supplement_request: Option<String>,
    /// Communes of the provinces chosen in address fields, for their second select.
    pub communes: Vec<(String, Vec<(String, String)>)>,
    pub provinces: Vec<(String, String)>,
    /// A fresh key for the submit button (idempotent submission).
    pub submit_key: String,
    pub messages: Vec<MessageView>,
    pub rated: bool,
    pub applicant_name: String,
    pub finished_at: Option<i64>,
    /// Handed to the archive (B-đ); `retain_until` None then means kept permanently.
    pub archived_at: Option<i64>,
    pub retain_until: Option<String>,
    /// The fee asked for with a payment request (P-3.6), in đồng.
    pub fee_due: Option<i64>,
    /// Whether this portal takes online payment (a gateway is configured).
    pub online_payment: bool,
    /// The gateway's name as the pay button says it (Vietnamese, English).
    pub payment_via: (String, String),
    /// Attempts to pay online, newest first.
    pub payments: Vec<PaymentView>,
    /// Whether this portal sends papers and results by post (a postal service is configured).
    pub postal_offered: bool,
    /// The dossier's postal legs (P-3.5).
    pub shipments: Vec<ShipmentView>,
    /// The remote-signing CA applicants may sign their PDFs with (P-4), by name.
    #[serde(default)]
    pub remote_sign: Option<String>,
}

/// One online payment attempt as the applicant sees it (P-3.6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentView {
    pub id: i32,
    pub amount: i64,
    /// pending | paid | failed
    pub status: String,
    pub created_at: i64,
    pub gateway_txn: Option<String>,
    /// Its refund (P-3.6): requested | refunded | failed.
    #[serde(default)]
    pub refund_status: Option<String>,
    #[serde(default)]
    pub refund_reason: Option<String>,
    #[serde(default)]
    pub refunded_at: Option<i64>,
    /// The gateway's refund transaction, or why it refused.
    #[serde(default)]
    pub refund_note: Option<String>,
    /// Whether the officer looking may ask for a refund now (always false for applicants).
    #[serde(default)]
    pub refundable: bool,
}

impl PaymentView {
    /// What became of the refund, in a sentence for the dossier's pages.
    pub fn refund_text(&self, lang: Lang) -> Option<String> {
        let english = lang == Lang::En;
        let reason = self.refund_reason.clone().unwrap_or_default();
        let note = self.refund_note.clone().unwrap_or_default();
        Some(match (self.refund_status.as_deref()?, english) {
            ("requested", false) => format!(
                "Đang hoàn trả {} qua cổng thanh toán (lý do: {reason}).",
                vnd(self.amount)
            ),
            ("requested", true) => format!(
                "Refund of {} under way through the gateway (reason: {reason}).",
                vnd(self.amount)
            ),
            ("refunded", false) => format!(
                "Đã hoàn trả {} (mã giao dịch hoàn {note}; lý do: {reason}).",
                vnd(self.amount)
            ),
            ("refunded", true) => format!(
                "{} refunded (refund transaction {note}; reason: {reason}).",
                vnd(self.amount)
            ),
            (_, false) => format!("Cổng thanh toán chưa hoàn trả được khoản phí này: {note}"),
            (_, true) => format!("The gateway could not refund this payment: {note}"),
        })
    }
}

/// `1.250.000 đ`: đồng with dots between thousands, as Vietnamese documents write them.
pub fn vnd(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    format!("{}{out} đ", if amount < 0 { "-" } else { "" })
}

/// An amount read out in Vietnamese, as receipts write it under the figures ("Bằng chữ"):
/// 25000 → "Hai mươi lăm nghìn đồng", 1005000 → "Một triệu không trăm linh năm nghìn đồng".
/// Fees are positive; the sign is not read.
pub fn vnd_words(amount: i64) -> String {
    const DIGITS: [&str; 10] = [
        "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
    ];
    const SCALES: [&str; 6] = ["", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ"];
    // Three digits; `full` when a higher group precedes (then "không trăm", "linh" are said).
    fn group(n: u64, full: bool) -> Vec<&'static str> {
        let (h, t, u) = (
            (n / 100) as usize,
            (n / 10 % 10) as usize,
            (n % 10) as usize,
        );
        let mut w = Vec::new();
        if h > 0 || full {
            w.extend([DIGITS[h], "trăm"]);
        }
        match t {
            0 if u > 0 && (h > 0 || full) => w.push("linh"),
            0 => {}
            1 => w.push("mười"),
            _ => w.extend([DIGITS[t], "mươi"]),
        }
        match u {
            0 => {}
            1 if t >= 2 => w.push("mốt"),
            5 if t >= 1 => w.push("lăm"),
            _ => w.push(DIGITS[u]),
        }
        w
    }
    let mut n = amount.unsigned_abs();
    if n == 0 {
        return "Không đồng".into();
    }
    let mut groups = Vec::new();
    while n > 0 {
        groups.push(n % 1000);
        n /= 1000;
    }
    let top = groups.len() - 1;
    let mut words: Vec<&str> = Vec::new();
    for (i, g) in groups.iter().enumerate().rev() {
        if *g == 0 {
            continue;
        }
        words.extend(group(*g, i < top));
        if let Some(scale) = SCALES.get(i).filter(|s| !s.is_empty()) {
            words.push(scale);
        }
    }
    words.push("đồng");
    let text = words.join(" ");
    let mut chars = text.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
    format!("{}{}", first.unwrap_or_default(), chars.as_str())
}

/// What the public lookup shows to someone who knows the code and the applicant's phone or
/// ID number (P-5.2): no names, no documents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicStatus {
    pub code: String,
    pub procedure_name: String,
    pub agency_name: String,
    pub status: Status,
    pub submitted_at: Option<i64>,
    pub due_date: Option<String>,
    pub events: Vec<EventView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub at: i64,
    pub from_officer: bool,
    pub body: String,
    /// (file id, name) of attached files.
    pub attachments: Vec<(i32, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationView {
    pub at: i64,
    pub text_vi: String,
    pub text_en: String,
    pub link: String,
    pub unread: bool,
}

/// What an action on the timeline says to the applicant.
pub fn action_label(action: &str, lang: Lang) -> &'static str {
    use super::workflow::ActionKind;
    let (vi, en) = match action {
        "draft.create" => ("Tạo hồ sơ nháp", "Draft created"),
        "submit" => ("Nộp hồ sơ trực tuyến", "Submitted online"),
        // B-m: filed on the National Public Service Portal and delivered here.
        "receive_api" => (
            "Nộp trên Cổng Dịch vụ công quốc gia, đã chuyển đến cơ quan",
            "Filed on the National Public Service Portal and delivered to the agency",
        ),
        // B-m: inter-agency transfer (liên thông).
        "receive_lienthong" => (
            "Chuyển đến từ cơ quan khác (liên thông)",
            "Received from another agency (inter-agency transfer)",
        ),
        "lienthong_send" => (
            "Chuyển liên thông đến cơ quan khác",
            "Sent to another agency",
        ),
        "lienthong_result" => ("Cơ quan liên thông đã trả lời", "The other agency answered"),
        "rating" => ("Đã đánh giá mức độ hài lòng", "Satisfaction rated"),
        "apology" => (
            "Cơ quan xin lỗi và hẹn lại ngày trả kết quả",
            "The agency apologised and set a new date",
        ),
        other => match ActionKind::parse(other) {
            Some(ActionKind::Accept) => ("Đã tiếp nhận hồ sơ", "Accepted"),
            Some(ActionKind::Refuse) => ("Không tiếp nhận hồ sơ", "Refused at intake"),
            Some(ActionKind::RequestSupplement) => (
                "Cơ quan yêu cầu bổ sung hồ sơ",
                "The agency asked for more documents",
            ),
            Some(ActionKind::Resubmit) => ("Đã nộp bổ sung", "Supplement submitted"),
            Some(ActionKind::Assign) => ("Phân công cán bộ xử lý", "Assigned to an officer"),
            Some(ActionKind::Transfer) => ("Chuyển đơn vị khác thẩm định", "Sent for appraisal"),
            Some(ActionKind::ReturnAppraisal) => ("Có ý kiến thẩm định", "Appraisal returned"),
            Some(ActionKind::Propose) => ("Trình lãnh đạo phê duyệt", "Proposed for approval"),
            Some(ActionKind::Approve) => ("Lãnh đạo đã phê duyệt", "Approved"),
            Some(ActionKind::SendBack) => ("Trả lại để xử lý lại", "Sent back for rework"),
            Some(ActionKind::RequestPayment) => {
                ("Yêu cầu thực hiện nghĩa vụ tài chính", "Payment requested")
            }
            Some(ActionKind::Pay) => ("Đã nộp phí, lệ phí", "Paid"),
            Some(ActionKind::AttachResult) => ("Đã có kết quả", "Result ready"),
            Some(ActionKind::ReturnResult) => ("Đã trả kết quả", "Result returned"),
            Some(ActionKind::Stop) => ("Dừng xử lý", "Processing stopped"),
            Some(ActionKind::RequestWithdrawal) => {
                ("Công dân yêu cầu rút hồ sơ", "Withdrawal requested")
            }
            Some(ActionKind::AcceptWithdrawal) => ("Đã rút hồ sơ", "Withdrawn"),
            Some(ActionKind::RefuseWithdrawal) => {
                ("Không đồng ý cho rút hồ sơ", "Withdrawal refused")
            }
            None => ("Cập nhật hồ sơ", "Dossier updated"),
        },
    };
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn amounts_read_out_in_vietnamese() {
        use super::vnd_words as w;
        assert_eq!(w(25_000), "Hai mươi lăm nghìn đồng");
        assert_eq!(w(50_000), "Năm mươi nghìn đồng");
        assert_eq!(w(120_000), "Một trăm hai mươi nghìn đồng");
        assert_eq!(w(1_250_000), "Một triệu hai trăm năm mươi nghìn đồng");
        assert_eq!(w(1_005_000), "Một triệu không trăm linh năm nghìn đồng");
        assert_eq!(
            w(2_021_015),
            "Hai triệu không trăm hai mươi mốt nghìn không trăm mười lăm đồng"
        );
        assert_eq!(w(105), "Một trăm linh năm đồng");
        assert_eq!(w(15), "Mười lăm đồng");
        assert_eq!(w(1_000_000_000), "Một tỷ đồng");
        assert_eq!(w(9_999_999_999), "Chín tỷ chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín đồng");
        assert_eq!(w(0), "Không đồng");
    }

    use super::*;

    #[test]
    fn dong_are_grouped_by_thousands() {
        assert_eq!(vnd(0), "0 đ");
        assert_eq!(vnd(999), "999 đ");
        assert_eq!(vnd(50_000), "50.000 đ");
        assert_eq!(vnd(1_250_000), "1.250.000 đ");
    }

    #[test]
    fn codes_round_trip() {
        let d = Day::parse_iso("2026-10-08").unwrap();
        let c = format_code("H15.50.05.13", d, 975);
        assert_eq!(c, "H15.50.05.13-261008-0975");
        assert_eq!(
            parse_code(&c),
            Some(("H15.50.05.13".into(), "261008".into(), 975))
        );
        assert_eq!(format_code("G09", d, 12345), "G09-261008-12345");
        assert!(parse_code("G09-261008-12345").is_some());
        for bad in [
            "",
            "H15-2610-0001",
            "-261008-0001",
            "H15-261008-01",
            "H15/1-261008-0001",
            "H15-261008-00a1",
        ] {
            assert_eq!(parse_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn status_codes() {
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(s));
        }
        assert_eq!(Status::from_code(11), None);
        assert_eq!(Status::Returned.code(), 10);
        // Withdrawal is asked while the agency holds the dossier, not while it waits on the
        // applicant (the workflows offer it there).
        assert!(Status::InProcess.can_withdraw());
        assert!(!Status::SupplementRequested.can_withdraw());
        assert!(!Status::Processed.can_withdraw());
    }
}

/// The date until which an archived dossier is kept (B-đ): `years` after the year it finished,
/// to the day (29 February falls back to the 28th); 0 years: permanently (None).
pub fn retain_until(finished: super::calendar::Day, years: i32) -> Option<String> {
    if years <= 0 {
        return None;
    }
    let (y, m, d) = finished.ymd();
    let day = super::calendar::Day::from_ymd(y + years, m, d)
        .or_else(|| super::calendar::Day::from_ymd(y + years, m, d - 1))?;
    Some(day.to_string())
}

/// A dossier in the archive lists (B-đ).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveRow {
    pub id: i32,
    pub code: Option<String>,
    pub procedure_name: String,
    pub status: Status,
    pub finished_at: Option<i64>,
    pub archived_at: Option<i64>,
    /// None while archived: kept permanently.
    pub retain_until: Option<String>,
    /// The retention period is over: due for appraisal before disposal (never deleted here).
    pub expired: bool,
}

/// The unit's archive page: finished dossiers waiting to be archived and the archive itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveView {
    pub pending: Vec<ArchiveRow>,
    pub pending_total: u64,
    pub archived: Vec<ArchiveRow>,
    pub archived_total: u64,
    pub expired_total: u64,
}

#[cfg(test)]
mod retention_tests {
    use super::retain_until;
    use crate::domain::calendar::Day;

    #[test]
    fn retention_counts_whole_years_and_zero_is_permanent() {
        let d = |s: &str| Day::parse_iso(s).expect("date");
        assert_eq!(
            retain_until(d("2026-12-02"), 10).as_deref(),
            Some("2036-12-02")
        );
        assert_eq!(
            retain_until(d("2028-02-29"), 5).as_deref(),
            Some("2033-02-28")
        );
        assert_eq!(
            retain_until(d("2028-02-29"), 4).as_deref(),
            Some("2032-02-29")
        );
        assert_eq!(retain_until(d("2026-12-02"), 0), None);
    }
}

/// How a file's submission round reads (B-đ): nothing for the application itself.
pub fn round_label(version: i32, lang: Lang) -> Option<String> {
    (version > 1).then(|| match lang {
        Lang::Vi => format!("bổ sung lần {}", version - 1),
        Lang::En => format!("supplement {}", version - 1),
    })
}

/// One postal leg of a dossier as its pages show it (P-3.5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentView {
    /// `papers` (collected from the applicant) or `result` (delivered to them).
    pub kind: String,
    pub status: String,
    pub receiver_name: String,
    pub phone: String,
    pub province_code: String,
    pub commune_code: String,
    pub street: String,
    /// Street, commune, province as one line.
    pub address: String,
    pub item_code: Option<String>,
    /// The post's reports, oldest first: (time, status, the post's own words).
    pub events: Vec<(i64, String, Option<String>)>,
}

/// What the applicant reads for a shipment status.
pub fn shipment_status_label(status: &str, lang: Lang) -> &'static str {
    let (vi, en) = match status {
        "chosen" => (
            "Đã đăng ký, chưa gửi bưu điện",
            "Chosen, not yet sent to the post",
        ),
        "queued" => ("Đang gửi yêu cầu đến bưu điện", "Being sent to the post"),
        "accepted" => (
            "Bưu điện đã nhận yêu cầu",
            "The post has accepted the order",
        ),
        "collected" => (
            "Bưu điện đã nhận bưu gửi",
            "The post has collected the item",
        ),
        "in_transit" => ("Đang vận chuyển", "In transit"),
        "delivered" => ("Đã phát thành công", "Delivered"),
        "failed" => ("Phát không thành công", "Delivery failed"),
        "returned" => ("Đã chuyển hoàn", "Returned to sender"),
        "cancelling" => (
            "Đang huỷ yêu cầu với bưu điện",
            "Being cancelled with the post",
        ),
        "cancelled" => ("Đã huỷ", "Cancelled"),
        _ => ("Không rõ", "Unknown"),
    };
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// The postal choice page (P-3.5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalView {
    pub id: i32,
    pub code: Option<String>,
    pub procedure_name: String,
    pub status: Status,
    /// The post collects the papers: can still be chosen or changed (drafts only).
    pub papers_open: bool,
    /// The result is delivered by post: can still be chosen or changed (until it is sent).
    pub result_open: bool,
    pub papers: Option<ShipmentView>,
    pub result: Option<ShipmentView>,
    /// Who the applicant is, to fill the form the first time.
    pub default_name: String,
    pub default_phone: String,
    pub provinces: Vec<(String, String)>,
    /// Communes of the province shown (the saved one, or the one just picked).
    pub communes: Vec<(String, String)>,
}
