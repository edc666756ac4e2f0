use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        crate::seed::load_reference_data(m.get_connection()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for t in [
            "procedure_version",
            "procedure",
            "field",
            "agency",
            "holiday",
        ] {
            db.execute_unprepared(&format!("DELETE FROM {t}")).await?;
        }
        // Communes reference provinces: delete children first.
        db.execute_unprepared("DELETE FROM admin_area WHERE parent_code IS NOT NULL")
            .await?;
        db.execute_unprepared("DELETE FROM admin_area").await?;
        Ok(())
    }

    // One transaction on every backend: either the whole catalogue lands or nothing does.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
