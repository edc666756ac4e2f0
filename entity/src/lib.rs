//! SeaORM entities for the catalogue (DESIGN.md §4). Generated shape; behaviour lives in `app`.
pub mod admin_area;
pub mod agency;
pub mod audit_log;
pub mod field;
pub mod holiday;
pub mod procedure;
pub mod procedure_version;
