//! Server-only use-cases (SSR): repositories over SeaORM, search. Server functions in `api/`
//! call these; pages never touch the database.
pub mod api;
pub mod archive;
pub mod audit;
pub mod auth;
pub mod catalogue;
pub mod dossier;
pub mod editor;
pub mod emc;
pub mod inbound;
pub mod lienthong;
pub mod npsp;
pub mod outbox;
pub mod paygov;
pub mod payment;
pub mod pdf;
pub mod post;
pub mod reconcile;
pub mod remotesign;
pub mod report;
pub mod search;
pub mod shared;
pub mod sign;
pub mod sms;
pub mod storage;
pub mod vnpay;
pub mod work;
pub mod xlsx;

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::{DatabaseConnection, EntityTrait};

use crate::domain::catalogue::{Choice, PortalInfo, ProcedureSummary};
use crate::error::{internal, AppError};
use search::{SearchDoc, SearchIndex};

/// SQLite: takes the database's write lock at the start of a transaction that reads before it
/// writes. A deferred transaction that read first fails at once with SQLITE_BUSY when another
/// connection committed meanwhile (WAL snapshot), where taking the lock first just waits out
/// the busy timeout. PostgreSQL needs nothing.
pub async fn write_lock(txn: &sea_orm::DatabaseTransaction) -> Result<(), AppError> {
    use sea_orm::ConnectionTrait;
    if txn.get_database_backend() == sea_orm::DbBackend::Sqlite {
        txn.execute_unprepared("DELETE FROM dossier_sequence WHERE 0")
            .await?;
    }
    Ok(())
}

/// A value that administration replaces whole (B-a, B-e: a published procedure, an imported
/// holiday list). Readers take a snapshot (`get`) and keep it for their request, so a request
/// never sees half of an old catalogue and half of a new one.
pub struct Live<T>(Arc<std::sync::RwLock<Arc<T>>>);

impl<T> Clone for Live<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> Live<T> {
    pub fn new(v: T) -> Self {
        Self(Arc::new(std::sync::RwLock::new(Arc::new(v))))
    }

    pub fn get(&self) -> Arc<T> {
        // A writer only swaps a pointer and cannot panic half-way, so a poisoned lock still
        // holds a whole value.
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set(&self, v: T) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(v);
    }
}

/// Everything a request needs, provided to server functions through Leptos context.
#[derive(Clone)]
pub struct Services {
    pub db: DatabaseConnection,
    pub search: Live<SearchIndex>,
    pub facets: Live<Facets>,
    pub catalogue: Live<Catalogue>,
    pub audit: Arc<audit::AuditLog>,
    pub auth: Arc<auth::Auth>,
    pub portal: PortalInfo,
    /// Uploaded files and results (P-3.4); replaced by the composition root from settings.
    pub storage: Arc<dyn storage::BlobStore>,
    /// Working-day calendar from the `holiday` table, loaded at start and on every change.
    pub calendar: Live<crate::domain::calendar::Calendar>,
    /// What the in-memory catalogue and calendar were built from (see [`Services::refresh`]).
    pub stamp: Live<Stamp>,
    pub dossier_policy: dossier::DossierPolicy,
    /// Adapters to other systems (B-m); none unless configured.
    pub integrations: outbox::Integrations,
}

/// What catalogue lists show about one procedure, held in memory: listing and filtering
/// 2,849 procedures is then a scan of a vector, not a database round trip (PERF-5). Like the
/// search index, it is rebuilt from the database at start.
pub struct CatalogueRow {
    pub id: i32,
    pub field_id: i32,
    pub agency_id: i32,
    pub for_citizen: bool,
    pub for_organisation: bool,
    pub featured_rank: Option<i32>,
    pub summary: ProcedureSummary,
}

/// Rows in catalogue order (by code), with an index by id.
pub struct Catalogue {
    pub rows: Vec<CatalogueRow>,
    pub by_id: HashMap<i32, usize>,
}

impl Catalogue {
    pub fn row(&self, id: i32) -> Option<&CatalogueRow> {
        self.by_id.get(&id).and_then(|&i| self.rows.get(i))
    }
}

/// The last row of `catalogue_change`: every change to what is held in memory (a published
/// procedure version, an imported holiday list or unit list) adds one in the same transaction.
/// Another instance that sees a newer one reloads (each compares once a minute).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stamp(i64);

impl Stamp {
    pub async fn read(db: &impl sea_orm::ConnectionTrait) -> Result<Self, AppError> {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT COALESCE(MAX(id), 0) AS m FROM catalogue_change".to_owned(),
            ))
            .await?
            .ok_or_else(|| internal("max returned no row"))?;
        let m = row
            .try_get::<i64>("", "m")
            .or_else(|_| row.try_get::<i32>("", "m").map(i64::from))?;
        Ok(Self(m))
    }
}

/// Filter choices with their procedure counts; the catalogue changes only through
/// administration, so they are computed once at start.
pub struct Facets {
    pub fields: Vec<Choice>,
    pub agencies: Vec<Choice>,
    pub field_names: HashMap<i32, String>,
    pub agency_names: HashMap<i32, String>,
    pub total: u64,
    pub online: u64,
}

/// Facets, the search index and the catalogue rows, built from the database.
async fn build_catalogue(
    db: &DatabaseConnection,
) -> Result<(SearchIndex, Facets, Catalogue), AppError> {
    let fields = entity::field::Entity::find().all(db).await?;
    let agencies = entity::agency::Entity::find().all(db).await?;
    let procs = entity::procedure::Entity::find().all(db).await?;
    // Only the columns the lists and the index need: the versions' JSON bodies (steps,
    // documents, legal basis) are read per procedure page, not at start.
    use entity::procedure_version::{Column as V, Entity as Versions};
    use sea_orm::QuerySelect;
    type VersionFacts = (
        i32,
        i32,
        Option<i32>,
        Option<bool>,
        Option<String>,
        Option<String>,
    );
    let versions: Vec<VersionFacts> = Versions::find()
        .select_only()
        .columns([V::ProcedureId, V::Version, V::TimeLimitDays, V::FeeFree])
        .columns([V::ImplementingAgency, V::ResultName])
        .into_tuple()
        .all(db)
        .await?;
    let field_names: HashMap<i32, String> = fields.into_iter().map(|f| (f.id, f.name)).collect();
    let agency_names: HashMap<i32, String> = agencies.into_iter().map(|a| (a.id, a.name)).collect();
    let mut field_count: HashMap<i32, i64> = HashMap::new();
    let mut agency_count: HashMap<i32, i64> = HashMap::new();
    for p in &procs {
        *field_count.entry(p.field_id).or_default() += 1;
        *agency_count.entry(p.agency_id).or_default() += 1;
    }
    let choices = |names: &HashMap<i32, String>, counts: &HashMap<i32, i64>| {
        let mut v: Vec<Choice> = counts
            .iter()
            .filter_map(|(id, n)| {
                names.get(id).map(|name| Choice {
                    id: *id,
                    name: name.clone(),
                    count: *n,
                })
            })
            .collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    };
    let mut extra: HashMap<i32, String> = HashMap::new();
    let mut limits: HashMap<i32, (i32, Option<i32>, Option<bool>)> = HashMap::new();
    for (procedure_id, version, time_limit_days, fee_free, implementing, result) in versions {
        let latest = limits.entry(procedure_id).or_insert((version, None, None));
        if version >= latest.0 {
            *latest = (version, time_limit_days, fee_free);
        }
        let e = extra.entry(procedure_id).or_default();
        for s in [implementing, result].into_iter().flatten() {
            e.push(' ');
            e.push_str(&s);
        }
    }
    let docs = procs.iter().map(|p| SearchDoc {
        id: p.id,
        code: p.code.clone(),
        name: p.name.clone(),
        extra: format!(
            "{} {} {}",
            field_names
                .get(&p.field_id)
                .map(String::as_str)
                .unwrap_or(""),
            agency_names
                .get(&p.agency_id)
                .map(String::as_str)
                .unwrap_or(""),
            extra.get(&p.id).map(String::as_str).unwrap_or("")
        ),
    });
    let search = SearchIndex::build(docs).map_err(internal)?;
    let mut rows: Vec<CatalogueRow> = procs
        .iter()
        .map(|p| {
            let (_, time_limit_days, fee_free) =
                limits.get(&p.id).copied().unwrap_or((0, None, None));
            CatalogueRow {
                id: p.id,
                field_id: p.field_id,
                agency_id: p.agency_id,
                for_citizen: p.for_citizen,
                for_organisation: p.for_organisation,
                featured_rank: p.featured_rank,
                summary: ProcedureSummary {
                    code: p.code.clone(),
                    name: p.name.clone(),
                    field: field_names.get(&p.field_id).cloned().unwrap_or_default(),
                    agency: agency_names.get(&p.agency_id).cloned().unwrap_or_default(),
                    levels: p
                        .levels
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    service_level: p.service_level.clone(),
                    online: p.online,
                    time_limit_days,
                    fee_free,
                },
            }
        })
        .collect();
    rows.sort_by(|a, b| a.summary.code.cmp(&b.summary.code));
    let by_id = rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let catalogue = Catalogue { rows, by_id };
    let facets = Facets {
        fields: choices(&field_names, &field_count),
        agencies: choices(&agency_names, &agency_count),
        total: procs.len() as u64,
        online: procs.iter().filter(|p| p.online).count() as u64,
        field_names,
        agency_names,
    };
    Ok((search, facets, catalogue))
}

impl Services {
    /// Loads facets and builds the search index from the database.
    pub async fn load(
        db: DatabaseConnection,
        portal: PortalInfo,
        auth: auth::Auth,
    ) -> Result<Self, AppError> {
        let stamp = Stamp::read(&db).await?;
        let (search, facets, catalogue) = build_catalogue(&db).await?;
        let calendar = dossier::load_calendar(&db).await?;
        Ok(Self {
            search: Live::new(search),
            facets: Live::new(facets),
            catalogue: Live::new(catalogue),
            stamp: Live::new(stamp),
            audit: Arc::new(audit::AuditLog::default()),
            auth: Arc::new(auth),
            portal,
            storage: Arc::new(
                storage::DiskStore::new(
                    std::env::var("PORTAL_FILES_DIR").unwrap_or_else(|_| "data/files".into()),
                )
                .map_err(internal)?,
            ),
            calendar: Live::new(calendar),
            dossier_policy: dossier::DossierPolicy::default(),
            integrations: outbox::Integrations::default(),
            db,
        })
    }

    /// Rebuilds the catalogue, search index and calendar from the database (after this
    /// instance changed them).
    pub async fn reload(&self) -> Result<(), AppError> {
        let stamp = Stamp::read(&self.db).await?;
        let (search, facets, catalogue) = build_catalogue(&self.db).await?;
        let calendar = dossier::load_calendar(&self.db).await?;
        self.search.set(search);
        self.facets.set(facets);
        self.catalogue.set(catalogue);
        self.calendar.set(calendar);
        self.stamp.set(stamp);
        Ok(())
    }

    /// Reloads when another instance changed the catalogue or the calendar; returns whether
    /// it did.
    pub async fn refresh(&self) -> Result<bool, AppError> {
        if Stamp::read(&self.db).await? == *self.stamp.get() {
            return Ok(false);
        }
        self.reload().await?;
        Ok(true)
    }
}
