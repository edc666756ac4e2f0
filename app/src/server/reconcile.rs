//! The payment reconciliation (P-3.6) over the officer's units, or every unit for a system
//! administrator, as the report is scoped (B-d).
use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use entity::{agency, dossier, payment};

use super::auth::now;
use super::Services;
use crate::domain::account::{Principal, Stage};
use crate::domain::calendar::Day;
use crate::domain::dossier::Status;
use crate::domain::reconcile::{mark, totals, Line, Reconciliation};
use crate::error::AppError;

/// Payments started in `[from, to]` (Vietnam dates), oldest first.
pub async fn reconciliation(
    svc: &Services,
    p: &Principal,
    from: Day,
    to: Day,
) -> Result<Reconciliation, AppError> {
    if p.stage != Stage::Full || !p.is_officer() {
        return Err(AppError::Forbidden);
    }
    let scope: Option<Vec<i32>> =
        (!p.is_system_admin()).then(|| p.roles.iter().filter_map(|g| g.agency_id).collect());
    let start = i64::from(from.0) * 86_400 - 7 * 3600;
    let end = i64::from(to.0) * 86_400 - 7 * 3600 + 86_400;
    let payments = payment::Entity::find()
        .filter(payment::Column::CreatedAt.gte(start))
        .filter(payment::Column::CreatedAt.lt(end))
        .order_by_asc(payment::Column::CreatedAt)
        .order_by_asc(payment::Column::Id)
        .all(&svc.db)
        .await?;
    let ids: Vec<i32> = payments.iter().map(|p| p.dossier_id).collect();
    let mut dq = dossier::Entity::find().filter(dossier::Column::Id.is_in(ids));
    if let Some(units) = &scope {
        dq = dq.filter(dossier::Column::AgencyId.is_in(units.clone()));
    }
    let dossiers: HashMap<i32, dossier::Model> = dq
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let units: HashMap<i32, String> = agency::Entity::find()
        .filter(agency::Column::Id.is_in(dossiers.values().map(|d| d.agency_id)))
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let mut lines: Vec<Line> = payments
        .into_iter()
        .filter_map(|p| {
            let d = dossiers.get(&p.dossier_id)?;
            Some(Line {
                txn_ref: p.txn_ref,
                dossier_id: d.id,
                dossier_code: d.code.clone().unwrap_or_default(),
                unit: units.get(&d.agency_id).cloned().unwrap_or_default(),
                gateway: p.gateway,
                amount: p.amount,
                status: p.status,
                created_at: p.created_at,
                settled_at: p.settled_at,
                gateway_txn: p.gateway_txn.unwrap_or_default(),
                bank_code: p.bank_code.unwrap_or_default(),
                response_code: p.response_code.unwrap_or_default(),
                issues: Vec::new(),
            })
        })
        .collect();
    mark(
        &mut lines,
        |id| dossiers.get(&id).and_then(|d| d.fee_due),
        |id| {
            dossiers
                .get(&id)
                .is_some_and(|d| d.status == Status::PaymentRequested.code())
        },
        now(),
    );
    Ok(totals(from, to, lines))
}

/// The reconciliation as CSV rows for the spreadsheet the gateway's statement is matched in.
pub fn rows(r: &Reconciliation) -> Vec<Vec<String>> {
    use crate::domain::calendar::time_vn;
    use crate::domain::reconcile::status_label;
    use crate::i18n::Lang;
    let mut out = vec![[
        "Mã giao dịch",
        "Mã hồ sơ",
        "Đơn vị",
        "Cổng thanh toán",
        "Số tiền (đồng)",
        "Trạng thái",
        "Thời điểm tạo",
        "Thời điểm xác nhận",
        "Mã giao dịch của cổng",
        "Ngân hàng",
        "Mã phản hồi",
        "Cần kiểm tra",
    ]
    .map(String::from)
    .to_vec()];
    for l in &r.lines {
        out.push(vec![
            l.txn_ref.clone(),
            l.dossier_code.clone(),
            l.unit.clone(),
            l.gateway.clone(),
            l.amount.to_string(),
            status_label(&l.status, Lang::Vi).into(),
            time_vn(l.created_at),
            l.settled_at.map(time_vn).unwrap_or_default(),
            l.gateway_txn.clone(),
            l.bank_code.clone(),
            l.response_code.clone(),
            l.issues
                .iter()
                .map(|i| i.label(Lang::Vi))
                .collect::<Vec<_>>()
                .join("; "),
        ]);
    }
    out
}
