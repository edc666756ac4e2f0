//! The one client-safe error type (STYLE.md). Internal details are logged on the server with a
//! reference the user can quote; they never reach the browser.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("unauthorized")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("conflict")]
    Conflict,
    #[error("rate limited")]
    RateLimited,
    #[error("internal error {reference}")]
    Internal { reference: String },
    /// The request could not reach the server or its answer could not be read.
    #[error("transport error")]
    Transport,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message_vi: String,
    pub message_en: String,
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(_value: ServerFnErrorErr) -> Self {
        AppError::Transport
    }
}

impl AppError {
    /// What the user reads, in their language, with what to do next.
    pub fn message(&self, lang: Lang) -> String {
        let vi = lang == Lang::Vi;
        match self {
            Self::NotFound => pick(
                vi,
                "Không tìm thấy nội dung bạn yêu cầu.",
                "The requested content was not found.",
            ),
            Self::Validation(errs) => errs
                .iter()
                .map(|e| {
                    if vi {
                        e.message_vi.clone()
                    } else {
                        e.message_en.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" "),
            Self::Unauthorized => pick(
                vi,
                "Vui lòng đăng nhập để tiếp tục.",
                "Please log in to continue.",
            ),
            Self::Forbidden => pick(
                vi,
                "Bạn không có quyền thực hiện thao tác này.",
                "You are not allowed to do this.",
            ),
            Self::Conflict => pick(
                vi,
                "Dữ liệu đã thay đổi, vui lòng tải lại trang.",
                "The data changed; please reload the page.",
            ),
            Self::RateLimited => pick(
                vi,
                "Bạn thao tác quá nhanh, vui lòng thử lại sau ít phút.",
                "Too many requests; please try again in a few minutes.",
            ),
            Self::Internal { reference } => format!(
                "{} {reference}",
                pick(
                    vi,
                    "Hệ thống gặp sự cố, vui lòng thử lại. Mã tham chiếu:",
                    "Something went wrong; please try again. Reference:"
                )
            ),
            Self::Transport => pick(
                vi,
                "Không kết nối được máy chủ, vui lòng thử lại.",
                "Could not reach the server; please try again.",
            ),
        }
    }
}

fn pick(vi: bool, a: &str, b: &str) -> String {
    if vi { a } else { b }.to_owned()
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        internal(e)
    }
}

/// Logs an internal failure and returns an opaque reference for the user to quote.
#[cfg(feature = "ssr")]
pub fn internal(e: impl std::fmt::Display) -> AppError {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    let reference = format!(
        "E{:x}{:04x}",
        nanos,
        SEQ.fetch_add(1, Ordering::Relaxed) & 0xffff
    );
    tracing::error!(%reference, error = %e, "internal error");
    AppError::Internal { reference }
}
