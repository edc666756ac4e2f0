//! SMS notifications beside the in-app list and email (P-3.2: "in-app + email; SMS adapter").
//! They also reach walk-in applicants filed at the counter, who have a phone number and no
//! account.
//!
//! No national protocol is public for SMS (spec/protocols.md names none), so the adapter speaks
//! the common shape of Vietnamese brandname gateways, configured by `PORTAL_SMS_*`:
//! `POST {PORTAL_SMS_URL}` with `Authorization: Bearer {PORTAL_SMS_TOKEN}` and the JSON body
//! `{"brandname", "phone": "84…", "message", "ref"}`; the gateway answers 200 with
//! `{"code": "00", "id": …}` when it accepts the message, and any other code is a refusal.
//! `ref` is the outbox key: a gateway sends a given `ref` once, so a redelivery after a lost
//! answer does not text the applicant twice. Messages go through the outbox (retries with
//! backoff, dead letters, the integration log with the phone number masked).
use std::time::Duration;

use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

use super::outbox;
use super::Services;
use crate::error::AppError;

/// The outbox topic of text messages.
pub const TOPIC: &str = "sms";
/// Three concatenated GSM-7 segments of 153 characters.
pub const MAX_CHARS: usize = 459;
const TIMEOUT: Duration = Duration::from_secs(30);

/// Where the SMS gateway is; from `PORTAL_SMS_*`.
#[derive(Clone, Debug)]
pub struct SmsConfig {
    pub url: String,
    pub token: String,
    /// The sender name registered with the carriers (brandname).
    pub brandname: String,
}

impl SmsConfig {
    /// None when `PORTAL_SMS_URL` is not set; an error names a missing companion setting.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let Some(url) = env("PORTAL_SMS_URL") else {
            return Ok(None);
        };
        let need = |k: &str| env(k).ok_or_else(|| format!("{k} must be set with PORTAL_SMS_URL"));
        Ok(Some(Self {
            url,
            token: need("PORTAL_SMS_TOKEN")?,
            brandname: need("PORTAL_SMS_BRANDNAME")?,
        }))
    }
}

/// A Vietnamese mobile number in the international form gateways take: `0905123456` →
/// `84905123456`. None for anything that is not 10 digits starting with 0 (or already 84…).
pub fn msisdn(phone: &str) -> Option<String> {
    let digits: String = phone
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let digits = digits.strip_prefix('+').unwrap_or(&digits);
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match (
        digits.len(),
        digits.strip_prefix('0'),
        digits.strip_prefix("84"),
    ) {
        (10, Some(rest), _) => Some(format!("84{rest}")),
        (11, _, Some(_)) => Some(digits.to_owned()),
        _ => None,
    }
}

/// The message as sent: Vietnamese letters without their marks (GSM-7: with them a message
/// would be UCS-2, 70 characters a segment), on one line, cut to [`MAX_CHARS`].
pub fn sms_text(s: &str) -> String {
    let flat = crate::domain::text::unaccent(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if flat.chars().count() <= MAX_CHARS {
        return flat;
    }
    let mut cut: String = flat.chars().take(MAX_CHARS - 3).collect();
    cut.push_str("...");
    cut
}

/// Queues a text to `phone` about dossier `code` in the caller's transaction or connection.
/// Nothing happens when SMS is not configured or the number is not a mobile number.
pub async fn enqueue(
    svc: &Services,
    db: &impl ConnectionTrait,
    key: &str,
    phone: &str,
    code: &str,
    text: &str,
) -> Result<(), AppError> {
    if svc.integrations.sms.is_none() {
        return Ok(());
    }
    let Some(to) = msisdn(phone) else {
        return Ok(());
    };
    let payload = json!({ "ref": key, "phone": to, "dossier": code, "message": sms_text(text) });
    outbox::enqueue(db, TOPIC, key, &payload).await
}

pub struct Sms {
    cfg: SmsConfig,
    http: reqwest::Client,
}

impl Sms {
    pub fn new(cfg: SmsConfig) -> Result<Self, String> {
        let http =
            super::npsp::http_client(TIMEOUT).map_err(|e| format!("SMS HTTP client: {e}"))?;
        Ok(Self { cfg, http })
    }

    /// For the integrations page: where this instance sends, never the token.
    pub fn describe(&self) -> String {
        format!("SMS brandname {}: {}", self.cfg.brandname, self.cfg.url)
    }

    /// Sends one queued message.
    pub async fn deliver(&self, svc: &Services, payload: &Value) -> Result<(), String> {
        let field = |k: &str| {
            payload
                .get(k)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("payload has no {k}"))
        };
        let body = json!({
            "brandname": self.cfg.brandname,
            "phone": field("phone")?,
            "message": field("message")?,
            "ref": field("ref")?,
        });
        outbox::post_logged(
            svc,
            (
                "sms",
                "send",
                payload.get("dossier").and_then(Value::as_str),
            ),
            self.http.post(&self.cfg.url).bearer_auth(&self.cfg.token),
            body.to_string(),
            |status, text| {
                let code = serde_json::from_str::<Value>(text)
                    .ok()
                    .and_then(|v| v.get("code").and_then(Value::as_str).map(str::to_owned));
                match (status.is_success(), code.as_deref()) {
                    (true, Some("00")) => Ok(()),
                    _ => Err(format!(
                        "SMS gateway answered HTTP {} code {}",
                        status.as_u16(),
                        code.unwrap_or_else(|| "-".into())
                    )),
                }
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_take_the_international_form() {
        assert_eq!(msisdn("0905123456").as_deref(), Some("84905123456"));
        assert_eq!(msisdn("0905 123 456").as_deref(), Some("84905123456"));
        assert_eq!(msisdn("+84905123456").as_deref(), Some("84905123456"));
        assert_eq!(msisdn("84905123456").as_deref(), Some("84905123456"));
        assert_eq!(msisdn("905123456"), None);
        assert_eq!(msisdn("09051234x6"), None);
        assert_eq!(msisdn(""), None);
    }

    #[test]
    fn text_loses_marks_keeps_case_and_fits_three_segments() {
        assert_eq!(
            sms_text("Hồ sơ H48.50.01-261202-0001:\nĐã tiếp nhận, Ngày hẹn 10/12/2026."),
            "Ho so H48.50.01-261202-0001: Da tiep nhan, Ngay hen 10/12/2026."
        );
        let long = sms_text(&"Được ".repeat(200));
        assert_eq!(long.chars().count(), MAX_CHARS);
        assert!(long.starts_with("Duoc Duoc") && long.ends_with("..."));
    }
}
