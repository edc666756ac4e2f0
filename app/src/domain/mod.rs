//! Pure rules and types shared by server and browser (no cfg, compiles to WASM).
pub mod account;
pub mod calendar;
pub mod catalogue;
pub mod dossier;
pub mod editor;
pub mod eform;
pub mod form;
pub mod integration;
pub mod password;
pub mod reconcile;
pub mod report;
pub mod shared;
pub mod text;
pub mod workflow;
