//! P-4: applicants sign their own PDFs "the same way" as the agency signs results, with the
//! personal certificate a remote-signing CA holds for them (ký số từ xa). The applicant presses
//! "Ký số" beside a PDF on the documents page, confirms on the CA's phone app, and comes back
//! to "Kiểm tra kết quả ký"; the file is then replaced by its signed copy (PAdES, as
//! [`super::sign`] makes it), which the officer and the verify page can check.
//!
//! The adapter speaks the VNPT SmartCA "SP769" shape recorded in spec/protocols.md §3.3 (c),
//! under a base URL such as `https://gwsca.vnpt.vn/sca/sp769`:
//! 1. `POST {base}/v1/credentials/get_certificate` `{sp_id, sp_password, user_id, serial_number,
//!    transaction_id}` → `{status_code: 200, data: {user_certificates: [{cert_id, cert_data,
//!    serial_number, cert_status_code: "VALID", chain_data?: {ca_cert?, root_cert?}}]}}`. The
//!    `user_id` is the signer's citizen ID number (CCCD).
//! 2. `POST {base}/v1/signatures/sign` `{sp_id, sp_password, user_id, transaction_id,
//!    transaction_desc, serial_number, time_stamp (yyyyMMddHHmmss), sign_files: [{data_to_be_signed,
//!    doc_id, file_type: "pdf", sign_type: "hash"}]}` → `{status_code: 200, data:
//!    {transaction_id, expired_in}}`; the signer then confirms in the CA's app.
//! 3. `POST {base}/v1/signatures/sign/{transaction_id}/status` with an empty JSON body →
//!    `data.signatures` null while the signer has not answered, else
//!    `[{doc_id, signature_value}]`; any `status_code` other than 200 ends the transaction
//!    (refused, expired) with its `message`.
//!
//! **Documented choices where the public notes are silent:** `data_to_be_signed` is the hex
//! SHA-256 of the CMS signed attributes (the PAdES "compute hash" half), and `signature_value`
//! is the base64 raw signature over it (PKCS#1 v1.5 for RSA, DER ECDSA for P-256), which is
//! checked against the certificate before it is embedded; `chain_data` carries the issuing CA
//! certificates when the CA sends them. Every exchange goes to the integration log with the
//! citizen ID, password and certificates masked.
use std::time::Duration;

use base64::Engine as _;
use entity::{dossier_file, remote_signature};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use serde_json::{json, Value};

use super::auth::{invalid, now};
use super::sign::{SignError, SignInfo};
use super::Services;
use crate::domain::account::{AccountKind, Principal};
use crate::error::{internal, AppError};

const TIMEOUT: Duration = Duration::from_secs(30);
/// How long the signer has to confirm when the CA does not say (SmartCA clients wait about
/// five minutes, spec/protocols.md §3.3).
const DEFAULT_WINDOW: i64 = 300;
const SYSTEM: &str = "remotesign";

/// Where the remote-signing CA is; from `PORTAL_REMOTE_SIGN_*`.
#[derive(Clone, Debug)]
pub struct RemoteSignConfig {
    /// Base URL, e.g. `https://gwsca.vnpt.vn/sca/sp769`.
    pub url: String,
    /// The service provider's id and password the CA issued to this portal.
    pub sp_id: String,
    pub sp_password: String,
    /// The CA's name for people ("VNPT SmartCA").
    pub label: String,
    /// The identifier at the CA of the agency's own certificate (the tax code of an
    /// organisation certificate, or the signing leader's citizen ID), from
    /// `PORTAL_REMOTE_SIGN_AGENCY_ID`. When set, and no PKCS#12 key is configured, PDF results
    /// are signed through the CA: the agency's signer confirms on their phone.
    pub agency_id: Option<String>,
}

impl RemoteSignConfig {
    /// None when `PORTAL_REMOTE_SIGN_URL` is not set; an error names a missing companion.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let Some(url) = env("PORTAL_REMOTE_SIGN_URL").filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        let need =
            |k: &str| env(k).ok_or_else(|| format!("{k} must be set with PORTAL_REMOTE_SIGN_URL"));
        Ok(Some(Self {
            url: url.trim_end_matches('/').to_owned(),
            sp_id: need("PORTAL_REMOTE_SIGN_SP_ID")?,
            sp_password: need("PORTAL_REMOTE_SIGN_SP_PASSWORD")?,
            label: env("PORTAL_REMOTE_SIGN_LABEL").unwrap_or_else(|| "SmartCA".into()),
            agency_id: env("PORTAL_REMOTE_SIGN_AGENCY_ID").filter(|v| !v.is_empty()),
        }))
    }
}

/// What the CA said about a signing transaction.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// The signer has not confirmed yet.
    Waiting,
    /// The signature value.
    Signed(Vec<u8>),
    /// Refused by the signer, expired, or cancelled; the CA's message.
    Ended(String),
}

pub struct RemoteSign {
    cfg: RemoteSignConfig,
    http: reqwest::Client,
}

impl RemoteSign {
    pub fn new(cfg: RemoteSignConfig) -> Result<Self, String> {
        let http = super::npsp::http_client(TIMEOUT)
            .map_err(|e| format!("remote signing HTTP client: {e}"))?;
        Ok(Self { cfg, http })
    }

    pub fn label(&self) -> &str {
        &self.cfg.label
    }

    /// The identifier of the agency's certificate at the CA, when results are signed here.
    pub fn agency_id(&self) -> Option<&str> {
        self.cfg.agency_id.as_deref()
    }

    /// For the integrations page: where this instance asks, never the password.
    pub fn describe(&self) -> String {
        format!(
            "{} (sp_id {}): {}",
            self.cfg.label, self.cfg.sp_id, self.cfg.url
        )
    }

    /// One logged call; the answer's JSON when the HTTP exchange succeeded.
    async fn call(
        &self,
        svc: &Services,
        operation: &str,
        subject: &str,
        path: &str,
        body: Value,
    ) -> Result<Value, String> {
        let mut answer = String::new();
        super::outbox::post_logged(
            svc,
            (SYSTEM, operation, Some(subject)),
            self.http.post(format!("{}{path}", self.cfg.url)),
            body.to_string(),
            |status, text| {
                answer = text.to_owned();
                if status.is_success() {
                    Ok(())
                } else {
                    Err(format!("{SYSTEM} {operation}: HTTP {status}"))
                }
            },
        )
        .await?;
        serde_json::from_str(&answer).map_err(|_| format!("{SYSTEM} {operation}: not JSON"))
    }

    /// The signer's certificate chain (signer first, DER) and its serial number; None when
    /// the CA holds no valid certificate for this citizen ID.
    pub async fn certificate(
        &self,
        svc: &Services,
        citizen_id: &str,
        reference: &str,
    ) -> Result<Option<(Vec<Vec<u8>>, String)>, String> {
        let a = self
            .call(
                svc,
                "get_certificate",
                reference,
                "/v1/credentials/get_certificate",
                json!({
                    "sp_id": self.cfg.sp_id,
                    "sp_password": self.cfg.sp_password,
                    "user_id": citizen_id,
                    "serial_number": "",
                    "transaction_id": reference,
                }),
            )
            .await?;
        if a["status_code"].as_i64() != Some(200) {
            return Err(format!(
                "{SYSTEM} get_certificate: {} {}",
                a["status_code"], a["message"]
            ));
        }
        let b64 = |v: &Value| {
            v.as_str()
                .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
        };
        let certs = a["data"]["user_certificates"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let valid = certs.iter().find(|c| {
            c["cert_status_code"].as_str() == Some("VALID")
                && b64(&c["cert_data"]).is_some_and(|der| {
                    x509_parser::parse_x509_certificate(&der)
                        .is_ok_and(|(_, x)| x.validity().is_valid())
                })
        });
        let Some(c) = valid else {
            return Ok(None);
        };
        let mut chain = vec![b64(&c["cert_data"]).unwrap_or_default()];
        for k in ["ca_cert", "root_cert"] {
            if let Some(der) = b64(&c["chain_data"][k]) {
                chain.push(der);
            }
        }
        let serial = c["serial_number"].as_str().unwrap_or_default().to_owned();
        Ok(Some((chain, serial)))
    }

    /// Asks the signer to sign `digest`; the CA's transaction id and how many seconds the
    /// signer has.
    #[allow(clippy::too_many_arguments)]
    pub async fn request(
        &self,
        svc: &Services,
        citizen_id: &str,
        serial: &str,
        reference: &str,
        description: &str,
        doc_id: &str,
        digest: &[u8],
    ) -> Result<(String, i64), String> {
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let a = self
            .call(
                svc,
                "sign",
                reference,
                "/v1/signatures/sign",
                json!({
                    "sp_id": self.cfg.sp_id,
                    "sp_password": self.cfg.sp_password,
                    "user_id": citizen_id,
                    "transaction_id": reference,
                    "transaction_desc": description,
                    "serial_number": serial,
                    "time_stamp": super::npsp::portal_time(now()),
                    "sign_files": [{
                        "data_to_be_signed": hex,
                        "doc_id": doc_id,
                        "file_type": "pdf",
                        "sign_type": "hash",
                    }],
                }),
            )
            .await?;
        if a["status_code"].as_i64() != Some(200) {
            return Err(format!(
                "{SYSTEM} sign: {} {}",
                a["status_code"], a["message"]
            ));
        }
        let tid = a["data"]["transaction_id"]
            .as_str()
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .ok_or_else(|| format!("{SYSTEM} sign: no transaction_id"))?;
        let window = a["data"]["expired_in"]
            .as_i64()
            .filter(|s| (1..=3600).contains(s))
            .unwrap_or(DEFAULT_WINDOW);
        Ok((tid.to_owned(), window))
    }

    /// Where transaction `tid` stands.
    pub async fn status(&self, svc: &Services, tid: &str) -> Result<Answer, String> {
        // The id goes into the path: keep it to the characters CA ids use.
        if !tid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(format!("{SYSTEM}: unusable transaction id"));
        }
        let a = self
            .call(
                svc,
                "status",
                tid,
                &format!("/v1/signatures/sign/{tid}/status"),
                json!({}),
            )
            .await?;
        if a["status_code"].as_i64() != Some(200) {
            let msg = a["message"].as_str().unwrap_or("ended").to_owned();
            return Ok(Answer::Ended(msg));
        }
        match a["data"]["signatures"].as_array().and_then(|s| s.first()) {
            None => Ok(Answer::Waiting),
            Some(s) => s["signature_value"]
                .as_str()
                .and_then(|v| base64::engine::general_purpose::STANDARD.decode(v).ok())
                .map(Answer::Signed)
                .ok_or_else(|| format!("{SYSTEM} status: signature_value is not base64")),
        }
    }
}

fn not_signable() -> AppError {
    invalid(
        "sign",
        "Chỉ ký số được tệp PDF bạn đã đính kèm vào hồ sơ đang soạn hoặc đang bổ sung.",
        "Only a PDF you attached to a dossier you are preparing or supplementing can be signed.",
    )
}

/// The applicant's current PDF `file_id` in dossier `id`, and the dossier.
async fn signable(
    svc: &Services,
    p: &Principal,
    id: i32,
    file_id: i32,
) -> Result<(entity::dossier::Model, dossier_file::Model), AppError> {
    // The signer is the applicant in person: a counter officer acting for a walk-in applicant
    // cannot sign in their name.
    if p.kind == AccountKind::Officer {
        return Err(AppError::Forbidden);
    }
    let d = super::dossier::owned(svc, p, id).await?;
    if !super::dossier::editable(&d) {
        return Err(super::dossier::not_editable());
    }
    let f = dossier_file::Entity::find_by_id(file_id)
        .one(&svc.db)
        .await?
        .filter(|f| f.dossier_id == id && f.kind == "input" && f.superseded_at.is_none())
        .ok_or(AppError::NotFound)?;
    if f.content_type != "application/pdf" {
        return Err(not_signable());
    }
    Ok((d, f))
}

async fn waiting_for(
    svc: &Services,
    file_id: i32,
) -> Result<Option<remote_signature::Model>, AppError> {
    Ok(remote_signature::Entity::find()
        .filter(remote_signature::Column::Purpose.eq("input"))
        .filter(remote_signature::Column::FileId.eq(file_id))
        .filter(remote_signature::Column::State.eq("waiting"))
        .order_by_desc(remote_signature::Column::Id)
        .one(&svc.db)
        .await?)
}

fn b64(v: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(v)
}

/// Sends the signing request for one of the applicant's PDFs. Asking again while a request
/// is still open changes nothing (the signer has one confirmation to answer, not two).
pub async fn start(svc: &Services, p: &Principal, id: i32, file_id: i32) -> Result<(), AppError> {
    let ca = svc
        .integrations
        .remote_sign
        .clone()
        .ok_or(AppError::NotFound)?;
    let (d, f) = signable(svc, p, id, file_id).await?;
    let t = now();
    if let Some(open) = waiting_for(svc, file_id).await? {
        if open.expires_at > t {
            return Ok(());
        }
        mark(svc, open.id, "expired", None).await?;
    }
    let user = entity::user_account::Entity::find_by_id(p.user_id)
        .one(&svc.db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let citizen_id = user
        .citizen_id_enc
        .as_deref()
        .and_then(|c| svc.auth.cipher.decrypt("citizen_id", c))
        .ok_or_else(|| {
            invalid(
                "sign",
                "Tài khoản của bạn chưa có số định danh cá nhân, cần để ký số từ xa. Hãy đăng nhập bằng tài khoản định danh điện tử (VNeID) hoặc bổ sung số định danh trong trang tài khoản.",
                "Your account has no personal identification number, which remote signing needs. Sign in with your national e-ID (VNeID) or add the number on your account page.",
            )
        })?;
    let code = d.code.clone().unwrap_or_else(|| format!("#{id}"));
    let info = SignInfo {
        name: p.full_name.clone(),
        reason: format!(
            "Người nộp ký giấy tờ trong hồ sơ {code}: {}",
            svc.procedure_name(d.procedure_id)
        ),
        location: svc.portal.name.clone(),
        time: t,
    };
    let bytes = svc.storage.read(&f.sha256).await.map_err(internal)?;
    let ask = Ask {
        ca_user: &citizen_id,
        field: "sign",
        prefix: format!("HS{id}-F{file_id}"),
        description: format!("Ký giấy tờ hồ sơ {code} ({})", f.file_name),
        row: remote_signature::ActiveModel {
            dossier_id: Set(id),
            purpose: Set("input".into()),
            file_id: Set(file_id),
            user_id: Set(p.user_id),
            ..Default::default()
        },
        no_certificate: invalid(
            "sign",
            &format!("Không tìm thấy chứng thư số còn hiệu lực của bạn tại {}. Hãy đăng ký dịch vụ ký số từ xa rồi thử lại.", ca.label()),
            &format!("{} holds no valid certificate for you. Register for remote signing, then try again.", ca.label()),
        ),
    };
    open(svc, &ca, ask, bytes, info).await
}

/// What a new signing request is about.
struct Ask<'a> {
    /// The signer's identifier at the CA (a citizen ID, or the agency's tax code).
    ca_user: &'a str,
    /// Where errors show on the page.
    field: &'static str,
    /// The start of our reference for the CA (its `transaction_id` in the request).
    prefix: String,
    /// What the signer reads in the app.
    description: String,
    /// The row to record, with what the request is about already set.
    row: remote_signature::ActiveModel,
    /// The error when the CA holds no valid certificate for the signer.
    no_certificate: AppError,
}

/// Asks the CA for the signer's certificate, prepares `bytes` for it, sends the digest to be
/// signed, and records the waiting request.
async fn open(
    svc: &Services,
    ca: &RemoteSign,
    ask: Ask<'_>,
    bytes: Vec<u8>,
    info: SignInfo,
) -> Result<(), AppError> {
    let reference = format!(
        "{}-{}",
        ask.prefix,
        super::auth::crypto::random_token()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(12)
            .collect::<String>()
    );
    let silent = |e: String| {
        tracing::warn!("remote signing {reference}: {e}");
        ca_silent(ask.field)
    };
    let (chain, serial) = match ca.certificate(svc, ask.ca_user, &reference).await {
        Ok(Some(c)) => c,
        Ok(None) => return Err(ask.no_certificate),
        Err(e) => return Err(silent(e)),
    };
    let digest = {
        let (chain, info) = (chain.clone(), info.clone());
        tokio::task::spawn_blocking(move || {
            super::sign::prepare(&bytes, &chain, &info).map(|p| p.digest())
        })
        .await
        .map_err(internal)?
        .map_err(|e| invalid(ask.field, e.vi(), e.en()))?
    };
    let (tid, window) = ca
        .request(
            svc,
            ask.ca_user,
            &serial,
            &reference,
            &ask.description,
            &reference,
            &digest,
        )
        .await
        .map_err(silent)?;
    let t = now();
    let mut row = ask.row;
    row.transaction_id = Set(tid);
    row.state = Set("waiting".into());
    row.digest = Set(digest.iter().map(|b| format!("{b:02x}")).collect());
    row.chain = Set(chain.iter().map(|c| b64(c)).collect::<Vec<_>>().join(","));
    row.signed_at = Set(info.time);
    row.name = Set(info.name);
    row.reason = Set(info.reason);
    row.location = Set(info.location);
    row.created_at = Set(t);
    row.expires_at = Set(t + window);
    row.insert(&svc.db).await?;
    Ok(())
}

/// Closes a waiting request (only if it is still waiting: two checks at once close it once).
async fn mark(
    svc: &Services,
    request: i32,
    state: &str,
    message: Option<String>,
) -> Result<bool, AppError> {
    let r = remote_signature::Entity::update_many()
        .col_expr(remote_signature::Column::State, Expr::value(state))
        .col_expr(remote_signature::Column::DoneAt, Expr::value(Some(now())))
        .col_expr(remote_signature::Column::Message, Expr::value(message))
        .filter(remote_signature::Column::Id.eq(request))
        .filter(remote_signature::Column::State.eq("waiting"))
        .exec(&svc.db)
        .await?;
    Ok(r.rows_affected == 1)
}

/// What checking a request found.
#[derive(Debug, PartialEq, Eq)]
pub enum Checked {
    /// Still waiting for the signer.
    Waiting,
    /// The signed copy replaced the file.
    Signed,
}

/// Asks the CA whether the signer confirmed; on a signature, replaces the file with its
/// signed copy. A refusal, an expiry or a signature that does not match the certificate ends
/// the request with a clear error and leaves the file as it was.
pub async fn check(
    svc: &Services,
    p: &Principal,
    id: i32,
    file_id: i32,
) -> Result<Checked, AppError> {
    let ca = svc
        .integrations
        .remote_sign
        .clone()
        .ok_or(AppError::NotFound)?;
    let (d, f) = signable(svc, p, id, file_id).await?;
    let Some(r) = waiting_for(svc, file_id)
        .await?
        .filter(|r| r.user_id == p.user_id)
    else {
        return Err(invalid(
            "sign",
            "Không có yêu cầu ký số nào đang chờ cho tệp này. Hãy bấm “Ký số” để gửi yêu cầu.",
            "No signing request is waiting for this file. Press “Sign” to send one.",
        ));
    };
    let bytes = svc.storage.read(&f.sha256).await.map_err(internal)?;
    let Some(signed) = collect(svc, &ca, &r, bytes).await? else {
        return Ok(Checked::Waiting);
    };
    store_signed(svc, p, &d, &f, &r, signed).await?;
    Ok(Checked::Signed)
}

/// Asks the CA about request `r` over the unsigned `bytes`: None while the signer has not
/// answered; the signed file once they confirmed and the signature checks out. Any other end
/// closes the request and is a clear error (the caller's file stays as it was).
async fn collect(
    svc: &Services,
    ca: &RemoteSign,
    r: &remote_signature::Model,
    bytes: Vec<u8>,
) -> Result<Option<Vec<u8>>, AppError> {
    let id = r.dossier_id;
    let answer = match ca.status(svc, &r.transaction_id).await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!("remote signing for dossier {id}: {e}");
            return Err(ca_silent("sign"));
        }
    };
    let ended = |vi: &str, en: &str| invalid("sign", vi, en);
    let signature = match answer {
        Answer::Waiting if now() > r.expires_at => {
            mark(svc, r.id, "expired", None).await?;
            return Err(ended(
                "Yêu cầu ký số đã hết hạn mà chưa được xác nhận. Hãy bấm “Ký số” để gửi lại.",
                "The signing request expired without being confirmed. Press “Sign” to send it again.",
            ));
        }
        Answer::Waiting => return Ok(None),
        Answer::Ended(msg) => {
            mark(svc, r.id, "refused", Some(msg.chars().take(200).collect())).await?;
            return Err(ended(
                "Yêu cầu ký số không được xác nhận (bị từ chối hoặc đã hết hạn trên ứng dụng ký số). Tệp chưa được ký; bạn có thể bấm “Ký số” để gửi lại.",
                "The signing request was not confirmed (refused or expired in the signing app). The file is not signed; you can press “Sign” to send it again.",
            ));
        }
        Answer::Signed(s) => s,
    };
    // Prepare the same bytes again and check they are what was sent to be signed.
    let chain: Vec<Vec<u8>> = r
        .chain
        .split(',')
        .filter_map(|c| base64::engine::general_purpose::STANDARD.decode(c).ok())
        .collect();
    let info = SignInfo {
        name: r.name.clone(),
        reason: r.reason.clone(),
        location: r.location.clone(),
        time: r.signed_at,
    };
    let expected = r.digest.clone();
    let signed = tokio::task::spawn_blocking(move || {
        let pending = super::sign::prepare(&bytes, &chain, &info)?;
        let got: String = pending
            .digest()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if got != expected {
            return Err(SignError::Key(
                "the file changed while it was signed".into(),
            ));
        }
        pending.finish(&signature)
    })
    .await
    .map_err(internal)?;
    let signed = match signed {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!("remote signature for dossier {id} refused: {e}");
            mark(svc, r.id, "failed", Some(e.to_string())).await?;
            return Err(ended(
                "Chữ ký nhận từ dịch vụ ký số không khớp với chứng thư số hoặc với tệp, nên không được dùng. Tệp chưa được ký; hãy thử ký lại.",
                "The signature from the signing service does not match the certificate or the file, so it was not used. The file is not signed; try signing again.",
            ));
        }
    };
    Ok(Some(signed))
}

/// Puts the signed copy in the store and in the dossier in place of the original: deleted
/// if the agency never saw it, kept as an earlier version otherwise (B-đ), as a replaced
/// upload would be.
async fn store_signed(
    svc: &Services,
    p: &Principal,
    d: &entity::dossier::Model,
    f: &dossier_file::Model,
    r: &remote_signature::Model,
    signed: Vec<u8>,
) -> Result<(), AppError> {
    let sha = put_bytes(svc, &signed).await?;
    let t = now();
    let done = async {
        let txn = svc.db.begin().await?;
        super::write_lock(&txn).await?;
        let closed = remote_signature::Entity::update_many()
            .col_expr(remote_signature::Column::State, Expr::value("signed"))
            .col_expr(remote_signature::Column::DoneAt, Expr::value(Some(t)))
            .filter(remote_signature::Column::Id.eq(r.id))
            .filter(remote_signature::Column::State.eq("waiting"))
            .exec(&txn)
            .await?;
        if closed.rows_affected != 1 {
            // Another check stored it first.
            return Ok::<_, AppError>(false);
        }
        let new = dossier_file::ActiveModel {
            dossier_id: Set(d.id),
            slot: Set(f.slot.clone()),
            kind: Set("input".into()),
            file_name: Set(f.file_name.clone()),
            content_type: Set(f.content_type.clone()),
            size: Set(signed.len() as i64),
            sha256: Set(sha.clone()),
            uploaded_by: Set(Some(p.user_id)),
            created_at: Set(t),
            version: Set(super::dossier::next_version(&txn, d.id).await?),
            digitised: Set(f.digitised),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        if d.submitted_at.is_some() {
            dossier_file::Entity::update_many()
                .col_expr(dossier_file::Column::SupersededAt, Expr::value(Some(t)))
                .filter(dossier_file::Column::Id.eq(f.id))
                .exec(&txn)
                .await?;
        } else {
            dossier_file::Entity::delete_by_id(f.id).exec(&txn).await?;
        }
        remote_signature::Entity::update_many()
            .col_expr(
                remote_signature::Column::SignedFileId,
                Expr::value(Some(new.id)),
            )
            .filter(remote_signature::Column::Id.eq(r.id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(true)
    }
    .await;
    match done {
        Ok(true) => {
            if d.submitted_at.is_none() {
                super::dossier::release_blob(svc, &f.sha256).await;
            }
            Ok(())
        }
        Ok(false) => {
            super::dossier::release_blob(svc, &sha).await;
            Ok(())
        }
        Err(e) => {
            super::dossier::release_blob(svc, &sha).await;
            Err(e)
        }
    }
}

/// Per file of dossier `id`: who signed it through the remote CA, and whether a request is
/// waiting — for the documents page.
pub async fn file_states(
    svc: &Services,
    id: i32,
) -> Result<std::collections::HashMap<i32, (bool, Option<String>)>, AppError> {
    let t = now();
    let mut out = std::collections::HashMap::new();
    for r in remote_signature::Entity::find()
        .filter(remote_signature::Column::DossierId.eq(id))
        .order_by_asc(remote_signature::Column::Id)
        .all(&svc.db)
        .await?
    {
        match (r.state.as_str(), r.signed_file_id) {
            ("waiting", _) if r.expires_at > t => {
                out.entry(r.file_id).or_insert((false, None)).0 = true;
            }
            ("signed", Some(fid)) => {
                out.entry(fid).or_insert((false, None)).1 = Some(r.name.clone());
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Deletes the signing requests of a draft being deleted.
pub async fn forget(db: &impl sea_orm::ConnectionTrait, dossier_id: i32) -> Result<(), AppError> {
    remote_signature::Entity::delete_many()
        .filter(remote_signature::Column::DossierId.eq(dossier_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Puts `bytes` in the blob store; their SHA-256.
async fn put_bytes(svc: &Services, bytes: &[u8]) -> Result<String, AppError> {
    let sha = super::storage::sha256_hex(bytes);
    let staged = svc
        .storage
        .staging_dir()
        .join(format!("signed-{}", super::auth::crypto::random_token()));
    tokio::fs::write(&staged, bytes).await.map_err(internal)?;
    if let Err(e) = svc.storage.put(&staged, &sha).await {
        let _ = tokio::fs::remove_file(&staged).await;
        return Err(internal(e));
    }
    Ok(sha)
}

// ---------------------------------------------------------------------------------------------
// Results signed by the agency through the CA (P-4: "with the agency's X.509 certificate from a
// PKCS#12 file or through a remote-signing adapter").

fn ca_silent(field: &str) -> AppError {
    invalid(
        field,
        "Dịch vụ ký số từ xa đang không trả lời. Hãy thử lại sau ít phút.",
        "The remote-signing service is not answering. Try again in a few minutes.",
    )
}

/// Sends the officer's unsigned result (already in the blob store as `sha`) to be signed with
/// the agency's certificate. The result enters the dossier, and the dossier its next status,
/// only when the signature comes back ([`check_result`]).
pub async fn start_result(
    svc: &Services,
    officer: &Principal,
    d: &entity::dossier::Model,
    file_name: &str,
    sha: &str,
    info: SignInfo,
) -> Result<(), AppError> {
    let ca = svc
        .integrations
        .remote_sign
        .clone()
        .ok_or(AppError::NotFound)?;
    let agency_id = ca.agency_id().ok_or(AppError::NotFound)?.to_owned();
    if result_waiting(svc, d.id).await?.is_some() {
        return Err(invalid(
            "result",
            "Đã có một kết quả đang chờ ký số. Hãy kiểm tra kết quả ký trước khi đính kèm tệp khác.",
            "A result is already waiting to be signed. Check its signature before attaching another file.",
        ));
    }
    let id = d.id;
    let code = d.code.clone().unwrap_or_else(|| format!("#{id}"));
    let bytes = svc.storage.read(sha).await.map_err(internal)?;
    let ask = Ask {
        ca_user: &agency_id,
        field: "result",
        prefix: format!("KQ{id}"),
        description: format!("Ký kết quả hồ sơ {code} ({file_name})"),
        row: remote_signature::ActiveModel {
            dossier_id: Set(id),
            purpose: Set("result".into()),
            file_id: Set(0),
            source_sha: Set(Some(sha.to_owned())),
            file_name: Set(Some(file_name.to_owned())),
            user_id: Set(officer.user_id),
            ..Default::default()
        },
        no_certificate: invalid(
            "result",
            &format!(
                "{} không có chứng thư số còn hiệu lực của cơ quan. Hãy báo quản trị hệ thống.",
                ca.label()
            ),
            &format!(
                "{} holds no valid certificate of the agency. Tell the system administrator.",
                ca.label()
            ),
        ),
    };
    open(svc, &ca, ask, bytes, info).await
}

/// The result of dossier `id` waiting for the agency's signature, if any.
pub async fn result_waiting(
    svc: &Services,
    id: i32,
) -> Result<Option<remote_signature::Model>, AppError> {
    Ok(remote_signature::Entity::find()
        .filter(remote_signature::Column::DossierId.eq(id))
        .filter(remote_signature::Column::Purpose.eq("result"))
        .filter(remote_signature::Column::State.eq("waiting"))
        .order_by_desc(remote_signature::Column::Id)
        .one(&svc.db)
        .await?)
}

/// Officer: asks the CA whether the agency's signer confirmed; on a valid signature the signed
/// result is filed exactly as a locally signed one would be (rows, step, notice). Whatever the
/// end, the unsigned copy does not stay in the store.
pub async fn check_result(
    svc: &Services,
    officer: &Principal,
    id: i32,
) -> Result<Checked, AppError> {
    let ca = svc
        .integrations
        .remote_sign
        .clone()
        .ok_or(AppError::NotFound)?;
    // The same rights as attaching it: the officer handles the dossier and may attach now.
    let d = super::dossier::result_dossier(svc, officer, id).await?;
    let Some(r) = result_waiting(svc, id).await? else {
        return Err(invalid(
            "result",
            "Không có kết quả nào đang chờ ký số.",
            "No result is waiting to be signed.",
        ));
    };
    let source = r.source_sha.clone().unwrap_or_default();
    let bytes = svc.storage.read(&source).await.map_err(internal)?;
    let signed = match collect(svc, &ca, &r, bytes).await {
        Ok(None) => return Ok(Checked::Waiting),
        Ok(Some(s)) => s,
        Err(e) => {
            super::dossier::release_blob(svc, &source).await;
            return Err(relabel(e));
        }
    };
    let sha = put_bytes(svc, &signed).await?;
    let name = r.file_name.clone().unwrap_or_else(|| "ket-qua.pdf".into());
    // Closed first: two officers checking at once file the result once.
    if !mark(svc, r.id, "signed", None).await? {
        super::dossier::release_blob(svc, &sha).await;
        return Ok(Checked::Signed);
    }
    let filed = super::dossier::record_result(
        svc,
        officer,
        &d,
        &name,
        crate::domain::eform::FileType::Pdf,
        signed.len() as i64,
        &sha,
    )
    .await;
    super::dossier::release_blob(svc, &source).await;
    match filed {
        Ok(file_id) => {
            remote_signature::Entity::update_many()
                .col_expr(
                    remote_signature::Column::SignedFileId,
                    Expr::value(Some(file_id)),
                )
                .filter(remote_signature::Column::Id.eq(r.id))
                .exec(&svc.db)
                .await?;
            Ok(Checked::Signed)
        }
        Err(e) => {
            // The step was refused (the dossier moved on meanwhile): nothing was filed.
            remote_signature::Entity::update_many()
                .col_expr(remote_signature::Column::State, Expr::value("failed"))
                .filter(remote_signature::Column::Id.eq(r.id))
                .exec(&svc.db)
                .await?;
            Err(e)
        }
    }
}

/// The applicant-facing errors of [`collect`] name the field `sign`; on the officer page the
/// result form is the place.
fn relabel(e: AppError) -> AppError {
    match e {
        AppError::Validation(mut v) => {
            for f in &mut v {
                f.field = "result".into();
            }
            AppError::Validation(v)
        }
        other => other,
    }
}

/// Requests still waiting an hour after the CA's window closed: nobody came back to check
/// them. They are closed as expired, and a result's unsigned copy leaves the store, so that
/// an abandoned request leaves no file behind; how many.
pub async fn sweep_expired(svc: &Services) -> Result<usize, AppError> {
    let stale = remote_signature::Entity::find()
        .filter(remote_signature::Column::State.eq("waiting"))
        .filter(remote_signature::Column::ExpiresAt.lt(now() - 3600))
        .limit(200)
        .all(&svc.db)
        .await?;
    let mut closed = 0;
    for r in stale {
        if mark(svc, r.id, "expired", None).await? {
            closed += 1;
            if let Some(sha) = &r.source_sha {
                super::dossier::release_blob(svc, sha).await;
            }
        }
    }
    Ok(closed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_names_what_is_missing() {
        let none = RemoteSignConfig::from_env(|_| None).expect("ok");
        assert!(none.is_none());
        let partial = RemoteSignConfig::from_env(|k| {
            (k == "PORTAL_REMOTE_SIGN_URL").then(|| "https://ca.example/sca/sp769/".to_owned())
        });
        assert!(partial
            .expect_err("incomplete")
            .contains("PORTAL_REMOTE_SIGN_SP_ID"));
        let full = RemoteSignConfig::from_env(|k| match k {
            "PORTAL_REMOTE_SIGN_URL" => Some("https://ca.example/sca/sp769/".into()),
            "PORTAL_REMOTE_SIGN_SP_ID" => Some("sp".into()),
            "PORTAL_REMOTE_SIGN_SP_PASSWORD" => Some("pw".into()),
            _ => None,
        })
        .expect("ok")
        .expect("configured");
        // The trailing slash goes: paths are appended to it.
        assert_eq!(full.url, "https://ca.example/sca/sp769");
        assert_eq!(full.label, "SmartCA");
        assert_eq!(full.agency_id, None);
    }
}
