use sea_orm::entity::prelude::*;

/// Immutable content of one version of a procedure. JSON columns are stored as text so the
/// same schema runs on SQLite and PostgreSQL.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "procedure_version")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub procedure_id: i32,
    pub version: i32,
    pub decision: Option<String>,
    pub kind: Option<String>,
    pub level_text: Option<String>,
    pub audience: Option<String>,
    pub implementing_agency: Option<String>,
    pub competent_agency: Option<String>,
    pub delegated_agency: Option<String>,
    pub coordinating_agency: Option<String>,
    pub address: Option<String>,
    pub steps: String,
    pub channels: String,
    pub documents: String,
    pub legal_basis: String,
    pub conditions: Option<String>,
    pub result_name: Option<String>,
    pub result_code: Option<String>,
    pub related: Option<String>,
    pub form_schema: String,
    /// Shortest time limit in working days across channels, where the source gives one.
    pub time_limit_days: Option<i32>,
    /// The published workflow version new dossiers of this procedure follow (B-a).
    pub workflow_id: Option<i32>,
    pub fee_free: Option<bool>,
    /// Years the procedure's finished dossiers are kept in the archive; 0: permanently (B-đ).
    pub retention_years: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
