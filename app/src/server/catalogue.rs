//! Catalogue use-cases: list with filters and search (P-2.2, P-5.1), procedure detail (P-2.1,
//! P-9.1), home page data.
use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use entity::{procedure, procedure_version};

use super::Services;
use crate::domain::catalogue::*;
use crate::error::{internal, AppError};

pub async fn list(svc: &Services, q: &CatalogueQuery) -> Result<CatalogueResult, AppError> {
    let mut sel = procedure::Entity::find()
        .select_only()
        .column(procedure::Column::Id)
        .order_by_asc(procedure::Column::Code);
    if let Some(f) = q.field {
        sel = sel.filter(procedure::Column::FieldId.eq(f));
    }
    if let Some(a) = q.agency {
        sel = sel.filter(procedure::Column::AgencyId.eq(a));
    }
    sel = match q.level {
        Some(LevelFilter::Full) => sel.filter(procedure::Column::ServiceLevel.eq("full")),
        Some(LevelFilter::Partial) => sel.filter(procedure::Column::ServiceLevel.eq("partial")),
        Some(LevelFilter::Online) => sel.filter(procedure::Column::Online.eq(true)),
        Some(LevelFilter::Offline) => sel.filter(procedure::Column::Online.eq(false)),
        None => sel,
    };
    sel = match q.audience {
        Some(Audience::Citizen) => sel.filter(procedure::Column::ForCitizen.eq(true)),
        Some(Audience::Organisation) => sel.filter(procedure::Column::ForOrganisation.eq(true)),
        None => sel,
    };
    let ids: Vec<i32> = sel.into_tuple().all(&svc.db).await?;
    let ordered: Vec<i32> = match &q.q {
        Some(text) => {
            let allowed: HashSet<i32> = ids.into_iter().collect();
            svc.search
                .search(text)
                .into_iter()
                .filter(|id| allowed.contains(id))
                .collect()
        }
        None => ids,
    };
    let total = ordered.len() as u64;
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page_ids: Vec<i32> = ordered
        .into_iter()
        .skip(q.offset() as usize)
        .take(PAGE_SIZE as usize)
        .collect();
    let items = summaries(svc, &page_ids).await?;
    Ok(CatalogueResult {
        items,
        total,
        page: q.page,
        pages,
        fields: svc.facets.fields.clone(),
        agencies: svc.facets.agencies.clone(),
    })
}

/// Summaries for the given procedures, in the given order.
async fn summaries(svc: &Services, ids: &[i32]) -> Result<Vec<ProcedureSummary>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let procs = procedure::Entity::find()
        .filter(procedure::Column::Id.is_in(ids.iter().copied()))
        .all(&svc.db)
        .await?;
    let versions = latest_versions(svc, ids).await?;
    let mut by_id: HashMap<i32, ProcedureSummary> = procs
        .into_iter()
        .map(|p| {
            let v = versions.get(&p.id);
            (p.id, summary(svc, p, v))
        })
        .collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

async fn latest_versions(
    svc: &Services,
    ids: &[i32],
) -> Result<HashMap<i32, procedure_version::Model>, AppError> {
    let rows = procedure_version::Entity::find()
        .filter(procedure_version::Column::ProcedureId.is_in(ids.iter().copied()))
        .order_by_asc(procedure_version::Column::Version)
        .all(&svc.db)
        .await?;
    // Ascending order: the last version seen per procedure wins.
    Ok(rows.into_iter().map(|v| (v.procedure_id, v)).collect())
}

fn summary(
    svc: &Services,
    p: procedure::Model,
    v: Option<&procedure_version::Model>,
) -> ProcedureSummary {
    ProcedureSummary {
        code: p.code,
        name: p.name,
        field: svc
            .facets
            .field_names
            .get(&p.field_id)
            .cloned()
            .unwrap_or_default(),
        agency: svc
            .facets
            .agency_names
            .get(&p.agency_id)
            .cloned()
            .unwrap_or_default(),
        levels: p
            .levels
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        service_level: p.service_level,
        online: p.online,
        time_limit_days: v.and_then(|v| v.time_limit_days),
        fee_free: v.and_then(|v| v.fee_free),
    }
}

pub async fn detail(svc: &Services, code: &str) -> Result<ProcedureDetail, AppError> {
    // Codes are short; anything else cannot exist, so skip the database.
    if code.is_empty() || code.len() > 32 {
        return Err(AppError::NotFound);
    }
    let p = procedure::Entity::find()
        .filter(procedure::Column::Code.eq(code))
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let versions = latest_versions(svc, &[p.id]).await?;
    let v = versions.get(&p.id).ok_or(AppError::NotFound)?;
    let source_url = p.source_url.clone();
    let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).map_err(internal);
    let steps: Vec<String> = serde_json::from_value(parse(&v.steps)?).map_err(internal)?;
    let channels: Vec<Channel> = serde_json::from_value(parse(&v.channels)?).map_err(internal)?;
    let documents: Vec<RequiredDocument> =
        serde_json::from_value(parse(&v.documents)?).map_err(internal)?;
    let legal_basis: Vec<LegalDocument> =
        serde_json::from_value(parse(&v.legal_basis)?).map_err(internal)?;
    Ok(ProcedureDetail {
        decision: v.decision.clone(),
        kind: v.kind.clone(),
        level_text: v.level_text.clone(),
        audience: v.audience.clone(),
        implementing_agency: v.implementing_agency.clone(),
        competent_agency: v.competent_agency.clone(),
        address: v.address.clone(),
        steps,
        channels,
        documents,
        legal_basis,
        conditions: v.conditions.clone(),
        result_name: v.result_name.clone(),
        result_code: v.result_code.clone(),
        source_url,
        summary: summary(svc, p, Some(v)),
    })
}

pub async fn home(svc: &Services) -> Result<HomeData, AppError> {
    let featured_ids: Vec<i32> = procedure::Entity::find()
        .select_only()
        .column(procedure::Column::Id)
        .filter(procedure::Column::FeaturedRank.is_not_null())
        .order_by_asc(procedure::Column::FeaturedRank)
        .into_tuple()
        .all(&svc.db)
        .await?;
    let featured = summaries(svc, &featured_ids).await?;
    let mut fields = svc.facets.fields.clone();
    fields.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
    fields.truncate(12);
    Ok(HomeData {
        featured,
        fields,
        total: svc.facets.total,
        online: svc.facets.online,
    })
}
