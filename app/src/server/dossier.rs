//! Citizen dossier use-cases (P-3.1 … P-3.4, P-5.2): drafts, the e-form, uploads, submission
//! and tracking. Every function authenticates its caller and checks that the dossier is theirs
//! (S-ACC): another user's dossier answers 403, an unknown one 404.
use std::collections::BTreeMap;

use entity::{
    admin_area, agency, data_store_item, dossier, dossier_event, dossier_file, notification,
    procedure, procedure_version,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set, Statement, TransactionTrait,
};

use super::auth::{field, invalid, now, RequestMeta};
use super::storage::{sanitise_name, Finished, Staged, UploadError};
use super::Services;
use crate::domain::account::{AccountKind, Principal, Role, Stage};
use crate::domain::calendar::{Calendar, Day};
use crate::domain::catalogue::RequiredDocument;
use crate::domain::dossier::{
    format_code, DossierRow, DossierView, EventView, FileView, PublicStatus, Status, TaskItem,
};
use crate::domain::eform::{
    DocumentSlot, Field, FilePolicy, FileType, FormSchema, Kind, PrefillSource, Section, Text,
    Values,
};
use crate::domain::workflow::ActionKind;
use crate::error::{internal, AppError, FieldError};

/// Policy for dossiers, from the environment (README "Configuration").
#[derive(Clone, Debug)]
pub struct DossierPolicy {
    /// `PORTAL_DRAFT_DAYS`: an untouched draft is deleted after this many days (default 30).
    pub draft_days: i64,
    /// `PORTAL_DRAFT_REMINDER_DAYS`: the owner is reminded this many days before (default 3).
    pub reminder_days: i64,
    /// Public lookups per client address per minute (P-5.2, default 10).
    pub lookups_per_minute: u32,
}

impl Default for DossierPolicy {
    fn default() -> Self {
        let env = |k: &str, d: i64| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .filter(|v: &i64| *v > 0)
                .unwrap_or(d)
        };
        Self {
            draft_days: env("PORTAL_DRAFT_DAYS", 30),
            reminder_days: env("PORTAL_DRAFT_REMINDER_DAYS", 3),
            lookups_per_minute: env("PORTAL_LOOKUPS_PER_MINUTE", 10) as u32,
        }
    }
}

/// Loads the working-day calendar from the `holiday` table.
pub async fn load_calendar(db: &impl ConnectionTrait) -> Result<Calendar, AppError> {
    let mut c = Calendar::default();
    for h in entity::holiday::Entity::find().all(db).await? {
        if let Some(d) = Day::parse_iso(&h.day) {
            if h.kind == "makeup" {
                c.makeup.insert(d);
            } else {
                c.off.insert(d);
            }
        }
    }
    Ok(c)
}

fn applicant(p: &Principal) -> Result<(), AppError> {
    if p.stage != Stage::Full {
        return Err(AppError::Unauthorized);
    }
    if p.kind == AccountKind::Officer {
        // Officers file for walk-in applicants through counter intake (B-c), not here.
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// The dossier, if `p` is its applicant.
pub(crate) async fn owned(
    svc: &Services,
    p: &Principal,
    id: i32,
) -> Result<dossier::Model, AppError> {
    if p.stage != Stage::Full {
        return Err(AppError::Unauthorized);
    }
    let d = dossier::Entity::find_by_id(id)
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if p.kind == AccountKind::Officer {
        // Counter intake (B-c): the counter's one-stop officers act for the walk-in applicant.
        if d.channel == "counter" && p.roles_in(d.agency_id).contains(&Role::OneStopOfficer) {
            return Ok(d);
        }
        return Err(AppError::Forbidden);
    }
    if d.applicant_id != Some(p.user_id) {
        return Err(AppError::Forbidden);
    }
    Ok(d)
}

/// The applicant a counter officer files for (B-c counter intake).
#[derive(Clone, Debug, Default)]
pub struct WalkIn {
    pub full_name: String,
    pub citizen_id: String,
    pub phone: String,
    pub email: String,
}

/// Counter intake (B-c): a one-stop officer registers a dossier for a walk-in applicant. The
/// draft belongs to the officer's counter (channel "counter"); the officer fills the form and
/// uploads the scanned papers through the same pages as a citizen, then submits, which also
/// accepts it at the counter. `key` makes a double click create one draft.
pub async fn intake_start(
    svc: &Services,
    p: &Principal,
    procedure_code: &str,
    w: &WalkIn,
    key: &str,
) -> Result<i32, AppError> {
    if p.stage != Stage::Full || !p.is_officer() {
        return Err(AppError::Forbidden);
    }
    let unit = p
        .roles
        .iter()
        .find(|g| g.role == Role::OneStopOfficer)
        .and_then(|g| g.agency_id)
        .ok_or(AppError::Forbidden)?;
    if !key_ok(key) {
        return Err(invalid(
            "form",
            "Biểu mẫu không hợp lệ, hãy tải lại trang.",
            "The form is not valid; reload the page.",
        ));
    }
    let mut errs = Vec::new();
    let name = w.full_name.trim();
    if name.chars().count() < 2 || name.chars().count() > 200 {
        errs.push(field(
            "full_name",
            "Nhập họ và tên người nộp hồ sơ.",
            "Enter the applicant's full name.",
        ));
    }
    let cid = crate::domain::account::normalise_citizen_id(&w.citizen_id);
    if cid.is_none() {
        errs.push(field(
            "citizen_id",
            "Số định danh cá nhân gồm 12 chữ số.",
            "The personal ID number has 12 digits.",
        ));
    }
    let phone = if w.phone.trim().is_empty() {
        None
    } else {
        let ph = crate::domain::account::normalise_phone(&w.phone);
        if ph.is_none() {
            errs.push(field(
                "phone",
                "Số điện thoại không hợp lệ (10 chữ số, bắt đầu bằng 0).",
                "Invalid phone number (10 digits starting with 0).",
            ));
        }
        ph
    };
    let proc = procedure::Entity::find()
        .filter(procedure::Column::Code.eq(procedure_code.trim()))
        .one(&svc.db)
        .await?;
    if proc.is_none() {
        errs.push(field(
            "procedure",
            "Không tìm thấy thủ tục có mã này.",
            "No procedure has this code.",
        ));
    }
    let (Some(proc), Some(cid), true) = (proc, cid, errs.is_empty()) else {
        return Err(AppError::Validation(errs));
    };
    if let Some(d) = dossier::Entity::find()
        .filter(dossier::Column::AgencyId.eq(unit))
        .filter(dossier::Column::Channel.eq("counter"))
        .filter(dossier::Column::CreateKey.eq(key))
        .one(&svc.db)
        .await?
    {
        return Ok(d.id);
    }
    let version = latest_version(svc, proc.id).await?;
    let schema = schema_for(&version);
    let values = schema.prefill(&PrefillSource {
        full_name: name.to_string(),
        email: w.email.trim().to_string(),
        phone: phone.clone().unwrap_or_default(),
        citizen_id: cid.clone(),
    });
    let t = now();
    let txn = svc.db.begin().await?;
    super::write_lock(&txn).await?;
    let d = dossier::ActiveModel {
        procedure_id: Set(proc.id),
        version_id: Set(version.id),
        agency_id: Set(unit),
        applicant_id: Set(None),
        applicant_name: Set(name.to_string()),
        applicant_phone: Set(phone),
        applicant_id_index: Set(Some(svc.auth.cipher.blind_index("citizen_id", &cid))),
        channel: Set("counter".into()),
        status: Set(Status::Draft.code()),
        form_data: Set(serde_json::to_string(&values).map_err(internal)?),
        schema_version: Set(schema.version as i32),
        create_key: Set(Some(key.to_string())),
        revision: Set(0),
        created_at: Set(t),
        updated_at: Set(t),
        expires_at: Set(Some(t + svc.dossier_policy.draft_days * 86_400)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    event(
        &txn,
        d.id,
        Some(p.user_id),
        "draft.create",
        None,
        Status::Draft,
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(d.id)
}

pub(crate) fn status_of(d: &dossier::Model) -> Status {
    Status::from_code(d.status).unwrap_or(Status::Draft)
}

/// The applicant may change the form and documents: a draft, or a dossier the agency sent
/// back for supplement (P-3.1, item 8 of the issue).
/// The files that make up the dossier now: earlier versions of replaced files are history
/// (B-đ), shown apart and never counted.
fn current_files(id: i32) -> sea_orm::Select<dossier_file::Entity> {
    dossier_file::Entity::find()
        .filter(dossier_file::Column::DossierId.eq(id))
        .filter(dossier_file::Column::SupersededAt.is_null())
}

pub(crate) fn editable(d: &dossier::Model) -> bool {
    matches!(status_of(d), Status::Draft | Status::SupplementRequested)
}

pub(crate) fn not_editable() -> AppError {
    invalid(
        "form",
        "Hồ sơ đã nộp, không thể sửa. Bạn chỉ sửa được khi cơ quan yêu cầu bổ sung.",
        "This dossier has been submitted and cannot be changed, unless the agency asks for more.",
    )
}

/// The e-form for a procedure version: its own schema when one is written, otherwise a
/// general application form with one document slot per line of the procedure's document
/// list, so that every procedure offered online can be filed.
pub fn schema_for(v: &procedure_version::Model) -> FormSchema {
    if let Ok(s) = FormSchema::parse(&v.form_schema) {
        if !s.sections.is_empty() {
            return s;
        }
    }
    generic_schema(&serde_json::from_str::<Vec<RequiredDocument>>(&v.documents).unwrap_or_default())
}

fn t(vi: &str, en: &str) -> Text {
    Text {
        vi: vi.into(),
        en: en.into(),
    }
}

fn plain(id: &str, vi: &str, en: &str, kind: Kind, required: bool) -> Field {
    Field::new(id, t(vi, en), kind, required)
}

fn generic_schema(docs: &[RequiredDocument]) -> FormSchema {
    use crate::domain::eform::Prefill;
    let mut name = plain(
        "applicant_name",
        "Họ và tên người nộp",
        "Applicant's full name",
        Kind::Text,
        true,
    );
    name.prefill = Some(Prefill::FullName);
    let mut id = plain(
        "applicant_id",
        "Số định danh cá nhân",
        "Personal ID number",
        Kind::CitizenId,
        true,
    );
    id.prefill = Some(Prefill::CitizenId);
    let mut phone = plain(
        "applicant_phone",
        "Số điện thoại",
        "Phone number",
        Kind::Phone,
        true,
    );
    phone.prefill = Some(Prefill::Phone);
    let mut email = plain("applicant_email", "Email", "Email", Kind::Email, false);
    email.prefill = Some(Prefill::Email);
    let mut agree = plain(
        "declaration",
        "Tôi cam đoan những thông tin kê khai là đúng sự thật và chịu trách nhiệm trước pháp luật",
        "I declare that the information given is true and I am responsible before the law",
        Kind::Checkbox,
        true,
    );
    agree.hint = None;
    FormSchema {
        version: 1,
        sections: vec![
            Section {
                id: "applicant".into(),
                title: t("Thông tin người nộp hồ sơ", "Applicant"),
                fields: vec![
                    name,
                    id,
                    phone,
                    email,
                    plain(
                        "address",
                        "Địa chỉ liên hệ",
                        "Contact address",
                        Kind::Address,
                        true,
                    ),
                ],
            },
            Section {
                id: "request".into(),
                title: t("Nội dung đề nghị", "Request"),
                fields: vec![
                    plain(
                        "request",
                        "Nội dung yêu cầu giải quyết",
                        "What you ask the agency to do",
                        Kind::LongText,
                        true,
                    ),
                    agree,
                ],
            },
        ],
        rules: vec![],
        documents: docs
            .iter()
            .filter(|d| !d.name.trim_start().starts_with('*'))
            .take(12)
            .enumerate()
            .map(|(i, d)| DocumentSlot {
                id: format!("doc{}", i + 1),
                name: t(&d.name.chars().take(300).collect::<String>(), ""),
                // The scraped lists mix conditional papers with required ones; the agency asks
                // for what is missing (supplement), so none blocks submission here.
                required: false,
                max_files: 5,
                hint: None,
            })
            .collect(),
        files: FilePolicy::default(),
    }
}

/// Units that receive dossiers for a procedure in this deployment (they need a code for
/// dossier codes): the province's one-stop centre for province-level procedures, the
/// communes' counters for commune-level ones, the ministry itself for ministry-level ones.
pub async fn receiving_units(
    svc: &Services,
    proc: &procedure::Model,
) -> Result<Vec<agency::Model>, AppError> {
    let levels: Vec<&str> = proc.levels.split(',').map(str::trim).collect();
    let counters = agency::Entity::find()
        .filter(agency::Column::Kind.eq("one_stop"))
        .filter(agency::Column::Code.is_not_null())
        .order_by_asc(agency::Column::Id)
        .all(&svc.db)
        .await?;
    // One query for the parents' kinds rather than one per counter.
    let parent_ids: Vec<i32> = counters.iter().filter_map(|a| a.parent_id).collect();
    let commune_parents: Vec<i32> = agency::Entity::find()
        .filter(agency::Column::Id.is_in(parent_ids))
        .filter(agency::Column::Kind.eq("commune"))
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let mut out: Vec<agency::Model> = counters
        .into_iter()
        .filter(|a| {
            let level = match a.parent_id {
                Some(pid) if commune_parents.contains(&pid) => "commune",
                _ => "province",
            };
            levels.contains(&level)
        })
        .collect();
    if levels.contains(&"ministry") {
        if let Some(a) = agency::Entity::find_by_id(proc.agency_id)
            .one(&svc.db)
            .await?
        {
            if a.code.is_some() {
                out.push(a);
            }
        }
    }
    Ok(out)
}

pub(crate) async fn latest_version(
    svc: &Services,
    procedure_id: i32,
) -> Result<procedure_version::Model, AppError> {
    procedure_version::Entity::find()
        .filter(procedure_version::Column::ProcedureId.eq(procedure_id))
        .order_by_desc(procedure_version::Column::Version)
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)
}

async fn prefill_source(svc: &Services, user_id: i32) -> Result<PrefillSource, AppError> {
    let u = entity::user_account::Entity::find_by_id(user_id)
        .one(&svc.db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let citizen_id = u
        .citizen_id_enc
        .as_deref()
        .and_then(|c| svc.auth.cipher.decrypt("citizen_id", c))
        .unwrap_or_default();
    Ok(PrefillSource {
        full_name: u.full_name,
        email: u.email,
        phone: u.phone.unwrap_or_default(),
        citizen_id,
    })
}

fn key_ok(k: &str) -> bool {
    (16..=64).contains(&k.len())
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Starts a draft (P-3.1). `key` comes from the start form, so a double click or a replayed
/// post returns the same draft instead of a second one.
pub async fn start(
    svc: &Services,
    p: &Principal,
    procedure_code: &str,
    agency_id: i32,
    key: &str,
) -> Result<i32, AppError> {
    applicant(p)?;
    if !key_ok(key) {
        return Err(invalid(
            "form",
            "Biểu mẫu không hợp lệ, hãy tải lại trang.",
            "The form is not valid; reload the page.",
        ));
    }
    if let Some(d) = dossier::Entity::find()
        .filter(dossier::Column::ApplicantId.eq(p.user_id))
        .filter(dossier::Column::CreateKey.eq(key))
        .one(&svc.db)
        .await?
    {
        return Ok(d.id);
    }
    let proc = procedure::Entity::find()
        .filter(procedure::Column::Code.eq(procedure_code))
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if !proc.online {
        return Err(invalid(
            "form",
            "Thủ tục này chưa được cung cấp trực tuyến. Hãy nộp trực tiếp hoặc qua bưu chính.",
            "This procedure is not offered online. Apply in person or by post.",
        ));
    }
    let units = receiving_units(svc, &proc).await?;
    let unit = units.iter().find(|a| a.id == agency_id).ok_or_else(|| {
        invalid(
            "agency_id",
            "Hãy chọn cơ quan tiếp nhận hồ sơ trong danh sách.",
            "Choose the receiving agency from the list.",
        )
    })?;
    let version = latest_version(svc, proc.id).await?;
    let schema = schema_for(&version);
    let values = schema.prefill(&prefill_source(svc, p.user_id).await?);
    let t = now();
    let txn = svc.db.begin().await?;
    super::write_lock(&txn).await?;
    let d = dossier::ActiveModel {
        procedure_id: Set(proc.id),
        version_id: Set(version.id),
        agency_id: Set(unit.id),
        applicant_id: Set(Some(p.user_id)),
        applicant_name: Set(p.full_name.clone()),
        channel: Set("online".into()),
        status: Set(Status::Draft.code()),
        form_data: Set(serde_json::to_string(&values).map_err(internal)?),
        schema_version: Set(schema.version as i32),
        create_key: Set(Some(key.to_string())),
        revision: Set(0),
        created_at: Set(t),
        updated_at: Set(t),
        expires_at: Set(Some(t + svc.dossier_policy.draft_days * 86_400)),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let d = match d {
        Ok(d) => d,
        Err(_) => {
            // A concurrent post with the same key won the unique index.
            drop(txn);
            return dossier::Entity::find()
                .filter(dossier::Column::ApplicantId.eq(p.user_id))
                .filter(dossier::Column::CreateKey.eq(key))
                .one(&svc.db)
                .await?
                .map(|d| d.id)
                .ok_or(AppError::Conflict);
        }
    };
    event(
        &txn,
        d.id,
        Some(p.user_id),
        "draft.create",
        None,
        Status::Draft,
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(d.id)
}

async fn event(
    db: &impl ConnectionTrait,
    dossier_id: i32,
    actor: Option<i32>,
    action: &str,
    from: Option<Status>,
    to: Status,
    note: Option<String>,
) -> Result<i32, AppError> {
    let ev = dossier_event::ActiveModel {
        dossier_id: Set(dossier_id),
        at: Set(now()),
        actor_id: Set(actor),
        action: Set(action.into()),
        from_status: Set(from.map(Status::code)),
        to_status: Set(Some(to.code())),
        note: Set(note),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(ev.id)
}

fn values_of(d: &dossier::Model) -> Values {
    serde_json::from_str(&d.form_data).unwrap_or_default()
}

pub(crate) async fn schema_of(svc: &Services, d: &dossier::Model) -> Result<FormSchema, AppError> {
    let v = procedure_version::Entity::find_by_id(d.version_id)
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(schema_for(&v))
}

/// Address checks that need the area catalogue: the commune belongs to the province.
async fn check_areas(
    svc: &Services,
    schema: &FormSchema,
    values: &Values,
) -> Result<Vec<FieldError>, AppError> {
    let mut out = Vec::new();
    for f in schema.fields().filter(|f| f.kind == Kind::Address) {
        if !schema.is_visible(f, values) {
            continue;
        }
        let get = |p: &str| values.get(&format!("{}.{p}", f.id)).cloned();
        if let (Some(pv), Some(cv)) = (get("province"), get("commune")) {
            let ok = admin_area::Entity::find_by_id(cv.clone())
                .one(&svc.db)
                .await?
                .is_some_and(|a| a.parent_code.as_deref() == Some(pv.as_str()));
            if !ok {
                out.push(field(
                    &format!("{}.commune", f.id),
                    &format!(
                        "{}: xã, phường không thuộc tỉnh, thành phố đã chọn.",
                        f.label.vi
                    ),
                    &format!(
                        "{}: the commune is not in the chosen province.",
                        f.label.get(crate::i18n::Lang::En)
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// Everything that keeps a dossier from being submitted: form problems and missing required
/// documents.
async fn problems(
    svc: &Services,
    schema: &FormSchema,
    values: &Values,
    files: &[dossier_file::Model],
) -> Result<Vec<FieldError>, AppError> {
    let mut out = schema.validate(values, today());
    out.extend(check_areas(svc, schema, values).await?);
    for slot in schema.documents.iter().filter(|s| s.required) {
        if !files.iter().any(|f| f.slot == slot.id && f.kind == "input") {
            out.push(field(
                &format!("doc-{}", slot.id),
                &format!("Chưa đính kèm: {}", slot.name.vi),
                &format!("Not attached yet: {}", slot.name.get(crate::i18n::Lang::En)),
            ));
        }
    }
    Ok(out)
}

pub fn today() -> Day {
    Day::from_unix_vn(now())
}

/// Saves the form ("save draft" and every other post, P-3.1): the values are cleaned against the
/// schema and stored even when incomplete. `revision` is the one the page was rendered with;
/// a save from a stale page (another device saved since) is refused as a conflict rather than
/// silently overwriting. Returns the new revision.
pub async fn save_form(
    svc: &Services,
    p: &Principal,
    id: i32,
    raw: &[(String, String)],
    revision: i32,
) -> Result<i32, AppError> {
    let d = owned(svc, p, id).await?;
    if !editable(&d) {
        return Err(not_editable());
    }
    let schema = schema_of(svc, &d).await?;
    let values = schema.clean(raw.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let json = serde_json::to_string(&values).map_err(internal)?;
    let mut q = dossier::Entity::update_many()
        .col_expr(dossier::Column::FormData, Expr::value(json))
        .col_expr(dossier::Column::Revision, Expr::value(revision + 1))
        .col_expr(dossier::Column::UpdatedAt, Expr::value(now()))
        .filter(dossier::Column::Id.eq(id))
        .filter(dossier::Column::Revision.eq(revision));
    if status_of(&d) == Status::Draft {
        q = q.col_expr(
            dossier::Column::ExpiresAt,
            Expr::value(now() + svc.dossier_policy.draft_days * 86_400),
        );
    }
    let r = q.exec(&svc.db).await?;
    if r.rows_affected == 0 {
        return Err(invalid(
            "form",
            "Hồ sơ vừa được lưu từ một thiết bị hoặc thẻ khác. Hãy tải lại trang để xem bản mới nhất rồi sửa tiếp.",
            "The dossier was just saved from another device or tab. Reload the page to see the latest version, then continue.",
        ));
    }
    Ok(revision + 1)
}

/// Deletes a draft with its files (P-3.1).
pub async fn delete_draft(svc: &Services, p: &Principal, id: i32) -> Result<(), AppError> {
    let d = owned(svc, p, id).await?;
    if status_of(&d) != Status::Draft {
        return Err(invalid(
            "form",
            "Chỉ xoá được hồ sơ nháp. Hồ sơ đã nộp có thể yêu cầu rút.",
            "Only drafts can be deleted. A submitted dossier can be withdrawn.",
        ));
    }
    let files = dossier_file::Entity::find()
        .filter(dossier_file::Column::DossierId.eq(id))
        .all(&svc.db)
        .await?;
    super::remotesign::forget(&svc.db, id).await?;
    dossier::Entity::delete_by_id(id).exec(&svc.db).await?;
    for f in files {
        release_blob(svc, &f.sha256).await;
    }
    Ok(())
}

/// Removes a blob no row refers to any more.
pub(crate) async fn release_blob(svc: &Services, sha: &str) {
    let used = async {
        let a = dossier_file::Entity::find()
            .filter(dossier_file::Column::Sha256.eq(sha))
            .count(&svc.db)
            .await?;
        let b = data_store_item::Entity::find()
            .filter(data_store_item::Column::Sha256.eq(sha))
            .count(&svc.db)
            .await?;
        // A result waiting for its remote signature keeps its unsigned bytes (P-4).
        let c = entity::remote_signature::Entity::find()
            .filter(entity::remote_signature::Column::SourceSha.eq(sha))
            .filter(entity::remote_signature::Column::State.eq("waiting"))
            .count(&svc.db)
            .await?;
        Ok::<_, sea_orm::DbErr>(a + b + c)
    }
    .await;
    if let Ok(0) = used {
        if let Err(e) = svc.storage.delete(sha).await {
            tracing::warn!("could not delete blob {sha}: {e}");
        }
    }
}

/// What an upload to `slot` may be, checked before a byte is written.
pub struct UploadPlan {
    pub limit: u64,
    pub types: Vec<FileType>,
}

pub async fn plan_upload(
    svc: &Services,
    p: &Principal,
    id: i32,
    slot: &str,
) -> Result<UploadPlan, AppError> {
    let d = owned(svc, p, id).await?;
    if !editable(&d) {
        return Err(not_editable());
    }
    let schema = schema_of(svc, &d).await?;
    let s = schema
        .documents
        .iter()
        .find(|s| s.id == slot)
        .ok_or(AppError::NotFound)?;
    let files = current_files(id)
        .filter(dossier_file::Column::Kind.eq("input"))
        .all(&svc.db)
        .await?;
    if files.iter().filter(|f| f.slot == slot).count() as u32 >= s.max_files {
        return Err(invalid(
            &format!("doc-{slot}"),
            &format!(
                "Mỗi loại giấy tờ đính kèm tối đa {} tệp. Hãy xoá bớt tệp trước.",
                s.max_files
            ),
            &format!(
                "At most {} files per document. Remove one first.",
                s.max_files
            ),
        ));
    }
    let used: i64 = files.iter().map(|f| f.size).sum();
    let total_cap = schema.files.max_total_mb as i64 * 1024 * 1024;
    let file_cap = schema.files.max_file_mb as i64 * 1024 * 1024;
    let left = total_cap - used;
    if left <= 0 {
        return Err(too_large_total(&schema.files, slot));
    }
    Ok(UploadPlan {
        limit: file_cap.min(left) as u64,
        types: schema.files.types.clone(),
    })
}

fn too_large_total(f: &FilePolicy, slot: &str) -> AppError {
    invalid(
        &format!("doc-{slot}"),
        &format!(
            "Tổng dung lượng tệp của hồ sơ tối đa {} MB.",
            f.max_total_mb
        ),
        &format!("A dossier's files may total at most {} MB.", f.max_total_mb),
    )
}

/// The message for a refused upload, naming the rule the user broke.
pub fn upload_error(e: UploadError, key: &str, plan: &UploadPlan, policy_mb: u32) -> AppError {
    let names: Vec<&str> = plan
        .types
        .iter()
        .map(|t| match t {
            FileType::Pdf => "PDF",
            FileType::Jpeg => "JPEG",
            FileType::Png => "PNG",
        })
        .collect();
    let k = key.to_string();
    match e {
        UploadError::TooLarge => invalid(
            &k,
            &format!("Tệp quá lớn: mỗi tệp tối đa {policy_mb} MB và tổng hồ sơ không vượt giới hạn."),
            &format!("The file is too large: at most {policy_mb} MB per file, within the dossier's total."),
        ),
        UploadError::Empty => invalid(&k, "Tệp rỗng (0 byte). Hãy chọn lại tệp.", "The file is empty (0 bytes). Choose it again."),
        UploadError::WrongType => invalid(
            &k,
            &format!("Loại tệp không được chấp nhận. Chỉ nhận {} (kiểm tra theo nội dung tệp, không theo tên).", names.join(", ")),
            &format!("This type of file is not accepted. Only {} (checked by content, not by name).", names.join(", ")),
        ),
        UploadError::Io => internal("upload staging failed"),
    }
}

/// Stages an upload into a temporary file under the plan's limits.
pub async fn stage(svc: &Services, plan: &UploadPlan) -> Result<Staged, AppError> {
    Staged::new(svc.storage.as_ref(), plan.limit, plan.types.clone())
        .await
        .map_err(internal)
}

/// Attaches a finished upload to a slot and optionally keeps it in the user's data store
/// (P-10.2). Checks ownership again: the dossier may have been submitted meanwhile.
pub async fn attach(
    svc: &Services,
    p: &Principal,
    id: i32,
    slot: &str,
    original_name: &str,
    file: Finished,
    keep_in_store: bool,
) -> Result<i32, AppError> {
    let plan = plan_upload(svc, p, id, slot).await?;
    if file.size > plan.limit {
        return Err(upload_error(
            UploadError::TooLarge,
            &format!("doc-{slot}"),
            &plan,
            plan_mb(&plan),
        ));
    }
    let name = sanitise_name(original_name, file.kind);
    let sha = file.sha256.clone();
    let (size, kind) = (file.size as i64, file.kind);
    svc.storage.put(&file.path, &sha).await.map_err(internal)?;
    file.consumed();
    let t = now();
    let txn = svc.db.begin().await?;
    super::write_lock(&txn).await?;
    let row = async {
        let f = dossier_file::ActiveModel {
            dossier_id: Set(id),
            slot: Set(slot.into()),
            kind: Set("input".into()),
            file_name: Set(name.clone()),
            content_type: Set(kind.mime().into()),
            size: Set(size),
            sha256: Set(sha.clone()),
            uploaded_by: Set(Some(p.user_id)),
            created_at: Set(t),
            version: Set(next_version(&txn, id).await?),
            // An officer uploading an applicant's paper at counter intake is digitising it
            // (Decree 107/2021); the copy is marked so that reviewers know its origin.
            digitised: Set(p.kind == AccountKind::Officer),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        // A counter officer's scans are the applicant's papers, not the officer's.
        if keep_in_store && p.kind != AccountKind::Officer {
            let exists = data_store_item::Entity::find()
                .filter(data_store_item::Column::OwnerId.eq(p.user_id))
                .filter(data_store_item::Column::Sha256.eq(sha.clone()))
                .count(&txn)
                .await?
                > 0;
            if !exists {
                data_store_item::ActiveModel {
                    owner_id: Set(p.user_id),
                    title: Set(name.clone()),
                    file_name: Set(name.clone()),
                    content_type: Set(kind.mime().into()),
                    size: Set(size),
                    sha256: Set(sha.clone()),
                    source: Set("upload".into()),
                    dossier_id: Set(Some(id)),
                    created_at: Set(t),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
        }
        Ok::<_, sea_orm::DbErr>(f.id)
    }
    .await;
    match row {
        Ok(fid) => {
            txn.commit().await?;
            Ok(fid)
        }
        Err(e) => {
            drop(txn);
            release_blob(svc, &sha).await;
            Err(e.into())
        }
    }
}

/// The submission round a new file belongs to (B-đ): 1 with the application, 2 with the
/// first supplement, and so on; files replaced in a later round stay as earlier versions.
pub(crate) async fn next_version(
    db: &impl sea_orm::ConnectionTrait,
    id: i32,
) -> Result<i32, sea_orm::DbErr> {
    let requests = dossier_event::Entity::find()
        .filter(dossier_event::Column::DossierId.eq(id))
        .filter(dossier_event::Column::Action.eq(ActionKind::RequestSupplement.as_str()))
        .count(db)
        .await?;
    Ok(requests as i32 + 1)
}

fn plan_mb(plan: &UploadPlan) -> u32 {
    (plan.limit / (1024 * 1024)) as u32
}

/// Fills a slot from the user's data store instead of uploading again (P-10.2).
pub async fn attach_from_store(
    svc: &Services,
    p: &Principal,
    id: i32,
    slot: &str,
    item_id: i32,
) -> Result<i32, AppError> {
    let plan = plan_upload(svc, p, id, slot).await?;
    let item = data_store_item::Entity::find_by_id(item_id)
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if item.owner_id != p.user_id {
        return Err(AppError::Forbidden);
    }
    let kind = FileType::from_mime(&item.content_type).ok_or(AppError::NotFound)?;
    if !plan.types.contains(&kind) {
        return Err(upload_error(
            UploadError::WrongType,
            &format!("doc-{slot}"),
            &plan,
            plan_mb(&plan),
        ));
    }
    if item.size as u64 > plan.limit {
        return Err(upload_error(
            UploadError::TooLarge,
            &format!("doc-{slot}"),
            &plan,
            plan_mb(&plan),
        ));
    }
    let txn = svc.db.begin().await?;
    super::write_lock(&txn).await?;
    let f = dossier_file::ActiveModel {
        dossier_id: Set(id),
        slot: Set(slot.into()),
        kind: Set("input".into()),
        file_name: Set(item.file_name.clone()),
        content_type: Set(item.content_type.clone()),
        size: Set(item.size),
        sha256: Set(item.sha256.clone()),
        uploaded_by: Set(Some(p.user_id)),
        created_at: Set(now()),
        version: Set(next_version(&txn, id).await?),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(f.id)
}

pub async fn remove_file(
    svc: &Services,
    p: &Principal,
    id: i32,
    file_id: i32,
) -> Result<(), AppError> {
    let d = owned(svc, p, id).await?;
    if !editable(&d) {
        return Err(not_editable());
    }
    let f = dossier_file::Entity::find_by_id(file_id)
        .one(&svc.db)
        .await?
        .filter(|f| f.dossier_id == id && f.kind == "input" && f.superseded_at.is_none())
        .ok_or(AppError::NotFound)?;
    if d.submitted_at.is_some() {
        // The agency has seen this file: it stays in the record as an earlier version (B-đ).
        dossier_file::Entity::update_many()
            .col_expr(dossier_file::Column::SupersededAt, Expr::value(Some(now())))
            .filter(dossier_file::Column::Id.eq(f.id))
            .exec(&svc.db)
            .await?;
        return Ok(());
    }
    dossier_file::Entity::delete_by_id(f.id)
        .exec(&svc.db)
        .await?;
    release_blob(svc, &f.sha256).await;
    Ok(())
}

/// A file's bytes for its dossier's applicant (downloads and previews).
pub async fn file_bytes(
    svc: &Services,
    p: &Principal,
    id: i32,
    file_id: i32,
) -> Result<(dossier_file::Model, Vec<u8>), AppError> {
    owned(svc, p, id).await?;
    let f = dossier_file::Entity::find_by_id(file_id)
        .one(&svc.db)
        .await?
        .filter(|f| f.dossier_id == id)
        .ok_or(AppError::NotFound)?;
    let bytes = svc.storage.read(&f.sha256).await.map_err(internal)?;
    Ok((f, bytes))
}

/// Allocates the next number in the agency's daily sequence. One statement on both
/// databases: the row lock (PostgreSQL) or the write lock (SQLite) makes concurrent
/// submissions take distinct numbers.
async fn next_sequence(
    db: &impl ConnectionTrait,
    agency_code: &str,
    day: &str,
) -> Result<u32, AppError> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "INSERT INTO dossier_sequence (agency_code, day, last) VALUES ($1, $2, 1) \
             ON CONFLICT (agency_code, day) DO UPDATE SET last = dossier_sequence.last + 1 \
             RETURNING last"
        }
        _ => {
            "INSERT INTO dossier_sequence (agency_code, day, last) VALUES (?, ?, 1) \
             ON CONFLICT (agency_code, day) DO UPDATE SET last = dossier_sequence.last + 1 \
             RETURNING last"
        }
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [agency_code.into(), day.into()],
        ))
        .await?
        .ok_or_else(|| internal("sequence returned no row"))?;
    let last: i32 = row.try_get("", "last")?;
    Ok(last as u32)
}

/// Submits a draft (status 0 → 1): validates everything again, assigns the dossier code and
/// the due date, records the event, notifies the applicant. Idempotent: a repeated or
/// concurrent submission of the same dossier returns the code already assigned.
pub async fn submit(
    svc: &Services,
    p: &Principal,
    id: i32,
    key: &str,
    meta: &RequestMeta,
) -> Result<String, AppError> {
    let d = owned(svc, p, id).await?;
    if status_of(&d) != Status::Draft {
        return d.code.ok_or(AppError::Conflict);
    }
    let schema = schema_of(svc, &d).await?;
    let values = values_of(&d);
    let files = current_files(id).all(&svc.db).await?;
    let errs = problems(svc, &schema, &values, &files).await?;
    if !errs.is_empty() {
        return Err(AppError::Validation(errs));
    }
    let unit = agency::Entity::find_by_id(d.agency_id)
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let agency_code = unit
        .code
        .clone()
        .ok_or_else(|| internal("receiving unit without code"))?;
    let version = procedure_version::Entity::find_by_id(d.version_id)
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let t = now();
    let day = Day::from_unix_vn(t);
    let due = version.time_limit_days.map(|n| {
        svc.calendar
            .get()
            .due_date(day, n.max(0) as u32)
            .to_string()
    });
    let counter = d.channel == "counter";
    let user = entity::user_account::Entity::find_by_id(p.user_id)
        .one(&svc.db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    // At the counter the officer files: the applicant is the walk-in, whose account (if they
    // have one) is linked by ID number so the dossier appears in their list (P-5.2).
    let (user_phone, user_index) = if counter {
        (d.applicant_phone.clone(), d.applicant_id_index.clone())
    } else {
        (user.phone.clone(), user.citizen_id_index.clone())
    };
    let linked = match (&user_index, counter) {
        (Some(ix), true) => entity::user_account::Entity::find()
            .filter(entity::user_account::Column::CitizenIdIndex.eq(ix.clone()))
            .filter(entity::user_account::Column::Kind.ne("officer"))
            .one(&svc.db)
            .await?
            .map(|u| u.id),
        _ => None,
    };
    let phone = user_phone.or_else(|| {
        schema
            .fields()
            .find(|f| f.kind == Kind::Phone)
            .and_then(|f| values.get(&f.id))
            .and_then(|v| crate::domain::account::normalise_phone(v))
    });
    let id_index = user_index.or_else(|| {
        schema
            .fields()
            .find(|f| f.kind == Kind::CitizenId)
            .and_then(|f| values.get(&f.id))
            .and_then(|v| crate::domain::account::normalise_citizen_id(v))
            .map(|v| svc.auth.cipher.blind_index("citizen_id", &v))
    });
    let entry = super::work::entry(svc, &svc.db, &version, t).await?;
    let txn = svc.db.begin().await?;
    super::write_lock(&txn).await?;
    let seq = next_sequence(&txn, &agency_code, &day.yymmdd()).await?;
    let code = format_code(&agency_code, day, seq);
    let r = dossier::Entity::update_many()
        .col_expr(dossier::Column::Code, Expr::value(code.clone()))
        .col_expr(
            dossier::Column::Status,
            Expr::value(Status::Submitted.code()),
        )
        .col_expr(dossier::Column::SubmittedAt, Expr::value(t))
        .col_expr(dossier::Column::UpdatedAt, Expr::value(t))
        .col_expr(dossier::Column::DueDate, Expr::value(due.clone()))
        .col_expr(
            dossier::Column::SubmitKey,
            Expr::value(key.chars().take(64).collect::<String>()),
        )
        .col_expr(dossier::Column::ExpiresAt, Expr::value(Option::<i64>::None))
        .col_expr(dossier::Column::ApplicantPhone, Expr::value(phone))
        .col_expr(dossier::Column::ApplicantIdIndex, Expr::value(id_index))
        .col_expr(
            dossier::Column::ApplicantId,
            Expr::value(if counter { linked } else { d.applicant_id }),
        )
        .col_expr(
            dossier::Column::WorkflowId,
            Expr::value(Some(entry.workflow_id)),
        )
        .col_expr(dossier::Column::State, Expr::value(Some(entry.state)))
        .col_expr(dossier::Column::UnitId, Expr::value(Some(d.agency_id)))
        .col_expr(dossier::Column::StepStartedAt, Expr::value(Some(t)))
        .col_expr(dossier::Column::StepDueAt, Expr::value(entry.step_due_at))
        .col_expr(
            dossier::Column::Revision,
            sea_orm::sea_query::ExprTrait::add(Expr::col(dossier::Column::Revision), 1),
        )
        .filter(dossier::Column::Id.eq(id))
        .filter(dossier::Column::Status.eq(Status::Draft.code()))
        .exec(&txn)
        .await?;
    if r.rows_affected == 0 {
        // Another request submitted it first: answer with its code.
        drop(txn);
        let again = dossier::Entity::find_by_id(id)
            .one(&svc.db)
            .await?
            .ok_or(AppError::NotFound)?;
        return again.code.ok_or(AppError::Conflict);
    }
    let ev = event(
        &txn,
        id,
        Some(p.user_id),
        "submit",
        Some(Status::Draft),
        Status::Submitted,
        None,
    )
    .await?;
    // B-m: a dossier filed here is registered on the NPSP (status 1), queued in this
    // transaction.
    super::outbox::on_dossier_event(svc, &txn, id, ev).await?;
    let proc_name = procedure::Entity::find_by_id(d.procedure_id)
        .one(&txn)
        .await?
        .map(|p| p.name)
        .unwrap_or_default();
    let notify = if counter { linked } else { Some(p.user_id) };
    if let Some(uid) = notify {
        notification::ActiveModel {
            user_id: Set(uid),
            dossier_id: Set(Some(id)),
            text_vi: Set(format!("Đã nộp hồ sơ {code}: {proc_name}")),
            text_en: Set(format!("Dossier {code} submitted: {proc_name}")),
            link: Set(format!("/ho-so/{id}")),
            created_at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    let _ = svc
        .audit
        .append(
            &svc.db,
            super::audit::Entry {
                actor: Some(p.user_id.to_string()),
                action: "dossier.submit".into(),
                object_type: Some("dossier".into()),
                object_id: Some(code.clone()),
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
                detail: None,
            },
        )
        .await;
    if counter {
        // Received in person: the counter accepts it on the spot and prints the receipt.
        super::work::act(
            svc,
            p,
            id,
            ActionKind::Accept,
            super::work::ActInput::default(),
            meta,
        )
        .await?;
        return Ok(code);
    }
    let due_text = due
        .as_deref()
        .and_then(Day::parse_iso)
        .map(|d| d.vn())
        .unwrap_or_else(|| "theo quy định của thủ tục".into());
    let body = format!(
        "Kính gửi {name},\n\nHồ sơ của bạn đã được nộp trực tuyến.\n\nMã hồ sơ: {code}\nThủ tục: {proc_name}\nCơ quan tiếp nhận: {unit}\nNgày hẹn trả kết quả dự kiến: {due_text}\n\nTheo dõi hồ sơ: {url}/ho-so/{id}\nTra cứu: {url}/tra-cuu-ho-so?ma={code}\n\n(Thư tự động, vui lòng không trả lời.)",
        name = p.full_name,
        unit = unit.name,
        url = svc.auth.public_url,
    );
    if let Err(e) = svc
        .auth
        .mailer
        .send(&p.email, &format!("Đã nộp hồ sơ {code}"), &body)
        .await
    {
        tracing::warn!("submission email for {code} not sent: {e}");
    }
    Ok(code)
}

/// The applicant's dossiers, newest first, optionally of one status (P-5.2).
pub async fn list_mine(
    svc: &Services,
    p: &Principal,
    status: Option<Status>,
) -> Result<Vec<DossierRow>, AppError> {
    applicant(p)?;
    let mut q = dossier::Entity::find().filter(dossier::Column::ApplicantId.eq(p.user_id));
    if let Some(s) = status {
        q = q.filter(dossier::Column::Status.eq(s.code()));
    }
    let rows = q
        .order_by_desc(dossier::Column::UpdatedAt)
        .order_by_desc(dossier::Column::Id)
        .all(&svc.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|d| DossierRow {
            id: d.id,
            procedure_name: svc.procedure_name(d.procedure_id),
            status: status_of(&d),
            code: d.code,
            updated_at: d.updated_at,
            due_date: d.due_date,
        })
        .collect())
}

/// The dossier as its applicant sees it (task list, form, files, timeline).
pub async fn view(svc: &Services, p: &Principal, id: i32) -> Result<DossierView, AppError> {
    let d = owned(svc, p, id).await?;
    view_of(svc, d).await
}

fn file_view(f: dossier_file::Model) -> FileView {
    FileView {
        id: f.id,
        slot: f.slot,
        kind: f.kind,
        file_name: f.file_name,
        content_type: f.content_type,
        size: f.size,
        created_at: f.created_at,
        version: f.version,
        digitised: f.digitised,
        superseded_at: f.superseded_at,
        signing: false,
        signed_by: None,
    }
}

pub(crate) async fn view_of(svc: &Services, d: dossier::Model) -> Result<DossierView, AppError> {
    let id = d.id;
    let schema = schema_of(svc, &d).await?;
    let values = values_of(&d);
    let (files, history): (Vec<_>, Vec<_>) = dossier_file::Entity::find()
        .filter(dossier_file::Column::DossierId.eq(id))
        .order_by_asc(dossier_file::Column::Id)
        .all(&svc.db)
        .await?
        .into_iter()
        .partition(|f| f.superseded_at.is_none());
    let problems = if editable(&d) {
        problems(svc, &schema, &values, &files).await?
    } else {
        vec![]
    };
    let t = today();
    let mut tasks: Vec<TaskItem> = schema
        .sections
        .iter()
        .map(|s| TaskItem {
            title_vi: s.title.vi.clone(),
            title_en: s.title.get(crate::i18n::Lang::En).into(),
            href: format!("/ho-so/{id}/bieu-mau#s-{}", s.id),
            done: schema.section_complete(s, &values, t),
            required: true,
        })
        .collect();
    if !schema.documents.is_empty() {
        let all_required = schema
            .documents
            .iter()
            .filter(|s| s.required)
            .all(|s| files.iter().any(|f| f.slot == s.id));
        tasks.push(TaskItem {
            title_vi: "Giấy tờ đính kèm".into(),
            title_en: "Documents".into(),
            href: format!("/ho-so/{id}/giay-to"),
            done: all_required && !files.is_empty(),
            required: schema.documents.iter().any(|s| s.required),
        });
    }
    let shipments = super::post::views(&svc.db, id).await?;
    // P-3.5: the post is optional; offered while the dossier is a draft.
    if svc.integrations.post.is_some() && d.status == Status::Draft.code() {
        tasks.push(TaskItem {
            title_vi: "Nộp giấy tờ, nhận kết quả qua bưu chính".into(),
            title_en: "Send papers and receive the result by post".into(),
            href: format!("/ho-so/{id}/buu-chinh"),
            done: !shipments.is_empty(),
            required: false,
        });
    }
    let events = dossier_event::Entity::find()
        .filter(dossier_event::Column::DossierId.eq(id))
        .order_by_asc(dossier_event::Column::Id)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|e| EventView {
            at: e.at,
            action: e.action,
            to: e.to_status.and_then(Status::from_code),
            note: e.note,
        })
        .collect();
    let proc = procedure::Entity::find_by_id(d.procedure_id)
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let unit = agency::Entity::find_by_id(d.agency_id).one(&svc.db).await?;
    let provinces = svc.provinces().await?;
    let mut communes = Vec::new();
    for f in schema.fields().filter(|f| f.kind == Kind::Address) {
        if let Some(pv) = values.get(&format!("{}.province", f.id)) {
            if !communes.iter().any(|(k, _): &(String, _)| k == pv) {
                communes.push((pv.clone(), svc.communes(pv).await?));
            }
        }
    }
    let message_files: Vec<_> = files
        .iter()
        .filter(|f| f.kind == "message")
        .cloned()
        .collect();
    Ok(DossierView {
        id,
        code: d.code.clone(),
        procedure_code: proc.code,
        procedure_name: proc.name,
        agency_name: unit.map(|u| u.name).unwrap_or_default(),
        status: status_of(&d),
        channel: d.channel.clone(),
        schema,
        values,
        problems,
        files: {
            let signing = super::remotesign::file_states(svc, d.id).await?;
            files
                .into_iter()
                .map(|f| {
                    let mut v = file_view(f);
                    if let Some((waiting, by)) = signing.get(&v.id) {
                        v.signing = *waiting;
                        v.signed_by = by.clone();
                    }
                    v
                })
                .collect()
        },
        history: history.into_iter().map(file_view).collect(),
        archived_at: d.archived_at,
        retain_until: d.retain_until.clone(),
        fee_due: d.fee_due,
        online_payment: svc.integrations.payment.is_some(),
        payment_via: svc
            .integrations
            .payment
            .as_ref()
            .map(|g| {
                let (vi, en) = g.label();
                (vi.to_owned(), en.to_owned())
            })
            .unwrap_or_default(),
        payments: super::payment::of_dossier(svc, id)
            .await?
            .into_iter()
            .map(|p| crate::domain::dossier::PaymentView {
                id: p.id,
                amount: p.amount,
                status: p.status,
                created_at: p.created_at,
                gateway_txn: p.gateway_txn,
                refund_note: match p.refund_status.as_deref() {
                    Some(super::payment::REFUNDED) => p.refund_txn,
                    _ => p.refund_message,
                },
                refund_status: p.refund_status,
                refund_reason: p.refund_reason,
                refunded_at: p.refunded_at,
                refundable: false,
            })
            .collect(),
        postal_offered: svc.integrations.post.is_some(),
        remote_sign: svc
            .integrations
            .remote_sign
            .as_ref()
            .map(|r| r.label().to_owned()),
        shipments,
        finished_at: d.finished_at,
        events,
        tasks,
        revision: d.revision,
        created_at: d.created_at,
        submitted_at: d.submitted_at,
        due_date: d.due_date,
        expires_at: d.expires_at,
        supplement_request: d.supplement_request,
        communes,
        provinces,
        submit_key: super::auth::crypto::random_token(),
        messages: entity::dossier_message::Entity::find()
            .filter(entity::dossier_message::Column::DossierId.eq(id))
            .order_by_asc(entity::dossier_message::Column::Id)
            .all(&svc.db)
            .await?
            .into_iter()
            .map(|m| crate::domain::dossier::MessageView {
                at: m.created_at,
                from_officer: m.from_officer,
                attachments: message_files
                    .iter()
                    .filter(|f| f.message_id == Some(m.id))
                    .map(|f| (f.id, f.file_name.clone()))
                    .collect(),
                body: m.body,
            })
            .collect(),
        rated: entity::dossier_rating::Entity::find()
            .filter(entity::dossier_rating::Column::DossierId.eq(id))
            .count(&svc.db)
            .await?
            > 0,
        applicant_name: d.applicant_name.clone(),
    })
}

/// Public lookup (P-5.2): the code plus the applicant's phone number or ID number. A wrong
/// second factor answers exactly like an unknown code, and attempts are rate-limited per
/// client, so the code alone reveals nothing.
pub async fn lookup(
    svc: &Services,
    code: &str,
    secret: &str,
    meta: &RequestMeta,
) -> Result<PublicStatus, AppError> {
    let per_minute = svc.dossier_policy.lookups_per_minute;
    if !svc
        .auth
        .limiter
        .allow("lookup", meta.ip_key(), per_minute, now())
    {
        return Err(AppError::RateLimited);
    }
    let not_found = || {
        invalid(
            "form",
            "Không tìm thấy hồ sơ với mã và số điện thoại / số định danh này. Hãy kiểm tra lại.",
            "No dossier matches this code and phone / ID number. Please check them.",
        )
    };
    let code = code.trim().to_uppercase();
    if crate::domain::dossier::parse_code(&code).is_none() {
        return Err(invalid(
            "ma",
            "Mã hồ sơ có dạng <mã cơ quan>-<năm tháng ngày>-<số thứ tự>, ví dụ H48.01-261201-0001.",
            "A dossier code looks like <agency code>-<YYMMDD>-<number>, e.g. H48.01-261201-0001.",
        ));
    }
    let d = dossier::Entity::find()
        .filter(dossier::Column::Code.eq(code.clone()))
        .one(&svc.db)
        .await?
        .ok_or_else(not_found)?;
    let phone_ok = crate::domain::account::normalise_phone(secret)
        .is_some_and(|ph| d.applicant_phone.as_deref() == Some(ph.as_str()));
    let id_ok = crate::domain::account::normalise_citizen_id(secret).is_some_and(|c| {
        d.applicant_id_index.as_deref()
            == Some(svc.auth.cipher.blind_index("citizen_id", &c).as_str())
    });
    if !(phone_ok || id_ok) {
        return Err(not_found());
    }
    let events = dossier_event::Entity::find()
        .filter(dossier_event::Column::DossierId.eq(d.id))
        .filter(dossier_event::Column::Action.ne("draft.create"))
        .order_by_asc(dossier_event::Column::Id)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|e| EventView {
            at: e.at,
            action: e.action,
            to: e.to_status.and_then(Status::from_code),
            note: None,
        })
        .collect();
    let unit = agency::Entity::find_by_id(d.agency_id).one(&svc.db).await?;
    Ok(PublicStatus {
        code,
        procedure_name: svc.procedure_name(d.procedure_id),
        agency_name: unit.map(|u| u.name).unwrap_or_default(),
        status: status_of(&d),
        submitted_at: d.submitted_at,
        due_date: d.due_date,
        events,
    })
}

/// Deletes drafts past their expiry and reminds owners of drafts about to expire (P-3.1).
/// Returns (reminded, deleted).
pub async fn sweep_drafts(svc: &Services) -> Result<(u32, u32), AppError> {
    let t = now();
    let soon = t + svc.dossier_policy.reminder_days * 86_400;
    let mut reminded = 0;
    let due = dossier::Entity::find()
        .filter(dossier::Column::Status.eq(Status::Draft.code()))
        .filter(dossier::Column::ExpiresAt.lte(soon))
        .filter(dossier::Column::ExpiresAt.gt(t))
        .filter(dossier::Column::RemindedAt.is_null())
        .all(&svc.db)
        .await?;
    for d in due {
        let Some(uid) = d.applicant_id else { continue };
        let name = svc.procedure_name(d.procedure_id);
        let date = d
            .expires_at
            .map(|e| Day::from_unix_vn(e).vn())
            .unwrap_or_default();
        notification::ActiveModel {
            user_id: Set(uid),
            dossier_id: Set(Some(d.id)),
            text_vi: Set(format!(
                "Hồ sơ nháp \"{name}\" sẽ bị xoá ngày {date} nếu không được nộp hoặc lưu lại."
            )),
            text_en: Set(format!(
                "The draft \"{name}\" will be deleted on {date} unless it is submitted or saved."
            )),
            link: Set(format!("/ho-so/{}", d.id)),
            created_at: Set(t),
            ..Default::default()
        }
        .insert(&svc.db)
        .await?;
        dossier::Entity::update_many()
            .col_expr(dossier::Column::RemindedAt, Expr::value(t))
            .filter(dossier::Column::Id.eq(d.id))
            .exec(&svc.db)
            .await?;
        if let Some(u) = entity::user_account::Entity::find_by_id(uid)
            .one(&svc.db)
            .await?
        {
            let _ = svc
                .auth
                .mailer
                .send(
                    &u.email,
                    "Hồ sơ nháp sắp hết hạn",
                    &format!(
                        "Hồ sơ nháp \"{name}\" sẽ bị xoá ngày {date}. Mở để tiếp tục: {}/ho-so/{}",
                        svc.auth.public_url, d.id
                    ),
                )
                .await;
        }
        reminded += 1;
    }
    let expired = dossier::Entity::find()
        .filter(dossier::Column::Status.eq(Status::Draft.code()))
        .filter(dossier::Column::ExpiresAt.lte(t))
        .all(&svc.db)
        .await?;
    let mut deleted = 0;
    for d in expired {
        let files = dossier_file::Entity::find()
            .filter(dossier_file::Column::DossierId.eq(d.id))
            .all(&svc.db)
            .await?;
        super::remotesign::forget(&svc.db, d.id).await?;
        dossier::Entity::delete_by_id(d.id).exec(&svc.db).await?;
        for f in files {
            release_blob(svc, &f.sha256).await;
        }
        deleted += 1;
    }
    Ok((reminded, deleted))
}

/// The user's data store (P-10.2).
pub async fn store_items(
    svc: &Services,
    p: &Principal,
    q: &str,
) -> Result<Vec<data_store_item::Model>, AppError> {
    applicant(p)?;
    let items = data_store_item::Entity::find()
        .filter(data_store_item::Column::OwnerId.eq(p.user_id))
        .order_by_desc(data_store_item::Column::Id)
        .all(&svc.db)
        .await?;
    let needle = crate::domain::text::fold(q);
    Ok(items
        .into_iter()
        .filter(|i| needle.is_empty() || crate::domain::text::fold(&i.title).contains(&needle))
        .collect())
}

pub type AreaList = Vec<(String, String)>;

impl Services {
    pub fn procedure_name(&self, id: i32) -> String {
        self.catalogue
            .get()
            .row(id)
            .map(|r| r.summary.name.clone())
            .unwrap_or_default()
    }

    /// Provinces of the 2-level structure, by name.
    pub async fn provinces(&self) -> Result<AreaList, AppError> {
        let rows = admin_area::Entity::find()
            .filter(admin_area::Column::ParentCode.is_null())
            .order_by_asc(admin_area::Column::Name)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|a| (a.code, a.full_name)).collect())
    }

    pub async fn communes(&self, province: &str) -> Result<AreaList, AppError> {
        let rows = admin_area::Entity::find()
            .filter(admin_area::Column::ParentCode.eq(province))
            .order_by_asc(admin_area::Column::Name)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|a| (a.code, a.full_name)).collect())
    }
}

/// Counts for tests and the admin view.
pub async fn count_rows(svc: &Services) -> Result<BTreeMap<&'static str, u64>, AppError> {
    let mut m = BTreeMap::new();
    m.insert("dossier", dossier::Entity::find().count(&svc.db).await?);
    m.insert(
        "dossier_file",
        dossier_file::Entity::find().count(&svc.db).await?,
    );
    m.insert(
        "data_store_item",
        data_store_item::Entity::find().count(&svc.db).await?,
    );
    Ok(m)
}

/// A data-store item's bytes for its owner.
pub async fn store_bytes(
    svc: &Services,
    p: &Principal,
    item_id: i32,
) -> Result<(data_store_item::Model, Vec<u8>), AppError> {
    applicant(p)?;
    let i = data_store_item::Entity::find_by_id(item_id)
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if i.owner_id != p.user_id {
        return Err(AppError::Forbidden);
    }
    let bytes = svc.storage.read(&i.sha256).await.map_err(internal)?;
    Ok((i, bytes))
}

/// The receipt slip of a submitted dossier as PDF (P-3.1, B-l), for its applicant.
pub async fn receipt_pdf(
    svc: &Services,
    p: &Principal,
    id: i32,
) -> Result<(String, Vec<u8>), AppError> {
    let d = owned(svc, p, id).await?;
    receipt_of(svc, d).await
}

/// The receipt slip for an officer of the receiving unit (printed at the counter, B-l).
pub async fn officer_receipt_pdf(
    svc: &Services,
    p: &Principal,
    id: i32,
) -> Result<(String, Vec<u8>), AppError> {
    let d = handled_by(svc, p, id).await?;
    receipt_of(svc, d).await
}

async fn receipt_of(svc: &Services, d: dossier::Model) -> Result<(String, Vec<u8>), AppError> {
    let id = d.id;
    let code = d.code.clone().ok_or(AppError::NotFound)?;
    let unit = agency::Entity::find_by_id(d.agency_id)
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let parent = match unit.parent_id {
        Some(pid) => agency::Entity::find_by_id(pid).one(&svc.db).await?,
        None => None,
    };
    let schema = schema_of(svc, &d).await?;
    let files = current_files(id)
        .filter(dossier_file::Column::Kind.eq("input"))
        .all(&svc.db)
        .await?;
    let documents = schema
        .documents
        .iter()
        .filter_map(|s| {
            let n = files.iter().filter(|f| f.slot == s.id).count();
            (n > 0).then(|| (s.name.vi.clone(), n))
        })
        .collect();
    let received = d
        .submitted_at
        .map(crate::domain::calendar::time_vn)
        .unwrap_or_default();
    let due = d
        .due_date
        .as_deref()
        .and_then(Day::parse_iso)
        .map(|x| x.vn())
        .unwrap_or_else(|| "Theo thời hạn của thủ tục".into());
    let r = super::pdf::Receipt {
        agency_parent: parent.map(|a| a.name).unwrap_or_default(),
        agency: unit.name,
        code: code.clone(),
        procedure: svc.procedure_name(d.procedure_id),
        applicant: d.applicant_name.clone(),
        phone: d.applicant_phone.clone(),
        channel: if d.channel == "counter" {
            "Trực tiếp tại Bộ phận Một cửa".into()
        } else {
            "Trực tuyến".into()
        },
        received_at: received,
        due,
        documents,
        lookup_url: format!("{}/tra-cuu-ho-so?ma={code}", svc.auth.public_url),
    };
    let bytes = tokio::task::spawn_blocking(move || super::pdf::receipt(&r))
        .await
        .map_err(internal)?
        .map_err(internal)?;
    Ok((format!("giay-tiep-nhan-{code}.pdf"), bytes))
}

// ---------------------------------------------------------------------------------------------
// After submission: supplement, withdrawal, results, rating, messages (P-3.2, P-3.7, P-7).
// The officer side here is the minimum the citizen journey needs; the workflow engine of the
// back office (B-b, B-c) builds on these transitions.

/// The dossier, if `p` is an officer of its receiving unit (or a system administrator).
pub(crate) async fn handled_by(
    svc: &Services,
    p: &Principal,
    id: i32,
) -> Result<dossier::Model, AppError> {
    use crate::domain::account::Permission;
    if p.stage != Stage::Full || !p.is_officer() {
        return Err(AppError::Forbidden);
    }
    let d = dossier::Entity::find_by_id(id)
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    // The receiving unit keeps sight of its dossier; a unit it was sent to sees it too.
    if !p.can(Permission::UseWorkspace, Some(d.agency_id))
        && !p.can(Permission::UseWorkspace, d.unit_id)
    {
        return Err(AppError::Forbidden);
    }
    Ok(d)
}

/// A notice to the applicant about a change, written in the change's own transaction
/// (transactional outbox, B-m): the in-app notification and the SMS (P-3.2) commit with the
/// change or not at all. The e-mail goes by SMTP after the commit ([`Notice::send`]).
pub(crate) struct Notice {
    mail: Option<(String, String, String)>,
}

pub(crate) async fn queue_notice(
    svc: &Services,
    db: &impl ConnectionTrait,
    d: &dossier::Model,
    vi: String,
    en: String,
) -> Result<Notice, AppError> {
    let code = d.code.clone().unwrap_or_default();
    let mut phone = d.applicant_phone.clone();
    let mut mail = None;
    if let Some(uid) = d.applicant_id {
        notification::ActiveModel {
            user_id: Set(uid),
            dossier_id: Set(Some(d.id)),
            text_vi: Set(vi.clone()),
            text_en: Set(en),
            link: Set(format!("/ho-so/{}", d.id)),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        if let Some(u) = entity::user_account::Entity::find_by_id(uid)
            .one(db)
            .await?
        {
            let body = format!(
                "{vi}\n\nXem hồ sơ: {}/ho-so/{}\n\n(Thư tự động, vui lòng không trả lời.)",
                svc.auth.public_url, d.id
            );
            mail = Some((u.email, format!("Hồ sơ {code}: có cập nhật"), body));
            phone = phone.or(u.phone);
        }
    }
    if let Some(phone) = phone {
        // One key per notification: the dossier, its revision and a random tag (two
        // notifications can share a revision, e.g. a payment and the step it completes).
        let key = format!("sms:{}:{}:{:08x}", d.id, d.revision, rand::random::<u32>());
        super::sms::enqueue(svc, db, &key, &phone, &code, &vi).await?;
    }
    Ok(Notice { mail })
}

impl Notice {
    /// After the commit: the e-mail copy. A mail server that is down does not undo the change.
    pub(crate) async fn send(self, svc: &Services) {
        if let Some((to, subject, body)) = self.mail {
            if let Err(e) = svc.auth.mailer.send(&to, &subject, &body).await {
                tracing::warn!("mail \"{subject}\" not sent: {e}");
            }
        }
    }
}

pub(crate) fn need_text(name: &str, v: &str, vi: &str, en: &str) -> Result<String, AppError> {
    let t = v.trim();
    if t.is_empty() || t.chars().count() > 4000 {
        return Err(invalid(name, vi, en));
    }
    Ok(t.to_string())
}

/// Officer: asks the applicant for what is missing (status 5). The request must say exactly
/// what to add (Decree 61/2018: all guidance in one request).
pub async fn request_supplement(
    svc: &Services,
    officer: &Principal,
    id: i32,
    note: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    need_text(
        "note",
        note,
        "Hãy ghi rõ, đầy đủ các giấy tờ, nội dung cần bổ sung (tối đa 4000 ký tự).",
        "State exactly and completely what must be added (at most 4000 characters).",
    )?;
    super::work::act(
        svc,
        officer,
        id,
        ActionKind::RequestSupplement,
        super::work::ActInput {
            note: note.to_string(),
            ..Default::default()
        },
        meta,
    )
    .await
}

/// Applicant: sends the supplement back; the dossier returns to where it was.
pub async fn submit_supplement(svc: &Services, p: &Principal, id: i32) -> Result<(), AppError> {
    let d = owned(svc, p, id).await?;
    if status_of(&d) != Status::SupplementRequested {
        return Err(not_editable());
    }
    let schema = schema_of(svc, &d).await?;
    let files = current_files(id).all(&svc.db).await?;
    let errs = problems(svc, &schema, &values_of(&d), &files).await?;
    if !errs.is_empty() {
        return Err(AppError::Validation(errs));
    }
    let txn = svc.db.begin().await?;
    super::write_lock(&txn).await?;
    super::work::step(
        svc,
        &txn,
        &d,
        ActionKind::Resubmit,
        &super::work::Who::Applicant(Some(p.user_id)),
        None,
        |q| {
            q.col_expr(
                dossier::Column::SupplementRequest,
                Expr::value(Option::<String>::None),
            )
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Applicant: asks to withdraw the dossier (status 7); the agency confirms in the back office.
pub async fn request_withdrawal(
    svc: &Services,
    p: &Principal,
    id: i32,
    reason: &str,
) -> Result<(), AppError> {
    let d = owned(svc, p, id).await?;
    let reason = need_text(
        "reason",
        reason,
        "Hãy ghi lý do rút hồ sơ.",
        "Give the reason for withdrawing.",
    )?;
    let txn = svc.db.begin().await?;
    super::write_lock(&txn).await?;
    super::work::step(
        svc,
        &txn,
        &d,
        ActionKind::RequestWithdrawal,
        &super::work::Who::Applicant(Some(p.user_id)),
        Some(reason),
        |q| q,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// What attaching a result did.
#[derive(Debug, PartialEq, Eq)]
pub enum Attached {
    /// Filed (signed with the agency's key when it is a PDF and a key is configured).
    Filed,
    /// Sent to the remote-signing CA: it is filed when the agency's signer confirms.
    AwaitingSignature,
}

/// The dossier, if `officer` handles it and may attach its result now.
pub(crate) async fn result_dossier(
    svc: &Services,
    officer: &Principal,
    id: i32,
) -> Result<dossier::Model, AppError> {
    let d = handled_by(svc, officer, id).await?;
    super::work::may(svc, officer, &d, ActionKind::AttachResult).await?;
    super::work::officer_roles(officer, &d)?;
    Ok(d)
}

/// Officer: attaches the result document (status 9); it also goes into the applicant's data
/// store (P-3.7, P-10.2).
pub async fn attach_result(
    svc: &Services,
    officer: &Principal,
    id: i32,
    original_name: &str,
    mut file: Finished,
) -> Result<Attached, AppError> {
    let d = result_dossier(svc, officer, id).await?;
    let name = sanitise_name(original_name, file.kind);
    // P-4: a PDF result is signed before it is stored, so the applicant only ever receives
    // the signed document: with the agency's key when there is one, else through the
    // remote-signing CA when the agency's certificate is there.
    let remote = svc
        .integrations
        .remote_sign
        .clone()
        .filter(|r| r.agency_id().is_some());
    let signs =
        file.kind == FileType::Pdf && (svc.integrations.signer.is_some() || remote.is_some());
    let info = if signs {
        let unit = agency::Entity::find_by_id(d.unit_id.unwrap_or(d.agency_id))
            .one(&svc.db)
            .await?
            .map(|a| a.name)
            .unwrap_or_default();
        Some(super::sign::SignInfo {
            name: officer.full_name.clone(),
            reason: format!(
                "Kết quả giải quyết hồ sơ {}",
                d.code.clone().unwrap_or_default()
            ),
            location: unit,
            time: now(),
        })
    } else {
        None
    };
    match (svc.integrations.signer.clone(), info) {
        (Some(key), Some(info)) => {
            let bytes = tokio::fs::read(&file.path).await.map_err(internal)?;
            let signed =
                tokio::task::spawn_blocking(move || super::sign::sign_pdf(&bytes, &key, &info))
                    .await
                    .map_err(internal)?;
            let signed = match signed {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!("result of dossier {id} not signed: {e}");
                    return Err(invalid("file", e.vi(), e.en()));
                }
            };
            tokio::fs::write(&file.path, &signed)
                .await
                .map_err(internal)?;
            file.sha256 = super::storage::sha256_hex(&signed);
            file.size = signed.len() as u64;
        }
        (None, Some(info)) => {
            let sha = file.sha256.clone();
            svc.storage.put(&file.path, &sha).await.map_err(internal)?;
            file.consumed();
            let started =
                super::remotesign::start_result(svc, officer, &d, &name, &sha, info).await;
            if let Err(e) = started {
                release_blob(svc, &sha).await;
                return Err(e);
            }
            return Ok(Attached::AwaitingSignature);
        }
        _ => {}
    }
    let sha = file.sha256.clone();
    let (size, kind) = (file.size as i64, file.kind);
    svc.storage.put(&file.path, &sha).await.map_err(internal)?;
    file.consumed();
    record_result(svc, officer, &d, &name, kind, size, &sha).await?;
    Ok(Attached::Filed)
}

/// Files a result already in the blob store as `sha`: the result row, the applicant's data
/// store copy and the step commit together (a refused step leaves no result behind, and the
/// blob is released); then the applicant is told. The new file's id.
pub(crate) async fn record_result(
    svc: &Services,
    officer: &Principal,
    d: &dossier::Model,
    name: &str,
    kind: FileType,
    size: i64,
    sha: &str,
) -> Result<i32, AppError> {
    let id = d.id;
    let t = now();
    let done = async {
        let roles = super::work::officer_roles(officer, d)?;
        let txn = svc.db.begin().await?;
        super::write_lock(&txn).await?;
        let row = dossier_file::ActiveModel {
            dossier_id: Set(id),
            slot: Set("result".into()),
            kind: Set("result".into()),
            file_name: Set(name.to_owned()),
            content_type: Set(kind.mime().into()),
            size: Set(size),
            sha256: Set(sha.to_owned()),
            uploaded_by: Set(Some(officer.user_id)),
            created_at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        if let Some(owner) = d.applicant_id {
            data_store_item::ActiveModel {
                owner_id: Set(owner),
                title: Set(format!(
                    "Kết quả: {} ({})",
                    svc.procedure_name(d.procedure_id),
                    d.code.clone().unwrap_or_default()
                )),
                file_name: Set(name.to_owned()),
                content_type: Set(kind.mime().into()),
                size: Set(size),
                sha256: Set(sha.to_owned()),
                source: Set("result".into()),
                dossier_id: Set(Some(id)),
                created_at: Set(t),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        super::work::step(
            svc,
            &txn,
            d,
            ActionKind::AttachResult,
            &super::work::Who::Officer(officer.user_id, roles),
            None,
            |q| q,
        )
        .await?;
        let notice = queue_notice(
            svc,
            &txn,
            d,
            format!(
                "Hồ sơ {} đã có kết quả. Bạn có thể tải kết quả điện tử; bản này cũng được lưu trong kho dữ liệu của bạn.",
                d.code.clone().unwrap_or_default()
            ),
            format!(
                "Dossier {} has a result. Download it; it is also kept in your data store.",
                d.code.clone().unwrap_or_default()
            ),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, AppError>((notice, row.id))
    }
    .await;
    match done {
        Ok((notice, file_id)) => {
            notice.send(svc).await;
            Ok(file_id)
        }
        Err(e) => {
            release_blob(svc, sha).await;
            Err(e)
        }
    }
}

/// What a result upload may be: the default file policy, checked for the officer first.
pub async fn plan_result(
    svc: &Services,
    officer: &Principal,
    id: i32,
) -> Result<UploadPlan, AppError> {
    handled_by(svc, officer, id).await?;
    let f = FilePolicy::default();
    Ok(UploadPlan {
        limit: f.max_file_mb as u64 * 1024 * 1024,
        types: f.types,
    })
}

/// Officer: the result has been handed over (status 10).
pub async fn return_result(
    svc: &Services,
    officer: &Principal,
    id: i32,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    super::work::act(
        svc,
        officer,
        id,
        ActionKind::ReturnResult,
        super::work::ActInput::default(),
        meta,
    )
    .await
}

/// Applicant: rates a returned dossier once (P-7); scores 1–5 for each national criterion.
pub async fn rate(
    svc: &Services,
    p: &Principal,
    id: i32,
    scores: [&str; 5],
    comment: &str,
) -> Result<(), AppError> {
    use crate::domain::dossier::RATING_CRITERIA;
    let d = owned(svc, p, id).await?;
    if status_of(&d) != Status::Returned {
        return Err(invalid(
            "form",
            "Chỉ đánh giá được sau khi hồ sơ đã trả kết quả.",
            "You can rate once the result has been returned.",
        ));
    }
    let mut parsed = [0i16; 5];
    let mut errs = Vec::new();
    for (i, s) in scores.iter().enumerate() {
        match s.trim().parse::<i16>() {
            Ok(v) if (1..=5).contains(&v) => parsed[i] = v,
            _ => errs.push(field(
                &format!("r-{}", RATING_CRITERIA[i].0),
                &format!("{}: hãy chọn mức từ 1 đến 5.", RATING_CRITERIA[i].1),
                &format!("{}: choose a score from 1 to 5.", RATING_CRITERIA[i].2),
            )),
        }
    }
    if comment.chars().count() > 2000 {
        errs.push(field(
            "comment",
            "Góp ý tối đa 2000 ký tự.",
            "At most 2000 characters.",
        ));
    }
    if !errs.is_empty() {
        return Err(AppError::Validation(errs));
    }
    let comment = comment.trim();
    let txn = svc.db.begin().await?;
    super::write_lock(&txn).await?;
    let inserted = entity::dossier_rating::ActiveModel {
        dossier_id: Set(id),
        user_id: Set(Some(p.user_id)),
        information: Set(parsed[0]),
        procedure: Set(parsed[1]),
        attitude: Set(parsed[2]),
        timeliness: Set(parsed[3]),
        result: Set(parsed[4]),
        comment: Set((!comment.is_empty()).then(|| comment.to_string())),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    if inserted.is_err() {
        return Err(invalid(
            "form",
            "Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ đánh giá một lần.",
            "This dossier has already been rated. Each dossier is rated once.",
        ));
    }
    event(
        &txn,
        id,
        Some(p.user_id),
        "rating",
        Some(Status::Returned),
        Status::Returned,
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Who may write on a dossier's thread: its applicant or an officer of its unit, once it is
/// submitted. Returns the dossier and whether the writer is an officer.
async fn thread_member(
    svc: &Services,
    p: &Principal,
    id: i32,
) -> Result<(dossier::Model, bool), AppError> {
    let (d, from_officer) = if p.is_officer() {
        (handled_by(svc, p, id).await?, true)
    } else {
        (owned(svc, p, id).await?, false)
    };
    if status_of(&d) == Status::Draft {
        return Err(invalid(
            "body",
            "Hãy nộp hồ sơ trước khi gửi tin nhắn cho cơ quan.",
            "Submit the dossier before messaging the agency.",
        ));
    }
    Ok((d, from_officer))
}

/// What a message attachment may be, checked before a byte is stored.
pub async fn plan_message(svc: &Services, p: &Principal, id: i32) -> Result<UploadPlan, AppError> {
    thread_member(svc, p, id).await?;
    let f = FilePolicy::default();
    Ok(UploadPlan {
        limit: f.max_file_mb as u64 * 1024 * 1024,
        types: f.types,
    })
}

/// A message on the dossier's thread (P-3.2) from its applicant or an officer of its unit,
/// with an optional attachment; the other side is notified in the app and by email.
pub async fn post_message(
    svc: &Services,
    p: &Principal,
    id: i32,
    body: &str,
    attachment: Option<(String, Finished)>,
) -> Result<(), AppError> {
    let (d, from_officer) = thread_member(svc, p, id).await?;
    let body = need_text(
        "body",
        body,
        "Hãy nhập nội dung tin nhắn (tối đa 4000 ký tự).",
        "Write the message (at most 4000 characters).",
    )?;
    let stored = match attachment {
        Some((name, file)) => {
            let name = sanitise_name(&name, file.kind);
            let sha = file.sha256.clone();
            let (size, kind) = (file.size as i64, file.kind);
            svc.storage.put(&file.path, &sha).await.map_err(internal)?;
            file.consumed();
            Some((name, sha, size, kind))
        }
        None => None,
    };
    let t = now();
    let txn = svc.db.begin().await?;
    super::write_lock(&txn).await?;
    let written = async {
        let m = entity::dossier_message::ActiveModel {
            dossier_id: Set(id),
            author_id: Set(Some(p.user_id)),
            from_officer: Set(from_officer),
            body: Set(body.clone()),
            created_at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        if let Some((name, sha, size, kind)) = &stored {
            dossier_file::ActiveModel {
                dossier_id: Set(id),
                slot: Set("message".into()),
                kind: Set("message".into()),
                message_id: Set(Some(m.id)),
                file_name: Set(name.clone()),
                content_type: Set(kind.mime().into()),
                size: Set(*size),
                sha256: Set(sha.clone()),
                uploaded_by: Set(Some(p.user_id)),
                created_at: Set(t),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        if !from_officer {
            return Ok(None);
        }
        queue_notice(
            svc,
            &txn,
            &d,
            format!(
                "Tin nhắn mới về hồ sơ {}: {body}",
                d.code.clone().unwrap_or_default()
            ),
            format!(
                "New message about dossier {}: {body}",
                d.code.clone().unwrap_or_default()
            ),
        )
        .await
        .map(Some)
    }
    .await;
    let notice = match written {
        Ok(n) => n,
        Err(e) => {
            drop(txn);
            if let Some((_, sha, _, _)) = &stored {
                release_blob(svc, sha).await;
            }
            return Err(e);
        }
    };
    txn.commit().await?;
    if let Some(n) = notice {
        n.send(svc).await;
    }
    Ok(())
}

/// The user's notifications, newest first, and marks them read (P-3.2).
pub async fn notifications(
    svc: &Services,
    p: &Principal,
) -> Result<Vec<crate::domain::dossier::NotificationView>, AppError> {
    let rows = notification::Entity::find()
        .filter(notification::Column::UserId.eq(p.user_id))
        .order_by_desc(notification::Column::Id)
        .all(&svc.db)
        .await?;
    notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Some(now())))
        .filter(notification::Column::UserId.eq(p.user_id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(&svc.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|n| crate::domain::dossier::NotificationView {
            at: n.created_at,
            text_vi: n.text_vi,
            text_en: n.text_en,
            link: n.link,
            unread: n.read_at.is_none(),
        })
        .collect())
}

/// Dossiers of the officer's units, newest first (the back office's first list; B-c builds the
/// full workspace on it).
pub async fn unit_dossiers(svc: &Services, p: &Principal) -> Result<Vec<DossierRow>, AppError> {
    use crate::domain::account::Permission;
    if p.stage != Stage::Full || !p.is_officer() {
        return Err(AppError::Forbidden);
    }
    let mut q = dossier::Entity::find().filter(dossier::Column::Status.ne(Status::Draft.code()));
    if !p.is_system_admin() {
        q = q.filter(dossier::Column::AgencyId.is_in(p.units_for(Permission::UseWorkspace)));
    }
    let rows = q.order_by_desc(dossier::Column::Id).all(&svc.db).await?;
    Ok(rows
        .into_iter()
        .map(|d| DossierRow {
            id: d.id,
            procedure_name: svc.procedure_name(d.procedure_id),
            status: status_of(&d),
            code: d.code,
            updated_at: d.updated_at,
            due_date: d.due_date,
        })
        .collect())
}

/// A dossier as an officer of its unit sees it.
pub async fn officer_view(svc: &Services, p: &Principal, id: i32) -> Result<DossierView, AppError> {
    let d = handled_by(svc, p, id).await?;
    let mut v = view_of(svc, d).await?;
    v.submit_key = String::new();
    Ok(v)
}

/// A file of a dossier for an officer of its unit.
pub async fn officer_file(
    svc: &Services,
    p: &Principal,
    id: i32,
    file_id: i32,
) -> Result<(dossier_file::Model, Vec<u8>), AppError> {
    handled_by(svc, p, id).await?;
    let f = dossier_file::Entity::find_by_id(file_id)
        .one(&svc.db)
        .await?
        .filter(|f| f.dossier_id == id)
        .ok_or(AppError::NotFound)?;
    let bytes = svc.storage.read(&f.sha256).await.map_err(internal)?;
    Ok((f, bytes))
}

/// Deletes a document from the owner's data store (P-10.2). Copies already attached to dossiers
/// stay with them.
pub async fn delete_store_item(
    svc: &Services,
    p: &Principal,
    item_id: i32,
) -> Result<(), AppError> {
    applicant(p)?;
    let i = data_store_item::Entity::find_by_id(item_id)
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if i.owner_id != p.user_id {
        return Err(AppError::Forbidden);
    }
    data_store_item::Entity::delete_by_id(i.id)
        .exec(&svc.db)
        .await?;
    release_blob(svc, &i.sha256).await;
    Ok(())
}

/// What the "start a dossier" page needs: the procedure and where it can be filed.
pub async fn start_info(
    svc: &Services,
    p: &Principal,
    code: &str,
) -> Result<(procedure::Model, Vec<agency::Model>), AppError> {
    applicant(p)?;
    let proc = procedure::Entity::find()
        .filter(procedure::Column::Code.eq(code.trim()))
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let units = receiving_units(svc, &proc).await?;
    Ok((proc, units))
}
