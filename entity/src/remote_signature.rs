use sea_orm::entity::prelude::*;

/// A PDF being signed, or signed, through a remote-signing CA (P-4).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "remote_signature")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub dossier_id: i32,
    /// input (an applicant's file) | result (an officer's result before it is filed)
    pub purpose: String,
    /// The dossier file being signed (0 for a result).
    pub file_id: i32,
    /// A result's unsigned bytes in the blob store, and its file name.
    pub source_sha: Option<String>,
    pub file_name: Option<String>,
    /// Who asked: the dossier's applicant, or the officer attaching the result.
    pub user_id: i32,
    /// The CA's transaction id.
    pub transaction_id: String,
    /// waiting | signed | refused | expired | failed
    pub state: String,
    /// Hex SHA-256 of the signed attributes sent to be signed.
    pub digest: String,
    /// Base64 DER certificates, signer first, comma-separated.
    pub chain: String,
    /// The signing time written in the PDF (unix seconds).
    pub signed_at: i64,
    pub name: String,
    pub reason: String,
    pub location: String,
    pub created_at: i64,
    /// After this the CA no longer accepts the confirmation.
    pub expires_at: i64,
    pub done_at: Option<i64>,
    /// The file the signed copy became.
    pub signed_file_id: Option<i32>,
    /// Why it did not complete, as the CA said it.
    pub message: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
