use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Integrations (B-m, EMC-2):
/// - `outbox_message`: the transactional outbox. A message is written in the same transaction
///   as the state change it reports, so a committed change is never lost and a rolled-back one
///   never sent. `key` is unique: the same event is queued once. A worker claims due messages
///   with a lease (`locked_until`), delivers at least once with exponential backoff, and after
///   the last attempt marks the message `dead` for an administrator to retry.
/// - `integration_log`: every message sent to or received from another system, kept at least
///   one year (EMC-2), personal data masked.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
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
                .table(Alias::new("outbox_message"))
                .if_not_exists()
                .col(id())
                .col(ColumnDef::new(Alias::new("topic")).string().not_null())
                .col(
                    ColumnDef::new(Alias::new("key"))
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Alias::new("payload")).text().not_null())
                .col(ColumnDef::new(Alias::new("status")).string().not_null())
                .col(ColumnDef::new(Alias::new("attempts")).integer().not_null())
                .col(
                    ColumnDef::new(Alias::new("next_at"))
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Alias::new("locked_until"))
                        .big_integer()
                        .null(),
                )
                .col(ColumnDef::new(Alias::new("last_error")).text().null())
                .col(
                    ColumnDef::new(Alias::new("created_at"))
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Alias::new("delivered_at"))
                        .big_integer()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_outbox_due")
                .table(Alias::new("outbox_message"))
                .col(Alias::new("status"))
                .col(Alias::new("next_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("integration_log"))
                .if_not_exists()
                .col(id())
                .col(ColumnDef::new(Alias::new("at")).big_integer().not_null())
                .col(ColumnDef::new(Alias::new("system")).string().not_null())
                .col(ColumnDef::new(Alias::new("direction")).string().not_null())
                .col(ColumnDef::new(Alias::new("operation")).string().not_null())
                .col(ColumnDef::new(Alias::new("subject")).string().null())
                .col(ColumnDef::new(Alias::new("ok")).boolean().not_null())
                .col(ColumnDef::new(Alias::new("http_status")).integer().null())
                .col(
                    ColumnDef::new(Alias::new("duration_ms"))
                        .integer()
                        .not_null(),
                )
                .col(ColumnDef::new(Alias::new("request")).text().not_null())
                .col(ColumnDef::new(Alias::new("response")).text().not_null())
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_integration_log_at", "at"),
            ("idx_integration_log_subject", "subject"),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Alias::new("integration_log"))
                    .col(Alias::new(col))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["integration_log", "outbox_message"] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned())
                .await?;
        }
        Ok(())
    }
}
