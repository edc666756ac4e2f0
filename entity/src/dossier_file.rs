use sea_orm::entity::prelude::*;

/// A file attached to a dossier; the bytes live in the content-addressed store under `sha256`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dossier_file")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub dossier_id: i32,
    pub slot: String,
    /// input | result | message
    pub kind: String,
    pub message_id: Option<i32>,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: Option<i32>,
    pub created_at: i64,
    /// Submission round: 1 with the application, 2 with the first supplement, … (B-đ).
    pub version: i32,
    /// Set when a later version replaced this file; it is then history, not part of the dossier.
    pub superseded_at: Option<i64>,
    /// Scanned from the applicant's paper by an officer at the counter (B-đ).
    pub digitised: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
