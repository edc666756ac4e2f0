//! Reference data committed as compact gzip JSON under `migration/seed/` (built from the public
//! datasets by `seed/build_seed.py`) and embedded in the binary, so a deployment never reads
//! files outside the project at run time.
use std::collections::BTreeMap;
use std::io::Read;

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use serde::{Deserialize, Serialize};

const PROCEDURES_GZ: &[u8] = include_bytes!("../seed/procedures.json.gz");
const UNITS_GZ: &[u8] = include_bytes!("../seed/units.json.gz");
const HOLIDAYS_GZ: &[u8] = include_bytes!("../seed/holidays.json.gz");

/// Procedures the demo deployment lists as commonly used on the home page (birth, residence,
/// marriage, death, criminal record, certified copies, household business, passport, driving
/// licence). An agency admin curates this list in a later issue.
pub const FEATURED: &[&str] = &[
    "1.001193", "1.004222", "1.000894", "1.000656", "3.000333", "2.000815", "1.001612", "1.001456",
    "3.000348",
];

#[derive(Deserialize)]
struct Catalogue {
    agencies: Vec<SeedAgency>,
    procedures: Vec<SeedProcedure>,
}

#[derive(Deserialize)]
struct SeedAgency {
    name: String,
    code: Option<String>,
}

/// One delivery channel of a procedure with its time limit and fee, as the source states them.
#[derive(Deserialize, Serialize)]
pub struct SeedChannel {
    pub channel: Option<String>,
    pub time_raw: Option<String>,
    pub time_value: Option<f64>,
    pub time_unit: Option<String>,
    pub fee_label: Option<String>,
    pub fee_vnd: Option<i64>,
    pub fee_free: Option<bool>,
    pub note: Option<String>,
}

#[derive(Deserialize, Serialize)]
struct SeedDocument {
    name: String,
    quantity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    form: Option<String>,
}

#[derive(Deserialize, Serialize)]
struct SeedLaw {
    title: String,
    code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issuer: Option<String>,
}

#[derive(Deserialize)]
struct SeedResult {
    name: Option<String>,
    code: Option<String>,
}

#[derive(Deserialize)]
struct SeedProcedure {
    code: String,
    name: String,
    ministry: String,
    decision: Option<String>,
    levels: Vec<String>,
    level_raw: Option<String>,
    kind: Option<String>,
    field: String,
    audience: Option<String>,
    implementing_agency: Option<String>,
    competent_agency: Option<String>,
    delegated_agency: Option<String>,
    coordinating_agency: Option<String>,
    address: Option<String>,
    steps: Vec<String>,
    channels: Vec<SeedChannel>,
    documents: Vec<SeedDocument>,
    legal_basis: Vec<SeedLaw>,
    conditions: Option<String>,
    result: SeedResult,
    related: Option<String>,
    source_url: Option<String>,
    for_citizen: bool,
    for_organisation: bool,
    service_level: Option<String>,
}

#[derive(Deserialize)]
struct SeedUnit {
    code: String,
    name: String,
    full_name: String,
    name_en: Option<String>,
    kind: String,
    parent: Option<String>,
}

#[derive(Deserialize)]
struct SeedHoliday {
    date: String,
    kind: String,
    name: String,
    status: String,
}

fn gunzip<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, DbErr> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .map_err(|e| DbErr::Custom(format!("seed file unreadable: {e}")))?;
    serde_json::from_str(&text).map_err(|e| DbErr::Custom(format!("seed file invalid: {e}")))
}

fn json<T: Serialize>(v: &T) -> Result<String, DbErr> {
    serde_json::to_string(v).map_err(|e| DbErr::Custom(e.to_string()))
}

/// Shortest time limit in working days across channels (None when the source gives none in
/// working days).
fn time_limit_days(channels: &[SeedChannel]) -> Option<i32> {
    channels
        .iter()
        .filter(|c| c.time_unit.as_deref() == Some("working_day"))
        .filter_map(|c| c.time_value)
        .map(|v| v.ceil() as i32)
        .min()
}

fn fee_free(channels: &[SeedChannel]) -> Option<bool> {
    if channels.iter().any(|c| c.fee_free == Some(false)) {
        Some(false)
    } else if !channels.is_empty() && channels.iter().all(|c| c.fee_free == Some(true)) {
        Some(true)
    } else {
        None
    }
}

async fn insert_chunked<C: ConnectionTrait>(
    db: &C,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<SimpleExpr>>,
    chunk: usize,
) -> Result<(), DbErr> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut stmt = Query::insert();
        stmt.into_table(Alias::new(table))
            .columns(columns.iter().map(|c| Alias::new(*c)));
        for row in rows.by_ref().take(chunk) {
            stmt.values(row)
                .map_err(|e| DbErr::Custom(format!("seed row for {table}: {e}")))?;
        }
        db.execute(&stmt).await?;
    }
    Ok(())
}

/// Keeps PostgreSQL sequences in step after rows were inserted with explicit ids.
pub async fn sync_sequence<C: ConnectionTrait>(db: &C, table: &str) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        ))
        .await?;
    }
    Ok(())
}

fn v<T: Into<Value>>(x: T) -> SimpleExpr {
    SimpleExpr::Value(x.into())
}

pub async fn load_reference_data<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let units: Vec<SeedUnit> = gunzip(UNITS_GZ)?;
    // Provinces first so that communes' foreign keys resolve.
    let (provinces, communes): (Vec<_>, Vec<_>) =
        units.into_iter().partition(|u| u.parent.is_none());
    let unit_cols = [
        "code",
        "name",
        "full_name",
        "name_en",
        "kind",
        "parent_code",
    ];
    for group in [provinces, communes] {
        let rows = group
            .into_iter()
            .map(|u| {
                vec![
                    v(u.code),
                    v(u.name),
                    v(u.full_name),
                    v(u.name_en),
                    v(u.kind),
                    v(u.parent),
                ]
            })
            .collect();
        insert_chunked(db, "admin_area", &unit_cols, rows, 500).await?;
    }

    let holidays: Vec<SeedHoliday> = gunzip(HOLIDAYS_GZ)?;
    let rows = holidays
        .into_iter()
        .map(|h| vec![v(h.date), v(h.kind), v(h.name), v(h.status)])
        .collect();
    insert_chunked(db, "holiday", &["day", "kind", "name", "status"], rows, 500).await?;

    let cat: Catalogue = gunzip(PROCEDURES_GZ)?;
    let mut agency_ids = BTreeMap::new();
    let mut rows = Vec::new();
    for (i, a) in cat.agencies.into_iter().enumerate() {
        let id = i as i32 + 1;
        agency_ids.insert(a.name.clone(), id);
        rows.push(vec![v(id), v(a.code), v(a.name), v("ministry")]);
    }
    insert_chunked(db, "agency", &["id", "code", "name", "kind"], rows, 500).await?;
    sync_sequence(db, "agency").await?;

    let mut field_ids = BTreeMap::new();
    for p in &cat.procedures {
        let next = field_ids.len() as i32 + 1;
        field_ids.entry(p.field.clone()).or_insert(next);
    }
    let rows = field_ids
        .iter()
        .map(|(name, id)| vec![v(*id), v(name.clone())])
        .collect();
    insert_chunked(db, "field", &["id", "name"], rows, 500).await?;
    sync_sequence(db, "field").await?;

    let proc_cols = [
        "id",
        "code",
        "name",
        "field_id",
        "agency_id",
        "levels",
        "service_level",
        "online",
        "for_citizen",
        "for_organisation",
        "featured_rank",
        "source_url",
    ];
    let ver_cols = [
        "procedure_id",
        "version",
        "decision",
        "kind",
        "level_text",
        "audience",
        "implementing_agency",
        "competent_agency",
        "delegated_agency",
        "coordinating_agency",
        "address",
        "steps",
        "channels",
        "documents",
        "legal_basis",
        "conditions",
        "result_name",
        "result_code",
        "related",
        "form_schema",
        "time_limit_days",
        "fee_free",
    ];
    let mut procs = Vec::new();
    let mut versions = Vec::new();
    for (i, p) in cat.procedures.into_iter().enumerate() {
        let id = i as i32 + 1;
        let field_id = field_ids[&p.field];
        let agency_id = *agency_ids
            .get(&p.ministry)
            .ok_or_else(|| DbErr::Custom(format!("unknown ministry {}", p.ministry)))?;
        let online = p
            .channels
            .iter()
            .any(|c| c.channel.as_deref() == Some("online"));
        let featured = FEATURED
            .iter()
            .position(|c| *c == p.code)
            .map(|r| r as i32 + 1);
        procs.push(vec![
            v(id),
            v(p.code.clone()),
            v(p.name.clone()),
            v(field_id),
            v(agency_id),
            v(p.levels.join(",")),
            v(p.service_level.clone()),
            v(online),
            v(p.for_citizen),
            v(p.for_organisation),
            v(featured),
            v(p.source_url.clone()),
        ]);
        versions.push(vec![
            v(id),
            v(1),
            v(p.decision),
            v(p.kind),
            v(p.level_raw),
            v(p.audience),
            v(p.implementing_agency),
            v(p.competent_agency),
            v(p.delegated_agency),
            v(p.coordinating_agency),
            v(p.address),
            v(json(&p.steps)?),
            v(json(&p.channels)?),
            v(json(&p.documents)?),
            v(json(&p.legal_basis)?),
            v(p.conditions),
            v(p.result.name),
            v(p.result.code),
            v(p.related),
            v(r#"{"fields":[]}"#),
            v(time_limit_days(&p.channels)),
            v(fee_free(&p.channels)),
        ]);
    }
    insert_chunked(db, "procedure", &proc_cols, procs, 400).await?;
    sync_sequence(db, "procedure").await?;
    insert_chunked(db, "procedure_version", &ver_cols, versions, 200).await?;
    Ok(())
}
