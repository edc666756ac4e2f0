use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The public API (G-3, G-5, B-m):
/// - `api_client`: a partner system allowed to call `/api/v1`. `client_id` is public;
///   `secret_hash` is the SHA-256 of the secret, which is shown once and never stored (the
///   secret is 32 random bytes, so a plain hash is as strong as a slow one). `scopes` is a
///   space-separated list; `agency_id`, when set, limits the client to dossiers of that unit
///   and the units under it. `rate_per_minute` caps its calls. A disabled client keeps its row
///   for the audit trail.
/// - `api_token`: a bearer token from the client-credentials grant, stored as its SHA-256.
/// - `webhook`: a client's subscription: dossier events are POSTed to `url`, signed with
///   `secret` (kept encrypted with the data key, since the portal must use it to sign).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let text = |n: &str| ColumnDef::new(Alias::new(n)).string().not_null().to_owned();
        let int = |n: &str| {
            ColumnDef::new(Alias::new(n))
                .integer()
                .not_null()
                .to_owned()
        };
        let opt_int = |n: &str| ColumnDef::new(Alias::new(n)).integer().null().to_owned();
        let time = |n: &str| {
            ColumnDef::new(Alias::new(n))
                .big_integer()
                .not_null()
                .to_owned()
        };
        let id = || {
            ColumnDef::new(Alias::new("id"))
                .integer()
                .not_null()
                .auto_increment()
                .primary_key()
                .to_owned()
        };
        m.create_table(
            Table::create()
                .table(Alias::new("api_client"))
                .if_not_exists()
                .col(id())
                .col(text("client_id"))
                .col(text("secret_hash"))
                .col(text("name"))
                .col(text("scopes"))
                .col(opt_int("agency_id"))
                .col(int("rate_per_minute"))
                .col(opt_int("created_by"))
                .col(time("created_at"))
                .col(
                    ColumnDef::new(Alias::new("disabled_at"))
                        .big_integer()
                        .null()
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_api_client_client_id")
                .table(Alias::new("api_client"))
                .col(Alias::new("client_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("api_token"))
                .if_not_exists()
                .col(id())
                .col(text("token_hash"))
                .col(int("client_id"))
                .col(text("scopes"))
                .col(time("expires_at"))
                .col(time("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_api_token_hash")
                .table(Alias::new("api_token"))
                .col(Alias::new("token_hash"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("webhook"))
                .if_not_exists()
                .col(id())
                .col(int("client_id"))
                .col(text("url"))
                .col(text("secret"))
                .col(text("events"))
                .col(time("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhook_client")
                .table(Alias::new("webhook"))
                .col(Alias::new("client_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["webhook", "api_token", "api_client"] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned())
                .await?;
        }
        Ok(())
    }
}
