//! Schema migrations and reference-data seeding. Migrations run automatically at server start.
pub use sea_orm_migration::prelude::*;

pub mod demo;
mod m20261127_000001_create_catalogue;
mod m20261127_000002_seed_catalogue;
mod m20261127_000003_create_audit_log;
mod m20261127_000004_create_accounts;
mod m20261201_000005_create_dossiers;
mod m20261201_000006_seed_forms;
mod m20261201_000007_create_workflows;
mod m20261201_000008_step_reminders;
mod m20261202_000009_catalogue_changes;
mod m20261202_000010_documents;
mod m20261202_000011_document_types;
mod m20261202_000012_outbox;
mod m20261202_000013_payments;
mod m20261202_000014_sso;
mod m20261203_000015_post;
mod m20261204_000016_api;
mod m20261205_000017_transfer;
mod m20261206_000018_remote_signature;
mod m20261207_000019_refunds;
pub mod seed;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_create_catalogue::Migration),
            Box::new(m20261127_000002_seed_catalogue::Migration),
            Box::new(m20261127_000003_create_audit_log::Migration),
            Box::new(m20261127_000004_create_accounts::Migration),
            Box::new(m20261201_000005_create_dossiers::Migration),
            Box::new(m20261201_000006_seed_forms::Migration),
            Box::new(m20261201_000007_create_workflows::Migration),
            Box::new(m20261201_000008_step_reminders::Migration),
            Box::new(m20261202_000009_catalogue_changes::Migration),
            Box::new(m20261202_000010_documents::Migration),
            Box::new(m20261202_000011_document_types::Migration),
            Box::new(m20261202_000012_outbox::Migration),
            Box::new(m20261202_000013_payments::Migration),
            Box::new(m20261202_000014_sso::Migration),
            Box::new(m20261203_000015_post::Migration),
            Box::new(m20261204_000016_api::Migration),
            Box::new(m20261205_000017_transfer::Migration),
            Box::new(m20261206_000018_remote_signature::Migration),
            Box::new(m20261207_000019_refunds::Migration),
        ]
    }
}
