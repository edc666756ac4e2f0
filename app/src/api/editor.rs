//! Server functions of catalogue management (B-a, B-e); each authorises inside the service.
use leptos::prelude::*;

use crate::domain::editor::{EditorList, EditorView, HolidayView};
use crate::error::AppError;

#[cfg(feature = "ssr")]
fn services() -> Result<crate::server::Services, AppError> {
    use_context::<crate::server::Services>()
        .ok_or_else(|| crate::error::internal("services missing from context"))
}

#[server(prefix = "/api", endpoint = "editor_list", input = server_fn::codec::Json)]
pub async fn get_editor_list(q: String) -> Result<EditorList, AppError> {
    let p = crate::server::auth::require_user()?;
    crate::server::editor::list(&services()?, &p, &q).await
}

#[server(prefix = "/api", endpoint = "editor_view", input = server_fn::codec::Json)]
pub async fn get_editor_view(code: String) -> Result<EditorView, AppError> {
    let p = crate::server::auth::require_user()?;
    crate::server::editor::editor(&services()?, &p, &code).await
}

#[server(prefix = "/api", endpoint = "holiday_view", input = server_fn::codec::Json)]
pub async fn get_holiday_view(year: i32) -> Result<HolidayView, AppError> {
    let p = crate::server::auth::require_user()?;
    crate::server::editor::holidays(&services()?, &p, year).await
}

/// The outbox and the integration log (B-m, EMC-2), the log filtered by subject `q`.
#[server(prefix = "/api", endpoint = "integrations", input = server_fn::codec::Json)]
pub async fn get_integrations(
    q: String,
) -> Result<crate::domain::integration::OutboxView, AppError> {
    let p = crate::server::auth::require_user()?;
    crate::server::outbox::view(&services()?, &p, &q).await
}

/// A page of a shared catalogue (B-e) matching `q`; `slug` names the catalogue.
#[server(prefix = "/api", endpoint = "shared_list", input = server_fn::codec::Json)]
pub async fn get_shared_list(
    slug: String,
    q: String,
) -> Result<crate::domain::shared::SharedList, AppError> {
    let p = crate::server::auth::require_user()?;
    let cat = crate::domain::shared::SharedCatalogue::parse(&slug).ok_or(AppError::NotFound)?;
    crate::server::shared::list(&services()?, &p, cat, &q, Some(crate::server::shared::PAGE)).await
}
