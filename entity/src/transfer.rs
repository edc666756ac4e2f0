use sea_orm::entity::prelude::*;

/// A dossier sent to another agency's instance (liên thông, B-m) and the answer it got.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "transfer")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub dossier_id: i32,
    /// The configured peer's name.
    pub peer: String,
    /// The client id the peer calls this instance with; only it may answer.
    pub partner: String,
    /// The receiving unit's code at the peer.
    pub remote_unit: String,
    pub note: Option<String>,
    pub sent_by: Option<i32>,
    pub sent_at: i64,
    /// When the peer took the dossier.
    pub delivered_at: Option<i64>,
    pub outcome_key: Option<String>,
    /// The national status code the peer ended with: 9 processed, 3 refused, 8 stopped.
    pub outcome_status: Option<i32>,
    pub outcome_note: Option<String>,
    pub outcome_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
