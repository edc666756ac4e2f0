//! Catalogue use-cases: list with filters and search (P-2.2, P-5.1), procedure detail (P-2.1,
//! P-9.1), home page data.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use entity::{procedure, procedure_version};

use super::{CatalogueRow, Services};
use crate::domain::catalogue::*;
use crate::error::{internal, AppError};

pub async fn list(svc: &Services, q: &CatalogueQuery) -> Result<CatalogueResult, AppError> {
    let cat = svc.catalogue.get();
    let keep = |r: &CatalogueRow| {
        q.field.is_none_or(|f| r.field_id == f)
            && q.agency.is_none_or(|a| r.agency_id == a)
            && match q.level {
                Some(LevelFilter::Full) => r.summary.service_level.as_deref() == Some("full"),
                Some(LevelFilter::Partial) => r.summary.service_level.as_deref() == Some("partial"),
                Some(LevelFilter::Online) => r.summary.online,
                Some(LevelFilter::Offline) => !r.summary.online,
                None => true,
            }
            && match q.audience {
                Some(Audience::Citizen) => r.for_citizen,
                Some(Audience::Organisation) => r.for_organisation,
                None => true,
            }
    };
    let ordered: Vec<&CatalogueRow> = match &q.q {
        Some(text) => svc
            .search
            .get()
            .search(text)
            .into_iter()
            .filter_map(|id| cat.by_id.get(&id).map(|&i| &cat.rows[i]))
            .filter(|r| keep(r))
            .collect(),
        None => cat.rows.iter().filter(|r| keep(r)).collect(),
    };
    let total = ordered.len() as u64;
    let facets = svc.facets.get();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let items = ordered
        .into_iter()
        .skip(q.offset() as usize)
        .take(PAGE_SIZE as usize)
        .map(|r| r.summary.clone())
        .collect();
    Ok(CatalogueResult {
        items,
        total,
        page: q.page,
        pages,
        fields: facets.fields.clone(),
        agencies: facets.agencies.clone(),
    })
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
    let steps: Vec<String> = serde_json::from_str(&v.steps).map_err(internal)?;
    let channels: Vec<Channel> = serde_json::from_str(&v.channels).map_err(internal)?;
    let documents: Vec<RequiredDocument> = serde_json::from_str(&v.documents).map_err(internal)?;
    let legal_basis: Vec<LegalDocument> = serde_json::from_str(&v.legal_basis).map_err(internal)?;
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
        summary: svc
            .catalogue
            .get()
            .row(p.id)
            .map(|r| r.summary.clone())
            .ok_or(AppError::NotFound)?,
    })
}

pub async fn home(svc: &Services) -> Result<HomeData, AppError> {
    let catalogue = svc.catalogue.get();
    let facets = svc.facets.get();
    let mut featured: Vec<&CatalogueRow> = catalogue
        .rows
        .iter()
        .filter(|r| r.featured_rank.is_some())
        .collect();
    featured.sort_by_key(|r| r.featured_rank);
    let featured = featured.into_iter().map(|r| r.summary.clone()).collect();
    let mut fields = facets.fields.clone();
    fields.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
    fields.truncate(12);
    Ok(HomeData {
        featured,
        fields,
        total: facets.total,
        online: facets.online,
    })
}
