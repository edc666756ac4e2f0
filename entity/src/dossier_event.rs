use sea_orm::entity::prelude::*;

/// Append-only history of a dossier: who did what, when, from which status to which.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dossier_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub dossier_id: i32,
    pub at: i64,
    pub actor_id: Option<i32>,
    pub action: String,
    pub from_status: Option<i32>,
    pub to_status: Option<i32>,
    pub note: Option<String>,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    /// The unit holding the dossier when the event happened.
    pub unit_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
