use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Single sign-on with the national e-ID (P-1, OpenID Connect):
/// - `external_identity` (created with the accounts, unique by issuer and subject) gets
///   `last_login_at`.
/// - `oidc_login`: a sign-in in progress, by its `state`: the nonce and the PKCE verifier the
///   callback needs, and where to go afterwards. Used once, kept ten minutes at most.
/// - `sso_session`: the ID token of a session opened through a provider, for RP-initiated
///   logout (`id_token_hint`).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let text = |n: &str| ColumnDef::new(Alias::new(n)).string().not_null().to_owned();
        let time = |n: &str| {
            ColumnDef::new(Alias::new(n))
                .big_integer()
                .not_null()
                .to_owned()
        };
        // The table itself came with the accounts (migration 4); sign-ins now date the link.
        m.alter_table(
            Table::alter()
                .table(Alias::new("external_identity"))
                .add_column(
                    ColumnDef::new(Alias::new("last_login_at"))
                        .big_integer()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("oidc_login"))
                .if_not_exists()
                .col(text("state").primary_key())
                .col(text("nonce"))
                .col(text("verifier"))
                .col(ColumnDef::new(Alias::new("next")).string().null())
                .col(time("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("sso_session"))
                .if_not_exists()
                .col(text("session_id").primary_key())
                .col(ColumnDef::new(Alias::new("id_token")).text().not_null())
                .col(time("created_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["sso_session", "oidc_login"] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Alias::new("external_identity"))
                .drop_column(Alias::new("last_login_at"))
                .to_owned(),
        )
        .await
    }
}
