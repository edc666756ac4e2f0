use sea_orm::entity::prelude::*;

/// An account: citizen, organisation or officer (S-ACC). Times are Unix seconds.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_account")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub kind: String,
    #[sea_orm(unique)]
    pub email: String,
    pub email_verified_at: Option<i64>,
    pub full_name: String,
    pub phone: Option<String>,
    pub citizen_id_enc: Option<String>,
    #[sea_orm(unique)]
    pub citizen_id_index: Option<String>,
    pub password_hash: String,
    pub password_changed_at: i64,
    pub must_change_password: bool,
    pub totp_secret_enc: Option<String>,
    pub totp_enabled_at: Option<i64>,
    pub totp_last_step: Option<i64>,
    pub failed_logins: i32,
    pub first_failed_at: Option<i64>,
    pub locked_until: Option<i64>,
    pub disabled_at: Option<i64>,
    pub disabled_reason: Option<String>,
    pub last_login_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
