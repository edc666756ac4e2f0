use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Online payment of fees (P-3.6):
/// - `dossier.fee_due`: what the agency asked the applicant to pay (đồng) with the payment
///   request (status 6).
/// - `payment`: one attempt to pay through a gateway. `txn_ref` is the order reference the
///   gateway echoes back (unique); `status` goes pending → paid or failed exactly once, by
///   the gateway's server-to-server notification (IPN) after its signature and amount are
///   checked.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("dossier"))
                .add_column(ColumnDef::new(Alias::new("fee_due")).big_integer().null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("payment"))
                .if_not_exists()
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
                .col(ColumnDef::new(Alias::new("payer_id")).integer().not_null())
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
                .col(ColumnDef::new(Alias::new("pay_date")).string().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(Alias::new("payment"), Alias::new("dossier_id"))
                        .to(Alias::new("dossier"), Alias::new("id")),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_payment_dossier")
                .table(Alias::new("payment"))
                .col(Alias::new("dossier_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("payment")).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("dossier"))
                .drop_column(Alias::new("fee_due"))
                .to_owned(),
        )
        .await
    }
}
