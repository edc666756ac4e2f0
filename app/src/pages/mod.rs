#[cfg(feature = "ssr")]
pub mod account;
#[cfg(feature = "ssr")]
pub mod archive;
pub mod catalogue;
#[cfg(feature = "ssr")]
pub mod dossier;
#[cfg(feature = "ssr")]
pub mod editor;
pub mod home;
pub mod info;
#[cfg(feature = "ssr")]
pub mod integrations;
pub mod not_found;
#[cfg(feature = "ssr")]
pub mod post;
pub mod procedure;
#[cfg(feature = "ssr")]
pub mod reconcile;
#[cfg(feature = "ssr")]
pub mod work;

use leptos::prelude::*;

use crate::error::AppError;
use crate::use_lang;

/// Sets the HTTP status of the server-rendered response (404 for missing content).
pub fn set_status(_code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(r), Ok(s)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(_code),
    ) {
        r.set_status(s);
    }
}

/// A failed load, explained to the user with what to do next.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let lang = use_lang();
    set_status(match error {
        AppError::NotFound => 404,
        AppError::Validation(_) => 400,
        AppError::Unauthorized => 401,
        AppError::Forbidden => 403,
        AppError::RateLimited => 429,
        AppError::Conflict => 409,
        _ => 500,
    });
    view! {
        <div role="alert" class="rounded border border-red-300 bg-red-50 p-4 text-red-900">
            {error.message(lang)}
        </div>
    }
}
