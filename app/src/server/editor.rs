//! Catalogue management (B-a, B-e): administrators create procedures, edit their facts, form
//! and workflow, and publish each change as a new immutable version; dossiers keep the version
//! (and workflow version) they were filed under. Shared catalogues: the holiday list imported
//! from CSV, all or nothing. Every change is one transaction with a `catalogue_change` row,
//! an audit record, and a reload of the in-memory catalogue and calendar.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};

use entity::{catalogue_change, procedure, procedure_version};

use super::auth::{field, now, RequestMeta};
use super::{write_lock, Services};
use crate::domain::account::{Permission, Principal};
use crate::domain::catalogue::RequiredDocument;
use crate::domain::editor::*;
use crate::error::{internal, AppError};

/// Rows the procedure list shows at most.
pub const LIST_MAX: usize = 50;

fn require(p: &Principal) -> Result<(), AppError> {
    if p.can(Permission::ManageCatalogue, None) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Procedures matching `q` (code or words of the name), by code.
pub async fn list(svc: &Services, p: &Principal, q: &str) -> Result<EditorList, AppError> {
    require(p)?;
    let cat = svc.catalogue.get();
    let q: String = q.trim().chars().take(200).collect();
    let hits: Vec<&super::CatalogueRow> = if q.is_empty() {
        cat.rows.iter().collect()
    } else if let Some(r) = cat.rows.iter().find(|r| r.summary.code == q) {
        vec![r]
    } else {
        svc.search
            .get()
            .search(&q)
            .into_iter()
            .filter_map(|id| cat.row(id))
            .collect()
    };
    let facets = svc.facets.get();
    let mut fields: Vec<(i32, String)> = facets
        .field_names
        .iter()
        .map(|(k, v)| (*k, v.clone()))
        .collect();
    fields.sort_by(|a, b| a.1.cmp(&b.1));
    let mut agencies: Vec<(i32, String)> = facets
        .agency_names
        .iter()
        .map(|(k, v)| (*k, v.clone()))
        .collect();
    agencies.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(EditorList {
        total: hits.len(),
        rows: hits
            .into_iter()
            .take(LIST_MAX)
            .map(|r| EditorRow {
                code: r.summary.code.clone(),
                name: r.summary.name.clone(),
                agency: r.summary.agency.clone(),
                level: Level::of(r.summary.online, r.summary.service_level.as_deref())
                    .as_str()
                    .into(),
            })
            .collect(),
        fields,
        agencies,
    })
}

async fn find(svc: &Services, code: &str) -> Result<procedure::Model, AppError> {
    if !valid_code(code) {
        return Err(AppError::NotFound);
    }
    procedure::Entity::find()
        .filter(procedure::Column::Code.eq(code))
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)
}

fn pretty(json: &str) -> String {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_default()
}

/// The editor for one procedure, filled from its latest version.
pub async fn editor(svc: &Services, p: &Principal, code: &str) -> Result<EditorView, AppError> {
    require(p)?;
    let proc = find(svc, code).await?;
    let versions = procedure_version::Entity::find()
        .filter(procedure_version::Column::ProcedureId.eq(proc.id))
        .order_by_desc(procedure_version::Column::Version)
        .all(&svc.db)
        .await?;
    let latest = versions.first().ok_or(AppError::NotFound)?;
    let (_, wf) = super::work::workflow(&svc.db, latest.workflow_id).await?;
    let docs: Vec<RequiredDocument> = serde_json::from_str(&latest.documents).unwrap_or_default();
    let form = if crate::domain::eform::FormSchema::parse(&latest.form_schema)
        .is_ok_and(|f| !f.sections.is_empty())
    {
        pretty(&latest.form_schema)
    } else {
        String::new()
    };
    let text = DraftText {
        name: proc.name.clone(),
        time_limit: latest
            .time_limit_days
            .map(|d| d.to_string())
            .unwrap_or_default(),
        fee: match latest.fee_free {
            Some(true) => "free",
            Some(false) => "fee",
            None => "",
        }
        .into(),
        level: Level::of(proc.online, proc.service_level.as_deref())
            .as_str()
            .into(),
        documents: documents_text(&docs),
        form,
        workflow: serde_json::to_string_pretty(&wf).map_err(internal)?,
        retention: latest.retention_years.to_string(),
    };
    let mut rows = Vec::new();
    for v in &versions {
        let wf = match v.workflow_id {
            Some(id) => entity::workflow::Entity::find_by_id(id)
                .one(&svc.db)
                .await?
                .map(|w| format!("{} (v{})", w.code, w.version))
                .unwrap_or_default(),
            None => String::new(),
        };
        rows.push(VersionRow {
            version: v.version,
            time_limit_days: v.time_limit_days,
            workflow: wf,
            dossiers: entity::dossier::Entity::find()
                .filter(entity::dossier::Column::VersionId.eq(v.id))
                .count(&svc.db)
                .await?,
        });
    }
    let facets = svc.facets.get();
    Ok(EditorView {
        code: proc.code.clone(),
        field: facets
            .field_names
            .get(&proc.field_id)
            .cloned()
            .unwrap_or_default(),
        agency: facets
            .agency_names
            .get(&proc.agency_id)
            .cloned()
            .unwrap_or_default(),
        version: latest.version,
        text,
        versions: rows,
        changes: changes(svc, Some(&proc.code)).await?,
        provinces: svc.provinces().await?,
    })
}

async fn changes(svc: &Services, subject: Option<&str>) -> Result<Vec<ChangeRow>, AppError> {
    let mut q = catalogue_change::Entity::find()
        .order_by_desc(catalogue_change::Column::Id)
        .limit(20);
    if let Some(s) = subject {
        q = q.filter(catalogue_change::Column::Subject.eq(s));
    }
    Ok(q.all(&svc.db)
        .await?
        .into_iter()
        .map(|c| ChangeRow {
            at: c.at,
            kind: c.kind,
            subject: c.subject,
            summary: c.summary,
        })
        .collect())
}

fn change(
    p: &Principal,
    kind: &str,
    subject: &str,
    summary: String,
) -> catalogue_change::ActiveModel {
    catalogue_change::ActiveModel {
        at: Set(now()),
        actor_id: Set(Some(p.user_id)),
        kind: Set(kind.into()),
        subject: Set(subject.into()),
        summary: Set(summary),
        ..Default::default()
    }
}

async fn audit(
    svc: &Services,
    p: &Principal,
    action: &str,
    object: &str,
    meta: &RequestMeta,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    svc.audit
        .append(
            &svc.db,
            super::audit::Entry {
                actor: Some(p.user_id.to_string()),
                action: action.into(),
                object_type: Some("catalogue".into()),
                object_id: Some(object.into()),
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
                detail: Some(detail),
            },
        )
        .await
        .map(|_| ())
}

fn conflict_or(e: sea_orm::DbErr) -> AppError {
    // Two administrators publishing at once: the unique (procedure, version) index lets one
    // win; the other is told to reload, never a 500.
    if matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    ) {
        AppError::Conflict
    } else {
        AppError::from(e)
    }
}

/// Publishes the draft as version `base + 1`. Refused when the draft has errors, changes
/// nothing, or another version was published since the editor was opened on `base`.
pub async fn publish(
    svc: &Services,
    p: &Principal,
    code: &str,
    base: i32,
    text: &DraftText,
    meta: &RequestMeta,
) -> Result<i32, AppError> {
    require(p)?;
    let proc = find(svc, code).await?;
    let draft = check(text).map_err(AppError::Validation)?;
    let txn = svc.db.begin().await?;
    write_lock(&txn).await?;
    let latest = procedure_version::Entity::find()
        .filter(procedure_version::Column::ProcedureId.eq(proc.id))
        .order_by_desc(procedure_version::Column::Version)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if latest.version != base {
        return Err(AppError::Conflict);
    }
    let (current_wf_id, current_wf) = super::work::workflow(&txn, latest.workflow_id).await?;
    let workflow_id = if draft.workflow == current_wf {
        current_wf_id
    } else {
        // A changed workflow is a new version of its code; procedures still on the old one
        // keep it, and so do dossiers filed under it.
        let last = entity::workflow::Entity::find()
            .filter(entity::workflow::Column::Code.eq(draft.workflow.code.clone()))
            .order_by_desc(entity::workflow::Column::Version)
            .one(&txn)
            .await?
            .map(|w| w.version)
            .unwrap_or(0);
        entity::workflow::ActiveModel {
            code: Set(draft.workflow.code.clone()),
            version: Set(last + 1),
            name_vi: Set(draft.workflow.name_vi.clone()),
            name_en: Set(draft.workflow.name_en.clone()),
            definition: Set(serde_json::to_string(&draft.workflow).map_err(internal)?),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(conflict_or)?
        .id
    };
    let documents = serde_json::to_string(&draft.documents).map_err(internal)?;
    let form = match &draft.form {
        Some(f) => serde_json::to_string(f).map_err(internal)?,
        None => String::new(),
    };
    let old_docs: Vec<RequiredDocument> =
        serde_json::from_str(&latest.documents).unwrap_or_default();
    let old_form = crate::domain::eform::FormSchema::parse(&latest.form_schema)
        .ok()
        .filter(|f| !f.sections.is_empty());
    let level = Level::of(proc.online, proc.service_level.as_deref());
    let mut what = Vec::new();
    if draft.name != proc.name {
        what.push("tên");
    }
    if draft.time_limit_days != latest.time_limit_days {
        what.push("thời hạn");
    }
    if draft.fee_free != latest.fee_free {
        what.push("phí, lệ phí");
    }
    if draft.level != level {
        what.push("mức độ trực tuyến");
    }
    if draft
        .documents
        .iter()
        .map(|d| (&d.name, &d.quantity))
        .ne(old_docs.iter().map(|d| (&d.name, &d.quantity)))
    {
        what.push("thành phần hồ sơ");
    }
    if draft.form != old_form {
        what.push("biểu mẫu");
    }
    if workflow_id != current_wf_id {
        what.push("quy trình");
    }
    if draft.retention_years != latest.retention_years {
        what.push("thời hạn bảo quản");
    }
    if what.is_empty() {
        return Err(AppError::Validation(vec![field(
            "form",
            "Không có thay đổi nào để xuất bản.",
            "There is nothing changed to publish.",
        )]));
    }
    let version = latest.version + 1;
    let mut next: procedure_version::ActiveModel = latest.clone().into();
    next.id = sea_orm::ActiveValue::NotSet;
    next.version = Set(version);
    next.time_limit_days = Set(draft.time_limit_days);
    next.fee_free = Set(draft.fee_free);
    next.documents = Set(documents);
    next.form_schema = Set(form);
    next.workflow_id = Set(Some(workflow_id));
    next.retention_years = Set(draft.retention_years);
    // Every column set: the insert must not reuse the old row's values by accident.
    let next = next.reset_all();
    next.insert(&txn).await.map_err(conflict_or)?;
    let mut row: procedure::ActiveModel = proc.clone().into();
    row.name = Set(draft.name.clone());
    row.online = Set(draft.level != Level::Offline);
    row.service_level = Set(match draft.level {
        Level::Offline => None,
        l => Some(l.as_str().into()),
    });
    row.update(&txn).await?;
    let summary = format!("Phiên bản {version}: {}", what.join(", "));
    change(p, "procedure.publish", code, summary.clone())
        .insert(&txn)
        .await?;
    txn.commit().await?;
    audit(
        svc,
        p,
        "catalogue.procedure.publish",
        code,
        meta,
        serde_json::json!({ "version": version, "changed": what }),
    )
    .await?;
    svc.reload().await?;
    Ok(version)
}

/// What a new procedure needs before the editor opens on it.
#[derive(Clone, Debug, Default)]
pub struct NewProcedure {
    pub code: String,
    pub name: String,
    pub field_id: Option<i32>,
    pub agency_id: Option<i32>,
}

/// Creates a procedure with a first version: the general application form and the one-step
/// counter workflow, offline until the administrator publishes a richer version.
pub async fn create(
    svc: &Services,
    p: &Principal,
    n: &NewProcedure,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    require(p)?;
    let mut errs = Vec::new();
    let code = n.code.trim();
    if !valid_code(code) {
        errs.push(field(
            "code",
            "Mã thủ tục gồm 3–32 chữ, số, dấu chấm hoặc gạch ngang (ví dụ 1.001193).",
            "The code has 3–32 letters, digits, dots or hyphens (for example 1.001193).",
        ));
    }
    let name = n.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.chars().count() < 5 || name.chars().count() > MAX_NAME {
        errs.push(field(
            "name",
            "Tên thủ tục cần từ 5 đến 500 ký tự.",
            "The procedure name needs 5 to 500 characters.",
        ));
    }
    let facets = svc.facets.get();
    let field_id = n.field_id.filter(|f| facets.field_names.contains_key(f));
    if field_id.is_none() {
        errs.push(field("field", "Chọn lĩnh vực.", "Choose a field."));
    }
    let agency_id = n.agency_id.filter(|a| facets.agency_names.contains_key(a));
    if agency_id.is_none() {
        errs.push(field(
            "agency",
            "Chọn cơ quan ban hành.",
            "Choose the issuing agency.",
        ));
    }
    let (Some(field_id), Some(agency_id), true) = (field_id, agency_id, errs.is_empty()) else {
        return Err(AppError::Validation(errs));
    };
    let txn = svc.db.begin().await?;
    write_lock(&txn).await?;
    if procedure::Entity::find()
        .filter(procedure::Column::Code.eq(code))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::Validation(vec![field(
            "code",
            "Đã có thủ tục mang mã này.",
            "A procedure with this code already exists.",
        )]));
    }
    let (wf_id, _) = super::work::workflow(&txn, None).await?;
    let proc = procedure::ActiveModel {
        code: Set(code.into()),
        name: Set(name.clone()),
        field_id: Set(field_id),
        agency_id: Set(agency_id),
        levels: Set(String::new()),
        service_level: Set(None),
        online: Set(false),
        for_citizen: Set(true),
        for_organisation: Set(true),
        featured_rank: Set(None),
        source_url: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(conflict_or)?;
    procedure_version::ActiveModel {
        procedure_id: Set(proc.id),
        version: Set(1),
        steps: Set("[]".into()),
        channels: Set("[]".into()),
        documents: Set("[]".into()),
        legal_basis: Set("[]".into()),
        form_schema: Set(String::new()),
        workflow_id: Set(Some(wf_id)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    change(p, "procedure.create", code, format!("Tạo thủ tục: {name}"))
        .insert(&txn)
        .await?;
    txn.commit().await?;
    audit(
        svc,
        p,
        "catalogue.procedure.create",
        code,
        meta,
        serde_json::json!({ "name": name }),
    )
    .await?;
    svc.reload().await
}

/// The holiday list of one year (B-i's calendar), for administrators.
pub async fn holidays(svc: &Services, p: &Principal, year: i32) -> Result<HolidayView, AppError> {
    require(p)?;
    let all = entity::holiday::Entity::find()
        .order_by_asc(entity::holiday::Column::Day)
        .all(&svc.db)
        .await?;
    let mut years: Vec<i32> = all
        .iter()
        .filter_map(|h| h.day.get(..4)?.parse().ok())
        .collect();
    years.dedup();
    let prefix = format!("{year}-");
    Ok(HolidayView {
        year,
        years,
        rows: all
            .into_iter()
            .filter(|h| h.day.starts_with(&prefix))
            .map(|h| HolidayLine {
                day: h.day,
                kind: h.kind,
                name: h.name,
            })
            .collect(),
        changes: changes(svc, None)
            .await?
            .into_iter()
            .filter(|c| c.kind == "holiday.import")
            .collect(),
    })
}

/// Replaces the holiday lists of the years the file covers with the file's rows (each year's
/// list is published whole, by the Government's notice), in one transaction; a file with any
/// bad line changes nothing and comes back with every bad line listed.
pub async fn import_holidays(
    svc: &Services,
    p: &Principal,
    csv: &str,
    meta: &RequestMeta,
) -> Result<ImportReport, AppError> {
    require(p)?;
    let rows = match parse_holidays(csv) {
        Ok(r) => r,
        Err(bad) => {
            return Ok(ImportReport {
                bad,
                ..Default::default()
            })
        }
    };
    let mut years: Vec<i32> = rows
        .iter()
        .filter_map(|r| r.day.to_string().get(..4)?.parse().ok())
        .collect();
    years.sort_unstable();
    years.dedup();
    let txn = svc.db.begin().await?;
    write_lock(&txn).await?;
    let mut replaced = 0;
    for y in &years {
        let res = entity::holiday::Entity::delete_many()
            .filter(entity::holiday::Column::Day.starts_with(format!("{y}-")))
            .exec(&txn)
            .await?;
        replaced += res.rows_affected as usize;
    }
    for r in &rows {
        entity::holiday::ActiveModel {
            day: Set(r.day.to_string()),
            kind: Set(r.kind.clone()),
            name: Set(r.name.clone()),
            status: Set("official".into()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let subject = years
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    change(
        p,
        "holiday.import",
        &subject,
        format!("{} ngày (thay {} ngày cũ)", rows.len(), replaced),
    )
    .insert(&txn)
    .await?;
    txn.commit().await?;
    audit(
        svc,
        p,
        "catalogue.holiday.import",
        &subject,
        meta,
        serde_json::json!({ "imported": rows.len(), "replaced": replaced }),
    )
    .await?;
    svc.reload().await?;
    Ok(ImportReport {
        years,
        imported: rows.len(),
        replaced,
        bad: Vec::new(),
    })
}
