use sea_orm::entity::prelude::*;

/// A dossier (hồ sơ): one application for one procedure version by one applicant. `status` is
/// the national status code (0 = draft); `form_data` the e-form values as JSON text.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dossier")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub code: Option<String>,
    pub procedure_id: i32,
    pub version_id: i32,
    pub agency_id: i32,
    pub applicant_id: Option<i32>,
    pub applicant_name: String,
    pub applicant_phone: Option<String>,
    pub applicant_id_index: Option<String>,
    pub channel: String,
    pub status: i32,
    pub form_data: String,
    pub schema_version: i32,
    pub create_key: Option<String>,
    pub submit_key: Option<String>,
    pub revision: i32,
    pub created_at: i64,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
    pub due_date: Option<String>,
    pub finished_at: Option<i64>,
    pub returned_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub reminded_at: Option<i64>,
    pub supplement_request: Option<String>,
    // Workflow (B-b, B-c, B-i): see migration 7.
    pub workflow_id: Option<i32>,
    pub state: Option<String>,
    pub back_state: Option<String>,
    pub unit_id: Option<i32>,
    pub assignee_id: Option<i32>,
    pub step_started_at: Option<i64>,
    pub step_due_at: Option<i64>,
    pub paused_at: Option<i64>,
    pub first_due_date: Option<String>,
    pub accepted_at: Option<i64>,
    /// The current step's officers were reminded it falls due (B-i).
    pub step_reminded_at: Option<i64>,
    // Archive (B-đ): see migration 10.
    pub archived_at: Option<i64>,
    pub archived_by: Option<i32>,
    /// Keep until this ISO date; None while archived: permanently.
    pub retain_until: Option<String>,
    /// The fee the agency asked for with the payment request (P-3.6), in đồng.
    pub fee_due: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
