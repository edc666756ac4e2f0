//! Catalogue endpoints. Public data: no authentication needed, every input is parsed and
//! bounded before use (P-2.2, P-5.1).
use leptos::prelude::*;

use crate::domain::catalogue::{CatalogueQuery, CatalogueResult, HomeData, ProcedureDetail};
use crate::error::AppError;

#[cfg(feature = "ssr")]
fn services() -> Result<crate::server::Services, AppError> {
    use_context::<crate::server::Services>()
        .ok_or_else(|| crate::error::internal("services missing from context"))
}

#[server(prefix = "/api", endpoint = "list_procedures", input = server_fn::codec::Json)]
pub async fn list_procedures(query: CatalogueQuery) -> Result<CatalogueResult, AppError> {
    // Re-bound what came over the wire: the parser's limits apply to JSON callers too.
    let query = CatalogueQuery::from_lookup(|k| match k {
        "q" => query.q.clone(),
        "linhvuc" => query.field.map(|n| n.to_string()),
        "coquan" => query.agency.map(|n| n.to_string()),
        "mucdo" => query.level.map(|l| l.slug().to_owned()),
        "doituong" => query.audience.map(|a| a.slug().to_owned()),
        "trang" => Some(query.page.to_string()),
        _ => None,
    });
    crate::server::catalogue::list(&services()?, &query).await
}

#[server(prefix = "/api", endpoint = "get_procedure", input = server_fn::codec::Json)]
pub async fn get_procedure(code: String) -> Result<ProcedureDetail, AppError> {
    crate::server::catalogue::detail(&services()?, code.trim()).await
}

#[server(prefix = "/api", endpoint = "get_home", input = server_fn::codec::Json)]
pub async fn get_home() -> Result<HomeData, AppError> {
    crate::server::catalogue::home(&services()?).await
}
