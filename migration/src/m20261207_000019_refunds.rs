use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Payments (P-3.6), second part:
/// - **Refunds.** A fee paid for a dossier the agency then refused, stopped or let the
///   applicant withdraw, or paid twice, is paid back through the gateway. The refund lives on
///   its payment (one full refund per payment, see `payment::refund`): `refund_status`
///   requested (queued to the gateway) | refunded | failed; who asked and why, when, the
///   gateway's refund transaction and its last word.
/// - **Payments without a local payer.** A dossier filed on the National Public Service
///   Portal has no account here, yet its fee is billed to the NPSP and paid there
///   (`dptracuuthanhtoanhs`): `payer_id` becomes optional.
///
/// PostgreSQL alters the table in place. SQLite can neither drop NOT NULL nor add several
/// columns in one statement, so there the table is rebuilt with the same rows.
const REFUND_COLUMNS: [(&str, Kind); 7] = [
    ("refund_status", Kind::Text),
    ("refund_reason", Kind::Text),
    ("refund_by", Kind::Int),
    ("refund_requested_at", Kind::Time),
    ("refunded_at", Kind::Time),
    ("refund_txn", Kind::Text),
    ("refund_message", Kind::Text),
];

/// The columns the table had before, in order.
const OLD_COLUMNS: &str = "id, dossier_id, payer_id, gateway, txn_ref, amount, status, \
    created_at, settled_at, response_code, gateway_txn, bank_code, pay_date";

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Int,
    Time,
}

fn column(name: &str, kind: Kind) -> ColumnDef {
    let mut c = ColumnDef::new(Alias::new(name));
    match kind {
        Kind::Text => c.string(),
        Kind::Int => c.integer(),
        Kind::Time => c.big_integer(),
    };
    c.null().to_owned()
}

/// The payment table as it is after this migration, under `name`.
fn table(name: &str) -> TableCreateStatement {
    let t = Alias::new(name);
    let mut def = Table::create();
    def.table(t.clone())
        .col(
            ColumnDef::new(Alias::new("id"))
                .integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(
            ColumnDef::new(Alias::new("dossier_id"))
                .integer()
                .not_null(),
        )
        .col(ColumnDef::new(Alias::new("payer_id")).integer().null())
        .col(ColumnDef::new(Alias::new("gateway")).string().not_null())
        .col(
            ColumnDef::new(Alias::new("txn_ref"))
                .string()
                .not_null()
                .unique_key(),
        )
        .col(
            ColumnDef::new(Alias::new("amount"))
                .big_integer()
                .not_null(),
        )
        .col(ColumnDef::new(Alias::new("status")).string().not_null())
        .col(
            ColumnDef::new(Alias::new("created_at"))
                .big_integer()
                .not_null(),
        )
        .col(
            ColumnDef::new(Alias::new("settled_at"))
                .big_integer()
                .null(),
        )
        .col(ColumnDef::new(Alias::new("response_code")).string().null())
        .col(ColumnDef::new(Alias::new("gateway_txn")).string().null())
        .col(ColumnDef::new(Alias::new("bank_code")).string().null())
        .col(ColumnDef::new(Alias::new("pay_date")).string().null());
    for (n, k) in REFUND_COLUMNS {
        def.col(column(n, k));
    }
    def.foreign_key(
        ForeignKey::create()
            .from(t, Alias::new("dossier_id"))
            .to(Alias::new("dossier"), Alias::new("id")),
    );
    def.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Sqlite {
            // One string, so one connection and one transaction: statements spread over the
            // pool's connections saw the dropped table still there, and a failure half-way
            // must leave the old table whole.
            let create = table("payment_rebuilt").to_string(SqliteQueryBuilder);
            return db
                .execute_unprepared(&format!(
                    "BEGIN IMMEDIATE; {create}; \
                     INSERT INTO payment_rebuilt ({OLD_COLUMNS}) SELECT {OLD_COLUMNS} FROM payment; \
                     DROP TABLE payment; \
                     ALTER TABLE payment_rebuilt RENAME TO payment; \
                     CREATE INDEX idx_payment_dossier ON payment (dossier_id); \
                     COMMIT;"
                ))
                .await
                .map(|_| ());
        }
        db.execute_unprepared("ALTER TABLE payment ALTER COLUMN payer_id DROP NOT NULL")
            .await?;
        for (name, kind) in REFUND_COLUMNS {
            m.alter_table(
                Table::alter()
                    .table(Alias::new("payment"))
                    .add_column(column(name, kind))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Rows without a payer cannot go back to a NOT NULL column; the refund columns go.
        for (name, _) in REFUND_COLUMNS.iter().rev() {
            m.alter_table(
                Table::alter()
                    .table(Alias::new("payment"))
                    .drop_column(Alias::new(*name))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
