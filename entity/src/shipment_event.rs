use sea_orm::entity::prelude::*;

/// A tracking report from the post (P-3.5), kept once per (shipment, code, at).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shipment_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub shipment_id: i32,
    pub code: i32,
    pub note: Option<String>,
    /// When the post says it happened.
    pub at: i64,
    pub received_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
