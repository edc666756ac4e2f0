use sea_orm::entity::prelude::*;

/// A message waiting to be delivered to another system, or delivered, or given up (B-m).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_message")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub topic: String,
    /// Unique: the same event is queued once.
    pub key: String,
    pub payload: String,
    /// pending | delivered | dead
    pub status: String,
    pub attempts: i32,
    pub next_at: i64,
    pub locked_until: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
