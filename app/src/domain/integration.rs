//! What administrators see of the integrations (B-m, EMC-2): the outbox queue and the log of
//! messages exchanged with other systems.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRow {
    pub id: i32,
    pub topic: String,
    pub key: String,
    pub status: String,
    pub attempts: i32,
    pub next_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRow {
    pub id: i32,
    pub at: i64,
    pub system: String,
    pub direction: String,
    pub operation: String,
    pub subject: Option<String>,
    pub ok: bool,
    pub http_status: Option<i32>,
    pub duration_ms: i32,
    pub request: String,
    pub response: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxView {
    /// One line per configured adapter (system and endpoint, never credentials).
    pub configured: Vec<String>,
    pub pending: u64,
    pub delivered: u64,
    pub dead: u64,
    pub dead_rows: Vec<MessageRow>,
    /// Messages that failed at least once and wait for their next attempt.
    pub waiting: Vec<MessageRow>,
    pub log: Vec<LogRow>,
    /// The subject the log is filtered by.
    pub q: String,
    /// EMC, when this instance is connected to it.
    pub emc: Option<EmcView>,
    /// Partners registered for the public API (G-3).
    pub api_clients: Vec<ApiClientRow>,
}

/// The scopes a public-API client can be given, with what they allow (G-3).
pub const API_SCOPES: [(&str, &str, &str); 4] = [
    (
        "dossier:read",
        "Tra cứu hồ sơ và tiến độ xử lý (không gồm thông tin cá nhân)",
        "Read dossiers and their progress (no personal data)",
    ),
    (
        "dossier:write",
        "Chuyển hồ sơ đã nộp ở hệ thống khác đến để xử lý (Cổng DVC quốc gia)",
        "Deliver dossiers filed elsewhere for processing (National Public Service Portal)",
    ),
    (
        "payment:read",
        "Tra cứu khoản phí hồ sơ phải nộp để thu qua Cổng DVC quốc gia (có họ tên người nộp)",
        "Read the fees dossiers owe, to collect them on the National Public Service Portal (includes the payer's name)",
    ),
    (
        "webhook:manage",
        "Đăng ký nhận thông báo sự kiện (webhook)",
        "Subscribe to event notifications (webhooks)",
    ),
];

/// A partner registered for the public API, as the integrations page lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiClientRow {
    pub id: i32,
    pub client_id: String,
    pub name: String,
    pub scopes: Vec<String>,
    /// The unit it is limited to, if any.
    pub agency: Option<String>,
    pub rate_per_minute: i32,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
    pub webhooks: u64,
}

/// One signature of a document, as the verify page (P-4) reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignatureReport {
    /// The signer certificate's subject common name (or whole subject).
    pub signer: String,
    /// The signer certificate's organisation, if any.
    pub organisation: Option<String>,
    /// Its issuer's common name.
    pub issuer: String,
    /// The claimed signing time (`/M`), shown in Vietnam time.
    pub signed_at: Option<String>,
    pub reason: Option<String>,
    /// The signed bytes are unchanged (digest matches, signature verifies).
    pub intact: bool,
    /// The signer's chain reaches a configured trust root, each link valid at signing time.
    pub trusted: bool,
    /// No bytes were added to the file after this signature.
    pub covers_whole_file: bool,
    /// A short English reason when something failed (for logs and tests).
    pub problem: Option<String>,
}

impl SignatureReport {
    /// Valid: unchanged since signing and from a trusted signer.
    pub fn valid(&self) -> bool {
        self.intact && self.trusted
    }
}

/// EMC-5: what EMC should have against what it was sent, for dossiers changed in the last
/// `days` days.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    pub days: u32,
    /// Dossiers (submitted, changed in the period).
    pub dossiers: u64,
    /// Their latest event was delivered.
    pub up_to_date: u64,
    /// Their latest event waits in the outbox.
    pub in_flight: u64,
    /// Their latest event was never queued, or is a dead letter: (dossier id, code).
    pub missing: Vec<(i32, String)>,
}

/// EMC-4: the connection information form (Phụ lục VIII) and EMC-5's reconciliation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmcView {
    pub system_name: String,
    pub url: String,
    pub site_id: String,
    pub contact: String,
    pub tracker_url: String,
    pub push_url: Option<String>,
    pub reconciliation: Reconciliation,
}
