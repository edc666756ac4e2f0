use sea_orm::entity::prelude::*;

/// A published workflow version (B-b): `definition` is the JSON of `app::domain::workflow::
/// Workflow`. Rows are never updated; editing publishes a new version.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workflow")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub code: String,
    pub version: i32,
    pub name_vi: String,
    pub name_en: String,
    pub definition: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
