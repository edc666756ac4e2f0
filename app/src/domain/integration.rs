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
