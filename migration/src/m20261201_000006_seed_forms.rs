use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// E-form schemas (P-3.3) written for ten common procedures, following their declaration forms
/// and document lists (`seed/build_forms.py`). Other procedures use the general application
/// form until an officer designs theirs (B-e).
const FORMS: &str = include_str!("../seed/forms.json");

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let forms: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(FORMS).map_err(|e| DbErr::Custom(format!("forms.json: {e}")))?;
        for (code, schema) in forms {
            let mut q = Query::select();
            q.column(Alias::new("id"))
                .from(Alias::new("procedure"))
                .and_where(Expr::col(Alias::new("code")).eq(code.as_str()));
            let Some(row) = db.query_one(&q).await? else {
                continue;
            };
            let procedure_id: i32 = row.try_get("", "id")?;
            let mut u = Query::update();
            u.table(Alias::new("procedure_version"))
                .value(Alias::new("form_schema"), schema.to_string())
                .and_where(Expr::col(Alias::new("procedure_id")).eq(procedure_id));
            db.execute(&u).await?;
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}
