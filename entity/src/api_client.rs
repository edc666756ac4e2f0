use sea_orm::entity::prelude::*;

/// A partner system allowed to call the public API (G-3); see migration 16.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_client")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub client_id: String,
    /// SHA-256 (hex) of the secret, which is shown once.
    pub secret_hash: String,
    pub name: String,
    /// Space-separated scopes.
    pub scopes: String,
    /// Limits the client to dossiers of this unit and the units under it.
    pub agency_id: Option<i32>,
    pub rate_per_minute: i32,
    pub created_by: Option<i32>,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
