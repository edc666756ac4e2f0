//! Pure rules and types shared by server and browser (no cfg, compiles to WASM).
pub mod account;
pub mod catalogue;
pub mod form;
pub mod password;
pub mod text;
