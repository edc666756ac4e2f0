//! Shared catalogues (B-e): list, CSV export and all-or-nothing CSV import of administrative
//! units, agencies, fields and document types, for system administrators (Decree 63/2010 as amended: the
//! province's catalogues are kept by one office). An import checks every line against the file
//! and the database (parents, areas), writes in one transaction, records the change for the
//! history and for the other app instances, and reloads the catalogue in place.
use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use entity::{admin_area, agency, catalogue_change, document_type, field};

use super::auth::{now, RequestMeta};
use super::{write_lock, Services};
use crate::domain::account::{Permission, Principal};
use crate::domain::editor::BadLine;
use crate::domain::shared::{csv_cell, parse, Line, SharedCatalogue, SharedList, SharedReport};
use crate::error::AppError;

/// Rows shown on the page; the export has them all.
pub const PAGE: u64 = 200;

fn require(p: &Principal) -> Result<(), AppError> {
    if p.can(Permission::ManageCatalogue, None) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn bad(line: &Line, vi: String, en: String) -> BadLine {
    BadLine {
        line: line.line,
        text: line.cells.join(","),
        vi,
        en,
    }
}

/// Rows whose code is `q` or whose name contains it; everything when `q` is empty.
fn matching<C: ColumnTrait>(q: &str, code: Option<C>, name: C) -> Option<Condition> {
    (!q.is_empty()).then(|| {
        let by_name = Condition::any().add(name.contains(q));
        match code {
            Some(c) => by_name.add(c.eq(q)),
            None => by_name,
        }
    })
}

/// Up to `limit` rows of `E` in `order` that pass `filter`, and how many pass it.
async fn page<E>(
    svc: &Services,
    order: E::Column,
    filter: Option<Condition>,
    limit: Option<u64>,
) -> Result<(u64, Vec<E::Model>), AppError>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let mut s = E::find().order_by_asc(order);
    if let Some(f) = filter {
        s = s.filter(f);
    }
    let total = s.clone().count(&svc.db).await?;
    Ok((total, s.limit(limit).all(&svc.db).await?))
}

/// A page of the catalogue (rows matching `q` in code or name), in its CSV columns.
pub async fn list(
    svc: &Services,
    p: &Principal,
    cat: SharedCatalogue,
    q: &str,
    limit: Option<u64>,
) -> Result<SharedList, AppError> {
    require(p)?;
    let q: String = q.trim().chars().take(100).collect();
    let (total, rows) = match cat {
        SharedCatalogue::Areas => {
            let (total, page) = page::<admin_area::Entity>(
                svc,
                admin_area::Column::Code,
                matching(
                    &q,
                    Some(admin_area::Column::Code),
                    admin_area::Column::FullName,
                ),
                limit,
            )
            .await?;
            let rows = page
                .into_iter()
                .map(|a| {
                    vec![
                        a.code,
                        a.name,
                        a.full_name,
                        a.kind,
                        a.parent_code.unwrap_or_default(),
                        a.name_en.unwrap_or_default(),
                    ]
                })
                .collect();
            (total, rows)
        }
        SharedCatalogue::Agencies => {
            let (total, page) = page::<agency::Entity>(
                svc,
                agency::Column::Id,
                matching(&q, Some(agency::Column::Code), agency::Column::Name),
                limit,
            )
            .await?;
            let parents: HashMap<i32, Option<String>> = agency::Entity::find()
                .select_only()
                .column(agency::Column::Id)
                .column(agency::Column::Code)
                .filter(agency::Column::Id.is_in(page.iter().filter_map(|a| a.parent_id)))
                .into_tuple::<(i32, Option<String>)>()
                .all(&svc.db)
                .await?
                .into_iter()
                .collect();
            let rows = page
                .into_iter()
                .map(|a| {
                    // A parent without a code is named by its id.
                    let parent = a
                        .parent_id
                        .map(|id| match parents.get(&id).cloned().flatten() {
                            Some(code) => code,
                            None => format!("#{id}"),
                        })
                        .unwrap_or_default();
                    vec![
                        a.id.to_string(),
                        a.code.unwrap_or_default(),
                        a.name,
                        a.kind,
                        parent,
                        a.area_code.unwrap_or_default(),
                        a.address.unwrap_or_default(),
                        a.hotline.unwrap_or_default(),
                    ]
                })
                .collect();
            (total, rows)
        }
        SharedCatalogue::Fields => {
            let (total, page) = page::<field::Entity>(
                svc,
                field::Column::Name,
                matching(&q, None, field::Column::Name),
                limit,
            )
            .await?;
            (total, page.into_iter().map(|f| vec![f.name]).collect())
        }
        SharedCatalogue::DocumentTypes => {
            let (total, page) = page::<document_type::Entity>(
                svc,
                document_type::Column::Code,
                matching(
                    &q,
                    Some(document_type::Column::Code),
                    document_type::Column::Name,
                ),
                limit,
            )
            .await?;
            let rows = page
                .into_iter()
                .map(|d| vec![d.code, d.name, d.issuer.unwrap_or_default()])
                .collect();
            (total, rows)
        }
    };
    Ok(SharedList {
        catalogue: cat,
        total,
        rows,
    })
}

/// The whole catalogue as a CSV file in the import's columns (UTF-8 with BOM, for Excel).
pub async fn export(
    svc: &Services,
    p: &Principal,
    cat: SharedCatalogue,
) -> Result<String, AppError> {
    let l = list(svc, p, cat, "", None).await?;
    let mut out = String::from("\u{feff}");
    out.push_str(&cat.header());
    out.push_str("\r\n");
    for r in l.rows {
        out.push_str(&r.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    Ok(out)
}

/// Imports a catalogue file: new codes are added, existing ones updated, nothing removed
/// (dossiers and procedures refer to them). Any bad line: nothing is written and every bad
/// line is in the report.
pub async fn import(
    svc: &Services,
    p: &Principal,
    cat: SharedCatalogue,
    csv: &str,
    meta: &RequestMeta,
) -> Result<SharedReport, AppError> {
    require(p)?;
    let lines = match parse(cat, csv) {
        Ok(l) => l,
        Err(bad) => {
            return Ok(SharedReport {
                bad,
                ..Default::default()
            })
        }
    };
    let txn = svc.db.begin().await?;
    write_lock(&txn).await?;
    let outcome = match cat {
        SharedCatalogue::Areas => import_areas(&txn, &lines).await?,
        SharedCatalogue::Agencies => import_agencies(&txn, &lines).await?,
        SharedCatalogue::Fields => import_fields(&txn, &lines).await?,
        SharedCatalogue::DocumentTypes => import_document_types(&txn, &lines).await?,
    };
    if !outcome.bad.is_empty() {
        // Dropping the transaction rolls back whatever was written before the check failed.
        return Ok(outcome);
    }
    let summary = format!(
        "{}: thêm {}, cập nhật {}, không đổi {}",
        cat.title().0,
        outcome.added,
        outcome.updated,
        outcome.unchanged
    );
    if outcome.added + outcome.updated > 0 {
        catalogue_change::ActiveModel {
            at: Set(now()),
            actor_id: Set(Some(p.user_id)),
            kind: Set(format!("shared.{}", cat.slug())),
            subject: Set(cat.slug().into()),
            summary: Set(summary.clone()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    svc.audit
        .append(
            &svc.db,
            super::audit::Entry {
                actor: Some(p.user_id.to_string()),
                action: format!("catalogue.{}.import", cat.slug()),
                object_type: Some("catalogue".into()),
                object_id: Some(cat.slug().into()),
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
                detail: Some(serde_json::json!({
                    "added": outcome.added,
                    "updated": outcome.updated,
                    "unchanged": outcome.unchanged,
                })),
            },
        )
        .await?;
    if outcome.added + outcome.updated > 0 {
        svc.reload().await?;
    }
    Ok(outcome)
}

async fn import_areas(
    txn: &sea_orm::DatabaseTransaction,
    lines: &[Line],
) -> Result<SharedReport, AppError> {
    let existing: HashMap<String, admin_area::Model> = admin_area::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|a| (a.code.clone(), a))
        .collect();
    let provinces_in_file: HashSet<&str> = lines
        .iter()
        .filter(|l| l.cells[4].is_empty())
        .map(|l| l.cells[0].as_str())
        .collect();
    let mut r = SharedReport::default();
    for l in lines {
        if let Some(parent) = l.opt(4) {
            let known = provinces_in_file.contains(parent.as_str())
                || existing
                    .get(&parent)
                    .is_some_and(|a| a.parent_code.is_none());
            if !known {
                r.bad.push(bad(
                    l,
                    format!("Không có tỉnh, thành phố mã {parent}."),
                    format!("No province with code {parent}."),
                ));
            }
        }
    }
    if !r.bad.is_empty() {
        return Ok(r);
    }
    // Provinces first: communes' parent codes refer to them.
    let mut ordered: Vec<&Line> = lines.iter().collect();
    ordered.sort_by_key(|l| !l.cells[4].is_empty());
    let rows = ordered.into_iter().map(|l| admin_area::Model {
        code: l.cells[0].clone(),
        name: l.cells[1].clone(),
        full_name: l.cells[2].clone(),
        kind: l.cells[3].clone(),
        parent_code: l.opt(4),
        name_en: l.opt(5),
    });
    upsert_by_code::<admin_area::Entity>(txn, &existing, rows, |a| &a.code, &mut r).await?;
    Ok(r)
}

/// Writes catalogue rows keyed by their code: inserts new codes, replaces changed rows whole,
/// counts the rest as unchanged.
async fn upsert_by_code<E>(
    txn: &sea_orm::DatabaseTransaction,
    existing: &HashMap<String, E::Model>,
    rows: impl Iterator<Item = E::Model>,
    code: impl Fn(&E::Model) -> &String,
    r: &mut SharedReport,
) -> Result<(), AppError>
where
    E: EntityTrait,
    E::Model: PartialEq + IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + sea_orm::ActiveModelBehavior + Send,
{
    for new in rows {
        match existing.get(code(&new)) {
            Some(old) if *old == new => r.unchanged += 1,
            Some(_) => {
                new.into_active_model().reset_all().update(txn).await?;
                r.updated += 1;
            }
            None => {
                new.into_active_model().insert(txn).await?;
                r.added += 1;
            }
        }
    }
    Ok(())
}

/// Document types by national code; nothing refers to a row by anything else, so a row is
/// replaced whole.
async fn import_document_types(
    txn: &sea_orm::DatabaseTransaction,
    lines: &[Line],
) -> Result<SharedReport, AppError> {
    let existing: HashMap<String, document_type::Model> = document_type::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|d| (d.code.clone(), d))
        .collect();
    let mut r = SharedReport::default();
    let rows = lines.iter().map(|l| document_type::Model {
        code: l.cells[0].clone(),
        name: l.cells[1].clone(),
        issuer: l.opt(2),
    });
    upsert_by_code::<document_type::Entity>(txn, &existing, rows, |d| &d.code, &mut r).await?;
    Ok(r)
}

async fn import_agencies(
    txn: &sea_orm::DatabaseTransaction,
    lines: &[Line],
) -> Result<SharedReport, AppError> {
    let all: HashMap<i32, agency::Model> = agency::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut by_code: HashMap<String, Vec<i32>> = HashMap::new();
    for a in all.values() {
        if let Some(c) = &a.code {
            by_code.entry(c.clone()).or_default().push(a.id);
        }
    }
    let areas: HashSet<String> = admin_area::Entity::find()
        .select_only()
        .column(admin_area::Column::Code)
        .into_tuple::<String>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let codes_in_file: HashSet<&str> = lines
        .iter()
        .filter(|l| !l.cells[1].is_empty())
        .map(|l| l.cells[1].as_str())
        .collect();
    // Which existing agency each line updates (None: a new one).
    let mut target: Vec<Option<i32>> = Vec::with_capacity(lines.len());
    let mut r = SharedReport::default();
    for l in lines {
        let code = l.opt(1);
        let id = l.opt(0).and_then(|s| s.parse::<i32>().ok());
        let holders = code
            .as_ref()
            .and_then(|c| by_code.get(c))
            .cloned()
            .unwrap_or_default();
        let t = match id {
            Some(id) if !all.contains_key(&id) => {
                r.bad.push(bad(
                    l,
                    format!(
                        "Không có cơ quan số hiệu {id}; để trống số hiệu khi thêm cơ quan mới."
                    ),
                    format!("No agency has id {id}; leave the id empty to add a new agency."),
                ));
                None
            }
            Some(id) => {
                if holders.iter().any(|h| *h != id) {
                    r.bad.push(bad(
                        l,
                        format!(
                            "Mã {} đã thuộc cơ quan khác.",
                            code.clone().unwrap_or_default()
                        ),
                        format!(
                            "Code {} belongs to another agency.",
                            code.clone().unwrap_or_default()
                        ),
                    ));
                }
                Some(id)
            }
            None if holders.len() > 1 => {
                r.bad.push(bad(
                    l,
                    format!(
                        "Mã {} đang dùng cho nhiều cơ quan; hãy ghi số hiệu để chỉ rõ.",
                        code.clone().unwrap_or_default()
                    ),
                    format!(
                        "Code {} belongs to several agencies; give the id.",
                        code.clone().unwrap_or_default()
                    ),
                ));
                None
            }
            None => holders.first().copied(),
        };
        target.push(t);
        if let Some(parent) = l.opt(4) {
            let known = match parent.strip_prefix('#') {
                Some(n) => n.parse::<i32>().is_ok_and(|n| all.contains_key(&n)),
                None => {
                    codes_in_file.contains(parent.as_str())
                        || by_code.get(&parent).is_some_and(|v| v.len() == 1)
                }
            };
            if !known {
                r.bad.push(bad(
                    l,
                    format!("Không có cơ quan cấp trên {parent}."),
                    format!("No parent agency {parent}."),
                ));
            }
        }
        if let Some(area) = l.opt(5) {
            if !areas.contains(&area) {
                r.bad.push(bad(
                    l,
                    format!("Không có địa bàn mã {area} trong danh mục đơn vị hành chính."),
                    format!("No administrative unit with code {area}."),
                ));
            }
        }
    }
    if !r.bad.is_empty() {
        return Ok(r);
    }
    // First the rows themselves, then the parent links (a parent may come later in the file).
    let mut ids: Vec<i32> = Vec::with_capacity(lines.len());
    let mut code_ids: HashMap<String, i32> = by_code
        .iter()
        .filter(|(_, v)| v.len() == 1)
        .map(|(c, v)| (c.clone(), v[0]))
        .collect();
    let mut changed: HashSet<i32> = HashSet::new();
    for (l, t) in lines.iter().zip(&target) {
        match t.and_then(|id| all.get(&id)) {
            Some(old) => {
                let same = old.code == l.opt(1)
                    && old.name == l.cells[2]
                    && old.kind == l.cells[3]
                    && old.area_code == l.opt(5)
                    && old.address == l.opt(6)
                    && old.hotline == l.opt(7);
                if !same {
                    let mut am: agency::ActiveModel = old.clone().into();
                    am.code = Set(l.opt(1));
                    am.name = Set(l.cells[2].clone());
                    am.kind = Set(l.cells[3].clone());
                    am.area_code = Set(l.opt(5));
                    am.address = Set(l.opt(6));
                    am.hotline = Set(l.opt(7));
                    am.update(txn).await?;
                    changed.insert(old.id);
                }
                if let Some(c) = l.opt(1) {
                    code_ids.insert(c, old.id);
                }
                ids.push(old.id);
            }
            None => {
                let a = agency::ActiveModel {
                    code: Set(l.opt(1)),
                    name: Set(l.cells[2].clone()),
                    kind: Set(l.cells[3].clone()),
                    area_code: Set(l.opt(5)),
                    address: Set(l.opt(6)),
                    hotline: Set(l.opt(7)),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                if let Some(c) = l.opt(1) {
                    code_ids.insert(c, a.id);
                }
                ids.push(a.id);
                r.added += 1;
            }
        }
    }
    for (l, id) in lines.iter().zip(&ids) {
        let parent = l.opt(4).and_then(|p| match p.strip_prefix('#') {
            Some(n) => n.parse::<i32>().ok(),
            None => code_ids.get(&p).copied(),
        });
        let before = all.get(id).and_then(|a| a.parent_id);
        if before != parent {
            agency::Entity::update_many()
                .col_expr(agency::Column::ParentId, Expr::value(parent))
                .filter(agency::Column::Id.eq(*id))
                .exec(txn)
                .await?;
            if all.contains_key(id) {
                changed.insert(*id);
            }
        }
    }
    // A parent chain must end: refuse a file that makes a unit its own ancestor.
    let links: HashMap<i32, Option<i32>> = agency::Entity::find()
        .select_only()
        .column(agency::Column::Id)
        .column(agency::Column::ParentId)
        .into_tuple::<(i32, Option<i32>)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    for (l, id) in lines.iter().zip(&ids) {
        let mut at = links.get(id).copied().flatten();
        let mut steps = 0;
        while let Some(x) = at {
            if x == *id || steps > links.len() {
                r.bad.push(bad(
                    l,
                    "Quan hệ cấp trên tạo thành vòng lặp.".into(),
                    "The parent links form a loop.".into(),
                ));
                break;
            }
            at = links.get(&x).copied().flatten();
            steps += 1;
        }
    }
    if !r.bad.is_empty() {
        r.added = 0;
        return Ok(r);
    }
    r.updated = changed.len();
    r.unchanged = lines.len() - r.added - r.updated;
    Ok(r)
}

async fn import_fields(
    txn: &sea_orm::DatabaseTransaction,
    lines: &[Line],
) -> Result<SharedReport, AppError> {
    let existing: HashSet<String> = field::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|f| f.name.to_lowercase())
        .collect();
    let mut r = SharedReport::default();
    for l in lines {
        if existing.contains(&l.cells[0].to_lowercase()) {
            r.unchanged += 1;
        } else {
            field::ActiveModel {
                name: Set(l.cells[0].clone()),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            r.added += 1;
        }
    }
    Ok(r)
}
