//! Reports (B-d) and the Decision 766 index over the dossiers of the officer's units: loads one
//! [`Fact`] per dossier in the period and lets `domain::report` count. CSV and XLSX exports
//! carry the same table.
use std::collections::{BTreeMap, HashMap, HashSet};

use entity::{agency, dossier, dossier_event, dossier_file, dossier_rating};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::Services;
use crate::domain::account::{Principal, Stage};
use crate::domain::calendar::Day;
pub use crate::domain::report::{columns, GroupBy, Report, ReportRow};
use crate::domain::report::{index_766, CatalogueFacts, Counts, Fact};
use crate::domain::workflow::ActionKind;
use crate::error::AppError;

/// Parses a report period; empty means from the first of this month to today. At most two
/// years, `from` not after `to`.
pub fn period(from: &str, to: &str) -> Result<(Day, Day), AppError> {
    let today = super::dossier::today();
    let (y, m, _) = today.ymd();
    let parse = |s: &str, default: Day, name: &str| -> Result<Day, AppError> {
        if s.trim().is_empty() {
            return Ok(default);
        }
        Day::parse_iso(s.trim()).ok_or_else(|| {
            super::auth::invalid(
                name,
                "Ngày không hợp lệ (năm-tháng-ngày).",
                "Invalid date (YYYY-MM-DD).",
            )
        })
    };
    let from = parse(from, Day::from_ymd(y, m, 1).unwrap_or(today), "tu")?;
    let to = parse(to, today, "den")?;
    if from > to || to.0 - from.0 > 731 {
        return Err(super::auth::invalid(
            "tu",
            "Khoảng thời gian phải từ ngày bắt đầu đến ngày kết thúc, tối đa hai năm.",
            "The period must run forwards and be at most two years.",
        ));
    }
    Ok((from, to))
}

fn day_start_utc(d: Day) -> i64 {
    i64::from(d.0) * 86_400 - 7 * 3600
}

type SlimRow = (
    i32,
    i32,
    i32,
    Option<i32>,
    String,
    i32,
    Option<i64>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

/// What a report reads of a dossier.
struct Slim {
    id: i32,
    agency_id: i32,
    procedure_id: i32,
    assignee_id: Option<i32>,
    channel: String,
    status: i32,
    submitted_at: Option<i64>,
    created_at: i64,
    finished_at: Option<i64>,
    returned_at: Option<i64>,
    due_date: Option<String>,
    first_due_date: Option<String>,
}

impl From<SlimRow> for Slim {
    fn from(r: SlimRow) -> Self {
        Slim {
            id: r.0,
            agency_id: r.1,
            procedure_id: r.2,
            assignee_id: r.3,
            channel: r.4,
            status: r.5,
            submitted_at: r.6,
            created_at: r.7,
            finished_at: r.8,
            returned_at: r.9,
            due_date: r.10,
            first_due_date: r.11,
        }
    }
}

/// The report for `[from, to]` (Vietnam dates) over the officer's units (all units for a
/// system administrator).
pub async fn report(
    svc: &Services,
    p: &Principal,
    from: Day,
    to: Day,
    by: GroupBy,
) -> Result<Report, AppError> {
    if p.stage != Stage::Full || !p.is_officer() {
        return Err(AppError::Forbidden);
    }
    let scope: Option<Vec<i32>> =
        (!p.is_system_admin()).then(|| p.roles.iter().filter_map(|g| g.agency_id).collect());
    let (start, end) = (day_start_utc(from), day_start_utc(to) + 86_400);
    let mut q = dossier::Entity::find()
        .filter(dossier::Column::Status.ne(0))
        .filter(dossier::Column::SubmittedAt.lt(end))
        .filter(
            Condition::any()
                .add(dossier::Column::FinishedAt.is_null())
                .add(dossier::Column::FinishedAt.gte(start))
                .add(dossier::Column::ReturnedAt.gte(start)),
        );
    if let Some(units) = &scope {
        q = q.filter(dossier::Column::AgencyId.is_in(units.clone()));
    }
    // Only the columns the counts need: a year of a province is half a million rows, and the
    // form data and keys would be most of what they weigh.
    let rows: Vec<Slim> = q
        .select_only()
        .columns([
            dossier::Column::Id,
            dossier::Column::AgencyId,
            dossier::Column::ProcedureId,
            dossier::Column::AssigneeId,
            dossier::Column::Channel,
            dossier::Column::Status,
            dossier::Column::SubmittedAt,
            dossier::Column::CreatedAt,
            dossier::Column::FinishedAt,
            dossier::Column::ReturnedAt,
            dossier::Column::DueDate,
            dossier::Column::FirstDueDate,
        ])
        .into_tuple::<SlimRow>()
        .all(&svc.db)
        .await?
        .into_iter()
        .map(Slim::from)
        .collect();
    // The same dossiers as a subquery, for counting their events, files and ratings.
    let mut sub = Query::select();
    sub.column(dossier::Column::Id)
        .from(dossier::Entity)
        .and_where(Expr::col(dossier::Column::Status).ne(0))
        .and_where(Expr::col(dossier::Column::SubmittedAt).lt(end));
    if let Some(units) = &scope {
        sub.and_where(Expr::col(dossier::Column::AgencyId).is_in(units.clone()));
    }
    let supplements: HashMap<i32, i64> = dossier_event::Entity::find()
        .select_only()
        .column(dossier_event::Column::DossierId)
        .column_as(dossier_event::Column::Id.count(), "n")
        .filter(dossier_event::Column::Action.eq(ActionKind::RequestSupplement.as_str()))
        .filter(dossier_event::Column::At.gte(start))
        .filter(dossier_event::Column::At.lt(end))
        .filter(dossier_event::Column::DossierId.in_subquery(sub.clone()))
        .group_by(dossier_event::Column::DossierId)
        .into_tuple::<(i32, i64)>()
        .all(&svc.db)
        .await?
        .into_iter()
        .collect();
    let with_files = |kind: &'static str| {
        dossier_file::Entity::find()
            .select_only()
            .column(dossier_file::Column::DossierId)
            .filter(dossier_file::Column::Kind.eq(kind))
            .filter(dossier_file::Column::DossierId.in_subquery(sub.clone()))
            .distinct()
            .into_tuple::<i32>()
    };
    let inputs: HashSet<i32> = with_files("input")
        .all(&svc.db)
        .await?
        .into_iter()
        .collect();
    let results: HashSet<i32> = with_files("result")
        .all(&svc.db)
        .await?
        .into_iter()
        .collect();
    let ratings: HashMap<i32, dossier_rating::Model> = dossier_rating::Entity::find()
        .filter(dossier_rating::Column::DossierId.in_subquery(sub.clone()))
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|r| (r.dossier_id, r))
        .collect();
    let cal = &svc.calendar.get();
    let catalogue = svc.catalogue.get();
    let facts: Vec<Fact> = rows
        .iter()
        .map(|d| {
            let summary = catalogue.row(d.procedure_id).map(|r| &r.summary);
            let submitted = Day::from_unix_vn(d.submitted_at.unwrap_or(d.created_at));
            let finished = d.finished_at.map(Day::from_unix_vn);
            let rating = ratings.get(&d.id).map(|r| {
                [
                    r.information,
                    r.procedure,
                    r.attitude,
                    r.timeliness,
                    r.result,
                ]
            });
            Fact {
                unit_id: d.agency_id,
                procedure_id: d.procedure_id,
                officer_id: d.assignee_id,
                channel: d.channel.clone(),
                status: d.status,
                submitted,
                finished,
                returned: d.returned_at.map(Day::from_unix_vn),
                due: d.due_date.as_deref().and_then(Day::parse_iso),
                first_due: d.first_due_date.as_deref().and_then(Day::parse_iso),
                supplements: supplements.get(&d.id).copied().unwrap_or(0) as u32,
                rating: rating.map(|r| (r.iter().map(|&x| i32::from(x)).sum::<i32>() / 5) as u32),
                satisfied: rating.map(|r| r.iter().all(|&x| x >= 4)),
                inputs_digital: matches!(d.channel.as_str(), "online" | "npsp")
                    || inputs.contains(&d.id),
                result_digital: results.contains(&d.id),
                full_online: summary.is_some_and(|s| s.service_level.as_deref() == Some("full")),
                fee_due: false,
                paid_online: false,
                working_days: finished.map(|f| cal.working_days_between(submitted, f)),
            }
        })
        .collect();
    // Names for the rows.
    let names: HashMap<i32, String> = match by {
        GroupBy::Unit => agency::Entity::find()
            .filter(
                agency::Column::Id.is_in(facts.iter().map(|f| f.unit_id).collect::<HashSet<_>>()),
            )
            .all(&svc.db)
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect(),
        GroupBy::Officer => entity::user_account::Entity::find()
            .filter(
                entity::user_account::Column::Id.is_in(
                    facts
                        .iter()
                        .filter_map(|f| f.officer_id)
                        .collect::<HashSet<_>>(),
                ),
            )
            .all(&svc.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.full_name))
            .collect(),
        GroupBy::Procedure => facts
            .iter()
            .map(|f| (f.procedure_id, svc.procedure_name(f.procedure_id)))
            .collect(),
    };
    let mut groups: BTreeMap<String, Counts> = BTreeMap::new();
    let mut total = Counts::default();
    for f in &facts {
        let key = match by {
            GroupBy::Unit => names.get(&f.unit_id).cloned(),
            GroupBy::Procedure => names.get(&f.procedure_id).cloned(),
            GroupBy::Officer => f.officer_id.and_then(|o| names.get(&o).cloned()),
        }
        .unwrap_or_else(|| "(chưa phân công)".into());
        groups.entry(key).or_default().add(f, from, to);
        total.add(f, from, to);
    }
    let procedures: HashSet<i32> = facts.iter().map(|f| f.procedure_id).collect();
    let mut cat = CatalogueFacts::default();
    let catalogue = svc.catalogue.get();
    for id in procedures {
        if let Some(r) = catalogue.row(id) {
            cat.procedures += 1;
            if r.summary.time_limit_days.is_some() && r.summary.fee_free.is_some() {
                cat.complete += 1;
            }
            if r.summary.online {
                cat.offered_online += 1;
            }
        }
    }
    let index = index_766(&facts, &cat, from, to);
    Ok(Report {
        from,
        to,
        by,
        rows: groups
            .into_iter()
            .filter(|(_, c)| *c != Counts::default())
            .map(|(name, counts)| ReportRow { name, counts })
            .collect(),
        total,
        index,
    })
}

/// The table as rows of cells, heading first (CSV and XLSX).
pub fn table(r: &Report) -> Vec<Vec<String>> {
    let first = match r.by {
        GroupBy::Unit => "Đơn vị",
        GroupBy::Procedure => "Thủ tục",
        GroupBy::Officer => "Cán bộ",
    };
    let mut out = vec![std::iter::once(first.to_string())
        .chain(
            columns(&r.total)
                .into_iter()
                .map(|(vi, _, _)| vi.to_string()),
        )
        .collect::<Vec<_>>()];
    for row in &r.rows {
        out.push(
            std::iter::once(row.name.clone())
                .chain(columns(&row.counts).into_iter().map(|(_, _, v)| v))
                .collect(),
        );
    }
    out.push(
        std::iter::once("Tổng cộng".to_string())
            .chain(columns(&r.total).into_iter().map(|(_, _, v)| v))
            .collect(),
    );
    out
}

/// RFC 4180 CSV with a UTF-8 byte-order mark so that spreadsheet programs read the diacritics;
/// cells starting with `=`, `+`, `-` or `@` are prefixed with `'` (CSV injection).
pub fn csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| {
                let c = if c.starts_with(['=', '+', '-', '@']) && c != "—" {
                    format!("'{c}")
                } else {
                    c.clone()
                };
                if c.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c
                }
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// The tracking book (sổ theo dõi hồ sơ, form 05 of Circular 01/2018/TT-VPCP; B-l): one line per
/// dossier received in `[from, to]` by the officer's units, in the order received, with the
/// times it was received, due, sent on, finished and returned. The header is the first row.
pub async fn tracking_book(
    svc: &Services,
    p: &Principal,
    from: Day,
    to: Day,
) -> Result<Vec<Vec<String>>, AppError> {
    if p.stage != Stage::Full || !p.is_officer() {
        return Err(AppError::Forbidden);
    }
    let (start, end) = (day_start_utc(from), day_start_utc(to) + 86_400);
    let mut q = dossier::Entity::find()
        .select_only()
        .columns([
            dossier::Column::Id,
            dossier::Column::Code,
            dossier::Column::ProcedureId,
            dossier::Column::ApplicantName,
            dossier::Column::ApplicantPhone,
            dossier::Column::AgencyId,
            dossier::Column::SubmittedAt,
            dossier::Column::DueDate,
            dossier::Column::FinishedAt,
            dossier::Column::ReturnedAt,
            dossier::Column::Status,
            dossier::Column::Channel,
        ])
        .filter(dossier::Column::Status.ne(0))
        .filter(dossier::Column::SubmittedAt.gte(start))
        .filter(dossier::Column::SubmittedAt.lt(end));
    if !p.is_system_admin() {
        let units: Vec<i32> = p.roles.iter().filter_map(|g| g.agency_id).collect();
        q = q.filter(dossier::Column::AgencyId.is_in(units));
    }
    type Row = (
        i32,
        Option<String>,
        i32,
        String,
        Option<String>,
        i32,
        Option<i64>,
        Option<String>,
        Option<i64>,
        Option<i64>,
        i32,
        String,
    );
    let rows: Vec<Row> = q
        .order_by_asc(dossier::Column::SubmittedAt)
        .order_by_asc(dossier::Column::Id)
        .into_tuple()
        .all(&svc.db)
        .await?;
    // When each dossier was first sent to another unit (liên thông / appraisal).
    let ids: Vec<i32> = rows.iter().map(|r| r.0).collect();
    let mut sent: HashMap<i32, i64> = HashMap::new();
    for chunk in ids.chunks(5_000) {
        let events: Vec<(i32, i64)> = dossier_event::Entity::find()
            .select_only()
            .columns([dossier_event::Column::DossierId, dossier_event::Column::At])
            .filter(dossier_event::Column::Action.eq(ActionKind::Transfer.as_str()))
            .filter(dossier_event::Column::DossierId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(&svc.db)
            .await?;
        for (id, at) in events {
            let e = sent.entry(id).or_insert(at);
            *e = Ord::min(*e, at);
        }
    }
    let agencies: HashMap<i32, String> = agency::Entity::find()
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let time = |t: Option<i64>| t.map(crate::domain::calendar::time_vn).unwrap_or_default();
    let mut out = vec![[
        "STT",
        "Mã hồ sơ",
        "Tên thủ tục hành chính",
        "Số lượng hồ sơ (bộ)",
        "Tên cá nhân, tổ chức",
        "Số điện thoại",
        "Cơ quan chủ trì giải quyết",
        "Nhận hồ sơ (giờ, ngày)",
        "Hẹn trả kết quả (ngày)",
        "Chuyển hồ sơ đến cơ quan giải quyết (giờ, ngày)",
        "Có kết quả giải quyết (giờ, ngày)",
        "Trả kết quả (giờ, ngày)",
        "Ghi chú",
    ]
    .map(String::from)
    .to_vec()];
    for (n, r) in rows.into_iter().enumerate() {
        let status = crate::domain::dossier::Status::from_code(r.10);
        let mut note = status
            .map(|s| s.label(crate::i18n::Lang::Vi).to_string())
            .unwrap_or_default();
        if r.11 == "counter" {
            note.push_str("; nộp trực tiếp");
        }
        out.push(vec![
            (n + 1).to_string(),
            r.1.unwrap_or_default(),
            svc.procedure_name(r.2),
            "1".into(),
            r.3,
            r.4.unwrap_or_default(),
            agencies.get(&r.5).cloned().unwrap_or_default(),
            time(r.6),
            r.7.as_deref()
                .and_then(Day::parse_iso)
                .map(Day::vn)
                .unwrap_or_default(),
            time(sent.get(&r.0).copied()),
            time(r.8),
            time(r.9),
            note,
        ]);
    }
    Ok(out)
}
