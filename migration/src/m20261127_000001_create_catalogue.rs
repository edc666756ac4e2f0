use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Agency {
    Table,
    Id,
    Code,
    Name,
    Kind,
    ParentId,
    AreaCode,
    Address,
    Hotline,
}

#[derive(DeriveIden)]
enum AdminArea {
    Table,
    Code,
    Name,
    FullName,
    NameEn,
    Kind,
    ParentCode,
}

#[derive(DeriveIden)]
enum Field {
    Table,
    Id,
    Name,
}

#[derive(DeriveIden)]
enum Holiday {
    Table,
    Id,
    Day,
    Kind,
    Name,
    Status,
}

#[derive(DeriveIden)]
enum Procedure {
    Table,
    Id,
    Code,
    Name,
    FieldId,
    AgencyId,
    Levels,
    ServiceLevel,
    Online,
    ForCitizen,
    ForOrganisation,
    FeaturedRank,
    SourceUrl,
}

#[derive(DeriveIden)]
enum ProcedureVersion {
    Table,
    Id,
    ProcedureId,
    Version,
    Decision,
    Kind,
    LevelText,
    Audience,
    ImplementingAgency,
    CompetentAgency,
    DelegatedAgency,
    CoordinatingAgency,
    Address,
    Steps,
    Channels,
    Documents,
    LegalBasis,
    Conditions,
    ResultName,
    ResultCode,
    Related,
    FormSchema,
    TimeLimitDays,
    FeeFree,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Agency::Table)
                .col(pk_auto(Agency::Id))
                .col(string_null(Agency::Code).unique_key())
                .col(string(Agency::Name))
                .col(string(Agency::Kind))
                .col(integer_null(Agency::ParentId))
                .col(string_null(Agency::AreaCode))
                .col(text_null(Agency::Address))
                .col(string_null(Agency::Hotline))
                .foreign_key(
                    ForeignKey::create()
                        .from(Agency::Table, Agency::ParentId)
                        .to(Agency::Table, Agency::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AdminArea::Table)
                .col(string(AdminArea::Code).primary_key())
                .col(string(AdminArea::Name))
                .col(string(AdminArea::FullName))
                .col(string_null(AdminArea::NameEn))
                .col(string(AdminArea::Kind))
                .col(string_null(AdminArea::ParentCode))
                .foreign_key(
                    ForeignKey::create()
                        .from(AdminArea::Table, AdminArea::ParentCode)
                        .to(AdminArea::Table, AdminArea::Code),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Field::Table)
                .col(pk_auto(Field::Id))
                .col(string(Field::Name).unique_key())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Holiday::Table)
                .col(pk_auto(Holiday::Id))
                .col(string(Holiday::Day))
                .col(string(Holiday::Kind))
                .col(string(Holiday::Name))
                .col(string(Holiday::Status))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_holiday_day_kind")
                .table(Holiday::Table)
                .col(Holiday::Day)
                .col(Holiday::Kind)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Procedure::Table)
                .col(pk_auto(Procedure::Id))
                .col(string(Procedure::Code).unique_key())
                .col(text(Procedure::Name))
                .col(integer(Procedure::FieldId))
                .col(integer(Procedure::AgencyId))
                .col(string(Procedure::Levels))
                .col(string_null(Procedure::ServiceLevel))
                .col(boolean(Procedure::Online))
                .col(boolean(Procedure::ForCitizen))
                .col(boolean(Procedure::ForOrganisation))
                .col(integer_null(Procedure::FeaturedRank))
                .col(text_null(Procedure::SourceUrl))
                .foreign_key(
                    ForeignKey::create()
                        .from(Procedure::Table, Procedure::FieldId)
                        .to(Field::Table, Field::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Procedure::Table, Procedure::AgencyId)
                        .to(Agency::Table, Agency::Id),
                )
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("ix_procedure_field", Procedure::FieldId),
            ("ix_procedure_agency", Procedure::AgencyId),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Procedure::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(ProcedureVersion::Table)
                .col(pk_auto(ProcedureVersion::Id))
                .col(integer(ProcedureVersion::ProcedureId))
                .col(integer(ProcedureVersion::Version))
                .col(text_null(ProcedureVersion::Decision))
                .col(text_null(ProcedureVersion::Kind))
                .col(text_null(ProcedureVersion::LevelText))
                .col(text_null(ProcedureVersion::Audience))
                .col(text_null(ProcedureVersion::ImplementingAgency))
                .col(text_null(ProcedureVersion::CompetentAgency))
                .col(text_null(ProcedureVersion::DelegatedAgency))
                .col(text_null(ProcedureVersion::CoordinatingAgency))
                .col(text_null(ProcedureVersion::Address))
                .col(text(ProcedureVersion::Steps))
                .col(text(ProcedureVersion::Channels))
                .col(text(ProcedureVersion::Documents))
                .col(text(ProcedureVersion::LegalBasis))
                .col(text_null(ProcedureVersion::Conditions))
                .col(text_null(ProcedureVersion::ResultName))
                .col(text_null(ProcedureVersion::ResultCode))
                .col(text_null(ProcedureVersion::Related))
                .col(text(ProcedureVersion::FormSchema))
                .col(integer_null(ProcedureVersion::TimeLimitDays))
                .col(boolean_null(ProcedureVersion::FeeFree))
                .foreign_key(
                    ForeignKey::create()
                        .from(ProcedureVersion::Table, ProcedureVersion::ProcedureId)
                        .to(Procedure::Table, Procedure::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_procedure_version")
                .table(ProcedureVersion::Table)
                .col(ProcedureVersion::ProcedureId)
                .col(ProcedureVersion::Version)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ProcedureVersion::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Procedure::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Holiday::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Field::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(AdminArea::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Agency::Table).to_owned())
            .await
    }
}
