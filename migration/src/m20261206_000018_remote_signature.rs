use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Remote signatures (P-4, spec/protocols.md §3.3): an applicant signing one of their PDFs, or
/// an agency signing a result, with a certificate held by a remote-signing CA, which waits for
/// the signer to confirm on their phone.
/// - `purpose`: `input` (an applicant's file, `file_id`) or `result` (an officer's result not
///   yet in the dossier: its unsigned bytes are the blob `source_sha`, named `file_name`;
///   `file_id` is 0).
/// - `transaction_id` is the CA's; `digest` is the hex SHA-256 that was sent to be signed.
/// - `chain` (base64 DER certificates, signer first, comma-separated), `signed_at`, `name`,
///   `reason` and `location` are what the prepared PDF was built from: preparing is
///   deterministic, so the file is prepared again when the signature arrives instead of being
///   kept while the signer decides.
/// - `state`: waiting | signed | refused | expired | failed; `signed_file_id` is the file the
///   signed copy became.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let text = |n: &str| ColumnDef::new(Alias::new(n)).text().not_null().to_owned();
        let opt_text = |n: &str| ColumnDef::new(Alias::new(n)).text().null().to_owned();
        let int = |n: &str| {
            ColumnDef::new(Alias::new(n))
                .integer()
                .not_null()
                .to_owned()
        };
        let time = |n: &str| {
            ColumnDef::new(Alias::new(n))
                .big_integer()
                .not_null()
                .to_owned()
        };
        m.create_table(
            Table::create()
                .table(Alias::new("remote_signature"))
                .if_not_exists()
                .col(
                    ColumnDef::new(Alias::new("id"))
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(int("dossier_id"))
                .col(
                    ColumnDef::new(Alias::new("purpose"))
                        .text()
                        .not_null()
                        .default("input")
                        .to_owned(),
                )
                .col(int("file_id"))
                .col(opt_text("source_sha"))
                .col(opt_text("file_name"))
                .col(int("user_id"))
                .col(text("transaction_id"))
                .col(text("state"))
                .col(text("digest"))
                .col(text("chain"))
                .col(time("signed_at"))
                .col(text("name"))
                .col(text("reason"))
                .col(text("location"))
                .col(time("created_at"))
                .col(time("expires_at"))
                .col(
                    ColumnDef::new(Alias::new("done_at"))
                        .big_integer()
                        .null()
                        .to_owned(),
                )
                .col(
                    ColumnDef::new(Alias::new("signed_file_id"))
                        .integer()
                        .null()
                        .to_owned(),
                )
                .col(opt_text("message"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_remote_signature_dossier")
                .table(Alias::new("remote_signature"))
                .col(Alias::new("dossier_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(
            Table::drop()
                .table(Alias::new("remote_signature"))
                .to_owned(),
        )
        .await
    }
}
