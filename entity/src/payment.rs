use sea_orm::entity::prelude::*;

/// One attempt to pay a dossier's fee through a gateway (P-3.6).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub dossier_id: i32,
    /// The applicant's account; none for a dossier filed on the NPSP, whose applicant has no
    /// account here (migration 19).
    pub payer_id: Option<i32>,
    /// vnpay, …
    pub gateway: String,
    /// The order reference the gateway echoes back; unique.
    pub txn_ref: String,
    /// Đồng.
    pub amount: i64,
    /// pending | paid | failed
    pub status: String,
    pub created_at: i64,
    pub settled_at: Option<i64>,
    pub response_code: Option<String>,
    pub gateway_txn: Option<String>,
    pub bank_code: Option<String>,
    /// The gateway's payment time, `yyyyMMddHHmmss`.
    pub pay_date: Option<String>,
    /// A refund of this payment (migration 19): requested | refunded | failed.
    pub refund_status: Option<String>,
    pub refund_reason: Option<String>,
    /// The officer who asked for it.
    pub refund_by: Option<i32>,
    pub refund_requested_at: Option<i64>,
    pub refunded_at: Option<i64>,
    /// The gateway's refund transaction.
    pub refund_txn: Option<String>,
    /// The gateway's last word on the refund (why it failed).
    pub refund_message: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
