//! The back office (B-b, B-c, B-i, B-k): every change of a submitted dossier goes through the
//! workflow engine (`domain::workflow`) here, in one transaction with its append-only event;
//! the officer inbox, assignment, transfer to another unit and the apology slip.
//!
//! Authorisation: officers see the dossiers received by their unit or held by it (after a
//! transfer), and act only with the roles they hold in the unit that holds the dossier.
use std::collections::HashMap;

use entity::{agency, dossier, dossier_event, notification, procedure_version, role_assignment};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait, UpdateMany,
};

use super::auth::{invalid, now, RequestMeta};
use super::dossier::{handled_by, need_text, queue_notice, status_of, view_of};
use super::Services;
use crate::domain::account::{Principal, Role, Stage};
use crate::domain::calendar::{check_apology, ApologyRefusal, Day, Urgency};
use crate::domain::dossier::Status;
use crate::domain::workflow::{
    ActionKind, ActionOffer, Actor, BulkOutcome, InboxRow, LateRow, Load, Scope, State,
    Supervision, TransitionError, WorkView, Workflow, BULK_ACTIONS, BULK_MAX,
};
use crate::error::{internal, AppError};

/// The workflow code new dossiers fall back to when their procedure has none.
const FALLBACK: &str = "mot-cua";

/// Working days before the due date from which the inbox warns (B-i).
const WARN_DAYS: u32 = 2;

fn parse(row: entity::workflow::Model) -> Result<(i32, Workflow), AppError> {
    let w: Workflow = serde_json::from_str(&row.definition).map_err(internal)?;
    Ok((row.id, w))
}

/// A published workflow version by id, or the latest fallback workflow.
pub async fn workflow(
    db: &impl ConnectionTrait,
    id: Option<i32>,
) -> Result<(i32, Workflow), AppError> {
    if let Some(id) = id {
        if let Some(row) = entity::workflow::Entity::find_by_id(id).one(db).await? {
            return parse(row);
        }
    }
    let row = entity::workflow::Entity::find()
        .filter(entity::workflow::Column::Code.eq(FALLBACK))
        .order_by_desc(entity::workflow::Column::Version)
        .one(db)
        .await?
        .ok_or_else(|| internal("no workflow published"))?;
    parse(row)
}

/// Where a dossier of this procedure version starts: its workflow, the first state and the
/// first step's deadline.
pub struct Entry {
    pub workflow_id: i32,
    pub state: String,
    pub step_due_at: Option<i64>,
}

pub async fn entry(
    svc: &Services,
    db: &impl ConnectionTrait,
    version: &procedure_version::Model,
    t: i64,
) -> Result<Entry, AppError> {
    let (id, w) = workflow(db, version.workflow_id).await?;
    let first = w.first().ok_or_else(|| internal("empty workflow"))?;
    Ok(Entry {
        workflow_id: id,
        state: first.key.clone(),
        step_due_at: first
            .sla_hours
            .map(|h| svc.calendar.get().add_working_hours(t, h)),
    })
}

/// Who takes a step.
pub enum Who {
    /// The applicant; `None` for one without an account here (a dossier filed on the NPSP).
    Applicant(Option<i32>),
    Officer(i32, Vec<Role>),
}

impl Who {
    fn id(&self) -> Option<i32> {
        match self {
            Who::Applicant(id) => *id,
            Who::Officer(id, _) => Some(*id),
        }
    }
}

fn state_now(w: &Workflow, d: &dossier::Model) -> String {
    d.state
        .clone()
        .or_else(|| w.first().map(|s| s.key.clone()))
        .unwrap_or_default()
}

fn refusal(e: TransitionError, kind: ActionKind, here: Option<&State>) -> AppError {
    let (vi_here, en_here) = here
        .map(|s| (s.name_vi.clone(), s.name_en.clone()))
        .unwrap_or_default();
    let (vi, en) = kind.label();
    match e {
        TransitionError::NotAllowed => AppError::Forbidden,
        TransitionError::NoteRequired => {
            let (lvi, len) = kind.note_label();
            invalid(
                "note",
                &format!("Hãy nhập \"{lvi}\"."),
                &format!("Fill in \"{len}\"."),
            )
        }
        _ => invalid(
            "form",
            &format!("Không thể \"{vi}\" khi hồ sơ đang ở bước \"{vi_here}\"."),
            &format!("\"{en}\" is not possible while the dossier is \"{en_here}\"."),
        ),
    }
}

/// Moves a dossier by one workflow action inside `txn`: checks the action against the
/// workflow, updates status, state and clocks, and writes the event. A concurrent change
/// (another revision) answers Conflict and changes nothing.
pub(crate) async fn step(
    svc: &Services,
    txn: &DatabaseTransaction,
    d: &dossier::Model,
    kind: ActionKind,
    who: &Who,
    note: Option<String>,
    extra: impl FnOnce(UpdateMany<dossier::Entity>) -> UpdateMany<dossier::Entity>,
) -> Result<State, AppError> {
    let (_, w) = workflow(txn, d.workflow_id).await?;
    let here_key = state_now(&w, d);
    let here = w.state(&here_key).cloned();
    let actor = match who {
        Who::Applicant(_) => Actor::Applicant,
        Who::Officer(_, roles) => Actor::Officer(roles),
    };
    let to = w
        .next(
            &here_key,
            kind,
            &actor,
            note.as_deref().unwrap_or(""),
            d.back_state.as_deref(),
        )
        .map_err(|e| refusal(e, kind, here.as_ref()))?
        .clone();
    let here = here.ok_or_else(|| internal("state vanished"))?;
    let t = now();
    let to_status = to
        .status()
        .ok_or_else(|| internal("bad status in workflow"))?;
    let mut q = dossier::Entity::update_many()
        .col_expr(dossier::Column::Status, Expr::value(to_status.code()))
        .col_expr(dossier::Column::State, Expr::value(Some(to.key.clone())))
        .col_expr(dossier::Column::UpdatedAt, Expr::value(t))
        .col_expr(dossier::Column::StepStartedAt, Expr::value(Some(t)))
        .col_expr(dossier::Column::StepRemindedAt, Expr::value(None::<i64>))
        .col_expr(
            dossier::Column::StepDueAt,
            Expr::value(
                to.sla_hours
                    .map(|h| svc.calendar.get().add_working_hours(t, h)),
            ),
        )
        .col_expr(
            dossier::Column::Revision,
            sea_orm::sea_query::ExprTrait::add(Expr::col(dossier::Column::Revision), 1),
        );
    if to.is_side() && !here.is_side() {
        q = q.col_expr(
            dossier::Column::BackState,
            Expr::value(Some(here.key.clone())),
        );
    } else if here.is_side() && !to.is_side() {
        q = q.col_expr(
            dossier::Column::BackState,
            Expr::value(Option::<String>::None),
        );
    }
    // The clock stops while the applicant is asked for something and the dossier gets those
    // working days back when it runs again (B-i).
    if to.pauses_clock() && !here.pauses_clock() {
        q = q.col_expr(dossier::Column::PausedAt, Expr::value(Some(t)));
    } else if here.pauses_clock() && !to.pauses_clock() {
        q = q.col_expr(dossier::Column::PausedAt, Expr::value(Option::<i64>::None));
        if let (Some(p), Some(due)) = (d.paused_at, d.due_date.as_deref().and_then(Day::parse_iso))
        {
            let later = svc
                .calendar
                .get()
                .extend(due, Day::from_unix_vn(p), Day::from_unix_vn(t));
            q = q.col_expr(
                dossier::Column::DueDate,
                Expr::value(Some(later.to_string())),
            );
        }
    }
    if kind == ActionKind::Accept {
        q = q.col_expr(dossier::Column::AcceptedAt, Expr::value(Some(t)));
    }
    // Finished: processed (9), or ended without a result (refused, stopped, withdrawn).
    if (to_status == Status::Processed || to.is_end()) && d.finished_at.is_none() {
        q = q.col_expr(dossier::Column::FinishedAt, Expr::value(Some(t)));
    }
    if to_status == Status::Returned {
        q = q.col_expr(dossier::Column::ReturnedAt, Expr::value(Some(t)));
    }
    let q = extra(q)
        .filter(dossier::Column::Id.eq(d.id))
        .filter(dossier::Column::Revision.eq(d.revision));
    if q.exec(txn).await?.rows_affected == 0 {
        return Err(AppError::Conflict);
    }
    let ev = dossier_event::ActiveModel {
        dossier_id: Set(d.id),
        at: Set(t),
        actor_id: Set(who.id()),
        action: Set(kind.as_str().into()),
        from_status: Set(Some(d.status)),
        to_status: Set(Some(to_status.code())),
        note: Set(note),
        from_state: Set(Some(here.key.clone())),
        to_state: Set(Some(to.key.clone())),
        unit_id: Set(d.unit_id.or(Some(d.agency_id))),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    // B-m: the NPSP hears of every step, queued in this transaction.
    super::outbox::on_dossier_event(svc, txn, d.id, ev.id).await?;
    Ok(to)
}

/// The unit that holds the dossier now.
fn holder(d: &dossier::Model) -> i32 {
    d.unit_id.unwrap_or(d.agency_id)
}

/// What an officer sends with an action.
#[derive(Clone, Debug, Default)]
pub struct ActInput {
    pub note: String,
    pub assignee: Option<i32>,
    pub unit: Option<i32>,
    /// The revision the officer's page showed: acting on a stale page is a conflict.
    pub revision: Option<i32>,
    /// The fee asked for with a payment request (P-3.6), in đồng.
    pub amount: Option<i64>,
}

async fn specialists(db: &impl ConnectionTrait, unit: i32) -> Result<Vec<(i32, String)>, AppError> {
    let grants = role_assignment::Entity::find()
        .filter(role_assignment::Column::AgencyId.eq(unit))
        .filter(role_assignment::Column::Role.eq(Role::Specialist.as_str()))
        .all(db)
        .await?;
    let ids: Vec<i32> = grants.iter().map(|g| g.user_id).collect();
    let users = entity::user_account::Entity::find()
        .filter(entity::user_account::Column::Id.is_in(ids))
        .filter(entity::user_account::Column::DisabledAt.is_null())
        .order_by_asc(entity::user_account::Column::FullName)
        .all(db)
        .await?;
    Ok(users.into_iter().map(|u| (u.id, u.full_name)).collect())
}

/// Officer: takes one workflow action on a dossier (B-c).
pub async fn act(
    svc: &Services,
    p: &Principal,
    id: i32,
    kind: ActionKind,
    input: ActInput,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let d = handled_by(svc, p, id).await?;
    if input.revision.is_some_and(|r| r != d.revision) {
        return Err(AppError::Conflict);
    }
    if !kind.is_officer_button() {
        return Err(invalid(
            "form",
            "Thao tác này không thực hiện được từ đây.",
            "This action cannot be taken here.",
        ));
    }
    let roles = p.roles_in(holder(&d));
    if roles.is_empty() {
        return Err(AppError::Forbidden);
    }
    assignee_guard(p, &d, &roles)?;
    let note = if input.note.trim().is_empty() {
        None
    } else {
        Some(need_text(
            "note",
            &input.note,
            "Nội dung quá dài (tối đa 4000 ký tự).",
            "The text is too long (at most 4000 characters).",
        )?)
    };
    let mut assignee = None;
    let mut unit = None;
    let mut fee = None;
    match kind {
        ActionKind::Assign => {
            let who = input.assignee.ok_or_else(|| {
                invalid("assignee", "Hãy chọn cán bộ xử lý.", "Choose the officer.")
            })?;
            if !specialists(&svc.db, holder(&d))
                .await?
                .iter()
                .any(|(i, _)| *i == who)
            {
                return Err(invalid(
                    "assignee",
                    "Cán bộ được chọn không phải chuyên viên của đơn vị.",
                    "The officer chosen is not a specialist of this unit.",
                ));
            }
            assignee = Some(who);
        }
        ActionKind::Transfer => {
            let to = input.unit.ok_or_else(|| {
                invalid(
                    "unit",
                    "Hãy chọn đơn vị thẩm định.",
                    "Choose the appraising unit.",
                )
            })?;
            let ok =
                to != holder(&d) && agency::Entity::find_by_id(to).one(&svc.db).await?.is_some();
            if !ok {
                return Err(invalid(
                    "unit",
                    "Hãy chọn một đơn vị khác trong danh sách.",
                    "Choose another unit from the list.",
                ));
            }
            unit = Some(to);
        }
        ActionKind::ReturnAppraisal => unit = Some(d.agency_id),
        ActionKind::RequestPayment => {
            // Fees are whole đồng; the ceiling keeps VNPay's 12-digit amount (×100) valid.
            match input.amount {
                Some(a) if (1..=9_999_999_999).contains(&a) => fee = Some(a),
                _ => {
                    return Err(invalid(
                        "amount",
                        "Hãy nhập số tiền phí, lệ phí phải nộp (đồng, số nguyên dương).",
                        "Enter the fee to pay (whole đồng, more than zero).",
                    ))
                }
            }
        }
        _ => {}
    }
    let txn = svc.db.begin().await?;
    super::write_lock(&txn).await?;
    let supplement = (kind == ActionKind::RequestSupplement).then(|| note.clone());
    let to = step(
        svc,
        &txn,
        &d,
        kind,
        &Who::Officer(p.user_id, roles),
        note.clone(),
        move |mut q| {
            if let Some(a) = assignee {
                q = q.col_expr(dossier::Column::AssigneeId, Expr::value(Some(a)));
            }
            if let Some(u) = unit {
                q = q.col_expr(dossier::Column::UnitId, Expr::value(Some(u)));
            }
            if let Some(n) = supplement {
                q = q.col_expr(dossier::Column::SupplementRequest, Expr::value(n));
            }
            if let Some(f) = fee {
                q = q.col_expr(dossier::Column::FeeDue, Expr::value(Some(f)));
            }
            q
        },
    )
    .await?;
    if let Some(a) = assignee {
        notification::ActiveModel {
            user_id: Set(a),
            dossier_id: Set(Some(d.id)),
            text_vi: Set(format!("Bạn được phân công xử lý hồ sơ {}", code(&d))),
            text_en: Set(format!("You were assigned dossier {}", code(&d))),
            link: Set(format!("/can-bo/ho-so/{}", d.id)),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let notice = match tell_applicant(kind, &d, note.as_deref()) {
        Some((vi, en)) => Some(queue_notice(svc, &txn, &d, vi, en).await?),
        None => None,
    };
    txn.commit().await?;
    let _ = svc
        .audit
        .append(
            &svc.db,
            super::audit::Entry {
                actor: Some(p.user_id.to_string()),
                action: format!("dossier.{}", kind.as_str()),
                object_type: Some("dossier".into()),
                object_id: Some(code(&d)),
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
                detail: Some(format!("{} → {}", state_now_of(&d), to.key).into()),
            },
        )
        .await;
    if let Some(n) = notice {
        n.send(svc).await;
    }
    Ok(())
}

/// Officer: one bulk action from the inbox (B-c) on the dossiers ticked. Each dossier goes
/// through [`act`] on its own, so each is checked (unit, role, state, assignee) and atomic;
/// one refused dossier does not undo the others, and the outcome names each failure.
pub async fn bulk(
    svc: &Services,
    p: &Principal,
    ids: &[i32],
    action: &str,
    assignee: Option<i32>,
    meta: &RequestMeta,
) -> Result<BulkOutcome, AppError> {
    if p.stage != Stage::Full || !p.is_officer() {
        return Err(AppError::Forbidden);
    }
    let kind = ActionKind::parse(action)
        .filter(|k| BULK_ACTIONS.contains(k))
        .ok_or_else(|| {
            invalid(
                "bulk_action",
                "Hãy chọn thao tác: tiếp nhận hoặc phân công.",
                "Choose an action: accept or assign.",
            )
        })?;
    if ids.is_empty() {
        return Err(invalid(
            "form",
            "Hãy đánh dấu ít nhất một hồ sơ.",
            "Tick at least one dossier.",
        ));
    }
    if ids.len() > BULK_MAX {
        return Err(invalid(
            "form",
            "Mỗi lần chỉ xử lý tối đa 100 hồ sơ.",
            "At most 100 dossiers at a time.",
        ));
    }
    if kind == ActionKind::Assign && assignee.is_none() {
        return Err(invalid(
            "bulk_assignee",
            "Hãy chọn cán bộ xử lý.",
            "Choose the officer.",
        ));
    }
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let codes: HashMap<i32, String> = dossier::Entity::find()
        .filter(dossier::Column::Id.is_in(ids.clone()))
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|d| (d.id, code(&d)))
        .collect();
    let mut out = BulkOutcome {
        kind: Some(kind),
        ..Default::default()
    };
    for id in ids {
        let input = ActInput {
            assignee,
            ..Default::default()
        };
        // A dossier the officer may not see is reported like one that does not exist.
        let name = codes.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
        match act(svc, p, id, kind, input, meta).await {
            Ok(()) => out.done.push((id, name)),
            Err(e @ AppError::Internal { .. }) => return Err(e),
            Err(e) => out.failed.push((
                name,
                e.message(crate::i18n::Lang::Vi),
                e.message(crate::i18n::Lang::En),
            )),
        }
    }
    Ok(out)
}

/// Specialists an officer may hand dossiers to from the inbox: those of the units where the
/// officer leads or receives (B-c).
pub async fn bulk_assignees(svc: &Services, p: &Principal) -> Result<Vec<(i32, String)>, AppError> {
    if p.stage != Stage::Full || !p.is_officer() {
        return Err(AppError::Forbidden);
    }
    let mut out = Vec::new();
    for g in &p.roles {
        let Some(unit) = g.agency_id else { continue };
        if matches!(g.role, Role::UnitLeader | Role::OneStopOfficer) {
            for s in specialists(&svc.db, unit).await? {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
    }
    Ok(out)
}

fn state_now_of(d: &dossier::Model) -> String {
    d.state.clone().unwrap_or_default()
}

fn code(d: &dossier::Model) -> String {
    d.code.clone().unwrap_or_default()
}

/// A specialist acts only on dossiers assigned to them (or not assigned); leaders and counter
/// officers act on any dossier of the unit (they reassign, approve, hand over).
fn assignee_guard(p: &Principal, d: &dossier::Model, roles: &[Role]) -> Result<(), AppError> {
    let only_specialist = roles.iter().all(|r| *r == Role::Specialist);
    match d.assignee_id {
        Some(a) if a != p.user_id && only_specialist && holder(d) == d.agency_id => Err(invalid(
            "form",
            "Hồ sơ đã được phân công cho cán bộ khác.",
            "This dossier is assigned to another officer.",
        )),
        _ => Ok(()),
    }
}

/// What the applicant is told after an officer's action, if anything.
fn tell_applicant(
    kind: ActionKind,
    d: &dossier::Model,
    note: Option<&str>,
) -> Option<(String, String)> {
    let c = code(d);
    let n = note.unwrap_or_default();
    Some(match kind {
        ActionKind::Accept => (
            format!("Hồ sơ {c} đã được tiếp nhận và chuyển xử lý."),
            format!("Dossier {c} has been accepted for processing."),
        ),
        ActionKind::Refuse => (
            format!("Hồ sơ {c} không được tiếp nhận. Lý do: {n}"),
            format!("Dossier {c} was refused. Reason: {n}"),
        ),
        ActionKind::RequestSupplement => (
            format!("Hồ sơ {c} cần bổ sung: {n}"),
            format!("Dossier {c} needs more: {n}"),
        ),
        ActionKind::RequestPayment => (
            format!("Hồ sơ {c}: mời bạn nộp phí, lệ phí để tiếp tục giải quyết."),
            format!("Dossier {c}: please pay the fees so processing can go on."),
        ),
        ActionKind::Stop => (
            format!("Hồ sơ {c} đã dừng xử lý. Lý do: {n}"),
            format!("Processing of dossier {c} was stopped. Reason: {n}"),
        ),
        ActionKind::AcceptWithdrawal => (
            format!("Hồ sơ {c} đã được rút theo yêu cầu của bạn."),
            format!("Dossier {c} was withdrawn as you asked."),
        ),
        ActionKind::RefuseWithdrawal => (
            format!("Yêu cầu rút hồ sơ {c} không được chấp nhận. Lý do: {n}"),
            format!("Your request to withdraw dossier {c} was refused. Reason: {n}"),
        ),
        ActionKind::ReturnResult => (
            format!("Hồ sơ {c} đã trả kết quả. Mời bạn đánh giá mức độ hài lòng."),
            format!("Dossier {c}: result returned. Please rate the service."),
        ),
        _ => return None,
    })
}

/// Officer: issues the apology and new appointment slip (Decree 61/2018 Art. 19): at the
/// latest one working day before the due date, once per dossier.
pub async fn apologise(
    svc: &Services,
    p: &Principal,
    id: i32,
    new_due: &str,
    reason: &str,
    revision: Option<i32>,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let d = handled_by(svc, p, id).await?;
    if revision.is_some_and(|r| r != d.revision) {
        return Err(AppError::Conflict);
    }
    let roles = p.roles_in(holder(&d));
    if !roles
        .iter()
        .any(|r| matches!(r, Role::OneStopOfficer | Role::UnitLeader))
    {
        return Err(AppError::Forbidden);
    }
    let reason = need_text(
        "reason",
        reason,
        "Hãy ghi lý do chậm trả kết quả (tối đa 4000 ký tự).",
        "Give the reason for the delay (at most 4000 characters).",
    )?;
    let new = Day::parse_iso(new_due.trim())
        .ok_or_else(|| invalid("new_due", "Hãy chọn ngày hẹn mới.", "Choose the new date."))?;
    let active = matches!(
        status_of(&d),
        Status::Submitted
            | Status::Accepted
            | Status::InProcess
            | Status::SupplementRequested
            | Status::PaymentRequested
    );
    let due = d.due_date.as_deref().and_then(Day::parse_iso);
    let (Some(due), true) = (due, active) else {
        return Err(invalid(
            "form",
            "Hồ sơ này không có hạn giải quyết đang chạy.",
            "This dossier has no running deadline.",
        ));
    };
    let today = super::dossier::today();
    check_apology(&svc.calendar.get(), today, due, new, d.first_due_date.is_some()).map_err(|e| match e {
        ApologyRefusal::AlreadyReset => invalid(
            "form",
            "Đã hẹn lại ngày trả kết quả một lần; không được hẹn lại lần nữa.",
            "The date was already reset once; it cannot be reset again.",
        ),
        ApologyRefusal::TooLate => invalid(
            "form",
            "Đã quá thời điểm phát hành phiếu xin lỗi (chậm nhất 01 ngày làm việc trước hạn trả kết quả).",
            "Too late: the slip must be issued at least one working day before the due date.",
        ),
        ApologyRefusal::BadDate => invalid(
            "new_due",
            "Ngày hẹn mới phải là một ngày làm việc sau ngày hẹn hiện tại.",
            "The new date must be a working day after the current due date.",
        ),
    })?;
    let t = now();
    let txn = svc.db.begin().await?;
    super::write_lock(&txn).await?;
    let r = dossier::Entity::update_many()
        .col_expr(dossier::Column::DueDate, Expr::value(Some(new.to_string())))
        .col_expr(
            dossier::Column::FirstDueDate,
            Expr::value(Some(due.to_string())),
        )
        .col_expr(dossier::Column::UpdatedAt, Expr::value(t))
        .col_expr(
            dossier::Column::Revision,
            sea_orm::sea_query::ExprTrait::add(Expr::col(dossier::Column::Revision), 1),
        )
        .filter(dossier::Column::Id.eq(d.id))
        .filter(dossier::Column::Revision.eq(d.revision))
        .filter(dossier::Column::FirstDueDate.is_null())
        .exec(&txn)
        .await?;
    if r.rows_affected == 0 {
        return Err(AppError::Conflict);
    }
    let ev = dossier_event::ActiveModel {
        dossier_id: Set(d.id),
        at: Set(t),
        actor_id: Set(Some(p.user_id)),
        action: Set("apology".into()),
        from_status: Set(Some(d.status)),
        to_status: Set(Some(d.status)),
        note: Set(Some(format!("{} → {}: {reason}", due.vn(), new.vn()))),
        from_state: Set(d.state.clone()),
        to_state: Set(d.state.clone()),
        unit_id: Set(Some(holder(&d))),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // The new appointment date reaches the NPSP with the dossier (NgayHenTra).
    super::outbox::on_dossier_event(svc, &txn, d.id, ev.id).await?;
    let c = code(&d);
    let notice = queue_notice(
        svc,
        &txn,
        &d,
        format!(
            "Cơ quan xin lỗi vì hồ sơ {c} chưa có kết quả đúng hẹn. Ngày hẹn mới: {}. Lý do: {reason}",
            new.vn()
        ),
        format!(
            "The agency apologises: dossier {c} will be late. New date: {}. Reason: {reason}",
            new.vn()
        ),
    )
    .await?;
    txn.commit().await?;
    let _ = svc
        .audit
        .append(
            &svc.db,
            super::audit::Entry {
                actor: Some(p.user_id.to_string()),
                action: "dossier.apology".into(),
                object_type: Some("dossier".into()),
                object_id: Some(code(&d)),
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
                detail: Some(format!("{due} → {new}").into()),
            },
        )
        .await;
    notice.send(svc).await;
    Ok(())
}

/// Urgency of a dossier against its due date, None when finished, paused or without one.
fn urgency(svc: &Services, d: &dossier::Model, today: Day) -> Option<Urgency> {
    let open = matches!(
        status_of(d),
        Status::Submitted | Status::Accepted | Status::InProcess | Status::WithdrawalRequested
    );
    if !open {
        return None;
    }
    let due = d.due_date.as_deref().and_then(Day::parse_iso)?;
    Some(Urgency::of(&svc.calendar.get(), today, due, WARN_DAYS))
}

/// The dossiers an officer's units received or hold (B-k): open ones most urgent first, then
/// finished ones. `q` searches code, applicant and procedure name; `status` filters.
pub async fn inbox(
    svc: &Services,
    p: &Principal,
    q: &str,
    scope: Scope,
    limit: u64,
) -> Result<Vec<InboxRow>, AppError> {
    if p.stage != Stage::Full || !p.is_officer() {
        return Err(AppError::Forbidden);
    }
    let units: Vec<i32> = p.roles.iter().filter_map(|g| g.agency_id).collect();
    let q = q.trim();
    let statuses = scope.statuses(!q.is_empty());
    let mut query = dossier::Entity::find()
        .filter(dossier::Column::Status.is_in(statuses.iter().map(|s| s.code())));
    if !p.is_system_admin() {
        query = query.filter(
            Condition::any()
                .add(dossier::Column::UnitId.is_in(units.clone()))
                .add(dossier::Column::AgencyId.is_in(units.clone())),
        );
    }
    if !q.is_empty() {
        let like = format!("%{}%", q.replace(['%', '_'], ""));
        let folded = crate::domain::text::fold(q);
        let procs: Vec<i32> = svc
            .catalogue
            .get()
            .rows
            .iter()
            .filter(|r| crate::domain::text::fold(&r.summary.name).contains(&folded))
            .map(|r| r.id)
            .take(500)
            .collect();
        query = query.filter(
            Condition::any()
                .add(dossier::Column::Code.like(like.clone()))
                .add(dossier::Column::ApplicantName.like(like))
                .add(dossier::Column::ProcedureId.is_in(procs)),
        );
    }
    let rows = query
        .order_by_asc(dossier::Column::DueDate)
        .order_by_desc(dossier::Column::Id)
        .limit(limit)
        .all(&svc.db)
        .await?;
    let mut flows: HashMap<Option<i32>, Workflow> = HashMap::new();
    let mut names: HashMap<i32, String> = HashMap::new();
    let assignees: Vec<i32> = rows.iter().filter_map(|d| d.assignee_id).collect();
    for u in entity::user_account::Entity::find()
        .filter(entity::user_account::Column::Id.is_in(assignees))
        .all(&svc.db)
        .await?
    {
        names.insert(u.id, u.full_name);
    }
    let today = super::dossier::today();
    let t = now();
    let mut out = Vec::with_capacity(rows.len());
    for d in rows {
        if let std::collections::hash_map::Entry::Vacant(e) = flows.entry(d.workflow_id) {
            e.insert(workflow(&svc.db, d.workflow_id).await?.1);
        }
        let w = &flows[&d.workflow_id];
        let key = state_now(w, &d);
        let st = w.state(&key);
        let roles = p.roles_in(holder(&d));
        let can_act = !roles.is_empty()
            && st.is_some_and(|s| {
                s.actions
                    .iter()
                    .any(|a| a.kind.is_officer_button() || a.kind == ActionKind::AttachResult)
                    && w.actions_for(&key, &Actor::Officer(&roles))
                        .iter()
                        .any(|a| a.kind != ActionKind::RequestWithdrawal)
            })
            && assignee_guard(p, &d, &roles).is_ok();
        let bulk = if can_act {
            let allowed = w.actions_for(&key, &Actor::Officer(&roles));
            BULK_ACTIONS
                .into_iter()
                .filter(|k| allowed.iter().any(|a| a.kind == *k))
                .collect()
        } else {
            Vec::new()
        };
        out.push(InboxRow {
            id: d.id,
            code: code(&d),
            procedure_name: svc.procedure_name(d.procedure_id),
            applicant_name: d.applicant_name.clone(),
            status: status_of(&d),
            state_vi: st.map(|s| s.name_vi.clone()).unwrap_or_default(),
            state_en: st.map(|s| s.name_en.clone()).unwrap_or_default(),
            due_date: d.due_date.clone(),
            urgency: urgency(svc, &d, today),
            step_due_at: d.step_due_at,
            step_overdue: d.step_due_at.is_some_and(|x| x < t),
            assignee_name: d.assignee_id.and_then(|a| names.get(&a).cloned()),
            mine: d.assignee_id == Some(p.user_id),
            can_act,
            channel: d.channel.clone(),
            bulk,
        });
    }
    // Open dossiers the officer can act on first, most urgent first; then the rest.
    out.sort_by_key(|r| {
        (
            !r.can_act,
            r.urgency.is_none(),
            r.urgency,
            r.due_date.clone(),
            std::cmp::Reverse(r.id),
        )
    });
    Ok(out)
}

/// Working hours before a step's deadline at which its officers are reminded (B-i).
pub const REMIND_HOURS: u32 = 4;

/// Reminds the officers of every running step that falls due within [`REMIND_HOURS`] working
/// hours (or is already late) and was not reminded yet: an in-app notification and an email
/// to the assigned officer, or, with nobody assigned, to the holding unit's officers whose
/// roles may act in the current state (B-i, B-l). Each step is reminded once: every workflow
/// step clears the mark. Returns how many dossiers were reminded.
pub async fn sweep_steps(svc: &Services) -> Result<u32, AppError> {
    let t = now();
    let horizon = svc.calendar.get().add_working_hours(t, REMIND_HOURS);
    let due = dossier::Entity::find()
        .filter(dossier::Column::Status.is_in([
            Status::Submitted.code(),
            Status::Accepted.code(),
            Status::InProcess.code(),
            Status::WithdrawalRequested.code(),
        ]))
        .filter(dossier::Column::StepDueAt.lte(horizon))
        .filter(dossier::Column::StepRemindedAt.is_null())
        .limit(1_000)
        .all(&svc.db)
        .await?;
    let mut flows: HashMap<Option<i32>, Workflow> = HashMap::new();
    let mut reminded = 0;
    for d in due {
        let Some(step_due) = d.step_due_at else {
            continue;
        };
        if let std::collections::hash_map::Entry::Vacant(e) = flows.entry(d.workflow_id) {
            e.insert(workflow(&svc.db, d.workflow_id).await?.1);
        }
        let w = &flows[&d.workflow_id];
        let key = state_now(w, &d);
        let Some(st) = w.state(&key) else { continue };
        let users: Vec<i32> = match d.assignee_id {
            Some(a) => vec![a],
            None => {
                let roles: Vec<&str> = st
                    .actions
                    .iter()
                    .flat_map(|a| a.roles.iter().map(|r| r.as_str()))
                    .collect();
                role_assignment::Entity::find()
                    .filter(role_assignment::Column::AgencyId.eq(holder(&d)))
                    .filter(role_assignment::Column::Role.is_in(roles))
                    .all(&svc.db)
                    .await?
                    .into_iter()
                    .map(|g| g.user_id)
                    .collect()
            }
        };
        let officers = entity::user_account::Entity::find()
            .filter(entity::user_account::Column::Id.is_in(users))
            .filter(entity::user_account::Column::DisabledAt.is_null())
            .all(&svc.db)
            .await?;
        // Marked first, and only if still the same step: a step taken meanwhile has its own
        // deadline, and a second sweeper instance does not remind twice.
        let marked = dossier::Entity::update_many()
            .col_expr(dossier::Column::StepRemindedAt, Expr::value(Some(t)))
            .filter(dossier::Column::Id.eq(d.id))
            .filter(dossier::Column::Revision.eq(d.revision))
            .filter(dossier::Column::StepRemindedAt.is_null())
            .exec(&svc.db)
            .await?;
        if marked.rows_affected == 0 {
            continue;
        }
        let c = code(&d);
        let when = crate::domain::calendar::time_vn(step_due);
        let late = step_due < t;
        let (vi, en) = if late {
            (
                format!("Hồ sơ {c}: bước \"{}\" đã quá hạn từ {when}.", st.name_vi),
                format!(
                    "Dossier {c}: the step \"{}\" was due at {when}.",
                    st.name_en
                ),
            )
        } else {
            (
                format!("Hồ sơ {c}: bước \"{}\" đến hạn lúc {when}.", st.name_vi),
                format!(
                    "Dossier {c}: the step \"{}\" falls due at {when}.",
                    st.name_en
                ),
            )
        };
        let link = format!("/can-bo/ho-so/{}", d.id);
        for u in &officers {
            notification::ActiveModel {
                user_id: Set(u.id),
                dossier_id: Set(Some(d.id)),
                text_vi: Set(vi.clone()),
                text_en: Set(en.clone()),
                link: Set(link.clone()),
                created_at: Set(t),
                ..Default::default()
            }
            .insert(&svc.db)
            .await?;
            let _ = svc
                .auth
                .mailer
                .send(
                    &u.email,
                    &format!("Nhắc hạn xử lý hồ sơ {c}"),
                    &format!(
                        "{vi}\nThủ tục: {}\nMở hồ sơ: {}{link}",
                        svc.procedure_name(d.procedure_id),
                        svc.auth.public_url
                    ),
                )
                .await;
        }
        reminded += 1;
    }
    Ok(reminded)
}

/// Late dossiers the dashboard lists by name; the rest are counted.
const LATE_LIST: usize = 100;

/// The supervisor dashboard (B-c): unit leaders and agency administrators see the open
/// dossiers of their units by unit and by officer, the late ones, and the last 30 days'
/// throughput; a system administrator sees every unit.
pub async fn supervise(svc: &Services, p: &Principal) -> Result<Supervision, AppError> {
    if p.stage != Stage::Full || !p.is_officer() {
        return Err(AppError::Forbidden);
    }
    let scope: Option<Vec<i32>> = if p.is_system_admin() {
        None
    } else {
        let units: Vec<i32> = p
            .roles
            .iter()
            .filter(|g| matches!(g.role, Role::UnitLeader | Role::AgencyAdmin))
            .filter_map(|g| g.agency_id)
            .collect();
        if units.is_empty() {
            return Err(AppError::Forbidden);
        }
        Some(units)
    };
    let mut q = dossier::Entity::find()
        .select_only()
        .columns([
            dossier::Column::Id,
            dossier::Column::Code,
            dossier::Column::AgencyId,
            dossier::Column::UnitId,
            dossier::Column::AssigneeId,
            dossier::Column::Status,
            dossier::Column::DueDate,
            dossier::Column::StepDueAt,
            dossier::Column::ProcedureId,
        ])
        .filter(dossier::Column::Status.is_in(Scope::OPEN.iter().map(|s| s.code())));
    if let Some(units) = &scope {
        q = q.filter(
            Condition::any()
                .add(dossier::Column::UnitId.is_in(units.clone()))
                .add(dossier::Column::AgencyId.is_in(units.clone())),
        );
    }
    type Row = (
        i32,
        Option<String>,
        i32,
        Option<i32>,
        Option<i32>,
        i32,
        Option<String>,
        Option<i64>,
        i32,
    );
    let rows: Vec<Row> = q.into_tuple().all(&svc.db).await?;
    let today = super::dossier::today();
    let t = now();
    let mut units: HashMap<i32, Load> = HashMap::new();
    let mut officers: HashMap<i32, Load> = HashMap::new();
    let mut late: Vec<(u32, Row, i32)> = Vec::new();
    for r in rows {
        let (_, _, agency_id, unit_id, assignee, status, ref due, step_due, _) = r;
        let holder = unit_id.unwrap_or(agency_id);
        // A dossier lent to a unit outside the supervisor's scope stays with its home unit.
        let unit = match &scope {
            Some(s) if !s.contains(&holder) => agency_id,
            _ => holder,
        };
        let status = Status::from_code(status).unwrap_or(Status::Draft);
        let running = matches!(
            status,
            Status::Submitted | Status::Accepted | Status::InProcess | Status::WithdrawalRequested
        );
        let urgency = due
            .as_deref()
            .and_then(Day::parse_iso)
            .filter(|_| running)
            .map(|d| (d, Urgency::of(&svc.calendar.get(), today, d, WARN_DAYS)));
        let step_late = running && step_due.is_some_and(|x| x < t);
        let paused = matches!(
            status,
            Status::SupplementRequested | Status::PaymentRequested
        );
        let count = |l: &mut Load| {
            l.open += 1;
            match urgency.map(|u| u.1) {
                Some(Urgency::Overdue) => l.overdue += 1,
                Some(Urgency::DueToday | Urgency::DueSoon) => l.due_soon += 1,
                _ => {}
            }
            l.step_overdue += u32::from(step_late);
            l.paused += u32::from(paused);
        };
        let u = units.entry(unit).or_insert_with(|| Load {
            id: unit,
            ..Default::default()
        });
        count(u);
        u.unassigned += u32::from(status == Status::Accepted && assignee.is_none());
        if let Some(a) = assignee {
            count(officers.entry(a).or_insert_with(|| Load {
                id: a,
                ..Default::default()
            }));
        }
        if let Some((d, Urgency::Overdue)) = urgency {
            late.push((
                svc.calendar.get().working_days_between(d, today),
                r.clone(),
                unit,
            ));
        }
    }
    let unit_names: HashMap<i32, String> = agency::Entity::find()
        .filter(agency::Column::Id.is_in(units.keys().copied().collect::<Vec<_>>()))
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let user_names: HashMap<i32, String> = entity::user_account::Entity::find()
        .filter(
            entity::user_account::Column::Id.is_in(officers.keys().copied().collect::<Vec<_>>()),
        )
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.full_name))
        .collect();
    late.sort_by_key(|(days, r, _)| (std::cmp::Reverse(*days), r.0));
    let overdue_more = late.len().saturating_sub(LATE_LIST) as u32;
    let overdue = late
        .into_iter()
        .take(LATE_LIST)
        .map(|(days_late, r, unit)| LateRow {
            id: r.0,
            code: r.1.unwrap_or_default(),
            procedure_name: svc.procedure_name(r.8),
            unit_name: unit_names.get(&unit).cloned().unwrap_or_default(),
            assignee_name: r.4.and_then(|a| user_names.get(&a).cloned()),
            due_date: r.6.unwrap_or_default(),
            days_late,
        })
        .collect();
    let named = |mut v: Vec<Load>, names: &HashMap<i32, String>| {
        for l in &mut v {
            l.name = names.get(&l.id).cloned().unwrap_or_default();
        }
        // The most late first, then the busiest: where a supervisor looks first.
        v.sort_by(|a, b| {
            (b.overdue, b.step_overdue, b.open, &a.name).cmp(&(
                a.overdue,
                a.step_overdue,
                a.open,
                &b.name,
            ))
        });
        v
    };
    let from = Day(today.0 - 29);
    let recent = super::report::report(svc, p, from, today, super::report::GroupBy::Unit)
        .await?
        .total;
    Ok(Supervision {
        units: named(units.into_values().collect(), &unit_names),
        officers: named(officers.into_values().collect(), &user_names),
        overdue,
        overdue_more,
        period: (from.to_string(), today.to_string()),
        recent,
    })
}

/// A dossier as an officer sees it, with the actions they may take now.
pub async fn work_view(svc: &Services, p: &Principal, id: i32) -> Result<WorkView, AppError> {
    let d = handled_by(svc, p, id).await?;
    let (_, w) = workflow(&svc.db, d.workflow_id).await?;
    let key = state_now(&w, &d);
    let st = w.state(&key).cloned();
    let roles = p.roles_in(holder(&d));
    let allowed = if assignee_guard(p, &d, &roles).is_ok() {
        w.actions_for(&key, &Actor::Officer(&roles))
    } else {
        Vec::new()
    };
    let actions: Vec<ActionOffer> = allowed
        .iter()
        .filter(|a| a.kind.is_officer_button())
        .map(|a| ActionOffer {
            kind: a.kind,
            note: a.note,
        })
        .collect();
    let can_attach_result = allowed.iter().any(|a| a.kind == ActionKind::AttachResult);
    let assignees = if actions.iter().any(|a| a.kind == ActionKind::Assign) {
        specialists(&svc.db, holder(&d)).await?
    } else {
        Vec::new()
    };
    let units = if actions.iter().any(|a| a.kind == ActionKind::Transfer) {
        agency::Entity::find()
            .filter(agency::Column::Id.ne(holder(&d)))
            .filter(agency::Column::Kind.is_in(["department", "one_stop"]))
            .order_by_asc(agency::Column::Name)
            .limit(300)
            .all(&svc.db)
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect()
    } else {
        Vec::new()
    };
    let holding_unit = agency::Entity::find_by_id(holder(&d))
        .one(&svc.db)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let assignee_name = match d.assignee_id {
        Some(a) => entity::user_account::Entity::find_by_id(a)
            .one(&svc.db)
            .await?
            .map(|u| u.full_name),
        None => None,
    };
    let today = super::dossier::today();
    let due = d.due_date.as_deref().and_then(Day::parse_iso);
    let can_apologise = d.first_due_date.is_none()
        && roles
            .iter()
            .any(|r| matches!(r, Role::OneStopOfficer | Role::UnitLeader))
        && urgency(svc, &d, today).is_some()
        && due.is_some_and(|due| today <= svc.calendar.get().previous_working(due));
    // Processed: on time unless after the due date in force (none: no time limit).
    let on_time = d
        .finished_at
        .filter(|_| matches!(status_of(&d), Status::Processed | Status::Returned))
        .map(|f| due.is_none_or(|due| Day::from_unix_vn(f) <= due));
    let paused = d.paused_at.is_some();
    let urgency = urgency(svc, &d, today);
    let first_due_date = d.first_due_date.clone();
    let step_due_at = d.step_due_at;
    let (transfers, lienthong_targets) = super::lienthong::view(svc, p, &d).await?;
    let result_signing = super::remotesign::result_waiting(svc, d.id)
        .await?
        .and_then(|r| r.file_name);
    // P-3.6: which paid fees this officer may pay back now.
    let refundable: Vec<i32> = if super::payment::may_refund(svc, p, &d) {
        let all = super::payment::of_dossier(svc, d.id).await?;
        all.iter()
            .filter(|x| super::payment::refund_allowed(&d, &all, x))
            .map(|x| x.id)
            .collect()
    } else {
        Vec::new()
    };
    let mut dossier = view_of(svc, d).await?;
    dossier.submit_key = String::new();
    for pv in dossier.payments.iter_mut() {
        pv.refundable = refundable.contains(&pv.id);
    }
    Ok(WorkView {
        dossier,
        state_vi: st.as_ref().map(|s| s.name_vi.clone()).unwrap_or_default(),
        state_en: st.as_ref().map(|s| s.name_en.clone()).unwrap_or_default(),
        holding_unit,
        assignee_name,
        step_due_at,
        urgency,
        actions,
        assignees,
        units,
        can_attach_result,
        result_signing,
        can_apologise,
        first_due_date,
        on_time,
        paused,
        transfers,
        lienthong_targets,
    })
}

/// Roles of the officer in the unit holding the dossier, for attach-result (which also needs
/// a file) and other file-carrying steps.
pub(crate) fn officer_roles(p: &Principal, d: &dossier::Model) -> Result<Vec<Role>, AppError> {
    let roles = p.roles_in(holder(d));
    if roles.is_empty() {
        return Err(AppError::Forbidden);
    }
    assignee_guard(p, d, &roles)?;
    Ok(roles)
}

/// Checks, before a file is stored, that `kind` is open to the officer now.
pub(crate) async fn may(
    svc: &Services,
    p: &Principal,
    d: &dossier::Model,
    kind: ActionKind,
) -> Result<(), AppError> {
    let roles = officer_roles(p, d)?;
    let (_, w) = workflow(&svc.db, d.workflow_id).await?;
    let key = state_now(&w, d);
    let here = w.state(&key);
    match here.and_then(|s| s.actions.iter().find(|a| a.kind == kind)) {
        Some(a) if a.permits(&Actor::Officer(&roles)) => Ok(()),
        Some(_) => Err(AppError::Forbidden),
        None => Err(refusal(TransitionError::NotHere, kind, here)),
    }
}

/// The slips of the one-stop forms (B-l, Circular 01/2018/TT-VPCP) for an officer who sees the
/// dossier: supplement request, refusal, apology and new appointment, processing control.
pub async fn slip_pdf(
    svc: &Services,
    p: &Principal,
    id: i32,
    kind: &str,
) -> Result<(String, Vec<u8>), AppError> {
    let d = handled_by(svc, p, id).await?;
    let c = d.code.clone().ok_or(AppError::NotFound)?;
    let unit = agency::Entity::find_by_id(d.agency_id)
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let parent = match unit.parent_id {
        Some(pid) => agency::Entity::find_by_id(pid).one(&svc.db).await?,
        None => None,
    };
    let events = dossier_event::Entity::find()
        .filter(dossier_event::Column::DossierId.eq(id))
        .order_by_asc(dossier_event::Column::Id)
        .all(&svc.db)
        .await?;
    let last = |action: &str| events.iter().rev().find(|e| e.action == action).cloned();
    let procedure = svc.procedure_name(d.procedure_id);
    let mut fields = vec![
        ("Người nộp hồ sơ:".to_string(), d.applicant_name.clone()),
        ("Thủ tục:".to_string(), procedure),
        (
            "Ngày nộp:".to_string(),
            d.submitted_at
                .map(crate::domain::calendar::time_vn)
                .unwrap_or_default(),
        ),
    ];
    let mut paragraphs = Vec::new();
    let mut table = Vec::new();
    let (title, file) = match kind {
        "phieu-yeu-cau-bo-sung" => {
            let e = last(ActionKind::RequestSupplement.as_str()).ok_or(AppError::NotFound)?;
            fields.push((
                "Ngày yêu cầu:".into(),
                crate::domain::calendar::time_vn(e.at),
            ));
            paragraphs.push(
                "Sau khi xem xét thành phần hồ sơ, cơ quan tiếp nhận đề nghị ông/bà bổ sung, hoàn thiện các nội dung sau:".into(),
            );
            paragraphs.push(e.note.unwrap_or_default());
            paragraphs.push(
                "Thời gian chờ bổ sung không tính vào thời hạn giải quyết hồ sơ. Xin cảm ơn ông/bà.".into(),
            );
            (
                "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
                "phieu-yeu-cau-bo-sung",
            )
        }
        "phieu-tu-choi" => {
            let e = last(ActionKind::Refuse.as_str()).ok_or(AppError::NotFound)?;
            paragraphs.push("Cơ quan tiếp nhận không tiếp nhận hồ sơ với lý do sau:".into());
            paragraphs.push(e.note.unwrap_or_default());
            ("Phiếu từ chối tiếp nhận giải quyết hồ sơ", "phieu-tu-choi")
        }
        "phieu-xin-loi" => {
            let e = last("apology").ok_or(AppError::NotFound)?;
            fields.push((
                "Ngày hẹn trả kết quả ban đầu:".into(),
                day_text(d.first_due_date.as_deref()),
            ));
            fields.push((
                "Ngày hẹn trả kết quả mới:".into(),
                day_text(d.due_date.as_deref()),
            ));
            paragraphs.push(
                "Cơ quan giải quyết xin lỗi ông/bà vì hồ sơ chưa được giải quyết đúng hạn. Lý do:"
                    .into(),
            );
            paragraphs.push(
                e.note
                    .as_deref()
                    .and_then(|n| n.split_once(": ").map(|(_, r)| r.to_string()))
                    .unwrap_or_default(),
            );
            paragraphs.push("Mong ông/bà thông cảm. Xin trân trọng cảm ơn.".into());
            ("Phiếu xin lỗi và hẹn lại ngày trả kết quả", "phieu-xin-loi")
        }
        "phieu-kiem-soat" => {
            let ids: Vec<i32> = events.iter().filter_map(|e| e.actor_id).collect();
            let names: HashMap<i32, String> = entity::user_account::Entity::find()
                .filter(entity::user_account::Column::Id.is_in(ids))
                .all(&svc.db)
                .await?
                .into_iter()
                .map(|u| (u.id, u.full_name))
                .collect();
            fields.push((
                "Ngày hẹn trả kết quả:".into(),
                day_text(d.due_date.as_deref()),
            ));
            table.push(
                ["Thời điểm", "Nội dung", "Người thực hiện", "Ghi chú"]
                    .map(String::from)
                    .to_vec(),
            );
            for e in &events {
                table.push(vec![
                    crate::domain::calendar::time_vn(e.at),
                    crate::domain::dossier::action_label(&e.action, crate::i18n::Lang::Vi).into(),
                    e.actor_id
                        .and_then(|a| names.get(&a).cloned())
                        .unwrap_or_default(),
                    e.note.clone().unwrap_or_default(),
                ]);
            }
            (
                "Phiếu kiểm soát quá trình giải quyết hồ sơ",
                "phieu-kiem-soat",
            )
        }
        _ => return Err(AppError::NotFound),
    };
    let s = super::pdf::Slip {
        agency_parent: parent.map(|a| a.name).unwrap_or_default(),
        agency: unit.name,
        code: c.clone(),
        title: title.into(),
        fields,
        paragraphs,
        table,
        lookup_url: Some(format!("{}/tra-cuu-ho-so?ma={c}", svc.auth.public_url)),
    };
    let bytes = tokio::task::spawn_blocking(move || super::pdf::slip(&s))
        .await
        .map_err(internal)?
        .map_err(internal)?;
    Ok((format!("{file}-{c}.pdf"), bytes))
}

fn day_text(iso: Option<&str>) -> String {
    iso.and_then(Day::parse_iso)
        .map(Day::vn)
        .unwrap_or_else(|| "—".into())
}
