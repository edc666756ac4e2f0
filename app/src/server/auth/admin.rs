//! Administration queries (B-g, P-10.3): units an administrator may staff, and the audit-log
//! view with chain verification and access statistics.
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::api::account::{AuditRow, AuditView};
use crate::domain::account::{Permission, Principal};
use crate::error::AppError;
use crate::server::audit::AuditLog;
use crate::server::Services;

/// Units where `p` may create officers (all of them for a system administrator).
pub async fn officer_units(svc: &Services, p: &Principal) -> Result<Vec<(i32, String)>, AppError> {
    let mine = p.units_for(Permission::ManageOfficers);
    Ok(entity::agency::Entity::find()
        .order_by_asc(entity::agency::Column::Name)
        .all(&svc.db)
        .await?
        .into_iter()
        .filter(|a| p.is_system_admin() || mine.contains(&a.id))
        .map(|a| (a.id, a.name))
        .collect())
}

/// The latest 200 records matching an action prefix and/or an actor, optionally with a full
/// chain verification, and the last 30 days of visits and logins. System administrators only.
pub async fn audit_view(
    svc: &Services,
    p: &Principal,
    action: &str,
    actor: &str,
    verify: bool,
) -> Result<AuditView, AppError> {
    use entity::audit_log::{Column as C, Entity as A};
    if !p.can(Permission::ViewAudit, None) {
        return Err(AppError::Forbidden);
    }
    let mut q = A::find().order_by_desc(C::Id).limit(200);
    let action: String = action.trim().chars().take(64).collect();
    if !action.is_empty() {
        q = q.filter(C::Action.starts_with(action));
    }
    let actor: String = actor.trim().chars().take(64).collect();
    if !actor.is_empty() {
        q = q.filter(C::Actor.eq(actor));
    }
    let rows = q
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|r| AuditRow {
            id: r.id,
            at: r.at.chars().take(19).collect::<String>().replace('T', " "),
            actor: r.actor,
            action: r.action,
            object: r
                .object_type
                .map(|t| format!("{t} {}", r.object_id.unwrap_or_default())),
            ip: r.ip,
        })
        .collect();
    let verification = if verify {
        let v = AuditLog::verify(&svc.db).await?;
        Some((v.records, v.first_broken))
    } else {
        None
    };
    let stats = entity::access_stat::Entity::find()
        .order_by_desc(entity::access_stat::Column::Day)
        .limit(30)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|s| (s.day, s.visits, s.logins))
        .collect();
    Ok(AuditView {
        rows,
        verification,
        stats,
    })
}
