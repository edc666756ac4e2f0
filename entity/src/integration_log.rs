use sea_orm::entity::prelude::*;

/// One message exchanged with another system (EMC-2), personal data masked.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "integration_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: i64,
    /// npsp, …
    pub system: String,
    /// out | in
    pub direction: String,
    pub operation: String,
    /// What it is about, usually a dossier code.
    pub subject: Option<String>,
    pub ok: bool,
    pub http_status: Option<i32>,
    pub duration_ms: i32,
    pub request: String,
    pub response: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
