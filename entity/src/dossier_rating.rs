use sea_orm::entity::prelude::*;

/// The applicant's satisfaction rating of a finished dossier (P-7), scores 1–5.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dossier_rating")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub dossier_id: i32,
    pub user_id: Option<i32>,
    pub information: i16,
    pub procedure: i16,
    pub attitude: i16,
    pub timeliness: i16,
    pub result: i16,
    pub comment: Option<String>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
