use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    Actor,
    Action,
    ObjectType,
    ObjectId,
    Ip,
    UserAgent,
    Detail,
    PrevHash,
    Hash,
}

/// P-10.3, S-1: the audit log is append-only. The database itself refuses UPDATE and DELETE, so
/// a bug or a compromised application account cannot rewrite history; the hash chain makes any
/// change made around the triggers detectable.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(pk_auto(AuditLog::Id))
                .col(string(AuditLog::At))
                .col(string_null(AuditLog::Actor))
                .col(string(AuditLog::Action))
                .col(string_null(AuditLog::ObjectType))
                .col(string_null(AuditLog::ObjectId))
                .col(string_null(AuditLog::Ip))
                .col(text_null(AuditLog::UserAgent))
                .col(text(AuditLog::Detail))
                .col(string(AuditLog::PrevHash))
                .col(string(AuditLog::Hash).unique_key())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_log_action_at")
                .table(AuditLog::Table)
                .col(AuditLog::Action)
                .col(AuditLog::At)
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        match m.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$ \
                     BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log \
                     FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
                )
                .await?;
            }
            _ => {
                for (name, op) in [
                    ("audit_log_no_update", "UPDATE"),
                    ("audit_log_no_delete", "DELETE"),
                ] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {name} BEFORE {op} ON audit_log \
                         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE")
                .await?;
        }
        m.drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await
    }
}
