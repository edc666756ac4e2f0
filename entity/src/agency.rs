use sea_orm::entity::prelude::*;

/// Agency or unit (ministry, province, department, one-stop centre, commune).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agency")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Agency code used in dossier codes (QCVN 102:2016); None where no official code is known.
    pub code: Option<String>,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<i32>,
    pub area_code: Option<String>,
    pub address: Option<String>,
    pub hotline: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
