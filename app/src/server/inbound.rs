//! Dossiers filed elsewhere and received here through the public API (B-m): the National
//! Public Service Portal in the "back office only" mode of 2025, where citizens file on the
//! NPSP and the agency's system receives and processes the dossier, or any other front office
//! the administrator registers as a partner with the `dossier:write` scope.
//!
//! The payload keeps the NPSP's own field names (`MaHoSo`, `MaTTHC`, `TaiLieuNop[]` with
//! `TenTepDinhKem` and `Base64`, dates `yyyyMMddHHmmss`: `spec/protocols.md` §1.3, §1.7), so a
//! sender that already speaks `DongBoHoSoMC` needs no new vocabulary. The dossier keeps the
//! code the sender gave it, so the citizen looks it up here with the code the NPSP showed.
//!
//! Receiving is idempotent on `MaHoSo`: the same partner sending it again (a retry after a
//! lost answer) gets the dossier it created; a code that belongs to another dossier is a
//! conflict. Every field is checked and every file decoded and recognised before anything is
//! stored, so a bad payload changes nothing.
use base64::Engine;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Set,
    Statement, TransactionTrait,
};
use serde::Deserialize;
use serde_json::Value;

use entity::{dossier, dossier_event, dossier_file, notification, procedure};

use super::api::{ApiError, Caller};
use super::auth::{field, now, RequestMeta};
use super::storage::{sanitise_name, Staged};
use super::Services;
use crate::domain::account::{normalise_citizen_id, normalise_email, normalise_phone};
use crate::domain::calendar::Day;
use crate::domain::dossier::{parse_code, Status};
use crate::domain::eform::{FileType, Kind, Prefill, Values};
use crate::error::{internal, FieldError};

/// Files one dossier may carry.
pub const MAX_FILES: usize = 30;
/// The channel recorded on received dossiers.
pub const CHANNEL: &str = "npsp";
/// The event that opens a received dossier's history.
pub const ACTION: &str = "receive_api";

/// One submitted file (`TaiLieuNop[]`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct InFile {
    #[serde(rename = "TenTepDinhKem")]
    pub name: String,
    /// The document slot of the procedure's form (`dossierPartNo`), when the sender knows it.
    #[serde(rename = "MaThanhPhanHoSo")]
    pub part: Option<String>,
    #[serde(rename = "Base64")]
    pub base64: String,
}

/// `POST /api/v1/dossiers`. Unknown fields are ignored: the NPSP adds fields between revisions.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct InDossier {
    #[serde(rename = "MaHoSo")]
    pub code: String,
    #[serde(rename = "MaTTHC")]
    pub procedure: String,
    /// The receiving unit's code (mã định danh).
    #[serde(rename = "MaDonVi")]
    pub unit: String,
    #[serde(rename = "ChuHoSo")]
    pub applicant: String,
    #[serde(rename = "SoDinhDanh")]
    pub citizen_id: Option<String>,
    #[serde(rename = "SoDienThoai")]
    pub phone: Option<String>,
    #[serde(rename = "Email")]
    pub email: Option<String>,
    #[serde(rename = "DiaChi")]
    pub address: Option<String>,
    #[serde(rename = "TrichYeuHoSo")]
    pub summary: Option<String>,
    /// When the applicant filed, `yyyyMMddHHmmss` Vietnam time; now when absent.
    #[serde(rename = "NgayNopHoSo")]
    pub filed_at: Option<String>,
    #[serde(rename = "TaiLieuNop")]
    pub files: Vec<InFile>,
    /// `lienthong` when another agency's instance of this system sends the dossier
    /// (inter-agency transfer, B-m: `lienthong`); absent from the NPSP.
    #[serde(rename = "KenhNop")]
    pub channel: Option<String>,
    /// The sending agency's name (liên thông).
    #[serde(rename = "CoQuanGui")]
    pub sender: Option<String>,
    /// The form as the sender holds it, by field id (liên thông: the same procedure's form).
    #[serde(rename = "DuLieuBieuMau")]
    pub form: Option<std::collections::BTreeMap<String, Value>>,
    /// The sender's history, shown in the first history entry here (liên thông).
    #[serde(rename = "QuaTrinhXuLy")]
    pub history: Vec<InStep>,
}

/// One step of the sender's history (`QuaTrinhXuLy[]`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct InStep {
    #[serde(rename = "ThoiGian")]
    pub at: String,
    #[serde(rename = "NoiDung")]
    pub what: String,
    #[serde(rename = "GhiChu")]
    pub note: Option<String>,
}

/// A checked file, held in memory until the payload as a whole is known to be good.
struct Decoded {
    name: String,
    slot: String,
    kind: FileType,
    bytes: Vec<u8>,
}

/// `yyyyMMddHHmmss` in Vietnam time to Unix seconds.
pub fn parse_portal_time(s: &str) -> Option<i64> {
    if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |a: usize, b: usize| s[a..b].parse::<u32>().ok();
    let day = Day::parse_iso(&format!("{}-{}-{}", &s[0..4], &s[4..6], &s[6..8]))?;
    let (h, m, sec) = (n(8, 10)?, n(10, 12)?, n(12, 14)?);
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some(i64::from(day.0) * 86_400 - 7 * 3600 + i64::from(h * 3600 + m * 60 + sec))
}

fn too_long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

/// Receives a dossier; answers its representation and whether it was created now (`true`)
/// or had been received before from this partner (`false`).
pub async fn receive(
    svc: &Services,
    caller: &Caller,
    body: &[u8],
    meta: &RequestMeta,
) -> Result<(Value, bool), ApiError> {
    let input: InDossier = serde_json::from_slice(body).map_err(|_| {
        ApiError::Invalid(vec![field(
            "body",
            "Nội dung phải là một đối tượng JSON theo tài liệu API.",
            "The body must be a JSON object as the API documentation describes.",
        )])
    })?;
    let mut errors: Vec<FieldError> = Vec::new();
    let code = input.code.trim().to_owned();
    let parsed = parse_code(&code);
    if parsed.is_none() {
        errors.push(field(
            "MaHoSo",
            "Mã hồ sơ phải có dạng <mã đơn vị>-<yyMMdd>-<số thứ tự>.",
            "The dossier code must read <unit code>-<yyMMdd>-<sequence>.",
        ));
    }
    // A retry of a dossier this partner already delivered answers as before, whatever the
    // rest of the payload says: the first delivery is the one that counts.
    if parsed.is_some() {
        if let Some(d) = dossier::Entity::find()
            .filter(dossier::Column::Code.eq(code.clone()))
            .one(&svc.db)
            .await?
        {
            return if d.submit_key.as_deref() == Some(sender_key(caller).as_str()) {
                Ok((super::api::dossier_json(svc, &d).await?, false))
            } else {
                Err(ApiError::Conflict)
            };
        }
    }
    let proc = procedure::Entity::find()
        .filter(procedure::Column::Code.eq(input.procedure.trim()))
        .one(&svc.db)
        .await?;
    if proc.is_none() {
        errors.push(field(
            "MaTTHC",
            "Không có thủ tục mang mã này trong danh mục của hệ thống.",
            "No procedure in this system's catalogue has this code.",
        ));
    }
    // The unit must receive this procedure here and be within the partner's reach.
    let mut unit = None;
    if let Some(p) = &proc {
        let wanted = input.unit.trim();
        let receiving = super::dossier::receiving_units(svc, p).await?;
        match receiving
            .into_iter()
            .find(|u| u.code.as_deref() == Some(wanted))
        {
            Some(u) if super::api::reaches(&svc.db, caller.agency_id, u.id).await? => {
                unit = Some(u)
            }
            _ => errors.push(field(
                "MaDonVi",
                "Đơn vị này không tiếp nhận thủ tục này, hoặc nằm ngoài phạm vi của đối tác.",
                "This unit does not receive this procedure, or is outside the partner's reach.",
            )),
        }
    }
    let applicant = input.applicant.trim().to_owned();
    if applicant.is_empty() || too_long(&applicant, 120) {
        errors.push(field(
            "ChuHoSo",
            "Nhập họ tên chủ hồ sơ (tối đa 120 ký tự).",
            "Give the applicant's name (at most 120 characters).",
        ));
    }
    let present = |o: &Option<String>| {
        o.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let citizen_id = match present(&input.citizen_id) {
        None => None,
        Some(s) => {
            let n = normalise_citizen_id(&s);
            if n.is_none() {
                errors.push(field(
                    "SoDinhDanh",
                    "Số định danh cá nhân gồm 12 chữ số.",
                    "The personal ID number has 12 digits.",
                ));
            }
            n
        }
    };
    let phone = match present(&input.phone) {
        None => None,
        Some(s) => {
            let n = normalise_phone(&s);
            if n.is_none() {
                errors.push(field(
                    "SoDienThoai",
                    "Số điện thoại không hợp lệ.",
                    "The phone number is not valid.",
                ));
            }
            n
        }
    };
    let email = match present(&input.email) {
        None => None,
        Some(s) => {
            let n = normalise_email(&s);
            if n.is_none() {
                errors.push(field(
                    "Email",
                    "Email không hợp lệ.",
                    "The email is not valid.",
                ));
            }
            n
        }
    };
    let address = present(&input.address);
    if address.as_deref().is_some_and(|a| too_long(a, 300)) {
        errors.push(field(
            "DiaChi",
            "Địa chỉ tối đa 300 ký tự.",
            "The address has at most 300 characters.",
        ));
    }
    let summary = present(&input.summary);
    if summary.as_deref().is_some_and(|s| too_long(s, 1000)) {
        errors.push(field(
            "TrichYeuHoSo",
            "Trích yếu tối đa 1000 ký tự.",
            "The summary has at most 1000 characters.",
        ));
    }
    let transfer = match input.channel.as_deref().map(str::trim) {
        None | Some("") => false,
        Some(super::lienthong::CHANNEL) => true,
        Some(_) => {
            errors.push(field(
                "KenhNop",
                "Kênh nộp chỉ nhận giá trị \"lienthong\" hoặc để trống.",
                "The channel is \"lienthong\" or absent.",
            ));
            false
        }
    };
    let sender = present(&input.sender).map(|s| s.chars().take(200).collect::<String>());
    let t = now();
    let filed_at = match present(&input.filed_at) {
        None => t,
        Some(s) => match parse_portal_time(&s) {
            // A clock a little ahead is tolerated; a filing in the future is not.
            Some(at) if at <= t + 300 => at.min(t),
            _ => {
                errors.push(field(
                    "NgayNopHoSo",
                    "Ngày nộp hồ sơ có dạng yyyyMMddHHmmss và không ở tương lai.",
                    "The filing date reads yyyyMMddHHmmss and is not in the future.",
                ));
                t
            }
        },
    };
    let version = match &proc {
        Some(p) => super::dossier::latest_version(svc, p.id).await.ok(),
        None => None,
    };
    let schema = version.as_ref().map(super::dossier::schema_for);
    let policy = schema.as_ref().map(|s| s.files.clone()).unwrap_or_default();
    if input.files.len() > MAX_FILES {
        errors.push(field(
            "TaiLieuNop",
            &format!("Tối đa {MAX_FILES} tệp một hồ sơ."),
            &format!("At most {MAX_FILES} files a dossier."),
        ));
    }
    let mut decoded = Vec::new();
    let mut total = 0u64;
    for (i, f) in input.files.iter().enumerate().take(MAX_FILES) {
        let key = format!("TaiLieuNop[{i}]");
        let Some((name, kind, bytes)) = check_file(&key, &f.name, &f.base64, &policy, &mut errors)
        else {
            continue;
        };
        total += bytes.len() as u64;
        let slot = f
            .part
            .as_deref()
            .map(str::trim)
            .filter(|p| {
                schema
                    .as_ref()
                    .is_some_and(|s| s.documents.iter().any(|d| d.id == *p))
            })
            .unwrap_or(CHANNEL)
            .to_owned();
        decoded.push(Decoded {
            name,
            slot,
            kind,
            bytes,
        });
    }
    if total > u64::from(policy.max_total_mb) * 1024 * 1024 {
        errors.push(field(
            "TaiLieuNop",
            &format!("Tổng dung lượng tối đa {} MB.", policy.max_total_mb),
            &format!("At most {} MB in all.", policy.max_total_mb),
        ));
    }
    let (Some(proc), Some(unit), Some(version), Some(schema), Some((seq_agency, seq_day, seq))) =
        (proc, unit, version, schema, parsed)
    else {
        return Err(ApiError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }

    // The form shows what the sender gave, in the procedure's own fields: first the sender's
    // own form (liên thông: the same procedure), only for fields this form has, as text.
    let mut values = Values::new();
    if let Some(form) = &input.form {
        let keys: std::collections::BTreeSet<String> =
            schema.fields().flat_map(|f| f.keys()).collect();
        for (k, v) in form {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => continue,
            };
            if keys.contains(k) && text.chars().count() <= 4000 {
                values.insert(k.clone(), text);
            }
        }
    }
    for f in schema.fields() {
        let v = match (f.prefill, f.kind) {
            (Some(Prefill::FullName), _) => Some(applicant.clone()),
            (_, Kind::CitizenId) => citizen_id.clone(),
            (_, Kind::Phone) => phone.clone(),
            (_, Kind::Email) => email.clone(),
            _ => None,
        };
        if let Some(v) = v {
            values.insert(f.id.clone(), v);
        }
    }
    let id_index = citizen_id
        .as_deref()
        .map(|c| svc.auth.cipher.blind_index("citizen_id", c));
    // A citizen with an account here sees the dossier in their list (P-5.2), as at the counter.
    let linked = match &id_index {
        Some(ix) => entity::user_account::Entity::find()
            .filter(entity::user_account::Column::CitizenIdIndex.eq(ix.clone()))
            .filter(entity::user_account::Column::Kind.ne("officer"))
            .one(&svc.db)
            .await?
            .map(|u| u.id),
        None => None,
    };
    let day = Day::from_unix_vn(filed_at);
    let due = version.time_limit_days.map(|n| {
        svc.calendar
            .get()
            .due_date(day, n.max(0) as u32)
            .to_string()
    });
    let entry = super::work::entry(svc, &svc.db, &version, t).await?;

    // Files into the blob store first; released again if the dossier is not written.
    let mut stored: Vec<(Decoded, String)> = Vec::new();
    for d in decoded {
        match put_blob(svc, &d.bytes, d.kind).await {
            Ok(sha) => stored.push((d, sha)),
            Err(e) => {
                release(svc, &stored).await;
                return Err(e);
            }
        }
    }
    // Liên thông: who sent it and what happened there, in the first history entry.
    let history = input
        .history
        .iter()
        .take(200)
        .map(|s| {
            let at = parse_portal_time(&s.at)
                .map(crate::domain::calendar::time_vn)
                .unwrap_or_default();
            let what: String = s.what.chars().take(200).collect();
            match s.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                Some(n) => format!("- {at} {what}: {}", n.chars().take(500).collect::<String>()),
                None => format!("- {at} {what}"),
            }
        })
        .collect::<Vec<_>>();
    let note = [
        sender.as_ref().map(|s| format!("Cơ quan gửi: {s}")),
        summary.clone(),
        address.map(|a| format!("Địa chỉ: {a}")),
        (!history.is_empty())
            .then(|| format!("Quá trình xử lý tại cơ quan gửi:\n{}", history.join("\n"))),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n");
    let (channel, action) = if transfer {
        (super::lienthong::CHANNEL, super::lienthong::RECEIVED)
    } else {
        (CHANNEL, ACTION)
    };
    let written = async {
        let txn = svc.db.begin().await?;
        super::write_lock(&txn).await?;
        let d = dossier::ActiveModel {
            code: Set(Some(code.clone())),
            procedure_id: Set(proc.id),
            version_id: Set(version.id),
            agency_id: Set(unit.id),
            applicant_id: Set(linked),
            applicant_name: Set(applicant.clone()),
            applicant_phone: Set(phone.clone()),
            applicant_id_index: Set(id_index.clone()),
            channel: Set(channel.into()),
            status: Set(Status::Submitted.code()),
            form_data: Set(serde_json::to_string(&values).unwrap_or_else(|_| "{}".into())),
            schema_version: Set(schema.version as i32),
            submit_key: Set(Some(sender_key(caller))),
            revision: Set(1),
            created_at: Set(t),
            updated_at: Set(t),
            submitted_at: Set(Some(filed_at)),
            due_date: Set(due.clone()),
            workflow_id: Set(Some(entry.workflow_id)),
            state: Set(Some(entry.state.clone())),
            unit_id: Set(Some(unit.id)),
            step_started_at: Set(Some(t)),
            step_due_at: Set(entry.step_due_at),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        // Local numbering skips the sender's number, so a dossier filed here later the same
        // day cannot take this code.
        bump_sequence(&txn, &seq_agency, &seq_day, seq).await?;
        for (f, sha) in &stored {
            dossier_file::ActiveModel {
                dossier_id: Set(d.id),
                slot: Set(f.slot.clone()),
                kind: Set("input".into()),
                file_name: Set(f.name.clone()),
                content_type: Set(f.kind.mime().into()),
                size: Set(f.bytes.len() as i64),
                sha256: Set(sha.clone()),
                uploaded_by: Set(None),
                created_at: Set(t),
                version: Set(1),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        let ev = dossier_event::ActiveModel {
            dossier_id: Set(d.id),
            at: Set(t),
            actor_id: Set(None),
            action: Set(action.into()),
            from_status: Set(None),
            to_status: Set(Some(Status::Submitted.code())),
            note: Set((!note.is_empty()).then_some(note.clone())),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        super::outbox::on_dossier_event(svc, &txn, d.id, ev.id).await?;
        if let Some(uid) = linked {
            notification::ActiveModel {
                user_id: Set(uid),
                dossier_id: Set(Some(d.id)),
                text_vi: Set(if transfer {
                    format!("Hồ sơ {code} đã được chuyển liên thông đến {}", unit.name)
                } else {
                    format!(
                        "Hồ sơ {code} nộp trên Cổng DVC quốc gia đã chuyển đến {}",
                        unit.name
                    )
                }),
                text_en: Set(if transfer {
                    format!("Dossier {code} was sent on to {}", unit.name)
                } else {
                    format!(
                        "Dossier {code} filed on the National Public Service Portal reached {}",
                        unit.name
                    )
                }),
                link: Set(format!("/ho-so/{}", d.id)),
                created_at: Set(t),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok::<_, crate::error::AppError>(d)
    }
    .await;
    let d = match written {
        Ok(d) => d,
        Err(e) => {
            release(svc, &stored).await;
            // Two deliveries of the same code at once: the loser answers as a retry would.
            if let Some(d) = dossier::Entity::find()
                .filter(dossier::Column::Code.eq(code.clone()))
                .one(&svc.db)
                .await?
            {
                return if d.submit_key.as_deref() == Some(sender_key(caller).as_str()) {
                    Ok((super::api::dossier_json(svc, &d).await?, false))
                } else {
                    Err(ApiError::Conflict)
                };
            }
            return Err(e.into());
        }
    };
    let _ = svc
        .audit
        .append(
            &svc.db,
            super::audit::Entry {
                actor: Some(format!("api:{}", caller.client_id)),
                action: "dossier.receive".into(),
                object_type: Some("dossier".into()),
                object_id: Some(code.clone()),
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
                detail: Some(serde_json::json!({ "files": stored.len(), "unit": unit.code })),
            },
        )
        .await;
    Ok((super::api::dossier_json(svc, &d).await?, true))
}

/// One file sent base64-encoded in JSON (`{key}.TenTepDinhKem`, `{key}.Base64`): a safe
/// name, content that is a type `policy` takes (recognised by its bytes, not its name) and
/// within its size. Returns the sanitised name, the type and the bytes, or records why not.
pub(crate) fn check_file(
    key: &str,
    name: &str,
    base64: &str,
    policy: &crate::domain::eform::FilePolicy,
    errors: &mut Vec<FieldError>,
) -> Option<(String, FileType, Vec<u8>)> {
    let name = name.trim();
    if name.is_empty() || too_long(name, 200) || !super::storage::name_is_safe(name) {
        errors.push(field(
            &format!("{key}.TenTepDinhKem"),
            "Tên tệp trống, quá dài hoặc có ký tự không được phép.",
            "The file name is empty, too long or has characters not allowed.",
        ));
    }
    let Some(bytes) = base64::engine::general_purpose::STANDARD
        .decode(base64.trim())
        .ok()
        .filter(|b| !b.is_empty())
    else {
        errors.push(field(
            &format!("{key}.Base64"),
            "Nội dung tệp phải là base64 và không rỗng.",
            "The file content must be base64 and not empty.",
        ));
        return None;
    };
    let Some(kind) = FileType::sniff(&bytes).filter(|k| policy.types.contains(k)) else {
        errors.push(field(
            &format!("{key}.Base64"),
            "Chỉ nhận tệp PDF, JPEG hoặc PNG.",
            "Only PDF, JPEG or PNG files are accepted.",
        ));
        return None;
    };
    if bytes.len() as u64 > u64::from(policy.max_file_mb) * 1024 * 1024 {
        errors.push(field(
            &format!("{key}.Base64"),
            &format!("Mỗi tệp tối đa {} MB.", policy.max_file_mb),
            &format!("Each file has at most {} MB.", policy.max_file_mb),
        ));
        return None;
    }
    Some((sanitise_name(name, kind), kind, bytes))
}

fn sender_key(caller: &Caller) -> String {
    format!("api:{}", caller.client_id)
}

pub(crate) async fn put_blob(
    svc: &Services,
    bytes: &[u8],
    kind: FileType,
) -> Result<String, ApiError> {
    let mut staged = Staged::new(svc.storage.as_ref(), u64::MAX, vec![kind])
        .await
        .map_err(|e| ApiError::from(internal(e)))?;
    staged
        .write(bytes)
        .await
        .map_err(|e| ApiError::from(internal(format!("{e:?}"))))?;
    let f = staged
        .finish()
        .await
        .map_err(|e| ApiError::from(internal(format!("{e:?}"))))?;
    let sha = f.sha256.clone();
    svc.storage
        .put(&f.path, &sha)
        .await
        .map_err(|e| ApiError::from(internal(e)))?;
    f.consumed();
    Ok(sha)
}

async fn release(svc: &Services, stored: &[(Decoded, String)]) {
    for (_, sha) in stored {
        super::dossier::release_blob(svc, sha).await;
    }
}

async fn bump_sequence(
    db: &impl ConnectionTrait,
    agency_code: &str,
    day: &str,
    seq: u32,
) -> Result<(), sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "INSERT INTO dossier_sequence (agency_code, day, last) VALUES ($1, $2, $3) \
             ON CONFLICT (agency_code, day) DO UPDATE SET last = \
             CASE WHEN dossier_sequence.last < excluded.last THEN excluded.last ELSE dossier_sequence.last END"
        }
        _ => {
            "INSERT INTO dossier_sequence (agency_code, day, last) VALUES (?, ?, ?) \
             ON CONFLICT (agency_code, day) DO UPDATE SET last = \
             CASE WHEN dossier_sequence.last < excluded.last THEN excluded.last ELSE dossier_sequence.last END"
        }
    };
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [agency_code.into(), day.into(), (seq as i32).into()],
    ))
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portal_time_reads_vietnam_time() {
        // 2026-12-02 08:30:05 in Hà Nội is 01:30:05 UTC.
        assert_eq!(parse_portal_time("20261202083005"), Some(1_796_175_005));
        assert_eq!(parse_portal_time("20261302083005"), None);
        assert_eq!(parse_portal_time("20261202243005"), None);
        assert_eq!(parse_portal_time("2026120208300"), None);
        assert_eq!(parse_portal_time("2026120208300x"), None);
    }
}
