use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Dossier {
    Table,
    Id,
    Code,
    ProcedureId,
    VersionId,
    AgencyId,
    ApplicantId,
    ApplicantName,
    ApplicantPhone,
    ApplicantIdIndex,
    Channel,
    Status,
    FormData,
    SchemaVersion,
    CreateKey,
    SubmitKey,
    Revision,
    CreatedAt,
    UpdatedAt,
    SubmittedAt,
    DueDate,
    FinishedAt,
    ReturnedAt,
    ExpiresAt,
    RemindedAt,
    SupplementRequest,
}

#[derive(DeriveIden)]
enum DossierEvent {
    Table,
    Id,
    DossierId,
    At,
    ActorId,
    Action,
    FromStatus,
    ToStatus,
    Note,
}

#[derive(DeriveIden)]
enum DossierFile {
    Table,
    Id,
    DossierId,
    Slot,
    Kind,
    MessageId,
    FileName,
    ContentType,
    Size,
    Sha256,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DataStoreItem {
    Table,
    Id,
    OwnerId,
    Title,
    FileName,
    ContentType,
    Size,
    Sha256,
    Source,
    DossierId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DossierMessage {
    Table,
    Id,
    DossierId,
    AuthorId,
    FromOfficer,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Notification {
    Table,
    Id,
    UserId,
    DossierId,
    TextVi,
    TextEn,
    Link,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum DossierRating {
    Table,
    Id,
    DossierId,
    UserId,
    Information,
    Procedure,
    Attitude,
    Timeliness,
    Result,
    Comment,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DossierSequence {
    Table,
    AgencyCode,
    Day,
    Last,
}

#[derive(DeriveIden)]
enum UserAccount {
    Table,
    Id,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

/// P-3.1 … P-3.7, P-5.2, P-7, P-10.2: dossiers with their append-only events, files, messages,
/// ratings, the citizen's data store and the per-agency daily code sequence. Times are Unix
/// seconds; due dates ISO days.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};
        m.create_table(
            Table::create()
                .table(Dossier::Table)
                .col(pk_auto(Dossier::Id))
                // Assigned at submission; drafts have none.
                .col(string_len_null(Dossier::Code, 48).unique_key())
                .col(integer(Dossier::ProcedureId))
                .col(integer(Dossier::VersionId))
                .col(integer(Dossier::AgencyId))
                // Records outlive accounts (archives law): deleting an account keeps its
                // dossiers with the applicant's name as filed.
                .col(integer_null(Dossier::ApplicantId))
                .col(string_len(Dossier::ApplicantName, 200))
                .col(string_len_null(Dossier::ApplicantPhone, 20))
                // Keyed hash of the applicant's ID number for the public lookup (P-5.2).
                .col(string_len_null(Dossier::ApplicantIdIndex, 64))
                .col(string_len(Dossier::Channel, 16))
                .col(integer(Dossier::Status))
                .col(text(Dossier::FormData))
                .col(integer(Dossier::SchemaVersion))
                .col(string_len_null(Dossier::CreateKey, 64))
                .col(string_len_null(Dossier::SubmitKey, 64))
                .col(integer(Dossier::Revision).default(0))
                .col(big_integer(Dossier::CreatedAt))
                .col(big_integer(Dossier::UpdatedAt))
                .col(big_integer_null(Dossier::SubmittedAt))
                .col(string_len_null(Dossier::DueDate, 10))
                .col(big_integer_null(Dossier::FinishedAt))
                .col(big_integer_null(Dossier::ReturnedAt))
                .col(big_integer_null(Dossier::ExpiresAt))
                .col(big_integer_null(Dossier::RemindedAt))
                .col(text_null(Dossier::SupplementRequest))
                .foreign_key(&mut fk(
                    "fk_dossier_applicant",
                    (Dossier::Table, Dossier::ApplicantId),
                    (UserAccount::Table, UserAccount::Id),
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_dossier_applicant")
                .table(Dossier::Table)
                .col(Dossier::ApplicantId)
                .col(Dossier::Status)
                .to_owned(),
        )
        .await?;
        // A double click on "start" creates one draft.
        m.create_index(
            Index::create()
                .name("uq_dossier_create_key")
                .table(Dossier::Table)
                .col(Dossier::ApplicantId)
                .col(Dossier::CreateKey)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_dossier_agency_status")
                .table(Dossier::Table)
                .col(Dossier::AgencyId)
                .col(Dossier::Status)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DossierEvent::Table)
                .col(pk_auto(DossierEvent::Id))
                .col(integer(DossierEvent::DossierId))
                .col(big_integer(DossierEvent::At))
                .col(integer_null(DossierEvent::ActorId))
                .col(string_len(DossierEvent::Action, 40))
                .col(integer_null(DossierEvent::FromStatus))
                .col(integer_null(DossierEvent::ToStatus))
                .col(text_null(DossierEvent::Note))
                .foreign_key(&mut fk(
                    "fk_dossier_event_dossier",
                    (DossierEvent::Table, DossierEvent::DossierId),
                    (Dossier::Table, Dossier::Id),
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_dossier_event_dossier")
                .table(DossierEvent::Table)
                .col(DossierEvent::DossierId)
                .to_owned(),
        )
        .await?;
        // Events are history: the database refuses to change one. Deleting stays possible
        // for drafts (deleted with their events) and expired drafts.
        let db = m.get_connection();
        match m.get_database_backend() {
            sea_orm_migration::sea_orm::DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION dossier_event_no_update() RETURNS trigger AS $$ \
                     BEGIN RAISE EXCEPTION 'dossier_event is append-only'; END; $$ LANGUAGE plpgsql",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER dossier_event_no_update BEFORE UPDATE ON dossier_event \
                     FOR EACH ROW EXECUTE FUNCTION dossier_event_no_update()",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(
                    "CREATE TRIGGER dossier_event_no_update BEFORE UPDATE ON dossier_event \
                     BEGIN SELECT RAISE(ABORT, 'dossier_event is append-only'); END",
                )
                .await?;
            }
        }
        m.create_table(
            Table::create()
                .table(DossierMessage::Table)
                .col(pk_auto(DossierMessage::Id))
                .col(integer(DossierMessage::DossierId))
                .col(integer_null(DossierMessage::AuthorId))
                .col(boolean(DossierMessage::FromOfficer))
                .col(text(DossierMessage::Body))
                .col(big_integer(DossierMessage::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_dossier_message_dossier",
                    (DossierMessage::Table, DossierMessage::DossierId),
                    (Dossier::Table, Dossier::Id),
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DossierFile::Table)
                .col(pk_auto(DossierFile::Id))
                .col(integer(DossierFile::DossierId))
                .col(string_len(DossierFile::Slot, 40))
                // input (applicant's document), result, message (attachment)
                .col(string_len(DossierFile::Kind, 16))
                .col(integer_null(DossierFile::MessageId))
                .col(string_len(DossierFile::FileName, 200))
                .col(string_len(DossierFile::ContentType, 60))
                .col(big_integer(DossierFile::Size))
                .col(string_len(DossierFile::Sha256, 64))
                .col(integer_null(DossierFile::UploadedBy))
                .col(big_integer(DossierFile::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_dossier_file_dossier",
                    (DossierFile::Table, DossierFile::DossierId),
                    (Dossier::Table, Dossier::Id),
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_dossier_file_dossier", DossierFile::DossierId),
            ("idx_dossier_file_sha", DossierFile::Sha256),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(DossierFile::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(DataStoreItem::Table)
                .col(pk_auto(DataStoreItem::Id))
                .col(integer(DataStoreItem::OwnerId))
                .col(string_len(DataStoreItem::Title, 200))
                .col(string_len(DataStoreItem::FileName, 200))
                .col(string_len(DataStoreItem::ContentType, 60))
                .col(big_integer(DataStoreItem::Size))
                .col(string_len(DataStoreItem::Sha256, 64))
                // upload | result
                .col(string_len(DataStoreItem::Source, 16))
                .col(integer_null(DataStoreItem::DossierId))
                .col(big_integer(DataStoreItem::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_data_store_owner",
                    (DataStoreItem::Table, DataStoreItem::OwnerId),
                    (UserAccount::Table, UserAccount::Id),
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_data_store_owner", DataStoreItem::OwnerId),
            ("idx_data_store_sha", DataStoreItem::Sha256),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(DataStoreItem::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(Notification::Table)
                .col(pk_auto(Notification::Id))
                .col(integer(Notification::UserId))
                .col(integer_null(Notification::DossierId))
                .col(text(Notification::TextVi))
                .col(text(Notification::TextEn))
                .col(string_len(Notification::Link, 200))
                .col(big_integer(Notification::CreatedAt))
                .col(big_integer_null(Notification::ReadAt))
                .foreign_key(&mut fk(
                    "fk_notification_user",
                    (Notification::Table, Notification::UserId),
                    (UserAccount::Table, UserAccount::Id),
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notification_user")
                .table(Notification::Table)
                .col(Notification::UserId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DossierRating::Table)
                .col(pk_auto(DossierRating::Id))
                // P-7: one rating per dossier.
                .col(integer(DossierRating::DossierId).unique_key())
                .col(integer_null(DossierRating::UserId))
                .col(small_integer(DossierRating::Information))
                .col(small_integer(DossierRating::Procedure))
                .col(small_integer(DossierRating::Attitude))
                .col(small_integer(DossierRating::Timeliness))
                .col(small_integer(DossierRating::Result))
                .col(text_null(DossierRating::Comment))
                .col(big_integer(DossierRating::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_dossier_rating_dossier",
                    (DossierRating::Table, DossierRating::DossierId),
                    (Dossier::Table, Dossier::Id),
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DossierSequence::Table)
                .col(string_len(DossierSequence::AgencyCode, 40))
                .col(string_len(DossierSequence::Day, 6))
                .col(integer(DossierSequence::Last))
                .primary_key(
                    Index::create()
                        .col(DossierSequence::AgencyCode)
                        .col(DossierSequence::Day),
                )
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS dossier_event_no_update() CASCADE")
                .await?;
        }
        for t in [
            DossierSequence::Table.into_iden(),
            DossierRating::Table.into_iden(),
            Notification::Table.into_iden(),
            DataStoreItem::Table.into_iden(),
            DossierFile::Table.into_iden(),
            DossierMessage::Table.into_iden(),
            DossierEvent::Table.into_iden(),
            Dossier::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
