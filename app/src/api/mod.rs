//! Server functions: public endpoints, each a few lines that call a service.
pub mod account;
pub mod catalogue;
pub mod dossier;
pub mod editor;
