use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UserAccount {
    Table,
    Id,
    Kind,
    Email,
    EmailVerifiedAt,
    FullName,
    Phone,
    CitizenIdEnc,
    CitizenIdIndex,
    PasswordHash,
    PasswordChangedAt,
    MustChangePassword,
    TotpSecretEnc,
    TotpEnabledAt,
    TotpLastStep,
    FailedLogins,
    FirstFailedAt,
    LockedUntil,
    DisabledAt,
    DisabledReason,
    LastLoginAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RecoveryCode {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
}

#[derive(DeriveIden)]
enum AuthSession {
    Table,
    Id,
    UserId,
    Stage,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    RevokedAt,
    RevokedReason,
    Ip,
    UserAgent,
}

#[derive(DeriveIden)]
enum RefreshToken {
    Table,
    Id,
    SessionId,
    TokenHash,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum EmailToken {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum RoleAssignment {
    Table,
    Id,
    UserId,
    Role,
    AgencyId,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum Consent {
    Table,
    Id,
    UserId,
    Purpose,
    Version,
    GivenAt,
    WithdrawnAt,
}

#[derive(DeriveIden)]
enum Organisation {
    Table,
    Id,
    Name,
    TaxCode,
    Address,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OrganisationMember {
    Table,
    Id,
    OrganisationId,
    UserId,
    Relation,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ExternalIdentity {
    Table,
    Id,
    UserId,
    Issuer,
    Subject,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DeletionRequest {
    Table,
    Id,
    UserId,
    Reason,
    Status,
    RequestedAt,
    DecidedAt,
    DecidedBy,
}

#[derive(DeriveIden)]
enum AccessStat {
    Table,
    Day,
    Visits,
    Logins,
}

#[derive(DeriveIden)]
enum Agency {
    Table,
    Id,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// S-ACC, S-PD, P-10.1: accounts, sessions and the personal-data records around them. Times are
/// Unix seconds (UTC) so that expiry checks are plain integer comparisons on both databases.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(UserAccount::Table)
                .col(pk_auto(UserAccount::Id))
                .col(string_len(UserAccount::Kind, 16))
                .col(string_len(UserAccount::Email, 254).unique_key())
                .col(big_integer_null(UserAccount::EmailVerifiedAt))
                .col(string_len(UserAccount::FullName, 200))
                .col(string_len_null(UserAccount::Phone, 20))
                // S-PD: the citizen ID number only ever stored encrypted (AES-256-GCM), plus a
                // keyed hash so that one ID cannot register twice without decrypting all rows.
                .col(text_null(UserAccount::CitizenIdEnc))
                .col(string_len_null(UserAccount::CitizenIdIndex, 64).unique_key())
                .col(text(UserAccount::PasswordHash))
                .col(big_integer(UserAccount::PasswordChangedAt))
                .col(boolean(UserAccount::MustChangePassword).default(false))
                .col(text_null(UserAccount::TotpSecretEnc))
                .col(big_integer_null(UserAccount::TotpEnabledAt))
                .col(big_integer_null(UserAccount::TotpLastStep))
                .col(integer(UserAccount::FailedLogins).default(0))
                .col(big_integer_null(UserAccount::FirstFailedAt))
                .col(big_integer_null(UserAccount::LockedUntil))
                .col(big_integer_null(UserAccount::DisabledAt))
                .col(string_len_null(UserAccount::DisabledReason, 200))
                .col(big_integer_null(UserAccount::LastLoginAt))
                .col(big_integer(UserAccount::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RecoveryCode::Table)
                .col(pk_auto(RecoveryCode::Id))
                .col(integer(RecoveryCode::UserId))
                .col(string_len(RecoveryCode::CodeHash, 64).unique_key())
                .col(big_integer_null(RecoveryCode::UsedAt))
                .foreign_key(&mut fk(
                    "fk_recovery_code_user",
                    (RecoveryCode::Table, RecoveryCode::UserId),
                    (UserAccount::Table, UserAccount::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuthSession::Table)
                .col(string_len(AuthSession::Id, 64).primary_key())
                .col(integer(AuthSession::UserId))
                .col(string_len(AuthSession::Stage, 24))
                .col(big_integer(AuthSession::CreatedAt))
                .col(big_integer(AuthSession::LastSeenAt))
                .col(big_integer(AuthSession::ExpiresAt))
                .col(big_integer_null(AuthSession::RevokedAt))
                .col(string_len_null(AuthSession::RevokedReason, 40))
                .col(string_len_null(AuthSession::Ip, 64))
                .col(text_null(AuthSession::UserAgent))
                .foreign_key(&mut fk(
                    "fk_auth_session_user",
                    (AuthSession::Table, AuthSession::UserId),
                    (UserAccount::Table, UserAccount::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_auth_session_user")
                .table(AuthSession::Table)
                .col(AuthSession::UserId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RefreshToken::Table)
                .col(pk_auto(RefreshToken::Id))
                .col(string_len(RefreshToken::SessionId, 64))
                .col(string_len(RefreshToken::TokenHash, 64).unique_key())
                .col(big_integer(RefreshToken::CreatedAt))
                .col(big_integer_null(RefreshToken::UsedAt))
                .foreign_key(&mut fk(
                    "fk_refresh_token_session",
                    (RefreshToken::Table, RefreshToken::SessionId),
                    (AuthSession::Table, AuthSession::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(EmailToken::Table)
                .col(pk_auto(EmailToken::Id))
                .col(integer(EmailToken::UserId))
                .col(string_len(EmailToken::Purpose, 16))
                .col(string_len(EmailToken::TokenHash, 64).unique_key())
                .col(big_integer(EmailToken::CreatedAt))
                .col(big_integer(EmailToken::ExpiresAt))
                .col(big_integer_null(EmailToken::UsedAt))
                .foreign_key(&mut fk(
                    "fk_email_token_user",
                    (EmailToken::Table, EmailToken::UserId),
                    (UserAccount::Table, UserAccount::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RoleAssignment::Table)
                .col(pk_auto(RoleAssignment::Id))
                .col(integer(RoleAssignment::UserId))
                .col(string_len(RoleAssignment::Role, 32))
                // NULL only for the system administrator, whose scope is the whole deployment.
                .col(integer_null(RoleAssignment::AgencyId))
                .col(big_integer(RoleAssignment::CreatedAt))
                .col(integer_null(RoleAssignment::CreatedBy))
                .foreign_key(&mut fk(
                    "fk_role_assignment_user",
                    (RoleAssignment::Table, RoleAssignment::UserId),
                    (UserAccount::Table, UserAccount::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_role_assignment_agency",
                    (RoleAssignment::Table, RoleAssignment::AgencyId),
                    (Agency::Table, Agency::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_role_assignment")
                .table(RoleAssignment::Table)
                .col(RoleAssignment::UserId)
                .col(RoleAssignment::Role)
                .col(RoleAssignment::AgencyId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Consent::Table)
                .col(pk_auto(Consent::Id))
                .col(integer(Consent::UserId))
                .col(string_len(Consent::Purpose, 64))
                .col(string_len(Consent::Version, 16))
                .col(big_integer(Consent::GivenAt))
                .col(big_integer_null(Consent::WithdrawnAt))
                .foreign_key(&mut fk(
                    "fk_consent_user",
                    (Consent::Table, Consent::UserId),
                    (UserAccount::Table, UserAccount::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Organisation::Table)
                .col(pk_auto(Organisation::Id))
                .col(string_len(Organisation::Name, 300))
                .col(string_len(Organisation::TaxCode, 14).unique_key())
                .col(string_len_null(Organisation::Address, 300))
                .col(big_integer(Organisation::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(OrganisationMember::Table)
                .col(pk_auto(OrganisationMember::Id))
                .col(integer(OrganisationMember::OrganisationId))
                .col(integer(OrganisationMember::UserId))
                .col(string_len(OrganisationMember::Relation, 24))
                .col(big_integer(OrganisationMember::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_org_member_org",
                    (
                        OrganisationMember::Table,
                        OrganisationMember::OrganisationId,
                    ),
                    (Organisation::Table, Organisation::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_org_member_user",
                    (OrganisationMember::Table, OrganisationMember::UserId),
                    (UserAccount::Table, UserAccount::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_org_member")
                .table(OrganisationMember::Table)
                .col(OrganisationMember::OrganisationId)
                .col(OrganisationMember::UserId)
                .unique()
                .to_owned(),
        )
        .await?;
        // Shape for national e-ID single sign-on (P-1, a later issue): an OIDC issuer + subject
        // links to exactly one account.
        m.create_table(
            Table::create()
                .table(ExternalIdentity::Table)
                .col(pk_auto(ExternalIdentity::Id))
                .col(integer(ExternalIdentity::UserId))
                .col(string_len(ExternalIdentity::Issuer, 300))
                .col(string_len(ExternalIdentity::Subject, 300))
                .col(big_integer(ExternalIdentity::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_external_identity_user",
                    (ExternalIdentity::Table, ExternalIdentity::UserId),
                    (UserAccount::Table, UserAccount::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_external_identity")
                .table(ExternalIdentity::Table)
                .col(ExternalIdentity::Issuer)
                .col(ExternalIdentity::Subject)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DeletionRequest::Table)
                .col(pk_auto(DeletionRequest::Id))
                .col(integer(DeletionRequest::UserId))
                .col(text_null(DeletionRequest::Reason))
                .col(string_len(DeletionRequest::Status, 16))
                .col(big_integer(DeletionRequest::RequestedAt))
                .col(big_integer_null(DeletionRequest::DecidedAt))
                .col(integer_null(DeletionRequest::DecidedBy))
                .foreign_key(&mut fk(
                    "fk_deletion_request_user",
                    (DeletionRequest::Table, DeletionRequest::UserId),
                    (UserAccount::Table, UserAccount::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AccessStat::Table)
                .col(string_len(AccessStat::Day, 10).primary_key())
                .col(big_integer(AccessStat::Visits).default(0))
                .col(big_integer(AccessStat::Logins).default(0))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            AccessStat::Table.into_iden(),
            DeletionRequest::Table.into_iden(),
            ExternalIdentity::Table.into_iden(),
            OrganisationMember::Table.into_iden(),
            Organisation::Table.into_iden(),
            Consent::Table.into_iden(),
            RoleAssignment::Table.into_iden(),
            EmailToken::Table.into_iden(),
            RefreshToken::Table.into_iden(),
            AuthSession::Table.into_iden(),
            RecoveryCode::Table.into_iden(),
            UserAccount::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
