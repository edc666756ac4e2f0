use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The postal channel (P-3.5):
/// - `shipment`: one postal leg of a dossier. `kind` is `papers` (the post collects the paper
///   originals from the applicant and brings them to the agency) or `result` (the post
///   delivers the result to the applicant). The applicant's address is copied in when chosen;
///   `order_number` is set when the order is queued (unique: the post keeps one order per
///   number, so a redelivery cannot create a second); `item_code` is the post's tracking
///   number (mã bưu gửi). One row per dossier and kind.
/// - `shipment_event`: the post's tracking reports, each kept once per (shipment, status,
///   time), so a repeated callback changes nothing.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let text = |n: &str| ColumnDef::new(Alias::new(n)).string().not_null().to_owned();
        let opt = |n: &str| ColumnDef::new(Alias::new(n)).string().null().to_owned();
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
        let id = || {
            ColumnDef::new(Alias::new("id"))
                .integer()
                .not_null()
                .auto_increment()
                .primary_key()
                .to_owned()
        };
        m.create_table(
            Table::create()
                .table(Alias::new("shipment"))
                .if_not_exists()
                .col(id())
                .col(int("dossier_id"))
                .col(text("kind"))
                .col(text("status"))
                .col(text("receiver_name"))
                .col(text("phone"))
                .col(text("province_code"))
                .col(text("commune_code"))
                .col(text("street"))
                .col(opt("order_number"))
                .col(opt("item_code"))
                .col(opt("status_note"))
                .col(time("created_at"))
                .col(time("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_shipment_dossier_kind")
                .table(Alias::new("shipment"))
                .col(Alias::new("dossier_id"))
                .col(Alias::new("kind"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_shipment_order")
                .table(Alias::new("shipment"))
                .col(Alias::new("order_number"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("shipment_event"))
                .if_not_exists()
                .col(id())
                .col(int("shipment_id"))
                .col(int("code"))
                .col(opt("note"))
                .col(time("at"))
                .col(time("received_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_shipment_event")
                .table(Alias::new("shipment_event"))
                .col(Alias::new("shipment_id"))
                .col(Alias::new("code"))
                .col(Alias::new("at"))
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["shipment_event", "shipment"] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned())
                .await?;
        }
        Ok(())
    }
}
