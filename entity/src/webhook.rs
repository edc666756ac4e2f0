use sea_orm::entity::prelude::*;

/// A partner's subscription to dossier events (G-5, B-m).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// `api_client.id`.
    pub client_id: i32,
    pub url: String,
    /// The signing secret, encrypted with the data key.
    pub secret: String,
    /// Space-separated event types.
    pub events: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
