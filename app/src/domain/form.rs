//! What a plain HTML form post hands back to its page when it has to be shown again: the
//! errors, the user's input (never passwords) and one-time results. Works without JavaScript.
use serde::{Deserialize, Serialize};

use crate::error::{AppError, FieldError};
use crate::i18n::Lang;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormEcho {
    pub errors: Vec<FieldError>,
    /// A message for the whole form (rate limits, refusals, internal errors).
    pub general: Option<(String, String)>,
    pub values: Vec<(String, String)>,
    /// The post succeeded and `extra` carries what to show once (recovery codes, an initial
    /// password).
    pub done: bool,
    pub extra: Vec<String>,
}

impl FormEcho {
    pub fn from_error(err: AppError, values: Vec<(String, String)>) -> Self {
        let (errors, general) = match err {
            AppError::Validation(errs) => {
                let (form, fields): (Vec<_>, Vec<_>) = errs
                    .into_iter()
                    .partition(|e| e.field == "form" || e.field == "token");
                (
                    fields,
                    form.into_iter()
                        .next()
                        .map(|e| (e.message_vi, e.message_en)),
                )
            }
            other => (
                vec![],
                Some((other.message(Lang::Vi), other.message(Lang::En))),
            ),
        };
        Self {
            errors,
            general,
            values,
            ..Default::default()
        }
    }

    pub fn value(&self, name: &str) -> String {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn error(&self, name: &str, lang: Lang) -> Option<String> {
        self.errors
            .iter()
            .filter(|e| e.field == name)
            .map(|e| match lang {
                Lang::Vi => e.message_vi.clone(),
                Lang::En => e.message_en.clone(),
            })
            .reduce(|a, b| format!("{a} {b}"))
    }

    pub fn general(&self, lang: Lang) -> Option<String> {
        self.general.as_ref().map(|(vi, en)| match lang {
            Lang::Vi => vi.clone(),
            Lang::En => en.clone(),
        })
    }
}
