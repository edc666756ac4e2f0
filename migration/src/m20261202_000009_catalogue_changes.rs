use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One row per change to the shared catalogue (B-a, B-e): a procedure version published, a
/// procedure created, a holiday list imported. Written in the change's own transaction, it is
/// both the change history shown to administrators and the stamp every instance compares to
/// know when to rebuild its in-memory catalogue, search index and calendar.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("catalogue_change"))
                .if_not_exists()
                .col(
                    ColumnDef::new(Alias::new("id"))
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(Alias::new("at")).big_integer().not_null())
                .col(ColumnDef::new(Alias::new("actor_id")).integer().null())
                .col(ColumnDef::new(Alias::new("kind")).string().not_null())
                .col(ColumnDef::new(Alias::new("subject")).string().not_null())
                .col(ColumnDef::new(Alias::new("summary")).text().not_null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(
            Table::drop()
                .table(Alias::new("catalogue_change"))
                .to_owned(),
        )
        .await
    }
}
