//! Pure rules and types shared by server and browser (no cfg, compiles to WASM).
pub mod catalogue;
pub mod password;
pub mod text;
