use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Dossier and document management (B-đ):
/// - `dossier_file.version`, `superseded_at`: once a dossier has been submitted its files are
///   never deleted; a replaced file is kept as an earlier version, so the record shows what
///   the agency received and when (Decree 45/2020 art. 11: the electronic dossier is kept
///   whole).
/// - `dossier_file.digitised`: the file is a scan of a paper the applicant brought to the
///   counter, made by the officer (Decree 107/2021 amending Decree 61/2018: digitising dossiers
///   received on paper).
/// - `dossier.archived_at`, `archived_by`, `retain_until`: a finished dossier handed to the
///   archive and how long it must be kept (Law on Archives; Circular 10/2022/TT-BNV on retention
///   periods). `retain_until` is an ISO date; archived with no date means permanently.
/// - `procedure_version.retention_years`: the retention period the procedure's dossiers get,
///   0 for permanent; 10 years by default.
///
/// One column per statement: SQLite alters one column at a time.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let cols: [(&str, ColumnDef); 7] = [
            (
                "dossier_file",
                ColumnDef::new(Alias::new("version"))
                    .integer()
                    .not_null()
                    .default(1)
                    .to_owned(),
            ),
            (
                "dossier_file",
                ColumnDef::new(Alias::new("superseded_at"))
                    .big_integer()
                    .null()
                    .to_owned(),
            ),
            (
                "dossier_file",
                ColumnDef::new(Alias::new("digitised"))
                    .boolean()
                    .not_null()
                    .default(false)
                    .to_owned(),
            ),
            (
                "dossier",
                ColumnDef::new(Alias::new("archived_at"))
                    .big_integer()
                    .null()
                    .to_owned(),
            ),
            (
                "dossier",
                ColumnDef::new(Alias::new("archived_by"))
                    .integer()
                    .null()
                    .to_owned(),
            ),
            (
                "dossier",
                ColumnDef::new(Alias::new("retain_until"))
                    .string_len(10)
                    .null()
                    .to_owned(),
            ),
            (
                "procedure_version",
                ColumnDef::new(Alias::new("retention_years"))
                    .integer()
                    .not_null()
                    .default(10)
                    .to_owned(),
            ),
        ];
        for (table, mut col) in cols {
            m.alter_table(
                Table::alter()
                    .table(Alias::new(table))
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(
            Index::create()
                .name("idx_dossier_archived")
                .table(Alias::new("dossier"))
                .col(Alias::new("archived_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_dossier_archived")
                .table(Alias::new("dossier"))
                .to_owned(),
        )
        .await?;
        for (table, col) in [
            ("procedure_version", "retention_years"),
            ("dossier", "retain_until"),
            ("dossier", "archived_by"),
            ("dossier", "archived_at"),
            ("dossier_file", "digitised"),
            ("dossier_file", "superseded_at"),
            ("dossier_file", "version"),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new(table))
                    .drop_column(Alias::new(col))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
