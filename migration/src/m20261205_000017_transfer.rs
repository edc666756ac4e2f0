use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Inter-agency transfer (liên thông, B-m): a dossier sent from this instance to another
/// agency's instance of the system, and what came back.
/// - `peer` is the name of the configured peer it went to; `partner` is the client id that
///   peer uses to call this instance, copied at sending so that only that peer may answer
///   even if the configuration changes later.
/// - `outcome_key` is the answering peer's event id: the same answer delivered twice is
///   taken once.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let text = |n: &str| ColumnDef::new(Alias::new(n)).string().not_null().to_owned();
        let opt_text = |n: &str| ColumnDef::new(Alias::new(n)).string().null().to_owned();
        let int = |n: &str| {
            ColumnDef::new(Alias::new(n))
                .integer()
                .not_null()
                .to_owned()
        };
        let opt_int = |n: &str| ColumnDef::new(Alias::new(n)).integer().null().to_owned();
        let opt_time = |n: &str| {
            ColumnDef::new(Alias::new(n))
                .big_integer()
                .null()
                .to_owned()
        };
        m.create_table(
            Table::create()
                .table(Alias::new("transfer"))
                .if_not_exists()
                .col(
                    ColumnDef::new(Alias::new("id"))
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(int("dossier_id"))
                .col(text("peer"))
                .col(text("partner"))
                .col(text("remote_unit"))
                .col(opt_text("note"))
                .col(opt_int("sent_by"))
                .col(
                    ColumnDef::new(Alias::new("sent_at"))
                        .big_integer()
                        .not_null(),
                )
                .col(opt_time("delivered_at"))
                .col(opt_text("outcome_key"))
                .col(opt_int("outcome_status"))
                .col(opt_text("outcome_note"))
                .col(opt_time("outcome_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_transfer_dossier")
                .table(Alias::new("transfer"))
                .col(Alias::new("dossier_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("transfer")).to_owned())
            .await
    }
}
