use sea_orm::entity::prelude::*;

/// A public-sector day off on a weekday (`kind = "off"`) or a make-up working Saturday
/// (`kind = "makeup"`), as used by the working-day calendar.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "holiday")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// ISO date `YYYY-MM-DD`.
    pub day: String,
    pub kind: String,
    pub name: String,
    pub status: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
