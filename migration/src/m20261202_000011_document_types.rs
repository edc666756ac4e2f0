use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The shared catalogue of document types (B-e: "danh mục giấy tờ"): the papers procedures ask
/// for and the results they issue, under the national codes (KQ.G01.…) the National Public
/// Service Portal publishes. Seeded with every result code the procedure catalogue names, each
/// under the first name it is given there; administrators edit it by CSV import.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("document_type"))
                .if_not_exists()
                .col(
                    ColumnDef::new(Alias::new("code"))
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Alias::new("name")).text().not_null())
                .col(ColumnDef::new(Alias::new("issuer")).text().null())
                .to_owned(),
        )
        .await?;
        // MIN picks one name deterministically where a code is named twice in the catalogue.
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO document_type (code, name) \
                 SELECT result_code, MIN(result_name) FROM procedure_version \
                 WHERE result_code IS NOT NULL AND result_code <> '' \
                   AND result_name IS NOT NULL AND result_name <> '' \
                 GROUP BY result_code",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("document_type")).to_owned())
            .await
    }
}
