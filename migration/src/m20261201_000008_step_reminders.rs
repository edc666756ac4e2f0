use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// When the officers of a dossier's current step were reminded that it falls due (B-i, B-l):
/// cleared by every workflow step, so each step is reminded once.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("dossier"))
                .add_column(
                    ColumnDef::new(Alias::new("step_reminded_at"))
                        .big_integer()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        // The hourly sweep looks for steps falling due soon.
        m.create_index(
            Index::create()
                .name("ix_dossier_step_due")
                .table(Alias::new("dossier"))
                .col(Alias::new("step_due_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_dossier_step_due")
                .table(Alias::new("dossier"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("dossier"))
                .drop_column(Alias::new("step_reminded_at"))
                .to_owned(),
        )
        .await
    }
}
