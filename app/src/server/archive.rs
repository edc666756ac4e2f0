//! Archive of finished dossiers (B-đ). A finished dossier (returned, refused, stopped or
//! withdrawn) is handed to the archive with the retention period of the procedure version it
//! was filed under (Law on Archives; Circular 10/2022/TT-BNV). Archived dossiers are read-only
//! records; when their period is over they are listed for appraisal, never deleted by the
//! system: disposal needs an appraisal council's decision.
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use entity::{dossier, procedure_version};

use super::auth::{invalid, now, RequestMeta};
use super::dossier::status_of;
use super::{write_lock, Services};
use crate::domain::account::{Permission, Principal, Stage};
use crate::domain::calendar::Day;
use crate::domain::dossier::{retain_until, ArchiveRow, ArchiveView, Status};
use crate::error::AppError;

/// Most rows each list shows; totals are counted in full.
pub const PAGE: u64 = 200;

fn officer(p: &Principal) -> Result<(), AppError> {
    if p.stage != Stage::Full || !p.is_officer() {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// Finished: an end state of the workflow. `finished_at` is also set at "processed" (status 9,
/// result ready but not yet returned), which is not the end.
fn finished() -> Condition {
    Condition::all()
        .add(dossier::Column::FinishedAt.is_not_null())
        .add(dossier::Column::Status.ne(Status::Processed.code()))
}

/// Archives the chosen dossiers, all or none: each must belong to a unit where the officer may
/// archive, be finished and not yet archived. Returns how many were archived.
pub async fn archive(
    svc: &Services,
    p: &Principal,
    ids: &[i32],
    meta: &RequestMeta,
) -> Result<usize, AppError> {
    officer(p)?;
    if ids.is_empty() {
        return Err(invalid(
            "ids",
            "Hãy chọn ít nhất một hồ sơ để lưu trữ.",
            "Choose at least one dossier to archive.",
        ));
    }
    let t = now();
    let txn = svc.db.begin().await?;
    write_lock(&txn).await?;
    let rows = dossier::Entity::find()
        .filter(dossier::Column::Id.is_in(ids.iter().copied()))
        .all(&txn)
        .await?;
    if rows.len() != ids.len() {
        return Err(AppError::NotFound);
    }
    for d in &rows {
        if !p.can(Permission::Archive, Some(d.agency_id)) {
            return Err(AppError::Forbidden);
        }
        let code = d.code.clone().unwrap_or_default();
        if d.archived_at.is_some() {
            return Err(invalid(
                "ids",
                &format!("Hồ sơ {code} đã được lưu trữ."),
                &format!("Dossier {code} is already archived."),
            ));
        }
        if d.finished_at.is_none() || status_of(d) == Status::Processed {
            return Err(invalid(
                "ids",
                &format!("Hồ sơ {code} chưa giải quyết xong, chưa thể lưu trữ."),
                &format!("Dossier {code} is not finished and cannot be archived yet."),
            ));
        }
    }
    for d in &rows {
        let years = procedure_version::Entity::find_by_id(d.version_id)
            .one(&txn)
            .await?
            .map(|v| v.retention_years)
            .unwrap_or(10);
        let done = Day::from_unix_vn(d.finished_at.unwrap_or(t));
        // Guarded on `archived_at IS NULL`: a concurrent archive of the same dossier loses.
        let n = dossier::Entity::update_many()
            .col_expr(dossier::Column::ArchivedAt, Expr::value(Some(t)))
            .col_expr(dossier::Column::ArchivedBy, Expr::value(Some(p.user_id)))
            .col_expr(
                dossier::Column::RetainUntil,
                Expr::value(retain_until(done, years)),
            )
            .filter(dossier::Column::Id.eq(d.id))
            .filter(dossier::Column::ArchivedAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected;
        if n != 1 {
            return Err(AppError::Conflict);
        }
    }
    txn.commit().await?;
    let codes: Vec<String> = rows.iter().filter_map(|d| d.code.clone()).collect();
    svc.audit
        .append(
            &svc.db,
            super::audit::Entry {
                actor: Some(p.user_id.to_string()),
                action: "dossier.archive".into(),
                object_type: Some("dossier".into()),
                object_id: Some(codes.join(",")),
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
                detail: Some(serde_json::json!({ "count": rows.len() })),
            },
        )
        .await?;
    Ok(rows.len())
}

/// The archive page: finished dossiers not yet archived, then the archive (only the expired
/// ones when `expired_only`), newest first, for the units where the officer may archive.
pub async fn view(
    svc: &Services,
    p: &Principal,
    expired_only: bool,
) -> Result<ArchiveView, AppError> {
    officer(p)?;
    let scope = |q: sea_orm::Select<dossier::Entity>| {
        if p.is_system_admin() {
            q
        } else {
            q.filter(dossier::Column::AgencyId.is_in(p.units_for(Permission::Archive)))
        }
    };
    let today = Day::from_unix_vn(now()).to_string();
    let pending_q = scope(dossier::Entity::find())
        .filter(finished())
        .filter(dossier::Column::ArchivedAt.is_null());
    let archived_q =
        scope(dossier::Entity::find()).filter(dossier::Column::ArchivedAt.is_not_null());
    // ISO dates compare as text in both databases.
    let expired_q = archived_q
        .clone()
        .filter(dossier::Column::RetainUntil.lt(today.clone()));
    let pending_total = pending_q.clone().count(&svc.db).await?;
    let archived_total = archived_q.clone().count(&svc.db).await?;
    let expired_total = expired_q.clone().count(&svc.db).await?;
    let row = |d: dossier::Model| ArchiveRow {
        id: d.id,
        procedure_name: svc.procedure_name(d.procedure_id),
        status: status_of(&d),
        expired: d
            .retain_until
            .as_deref()
            .is_some_and(|r| r < today.as_str()),
        code: d.code,
        finished_at: d.finished_at,
        archived_at: d.archived_at,
        retain_until: d.retain_until,
    };
    let pending = pending_q
        .order_by_desc(dossier::Column::FinishedAt)
        .limit(PAGE)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(row)
        .collect();
    let archived = if expired_only { expired_q } else { archived_q }
        .order_by_desc(dossier::Column::ArchivedAt)
        .limit(PAGE)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(row)
        .collect();
    Ok(ArchiveView {
        pending,
        pending_total,
        archived,
        archived_total,
        expired_total,
    })
}
