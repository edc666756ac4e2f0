use sea_orm::entity::prelude::*;

/// One postal leg of a dossier (P-3.5): `papers` collected from the applicant, or the
/// `result` delivered to them. See migration 15.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shipment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub dossier_id: i32,
    pub kind: String,
    /// chosen | queued | accepted | collected | in_transit | delivered | failed | returned |
    /// cancelled
    pub status: String,
    pub receiver_name: String,
    pub phone: String,
    pub province_code: String,
    pub commune_code: String,
    pub street: String,
    pub order_number: Option<String>,
    /// The post's tracking number (mã bưu gửi).
    pub item_code: Option<String>,
    pub status_note: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
