//! Server-only use-cases (SSR): repositories over SeaORM, search. Server functions in `api/`
//! call these; pages never touch the database.
pub mod catalogue;
pub mod search;

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::{DatabaseConnection, EntityTrait};

use crate::domain::catalogue::{Choice, PortalInfo};
use crate::error::{internal, AppError};
use search::{SearchDoc, SearchIndex};

/// Everything a request needs, provided to server functions through Leptos context.
#[derive(Clone)]
pub struct Services {
    pub db: DatabaseConnection,
    pub search: Arc<SearchIndex>,
    pub facets: Arc<Facets>,
    pub portal: PortalInfo,
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

impl Services {
    /// Loads facets and builds the search index from the database.
    pub async fn load(db: DatabaseConnection, portal: PortalInfo) -> Result<Self, AppError> {
        let fields = entity::field::Entity::find().all(&db).await?;
        let agencies = entity::agency::Entity::find().all(&db).await?;
        let procs = entity::procedure::Entity::find().all(&db).await?;
        let versions = entity::procedure_version::Entity::find().all(&db).await?;
        let field_names: HashMap<i32, String> =
            fields.into_iter().map(|f| (f.id, f.name)).collect();
        let agency_names: HashMap<i32, String> =
            agencies.into_iter().map(|a| (a.id, a.name)).collect();
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
        for v in versions {
            let e = extra.entry(v.procedure_id).or_default();
            for s in [v.implementing_agency, v.result_name].into_iter().flatten() {
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
        let facets = Facets {
            fields: choices(&field_names, &field_count),
            agencies: choices(&agency_names, &agency_count),
            total: procs.len() as u64,
            online: procs.iter().filter(|p| p.online).count() as u64,
            field_names,
            agency_names,
        };
        Ok(Self {
            db,
            search: Arc::new(search),
            facets: Arc::new(facets),
            portal,
        })
    }
}
