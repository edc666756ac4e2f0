use sea_orm::entity::prelude::*;

/// Administrative procedure (thủ tục hành chính) as listed in the catalogue (P-2.2).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "procedure")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub field_id: i32,
    /// Issuing ministry (the agency that published the procedure).
    pub agency_id: i32,
    /// Comma-separated levels: ministry, province, commune, other.
    pub levels: String,
    /// full | partial | offline; None where the source does not say (P-2.1).
    pub service_level: Option<String>,
    pub online: bool,
    pub for_citizen: bool,
    pub for_organisation: bool,
    /// Position among the demo deployment's commonly used procedures; None when not featured.
    pub featured_rank: Option<i32>,
    pub source_url: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
