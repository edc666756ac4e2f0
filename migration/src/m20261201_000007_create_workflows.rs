use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Workflows as data (B-b, B-c): one row per published version, never updated; a dossier keeps
/// the version it was filed under (`dossier.workflow_id`).
#[derive(DeriveIden)]
enum Workflow {
    Table,
    Id,
    Code,
    Version,
    NameVi,
    NameEn,
    Definition,
    CreatedAt,
}

const WORKFLOWS: &str = include_str!("../seed/workflows.json");

/// New nullable columns: (table, column, kind) with kind "int", "big" or "text".
const COLUMNS: &[(&str, &str, &str)] = &[
    ("procedure_version", "workflow_id", "int"),
    // The workflow state, the unit holding the dossier now (the receiving unit is agency_id),
    // the officer it is assigned to, the state to go back to after a side state, the current
    // step's start and deadline, when the clock was paused, the due date before an apology
    // slip reset it (Decree 61/2018: once only) and when it was accepted.
    ("dossier", "workflow_id", "int"),
    ("dossier", "state", "text"),
    ("dossier", "back_state", "text"),
    ("dossier", "unit_id", "int"),
    ("dossier", "assignee_id", "int"),
    ("dossier", "step_started_at", "big"),
    ("dossier", "step_due_at", "big"),
    ("dossier", "paused_at", "big"),
    ("dossier", "first_due_date", "text"),
    ("dossier", "accepted_at", "big"),
    ("dossier_event", "from_state", "text"),
    ("dossier_event", "to_state", "text"),
    ("dossier_event", "unit_id", "int"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Workflow::Table)
                .col(pk_auto(Workflow::Id))
                .col(string(Workflow::Code))
                .col(integer(Workflow::Version))
                .col(string(Workflow::NameVi))
                .col(string(Workflow::NameEn))
                .col(text(Workflow::Definition))
                .col(big_integer(Workflow::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_workflow_code_version")
                .table(Workflow::Table)
                .col(Workflow::Code)
                .col(Workflow::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        // SQLite alters one column per statement.
        for (table, column, kind) in COLUMNS {
            let mut col = ColumnDef::new(Alias::new(*column));
            match *kind {
                "int" => col.integer(),
                "big" => col.big_integer(),
                _ => col.text(),
            };
            col.null();
            m.alter_table(
                Table::alter()
                    .table(Alias::new(*table))
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(
            Index::create()
                .name("ix_dossier_unit_status")
                .table(Alias::new("dossier"))
                .col(Alias::new("unit_id"))
                .col(Alias::new("status"))
                .to_owned(),
        )
        .await?;

        let db = m.get_connection();
        let list: Vec<serde_json::Value> = serde_json::from_str(WORKFLOWS)
            .map_err(|e| DbErr::Custom(format!("workflows.json: {e}")))?;
        let mut ids = std::collections::HashMap::new();
        for w in list {
            let code = w["code"].as_str().unwrap_or_default().to_string();
            let mut q = Query::insert();
            q.into_table(Workflow::Table)
                .columns([
                    Workflow::Code,
                    Workflow::Version,
                    Workflow::NameVi,
                    Workflow::NameEn,
                    Workflow::Definition,
                    Workflow::CreatedAt,
                ])
                .values_panic([
                    code.clone().into(),
                    1.into(),
                    w["name_vi"].as_str().unwrap_or_default().into(),
                    w["name_en"].as_str().unwrap_or_default().into(),
                    w.to_string().into(),
                    0i64.into(),
                ]);
            db.execute(&q).await?;
            let mut s = Query::select();
            s.column(Workflow::Id)
                .from(Workflow::Table)
                .and_where(Expr::col(Workflow::Code).eq(code.as_str()));
            if let Some(row) = db.query_one(&s).await? {
                ids.insert(code, row.try_get::<i32>("", "id")?);
            }
        }
        // Which shape each procedure gets: short time limits are settled at the counter; long
        // ones involve appraisal by another unit; the rest go counter → specialist → leader.
        // Officers change this per procedure in the catalogue (B-a).
        let pick = |code: &str| ids.get(code).copied().unwrap_or(0);
        for (code, cond) in [
            (
                "mot-cua",
                Expr::col(Alias::new("time_limit_days"))
                    .is_null()
                    .or(Expr::col(Alias::new("time_limit_days")).lte(3)),
            ),
            (
                "mot-cua-chuyen-vien-lanh-dao",
                Expr::col(Alias::new("time_limit_days")).between(4, 15),
            ),
            (
                "lien-thong-tham-dinh",
                Expr::col(Alias::new("time_limit_days")).gt(15),
            ),
        ] {
            let mut u = Query::update();
            u.table(Alias::new("procedure_version"))
                .value(Alias::new("workflow_id"), pick(code))
                .and_where(cond);
            db.execute(&u).await?;
        }
        // Civil status (hộ tịch) at the ward: the counter receives, the civil-status officer
        // checks and enters the register, the chairman signs (Law on Civil Status 2014).
        for code in ["1.001193", "1.000894", "1.000656"] {
            let mut u = Query::update();
            u.table(Alias::new("procedure_version"))
                .value(
                    Alias::new("workflow_id"),
                    pick("mot-cua-chuyen-vien-lanh-dao"),
                )
                .and_where(
                    Expr::col(Alias::new("procedure_id")).in_subquery(
                        Query::select()
                            .column(Alias::new("id"))
                            .from(Alias::new("procedure"))
                            .and_where(Expr::col(Alias::new("code")).eq(code))
                            .to_owned(),
                    ),
                );
            db.execute(&u).await?;
        }
        // Dossiers filed before workflows existed get their procedure's workflow and the state
        // of the same name their status implies.
        db.execute_unprepared(
            "UPDATE dossier SET unit_id = agency_id, \
             workflow_id = (SELECT v.workflow_id FROM procedure_version v WHERE v.id = dossier.version_id), \
             state = CASE status WHEN 1 THEN 'submitted' WHEN 2 THEN 'processing' WHEN 4 THEN 'processing' \
               WHEN 3 THEN 'refused' WHEN 5 THEN 'supplement' WHEN 6 THEN 'payment' WHEN 7 THEN 'withdrawal' \
               WHEN 8 THEN 'stopped' WHEN 9 THEN 'processed' WHEN 10 THEN 'returned' END, \
             back_state = CASE WHEN status IN (5, 6, 7) THEN 'processing' END \
             WHERE status <> 0",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Workflow::Table).to_owned())
            .await
    }
}
