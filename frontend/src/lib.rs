//! WASM entry points: hydration of the public pages, and the e-form checks (P-3.3) that run the
//! very same `app::domain::eform` rules as the server, for instant feedback on form pages.
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::hydrate_app();
}

/// Validates the form values (`[[name, value], …]` as JSON, in form order) against the schema
/// (JSON) as of `today` (`YYYY-MM-DD`, Vietnam time, given by the server). Returns the problems
/// as JSON `[{field, message_vi, message_en}, …]`; an unreadable input yields `[]`, leaving the
/// authoritative check to the server.
#[wasm_bindgen]
pub fn validate_form(schema: &str, values: &str, today: &str) -> String {
    use app::domain::calendar::Day;
    use app::domain::eform::FormSchema;
    let (Ok(schema), Ok(pairs), Some(today)) = (
        FormSchema::parse(schema),
        serde_json::from_str::<Vec<(String, String)>>(values),
        Day::parse_iso(today),
    ) else {
        return "[]".into();
    };
    let values = schema.clean(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    serde_json::to_string(&schema.validate(&values, today)).unwrap_or_else(|_| "[]".into())
}
