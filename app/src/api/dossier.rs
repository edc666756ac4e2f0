//! Dossier endpoints for the citizen's pages (P-3.1, P-5.2, P-10.2). Each authenticates and
//! checks ownership inside the service it calls; state changes are HTML form posts handled in
//! the server crate.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::dossier::{DossierRow, DossierView};
use crate::error::AppError;

#[cfg(feature = "ssr")]
fn services() -> Result<crate::server::Services, AppError> {
    use_context::<crate::server::Services>()
        .ok_or_else(|| crate::error::internal("services missing from context"))
}

#[server(prefix = "/api", endpoint = "my_dossiers", input = server_fn::codec::Json)]
pub async fn my_dossiers(status: Option<i32>) -> Result<Vec<DossierRow>, AppError> {
    let p = crate::server::auth::require_user()?;
    let status = status.and_then(crate::domain::dossier::Status::from_code);
    crate::server::dossier::list_mine(&services()?, &p, status).await
}

#[server(prefix = "/api", endpoint = "dossier", input = server_fn::codec::Json)]
pub async fn get_dossier(id: i32) -> Result<DossierView, AppError> {
    let p = crate::server::auth::require_user()?;
    crate::server::dossier::view(&services()?, &p, id).await
}

/// What the "start a dossier" page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartInfo {
    pub code: String,
    pub name: String,
    pub online: bool,
    pub units: Vec<(i32, String)>,
    pub time_limit_days: Option<i32>,
    /// A fresh key so a double click starts one draft.
    pub key: String,
}

#[server(prefix = "/api", endpoint = "start_info", input = server_fn::codec::Json)]
pub async fn get_start_info(code: String) -> Result<StartInfo, AppError> {
    let p = crate::server::auth::require_user()?;
    let svc = services()?;
    let (proc, units) = crate::server::dossier::start_info(&svc, &p, &code).await?;
    let units = units.into_iter().map(|a| (a.id, a.name)).collect();
    let time_limit_days = svc
        .catalogue
        .get()
        .row(proc.id)
        .and_then(|r| r.summary.time_limit_days);
    Ok(StartInfo {
        code: proc.code,
        name: proc.name,
        online: proc.online,
        units,
        time_limit_days,
        key: crate::server::auth::crypto::random_token(),
    })
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreItem {
    pub id: i32,
    pub title: String,
    pub content_type: String,
    pub size: i64,
    pub source: String,
    pub created_at: i64,
}

#[server(prefix = "/api", endpoint = "data_store", input = server_fn::codec::Json)]
pub async fn my_store(q: String) -> Result<Vec<StoreItem>, AppError> {
    let p = crate::server::auth::require_user()?;
    let items = crate::server::dossier::store_items(&services()?, &p, &q).await?;
    Ok(items
        .into_iter()
        .map(|i| StoreItem {
            id: i.id,
            title: i.title,
            content_type: i.content_type,
            size: i.size,
            source: i.source,
            created_at: i.created_at,
        })
        .collect())
}

#[server(prefix = "/api", endpoint = "notifications", input = server_fn::codec::Json)]
pub async fn my_notifications() -> Result<Vec<crate::domain::dossier::NotificationView>, AppError> {
    let p = crate::server::auth::require_user()?;
    crate::server::dossier::notifications(&services()?, &p).await
}

/// The officer inbox (B-k): `q` searches code, applicant or procedure; `status` is the
/// `trang-thai` value ([`crate::domain::workflow::Scope::parse`]).
#[server(prefix = "/api", endpoint = "officer_inbox", input = server_fn::codec::Json)]
pub async fn officer_inbox(
    q: String,
    status: String,
) -> Result<Vec<crate::domain::workflow::InboxRow>, AppError> {
    let p = crate::server::auth::require_user()?;
    let scope = crate::domain::workflow::Scope::parse(&status);
    crate::server::work::inbox(&services()?, &p, &q, scope, 500).await
}

/// Specialists the officer may hand dossiers to from the inbox's bulk form (B-c).
#[server(prefix = "/api", endpoint = "officer_bulk_assignees", input = server_fn::codec::Json)]
pub async fn officer_bulk_assignees() -> Result<Vec<(i32, String)>, AppError> {
    let p = crate::server::auth::require_user()?;
    crate::server::work::bulk_assignees(&services()?, &p).await
}

/// The supervisor dashboard (B-c) for the units the officer leads or administers.
#[server(prefix = "/api", endpoint = "officer_supervision", input = server_fn::codec::Json)]
pub async fn officer_supervision() -> Result<crate::domain::workflow::Supervision, AppError> {
    let p = crate::server::auth::require_user()?;
    crate::server::work::supervise(&services()?, &p).await
}

#[server(prefix = "/api", endpoint = "officer_dossier", input = server_fn::codec::Json)]
pub async fn officer_dossier(id: i32) -> Result<crate::domain::workflow::WorkView, AppError> {
    let p = crate::server::auth::require_user()?;
    crate::server::work::work_view(&services()?, &p, id).await
}

/// Reports and the 766 index (B-d) for the officer's units; dates are ISO (YYYY-MM-DD) and
/// default to this month; `by` is "don-vi", "thu-tuc" or "can-bo".
#[server(prefix = "/api", endpoint = "officer_report", input = server_fn::codec::Json)]
pub async fn officer_report(
    from: String,
    to: String,
    by: String,
) -> Result<crate::domain::report::Report, AppError> {
    let p = crate::server::auth::require_user()?;
    let (from, to) = crate::server::report::period(&from, &to)?;
    let by = crate::server::report::GroupBy::parse(&by);
    crate::server::report::report(&services()?, &p, from, to, by).await
}

/// The payment reconciliation of `[from, to]` (P-3.6) over the officer's units.
#[server(prefix = "/api", endpoint = "payment_reconciliation", input = server_fn::codec::Json)]
pub async fn payment_reconciliation(
    from: String,
    to: String,
) -> Result<crate::domain::reconcile::Reconciliation, AppError> {
    let p = crate::server::auth::require_user()?;
    let (from, to) = crate::server::report::period(&from, &to)?;
    crate::server::reconcile::reconciliation(&services()?, &p, from, to).await
}

/// The unit's archive (B-đ): finished dossiers to archive and the archive itself; only the
/// dossiers past their retention period when `expired`.
#[server(prefix = "/api", endpoint = "archive_view", input = server_fn::codec::Json)]
pub async fn get_archive_view(
    expired: bool,
) -> Result<crate::domain::dossier::ArchiveView, AppError> {
    let p = crate::server::auth::require_user()?;
    crate::server::archive::view(&services()?, &p, expired).await
}

/// The postal choice page (P-3.5); `province` is the one the form shows before saving.
#[server(prefix = "/api", endpoint = "postal", input = server_fn::codec::Json)]
pub async fn get_postal(
    id: i32,
    province: Option<String>,
) -> Result<crate::domain::dossier::PostalView, AppError> {
    let p = crate::server::auth::require_user()?;
    crate::server::post::page(&services()?, &p, id, province).await
}
