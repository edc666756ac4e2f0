//! Account use-cases (S-ACC, S-PD, P-10.1, B-g): registration with consent, email
//! verification, login with lockout, second factor, password change and reset, officers
//! created by administrators, personal-data export and deletion requests.
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};

use entity::{
    access_stat, agency, auth_session, consent, deletion_request, email_token, organisation,
    organisation_member, recovery_code, role_assignment, user_account,
};

use super::crypto::{
    base32, base32_decode, hash_password, random_bytes, random_token, sha256_hex, totp_match,
    verify_password,
};
use super::session::{self, Issued};
use super::{field, invalid, now, RequestMeta};
use crate::domain::account::{
    mask_citizen_id, normalise_citizen_id, normalise_email, normalise_phone, normalise_tax_code,
    AccountKind, DeletionRow, OfficerRow, OrgLink, Permission, Principal, Profile, Role, Stage,
};
use crate::error::{internal, AppError, FieldError};
use crate::server::audit::Entry;
use crate::server::Services;

/// Version of the personal-data notice the user agrees to (Decree 13/2023/NĐ-CP art. 11).
pub const CONSENT_VERSION: &str = "2026-11";
pub const CONSENT_PURPOSE: &str = "public_services";

pub(crate) const CITIZEN_ID: &str = "citizen_id";
const TOTP_SECRET: &str = "totp_secret";

pub(crate) fn entry(actor: Option<i32>, action: &str, meta: &RequestMeta) -> Entry {
    Entry {
        actor: actor.map(|a| a.to_string()),
        action: action.into(),
        object_type: Some("user".into()),
        object_id: actor.map(|a| a.to_string()),
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.clone(),
        detail: None,
    }
}

pub(crate) async fn audit(svc: &Services, e: Entry) -> Result<(), AppError> {
    svc.audit.append(&svc.db, e).await.map(|_| ())
}

fn rate_limited(svc: &Services, bucket: &'static str, meta: &RequestMeta, limit: u32) -> bool {
    !svc.auth.limiter.allow(bucket, meta.ip_key(), limit, now())
}

async fn hash_blocking(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(internal)?
        .map_err(internal)
}

async fn verify_blocking(password: String, phc: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match phc {
        Some(h) => verify_password(&password, &h),
        None => {
            // Same cost as a real check: unknown emails are not faster (ASVS V2.2.x).
            verify_password(&password, "");
            false
        }
    })
    .await
    .unwrap_or(false)
}

fn check_password(
    svc: &Services,
    name: &str,
    password: &str,
    confirm: &str,
    personal: &[&str],
) -> Vec<FieldError> {
    let mut errs: Vec<FieldError> = svc
        .auth
        .policy
        .password
        .check(password, personal)
        .into_iter()
        .map(|p| FieldError {
            field: name.into(),
            message_vi: p.message_vi(),
            message_en: p.message_en(),
        })
        .collect();
    if password != confirm {
        errs.push(field(
            "password_confirm",
            "Hai lần nhập mật khẩu không khớp.",
            "The two passwords do not match.",
        ));
    }
    errs
}

#[derive(Clone, Debug, Default)]
pub struct Registration {
    pub kind: String,
    pub full_name: String,
    pub email: String,
    pub phone: String,
    pub citizen_id: String,
    pub organisation_name: String,
    pub tax_code: String,
    pub password: String,
    pub password_confirm: String,
    pub consent: bool,
}

/// P-10.1: creates an unverified account and emails a verification link. The answer is the
/// same whether or not the email (or ID number) is already registered; the owner of the
/// existing account is told by email instead, so the form cannot be used to find accounts.
pub async fn register(svc: &Services, r: Registration, meta: &RequestMeta) -> Result<(), AppError> {
    if rate_limited(svc, "register", meta, svc.auth.policy.register_per_minute) {
        return Err(AppError::RateLimited);
    }
    let mut errs = Vec::new();
    let kind = match r.kind.as_str() {
        "organisation" => AccountKind::Organisation,
        _ => AccountKind::Citizen,
    };
    let name = r.full_name.trim();
    if name.chars().count() < 2 || name.chars().count() > 200 {
        errs.push(field(
            "full_name",
            "Nhập họ và tên (2–200 ký tự).",
            "Enter your full name (2–200 characters).",
        ));
    }
    let email = normalise_email(&r.email);
    if email.is_none() {
        errs.push(field(
            "email",
            "Nhập địa chỉ email hợp lệ, ví dụ ten@example.vn.",
            "Enter a valid email address, e.g. name@example.vn.",
        ));
    }
    let phone = normalise_phone(&r.phone);
    if phone.is_none() {
        errs.push(field(
            "phone",
            "Nhập số điện thoại Việt Nam, ví dụ 0905 123 456.",
            "Enter a Vietnamese phone number, e.g. 0905 123 456.",
        ));
    }
    let cid = normalise_citizen_id(&r.citizen_id);
    if cid.is_none() {
        errs.push(field(
            "citizen_id",
            "Số định danh cá nhân (CCCD) gồm 12 chữ số, bắt đầu bằng mã tỉnh nơi đăng ký khai sinh.",
            "The personal ID number (CCCD) has 12 digits and starts with a province code.",
        ));
    }
    let (org_name, tax) = if kind == AccountKind::Organisation {
        let n = r.organisation_name.trim().to_owned();
        if n.chars().count() < 2 || n.chars().count() > 300 {
            errs.push(field(
                "organisation_name",
                "Nhập tên tổ chức.",
                "Enter the organisation's name.",
            ));
        }
        let t = normalise_tax_code(&r.tax_code);
        if t.is_none() {
            errs.push(field(
                "tax_code",
                "Mã số thuế gồm 10 chữ số (chi nhánh: 10 chữ số, dấu gạch, 3 chữ số).",
                "The tax code has 10 digits (branches: 10 digits, a dash, 3 digits).",
            ));
        }
        (Some(n), t)
    } else {
        (None, None)
    };
    errs.extend(check_password(
        svc,
        "password",
        &r.password,
        &r.password_confirm,
        &[
            email.as_deref().unwrap_or(""),
            phone.as_deref().unwrap_or(""),
            cid.as_deref().unwrap_or(""),
        ],
    ));
    if !r.consent {
        errs.push(field(
            "consent",
            "Bạn cần đồng ý với việc xử lý dữ liệu cá nhân để tạo tài khoản.",
            "You need to agree to the processing of personal data to create an account.",
        ));
    }
    let (Some(email), Some(phone), Some(cid), true) = (email, phone, cid, errs.is_empty()) else {
        return Err(AppError::Validation(errs));
    };
    let index = svc.auth.cipher.blind_index(CITIZEN_ID, &cid);
    let existing = user_account::Entity::find()
        .filter(
            user_account::Column::Email
                .eq(email.clone())
                .or(user_account::Column::CitizenIdIndex.eq(index.clone())),
        )
        .one(&svc.db)
        .await?;
    if let Some(u) = existing {
        let (subject, body) = existing_account_mail(&svc.auth.public_url);
        // Tell whoever owns the address; the registrant learns nothing new.
        if let Err(e) = svc.auth.mailer.send(&email, &subject, &body).await {
            tracing::warn!(error = %e, "mail to existing account failed");
        }
        let mut e = entry(Some(u.id), "account.register.duplicate", meta);
        e.detail = Some(serde_json::json!({ "same_email": u.email == email }));
        return audit(svc, e).await;
    }
    let hash = hash_blocking(r.password.clone()).await?;
    let enc = svc
        .auth
        .cipher
        .encrypt(CITIZEN_ID, &cid)
        .ok_or_else(|| internal("encryption failed"))?;
    let t = now();
    let txn = svc.db.begin().await?;
    crate::server::write_lock(&txn).await?;
    let user = user_account::ActiveModel {
        kind: Set(kind.as_str().into()),
        email: Set(email.clone()),
        full_name: Set(name.into()),
        phone: Set(Some(phone)),
        citizen_id_enc: Set(Some(enc)),
        citizen_id_index: Set(Some(index)),
        password_hash: Set(hash),
        password_changed_at: Set(t),
        must_change_password: Set(false),
        failed_logins: Set(0),
        created_at: Set(t),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record_consent(&txn, user.id, t).await?;
    if let (Some(n), Some(tax)) = (org_name, tax) {
        let org = match organisation::Entity::find()
            .filter(organisation::Column::TaxCode.eq(tax.clone()))
            .one(&txn)
            .await?
        {
            Some(o) => o,
            None => {
                organisation::ActiveModel {
                    name: Set(n),
                    tax_code: Set(tax),
                    address: Set(None),
                    created_at: Set(t),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
            }
        };
        // The first account of an organisation is its representative; later ones are
        // authorised persons until the representative says otherwise.
        let members = organisation_member::Entity::find()
            .filter(organisation_member::Column::OrganisationId.eq(org.id))
            .count(&txn)
            .await?;
        organisation_member::ActiveModel {
            organisation_id: Set(org.id),
            user_id: Set(user.id),
            relation: Set(if members == 0 {
                "representative".into()
            } else {
                "authorised".into()
            }),
            created_at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let token = new_email_token(
        &txn,
        user.id,
        "verify",
        t + svc.auth.policy.email_token_ttl_secs,
    )
    .await?;
    txn.commit().await?;
    audit(svc, entry(Some(user.id), "account.register", meta)).await?;
    let link = format!("{}/xac-thuc-email?token={token}", svc.auth.public_url);
    let body = format!(
        "Xin chào {name},\n\nĐể kích hoạt tài khoản trên Cổng Dịch vụ công, hãy mở liên kết sau \
         (hiệu lực 24 giờ):\n{link}\n\nNếu bạn không đăng ký, hãy bỏ qua thư này.\n\n---\n\
         To activate your Public Service Portal account, open the link above (valid 24 hours). \
         If you did not register, ignore this message.\n"
    );
    if let Err(e) = svc
        .auth
        .mailer
        .send(&email, "Xác thực email / Verify your email", &body)
        .await
    {
        tracing::error!(error = %e, "verification mail failed");
        return Err(internal(e));
    }
    Ok(())
}

fn existing_account_mail(base: &str) -> (String, String) {
    (
        "Tài khoản của bạn / Your account".into(),
        format!(
            "Có người vừa đăng ký tài khoản trên Cổng Dịch vụ công bằng email này hoặc số định \
             danh của bạn, nhưng tài khoản đã tồn tại. Nếu là bạn, hãy đăng nhập: {base}/dang-nhap \
             hoặc đặt lại mật khẩu: {base}/quen-mat-khau\n\n---\nSomeone tried to register with \
             this email or your ID number, but the account already exists. If it was you, log in \
             or reset your password at the links above.\n"
        ),
    )
}

/// Stores a one-time email token (as a hash) and returns the token for the link.
async fn new_email_token<C: sea_orm::ConnectionTrait>(
    db: &C,
    user_id: i32,
    purpose: &str,
    expires_at: i64,
) -> Result<String, AppError> {
    let token = random_token();
    email_token::ActiveModel {
        user_id: Set(user_id),
        purpose: Set(purpose.into()),
        token_hash: Set(sha256_hex(&token)),
        created_at: Set(now()),
        expires_at: Set(expires_at),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Records consent to the current personal-data notice (S-PD).
pub(crate) async fn record_consent<C: sea_orm::ConnectionTrait>(
    db: &C,
    user_id: i32,
    at: i64,
) -> Result<(), AppError> {
    consent::ActiveModel {
        user_id: Set(user_id),
        purpose: Set(CONSENT_PURPOSE.into()),
        version: Set(CONSENT_VERSION.into()),
        given_at: Set(at),
        withdrawn_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Consumes a one-time email token of `purpose`; None when unknown, used or expired.
async fn take_token(
    svc: &Services,
    purpose: &str,
    token: &str,
) -> Result<Option<email_token::Model>, AppError> {
    let t = now();
    let Some(row) = email_token::Entity::find()
        .filter(email_token::Column::TokenHash.eq(sha256_hex(token.trim())))
        .filter(email_token::Column::Purpose.eq(purpose))
        .one(&svc.db)
        .await?
    else {
        return Ok(None);
    };
    if row.used_at.is_some() || row.expires_at <= t {
        return Ok(None);
    }
    let res = email_token::Entity::update_many()
        .col_expr(email_token::Column::UsedAt, Expr::value(t))
        .filter(email_token::Column::Id.eq(row.id))
        .filter(email_token::Column::UsedAt.is_null())
        .exec(&svc.db)
        .await?;
    Ok((res.rows_affected == 1).then_some(row))
}

pub async fn verify_email(svc: &Services, token: &str, meta: &RequestMeta) -> Result<(), AppError> {
    let Some(row) = take_token(svc, "verify", token).await? else {
        return Err(invalid(
            "token",
            "Liên kết xác thực không hợp lệ hoặc đã hết hạn. Hãy đăng nhập để nhận liên kết mới.",
            "The verification link is invalid or has expired. Log in to get a new one.",
        ));
    };
    user_account::Entity::update_many()
        .col_expr(user_account::Column::EmailVerifiedAt, Expr::value(now()))
        .filter(user_account::Column::Id.eq(row.user_id))
        .exec(&svc.db)
        .await?;
    audit(
        svc,
        entry(Some(row.user_id), "account.email_verified", meta),
    )
    .await
}

pub fn login_failed() -> AppError {
    invalid(
        "form",
        "Email hoặc mật khẩu không đúng. Sau 5 lần sai liên tiếp, tài khoản bị tạm khoá 15 phút.",
        "Wrong email or password. After 5 failed attempts in a row the account is locked for 15 minutes.",
    )
}

/// Outcome of a correct password.
pub struct LoggedIn {
    pub issued: Issued,
    pub stage: Stage,
}

/// Checks email and password. Every failure gives the same message, costs the same time and is
/// counted towards lockout; a correct password on a locked account still fails.
pub async fn login(
    svc: &Services,
    email: &str,
    password: &str,
    meta: &RequestMeta,
) -> Result<LoggedIn, AppError> {
    let p = &svc.auth.policy;
    if rate_limited(svc, "login", meta, p.login_per_minute) {
        return Err(AppError::RateLimited);
    }
    let t = now();
    let email = normalise_email(email).unwrap_or_default();
    let user = if email.is_empty() {
        None
    } else {
        user_account::Entity::find()
            .filter(user_account::Column::Email.eq(email.clone()))
            .one(&svc.db)
            .await?
    };
    let locked = user
        .as_ref()
        .is_some_and(|u| u.locked_until.is_some_and(|l| l > t));
    let phc = user
        .as_ref()
        .filter(|_| !locked)
        .map(|u| u.password_hash.clone());
    let ok = verify_blocking(password.to_owned(), phc).await;
    let user = match (user, ok) {
        (Some(u), true) => u,
        (Some(u), false) => {
            record_failure(svc, u, locked, meta).await?;
            return Err(login_failed());
        }
        (None, _) => {
            let mut e = entry(None, "auth.login.failure", meta);
            e.detail = Some(serde_json::json!({ "reason": "unknown_email" }));
            audit(svc, e).await?;
            return Err(login_failed());
        }
    };
    if user.disabled_at.is_some() {
        audit(svc, entry(Some(user.id), "auth.login.disabled", meta)).await?;
        return Err(invalid(
            "form",
            "Tài khoản đã bị vô hiệu hoá. Hãy liên hệ quản trị viên của đơn vị.",
            "This account has been disabled. Contact your unit's administrator.",
        ));
    }
    let kind = AccountKind::parse(&user.kind).unwrap_or(AccountKind::Citizen);
    // Level 3: officer accounts unused for 45 days are disabled rather than let in.
    let last = user.last_login_at.unwrap_or(user.created_at);
    if kind == AccountKind::Officer && t - last > p.officer_inactive_days * 86_400 {
        user_account::Entity::update_many()
            .col_expr(user_account::Column::DisabledAt, Expr::value(t))
            .col_expr(
                user_account::Column::DisabledReason,
                Expr::value("inactive"),
            )
            .filter(user_account::Column::Id.eq(user.id))
            .exec(&svc.db)
            .await?;
        audit(svc, entry(Some(user.id), "account.disabled.inactive", meta)).await?;
        return Err(invalid(
            "form",
            "Tài khoản đã bị vô hiệu hoá vì không sử dụng quá thời hạn. Hãy liên hệ quản trị viên.",
            "This account was disabled after a long period without use. Contact your administrator.",
        ));
    }
    if user.email_verified_at.is_none() {
        // The password was right, so saying why is safe; a fresh link is sent.
        send_verification(svc, &user).await?;
        return Err(invalid(
            "form",
            "Email chưa được xác thực. Chúng tôi vừa gửi lại liên kết xác thực; hãy kiểm tra hộp thư.",
            "Your email is not verified yet. We have sent a new verification link; check your inbox.",
        ));
    }
    let stage = if kind == AccountKind::Officer {
        if user.must_change_password {
            Stage::ChangePassword
        } else if user.totp_enabled_at.is_none() {
            Stage::EnrolTotp
        } else {
            Stage::Totp
        }
    } else if user.totp_enabled_at.is_some() {
        Stage::Totp
    } else {
        Stage::Full
    };
    let mut am = user.clone().into_active_model();
    am.failed_logins = Set(0);
    am.first_failed_at = Set(None);
    am.locked_until = Set(None);
    am.last_login_at = Set(Some(t));
    am.update(&svc.db).await?;
    let issued = session::create(svc, user.id, stage, meta).await?;
    let mut e = entry(
        Some(user.id),
        if stage == Stage::Full {
            "auth.login.success"
        } else {
            "auth.login.password_ok"
        },
        meta,
    );
    e.detail = Some(serde_json::json!({ "session": session::short(&issued.session_id) }));
    audit(svc, e).await?;
    if stage == Stage::Full {
        count_login(svc).await?;
    }
    Ok(LoggedIn { issued, stage })
}

async fn record_failure(
    svc: &Services,
    u: user_account::Model,
    already_locked: bool,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let p = &svc.auth.policy;
    let t = now();
    let mut e = entry(Some(u.id), "auth.login.failure", meta);
    e.detail =
        Some(serde_json::json!({ "reason": if already_locked { "locked" } else { "password" } }));
    audit(svc, e).await?;
    if already_locked {
        return Ok(());
    }
    let in_window = u
        .first_failed_at
        .is_some_and(|f| t - f < p.lockout_window_secs);
    let (count, first) = if in_window {
        (u.failed_logins + 1, u.first_failed_at.unwrap_or(t))
    } else {
        (1, t)
    };
    let mut am = u.clone().into_active_model();
    am.failed_logins = Set(count);
    am.first_failed_at = Set(Some(first));
    if count >= p.lockout_threshold {
        am.locked_until = Set(Some(t + p.lockout_secs));
        am.failed_logins = Set(0);
        am.first_failed_at = Set(None);
        am.update(&svc.db).await?;
        return audit(svc, entry(Some(u.id), "auth.lockout", meta)).await;
    }
    am.update(&svc.db).await?;
    Ok(())
}

async fn count_login(svc: &Services) -> Result<(), AppError> {
    bump_stat(svc, 0, 1).await
}

/// Adds to today's access statistics (P-10.3).
pub async fn bump_stat(svc: &Services, visits: i64, logins: i64) -> Result<(), AppError> {
    let day = crate::server::audit::utc_now()
        .chars()
        .take(10)
        .collect::<String>();
    let res = access_stat::Entity::update_many()
        .col_expr(
            access_stat::Column::Visits,
            Expr::col(access_stat::Column::Visits).add(visits),
        )
        .col_expr(
            access_stat::Column::Logins,
            Expr::col(access_stat::Column::Logins).add(logins),
        )
        .filter(access_stat::Column::Day.eq(day.clone()))
        .exec(&svc.db)
        .await?;
    if res.rows_affected == 0 {
        let insert = access_stat::ActiveModel {
            day: Set(day.clone()),
            visits: Set(visits),
            logins: Set(logins),
        }
        .insert(&svc.db)
        .await;
        if insert.is_err() {
            // Another request created today's row first.
            access_stat::Entity::update_many()
                .col_expr(
                    access_stat::Column::Visits,
                    Expr::col(access_stat::Column::Visits).add(visits),
                )
                .col_expr(
                    access_stat::Column::Logins,
                    Expr::col(access_stat::Column::Logins).add(logins),
                )
                .filter(access_stat::Column::Day.eq(day))
                .exec(&svc.db)
                .await?;
        }
    }
    Ok(())
}

async fn send_verification(svc: &Services, user: &user_account::Model) -> Result<(), AppError> {
    let t = now();
    let token = new_email_token(
        &svc.db,
        user.id,
        "verify",
        t + svc.auth.policy.email_token_ttl_secs,
    )
    .await?;
    let link = format!("{}/xac-thuc-email?token={token}", svc.auth.public_url);
    svc.auth
        .mailer
        .send(
            &user.email,
            "Xác thực email / Verify your email",
            &format!("Liên kết xác thực / Verification link (24 h):\n{link}\n"),
        )
        .await
        .map_err(internal)
}

async fn user_of(svc: &Services, id: i32) -> Result<user_account::Model, AppError> {
    user_account::Entity::find_by_id(id)
        .one(&svc.db)
        .await?
        .ok_or(AppError::Unauthorized)
}

/// Second login step: a TOTP code (each code works once) or an unused recovery code.
pub async fn verify_second_factor(
    svc: &Services,
    p: &Principal,
    code: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    if p.stage != Stage::Totp {
        return Err(AppError::Forbidden);
    }
    if rate_limited(svc, "totp", meta, svc.auth.policy.login_per_minute) {
        return Err(AppError::RateLimited);
    }
    let user = user_of(svc, p.user_id).await?;
    let ok = check_totp(svc, &user, code).await? || use_recovery_code(svc, &user, code).await?;
    if !ok {
        audit(svc, entry(Some(user.id), "auth.totp.failure", meta)).await?;
        record_failure(svc, user, false, meta).await?;
        return Err(invalid(
            "code",
            "Mã xác thực không đúng hoặc đã được dùng. Hãy nhập mã mới trên ứng dụng xác thực.",
            "The code is wrong or was already used. Enter the current code from your authenticator app.",
        ));
    }
    session::set_stage(svc, &p.session_id, Stage::Full).await?;
    audit(svc, entry(Some(p.user_id), "auth.login.success", meta)).await?;
    count_login(svc).await
}

async fn check_totp(
    svc: &Services,
    user: &user_account::Model,
    code: &str,
) -> Result<bool, AppError> {
    let Some(secret) = user
        .totp_secret_enc
        .as_deref()
        .and_then(|e| svc.auth.cipher.decrypt(TOTP_SECRET, e))
        .and_then(|b| base32_decode(&b))
    else {
        return Ok(false);
    };
    let Some(step) = totp_match(&secret, code, now()) else {
        return Ok(false);
    };
    // A code works once: the step must be later than the last accepted one.
    let res = user_account::Entity::update_many()
        .col_expr(user_account::Column::TotpLastStep, Expr::value(step))
        .filter(user_account::Column::Id.eq(user.id))
        .filter(
            user_account::Column::TotpLastStep
                .is_null()
                .or(user_account::Column::TotpLastStep.lt(step)),
        )
        .exec(&svc.db)
        .await?;
    Ok(res.rows_affected == 1)
}

async fn use_recovery_code(
    svc: &Services,
    user: &user_account::Model,
    code: &str,
) -> Result<bool, AppError> {
    let norm: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .collect();
    if norm.len() != 10 {
        return Ok(false);
    }
    let res = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Expr::value(now()))
        .filter(recovery_code::Column::UserId.eq(user.id))
        .filter(recovery_code::Column::CodeHash.eq(sha256_hex(&norm)))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(&svc.db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// A pending TOTP enrolment: the secret lives encrypted on the account but counts only once a
/// code from it has been entered.
pub struct Enrolment {
    pub secret_base32: String,
    pub otpauth_uri: String,
}

pub async fn begin_totp(svc: &Services, p: &Principal) -> Result<Enrolment, AppError> {
    let user = user_of(svc, p.user_id).await?;
    if user.totp_enabled_at.is_some() && p.stage != Stage::EnrolTotp {
        return Err(AppError::Conflict);
    }
    // Set the secret only if none is pending, then read back whatever is stored: two page
    // renders racing here end up showing the same secret.
    if user.totp_secret_enc.is_none() {
        let s = base32(&random_bytes::<20>());
        let enc = svc
            .auth
            .cipher
            .encrypt(TOTP_SECRET, &s)
            .ok_or_else(|| internal("encryption failed"))?;
        user_account::Entity::update_many()
            .col_expr(user_account::Column::TotpSecretEnc, Expr::value(enc))
            .filter(user_account::Column::Id.eq(user.id))
            .filter(user_account::Column::TotpSecretEnc.is_null())
            .exec(&svc.db)
            .await?;
    }
    let user = user_of(svc, p.user_id).await?;
    let secret = user
        .totp_secret_enc
        .as_deref()
        .and_then(|e| svc.auth.cipher.decrypt(TOTP_SECRET, e))
        .ok_or_else(|| internal("stored TOTP secret unreadable"))?;
    let issuer = "DVC";
    let uri = format!(
        "otpauth://totp/{issuer}:{}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits=6&period=30",
        user.email.replace('@', "%40")
    );
    Ok(Enrolment {
        secret_base32: secret,
        otpauth_uri: uri,
    })
}

/// Confirms enrolment with a first code; returns ten recovery codes, shown once.
pub async fn confirm_totp(
    svc: &Services,
    p: &Principal,
    code: &str,
    meta: &RequestMeta,
) -> Result<Vec<String>, AppError> {
    let user = user_of(svc, p.user_id).await?;
    if user.totp_enabled_at.is_some() || !(p.stage == Stage::EnrolTotp || p.stage == Stage::Full) {
        return Err(AppError::Conflict);
    }
    if !check_totp(svc, &user, code).await? {
        return Err(invalid(
            "code",
            "Mã không đúng. Hãy quét lại mã QR và nhập mã 6 chữ số đang hiển thị.",
            "Wrong code. Scan the QR code again and enter the 6-digit code shown.",
        ));
    }
    let t = now();
    let codes: Vec<String> = (0..10)
        .map(|_| {
            let b = random_bytes::<8>();
            let s: String = base32(&b).to_lowercase().chars().take(10).collect();
            format!("{}-{}", &s[..5], &s[5..])
        })
        .collect();
    let txn = svc.db.begin().await?;
    crate::server::write_lock(&txn).await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user.id))
        .exec(&txn)
        .await?;
    for c in &codes {
        recovery_code::ActiveModel {
            user_id: Set(user.id),
            code_hash: Set(sha256_hex(&c.replace('-', ""))),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    user_account::Entity::update_many()
        .col_expr(user_account::Column::TotpEnabledAt, Expr::value(t))
        .filter(user_account::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    if p.stage == Stage::EnrolTotp {
        session::set_stage(svc, &p.session_id, Stage::Full).await?;
        count_login(svc).await?;
    }
    audit(svc, entry(Some(user.id), "account.totp_enrolled", meta)).await?;
    Ok(codes)
}

/// Changes the password (also the forced change at an officer's first login) and ends every
/// other session.
pub async fn change_password(
    svc: &Services,
    p: &Principal,
    current: &str,
    new: &str,
    confirm: &str,
    meta: &RequestMeta,
) -> Result<Stage, AppError> {
    if !(p.stage == Stage::Full || p.stage == Stage::ChangePassword) {
        return Err(AppError::Forbidden);
    }
    let user = user_of(svc, p.user_id).await?;
    if !verify_blocking(current.to_owned(), Some(user.password_hash.clone())).await {
        return Err(invalid(
            "current_password",
            "Mật khẩu hiện tại không đúng.",
            "The current password is wrong.",
        ));
    }
    let mut errs = check_password(svc, "new_password", new, confirm, &[&user.email]);
    if new == current {
        errs.push(field(
            "new_password",
            "Mật khẩu mới phải khác mật khẩu hiện tại.",
            "The new password must differ from the current one.",
        ));
    }
    if !errs.is_empty() {
        return Err(AppError::Validation(errs));
    }
    let hash = hash_blocking(new.to_owned()).await?;
    let txn = svc.db.begin().await?;
    crate::server::write_lock(&txn).await?;
    let mut am = user.clone().into_active_model();
    am.password_hash = Set(hash);
    am.password_changed_at = Set(now());
    am.must_change_password = Set(false);
    am.update(&txn).await?;
    session::revoke_all(&txn, user.id, "password_changed", Some(&p.session_id)).await?;
    txn.commit().await?;
    audit(svc, entry(Some(user.id), "account.password_changed", meta)).await?;
    let next = if p.stage == Stage::ChangePassword {
        let s = if user.totp_enabled_at.is_some() {
            Stage::Totp
        } else {
            Stage::EnrolTotp
        };
        session::set_stage(svc, &p.session_id, s).await?;
        s
    } else {
        Stage::Full
    };
    Ok(next)
}

/// Sends a reset link if the email belongs to an account; the answer never says whether it does.
pub async fn request_reset(
    svc: &Services,
    email: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    if rate_limited(svc, "reset", meta, svc.auth.policy.reset_per_minute) {
        return Err(AppError::RateLimited);
    }
    let Some(email) = normalise_email(email) else {
        return Err(invalid(
            "email",
            "Nhập địa chỉ email hợp lệ.",
            "Enter a valid email address.",
        ));
    };
    let Some(user) = user_account::Entity::find()
        .filter(user_account::Column::Email.eq(email))
        .one(&svc.db)
        .await?
    else {
        return Ok(());
    };
    let t = now();
    let token = new_email_token(
        &svc.db,
        user.id,
        "reset",
        t + svc.auth.policy.reset_token_ttl_secs,
    )
    .await?;
    audit(svc, entry(Some(user.id), "account.reset_requested", meta)).await?;
    let link = format!("{}/dat-lai-mat-khau?token={token}", svc.auth.public_url);
    svc.auth
        .mailer
        .send(
            &user.email,
            "Đặt lại mật khẩu / Reset your password",
            &format!(
                "Để đặt lại mật khẩu, mở liên kết sau (hiệu lực 30 phút):\n{link}\n\nNếu bạn không \
                 yêu cầu, hãy bỏ qua thư này; mật khẩu của bạn không thay đổi.\n\n---\nTo reset \
                 your password, open the link above (valid 30 minutes). If you did not ask, ignore \
                 this message.\n"
            ),
        )
        .await
        .map_err(internal)
}

pub async fn reset_password(
    svc: &Services,
    token: &str,
    new: &str,
    confirm: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    // Validate before consuming the token, so a too-short password does not burn the link.
    let row = email_token::Entity::find()
        .filter(email_token::Column::TokenHash.eq(sha256_hex(token.trim())))
        .filter(email_token::Column::Purpose.eq("reset"))
        .one(&svc.db)
        .await?
        .filter(|r| r.used_at.is_none() && r.expires_at > now());
    let bad_link = || {
        invalid(
            "token",
            "Liên kết đặt lại mật khẩu không hợp lệ hoặc đã hết hạn. Hãy yêu cầu liên kết mới.",
            "The reset link is invalid or has expired. Ask for a new one.",
        )
    };
    let Some(row) = row else {
        return Err(bad_link());
    };
    let user = user_of(svc, row.user_id).await?;
    let errs = check_password(svc, "new_password", new, confirm, &[&user.email]);
    if !errs.is_empty() {
        return Err(AppError::Validation(errs));
    }
    if take_token(svc, "reset", token).await?.is_none() {
        return Err(bad_link());
    }
    let hash = hash_blocking(new.to_owned()).await?;
    let txn = svc.db.begin().await?;
    crate::server::write_lock(&txn).await?;
    let mut am = user.clone().into_active_model();
    am.password_hash = Set(hash);
    am.password_changed_at = Set(now());
    am.failed_logins = Set(0);
    am.locked_until = Set(None);
    // Proving control of the mailbox also verifies it.
    if user.email_verified_at.is_none() {
        am.email_verified_at = Set(Some(now()));
    }
    am.update(&txn).await?;
    session::revoke_all(&txn, user.id, "password_reset", None).await?;
    txn.commit().await?;
    audit(svc, entry(Some(user.id), "account.password_reset", meta)).await
}

pub async fn profile(svc: &Services, user_id: i32) -> Result<Profile, AppError> {
    let u = user_of(svc, user_id).await?;
    let links = organisation_member::Entity::find()
        .filter(organisation_member::Column::UserId.eq(u.id))
        .all(&svc.db)
        .await?;
    let mut organisations = Vec::new();
    let mut representatives = Vec::new();
    for l in links {
        if let Some(o) = organisation::Entity::find_by_id(l.organisation_id)
            .one(&svc.db)
            .await?
        {
            // Who else acts for the same organisation (authorised representatives).
            for m in organisation_member::Entity::find()
                .filter(organisation_member::Column::OrganisationId.eq(o.id))
                .filter(organisation_member::Column::UserId.ne(u.id))
                .all(&svc.db)
                .await?
            {
                if let Some(other) = user_account::Entity::find_by_id(m.user_id)
                    .one(&svc.db)
                    .await?
                {
                    representatives.push(format!("{} ({})", other.full_name, m.relation));
                }
            }
            organisations.push(OrgLink {
                name: o.name,
                tax_code: o.tax_code,
                relation: l.relation,
            });
        }
    }
    let deletion_pending = deletion_request::Entity::find()
        .filter(deletion_request::Column::UserId.eq(u.id))
        .filter(deletion_request::Column::Status.eq("pending"))
        .count(&svc.db)
        .await?
        > 0;
    Ok(Profile {
        citizen_id_masked: u
            .citizen_id_enc
            .as_deref()
            .and_then(|e| svc.auth.cipher.decrypt(CITIZEN_ID, e))
            .map(|c| mask_citizen_id(&c)),
        full_name: u.full_name,
        email: u.email,
        phone: u.phone,
        kind: AccountKind::parse(&u.kind).unwrap_or(AccountKind::Citizen),
        created_at: u.created_at,
        totp_enabled: u.totp_enabled_at.is_some(),
        organisations,
        representatives,
        deletion_pending,
    })
}

/// Updates contact data the user may change themselves (name and ID come from identity
/// documents and change through support).
pub async fn update_contact(
    svc: &Services,
    p: &Principal,
    phone: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let Some(phone) = normalise_phone(phone) else {
        return Err(invalid(
            "phone",
            "Nhập số điện thoại Việt Nam, ví dụ 0905 123 456.",
            "Enter a Vietnamese phone number, e.g. 0905 123 456.",
        ));
    };
    user_account::Entity::update_many()
        .col_expr(user_account::Column::Phone, Expr::value(phone))
        .filter(user_account::Column::Id.eq(p.user_id))
        .exec(&svc.db)
        .await?;
    audit(svc, entry(Some(p.user_id), "account.contact_updated", meta)).await
}

/// S-PD: everything held about the user, as one JSON document.
pub async fn export(svc: &Services, p: &Principal) -> Result<serde_json::Value, AppError> {
    let u = user_of(svc, p.user_id).await?;
    let profile = profile(svc, p.user_id).await?;
    let consents = consent::Entity::find()
        .filter(consent::Column::UserId.eq(u.id))
        .all(&svc.db)
        .await?;
    let sessions = auth_session::Entity::find()
        .filter(auth_session::Column::UserId.eq(u.id))
        .order_by_desc(auth_session::Column::CreatedAt)
        .all(&svc.db)
        .await?;
    let events = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Actor.eq(u.id.to_string()))
        .order_by_desc(entity::audit_log::Column::Id)
        .all(&svc.db)
        .await?;
    let citizen_id = u
        .citizen_id_enc
        .as_deref()
        .and_then(|e| svc.auth.cipher.decrypt(CITIZEN_ID, e));
    Ok(serde_json::json!({
        "exported_at": crate::server::audit::utc_now(),
        "account": {
            "kind": u.kind, "full_name": u.full_name, "email": u.email,
            "email_verified_at": u.email_verified_at, "phone": u.phone,
            "citizen_id": citizen_id, "created_at": u.created_at,
            "last_login_at": u.last_login_at, "two_factor": u.totp_enabled_at.is_some(),
        },
        "organisations": profile.organisations,
        "consents": consents.iter().map(|c| serde_json::json!({
            "purpose": c.purpose, "version": c.version, "given_at": c.given_at,
            "withdrawn_at": c.withdrawn_at })).collect::<Vec<_>>(),
        "sessions": sessions.iter().map(|s| serde_json::json!({
            "created_at": s.created_at, "last_seen_at": s.last_seen_at, "ip": s.ip,
            "user_agent": s.user_agent, "ended": s.revoked_reason })).collect::<Vec<_>>(),
        "activity": events.iter().map(|e| serde_json::json!({
            "at": e.at, "action": e.action, "ip": e.ip })).collect::<Vec<_>>(),
    }))
}

/// S-PD: records a deletion request for an administrator to carry out (records that the law
/// requires to be kept, such as dossiers, are retained; the account is then anonymised).
pub async fn request_deletion(
    svc: &Services,
    p: &Principal,
    reason: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let pending = deletion_request::Entity::find()
        .filter(deletion_request::Column::UserId.eq(p.user_id))
        .filter(deletion_request::Column::Status.eq("pending"))
        .count(&svc.db)
        .await?;
    if pending > 0 {
        return Err(AppError::Conflict);
    }
    deletion_request::ActiveModel {
        user_id: Set(p.user_id),
        reason: Set(Some(reason.chars().take(1000).collect())),
        status: Set("pending".into()),
        requested_at: Set(now()),
        ..Default::default()
    }
    .insert(&svc.db)
    .await?;
    audit(
        svc,
        entry(Some(p.user_id), "account.deletion_requested", meta),
    )
    .await
}

#[derive(Clone, Debug, Default)]
pub struct NewOfficer {
    pub full_name: String,
    pub email: String,
    pub agency_id: i32,
    pub role: String,
}

/// B-g: an administrator creates an officer with a role in a unit they administer. Returns the
/// one-time initial password, which must be changed at first login.
pub async fn create_officer(
    svc: &Services,
    admin: &Principal,
    n: NewOfficer,
    meta: &RequestMeta,
) -> Result<String, AppError> {
    if !admin.can(Permission::ManageOfficers, Some(n.agency_id)) {
        audit(svc, {
            let mut e = entry(Some(admin.user_id), "access.denied", meta);
            e.detail =
                Some(serde_json::json!({ "action": "create_officer", "agency": n.agency_id }));
            e
        })
        .await?;
        return Err(AppError::Forbidden);
    }
    let mut errs = Vec::new();
    let name = n.full_name.trim();
    if name.chars().count() < 2 {
        errs.push(field(
            "full_name",
            "Nhập họ và tên.",
            "Enter the full name.",
        ));
    }
    let email = normalise_email(&n.email);
    if email.is_none() {
        errs.push(field(
            "email",
            "Nhập email công vụ hợp lệ.",
            "Enter a valid work email.",
        ));
    }
    let role = Role::parse(&n.role);
    match role {
        None => errs.push(field("role", "Chọn vai trò.", "Choose a role.")),
        Some(Role::SystemAdmin) if !admin.is_system_admin() => errs.push(field(
            "role",
            "Chỉ quản trị hệ thống mới cấp được vai trò này.",
            "Only a system administrator can grant this role.",
        )),
        _ => {}
    }
    if agency::Entity::find_by_id(n.agency_id)
        .one(&svc.db)
        .await?
        .is_none()
    {
        errs.push(field("agency_id", "Chọn đơn vị.", "Choose a unit."));
    }
    let (Some(email), Some(role), true) = (email, role, errs.is_empty()) else {
        return Err(AppError::Validation(errs));
    };
    if user_account::Entity::find()
        .filter(user_account::Column::Email.eq(email.clone()))
        .count(&svc.db)
        .await?
        > 0
    {
        return Err(invalid(
            "email",
            "Email này đã có tài khoản.",
            "This email already has an account.",
        ));
    }
    let initial = initial_password();
    let hash = hash_blocking(initial.clone()).await?;
    let t = now();
    let txn = svc.db.begin().await?;
    crate::server::write_lock(&txn).await?;
    let user = user_account::ActiveModel {
        kind: Set(AccountKind::Officer.as_str().into()),
        email: Set(email),
        full_name: Set(name.into()),
        // Created by an administrator from the unit's staff list: the address is trusted.
        email_verified_at: Set(Some(t)),
        password_hash: Set(hash),
        password_changed_at: Set(t),
        must_change_password: Set(true),
        failed_logins: Set(0),
        created_at: Set(t),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    role_assignment::ActiveModel {
        user_id: Set(user.id),
        role: Set(role.as_str().into()),
        agency_id: Set((role != Role::SystemAdmin).then_some(n.agency_id)),
        created_at: Set(t),
        created_by: Set(Some(admin.user_id)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    let mut e = entry(Some(admin.user_id), "account.officer_created", meta);
    e.object_id = Some(user.id.to_string());
    e.detail = Some(serde_json::json!({ "role": role.as_str(), "agency": n.agency_id }));
    audit(svc, e).await?;
    Ok(initial)
}

/// 16 characters from an alphabet without look-alikes, ~80 bits.
fn initial_password() -> String {
    const A: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY346789";
    random_bytes::<16>()
        .iter()
        .map(|b| A[*b as usize % A.len()] as char)
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Officers visible to an administrator: those with a role in a unit they administer.
pub async fn list_officers(svc: &Services, admin: &Principal) -> Result<Vec<OfficerRow>, AppError> {
    let units = admin.units_for(Permission::ManageOfficers);
    if !admin.is_system_admin() && units.is_empty() {
        return Err(AppError::Forbidden);
    }
    let mut q = role_assignment::Entity::find().order_by_asc(role_assignment::Column::Id);
    if !admin.is_system_admin() {
        q = q.filter(role_assignment::Column::AgencyId.is_in(units));
    }
    let mut out = Vec::new();
    for g in q.all(&svc.db).await? {
        let Some(u) = user_account::Entity::find_by_id(g.user_id)
            .one(&svc.db)
            .await?
        else {
            continue;
        };
        let agency = match g.agency_id {
            Some(a) => agency::Entity::find_by_id(a)
                .one(&svc.db)
                .await?
                .map(|a| a.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        out.push(OfficerRow {
            id: u.id,
            full_name: u.full_name,
            email: u.email,
            role: Role::parse(&g.role).unwrap_or(Role::Specialist),
            agency,
            active: u.disabled_at.is_none(),
            totp: u.totp_enabled_at.is_some(),
        });
    }
    Ok(out)
}

/// Disables an account and ends its sessions (B-g).
pub async fn disable_account(
    svc: &Services,
    admin: &Principal,
    user_id: i32,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let grants = role_assignment::Entity::find()
        .filter(role_assignment::Column::UserId.eq(user_id))
        .all(&svc.db)
        .await?;
    let allowed = admin.is_system_admin()
        || (!grants.is_empty()
            && grants
                .iter()
                .all(|g| admin.can(Permission::ManageOfficers, g.agency_id)));
    if !allowed || user_id == admin.user_id {
        return Err(AppError::Forbidden);
    }
    let txn = svc.db.begin().await?;
    crate::server::write_lock(&txn).await?;
    user_account::Entity::update_many()
        .col_expr(user_account::Column::DisabledAt, Expr::value(now()))
        .col_expr(user_account::Column::DisabledReason, Expr::value("admin"))
        .filter(user_account::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    session::revoke_all(&txn, user_id, "disabled", None).await?;
    txn.commit().await?;
    let mut e = entry(Some(admin.user_id), "account.disabled", meta);
    e.object_id = Some(user_id.to_string());
    audit(svc, e).await
}

/// Creates an officer account (first system administrator, demo officers) unless the email
/// exists; the password must be changed and 2FA enrolled at first login.
pub async fn ensure_officer(
    svc: &Services,
    email: &str,
    password: &str,
    name: &str,
    role: Role,
    agency_id: Option<i32>,
) -> Result<bool, AppError> {
    if user_account::Entity::find()
        .filter(user_account::Column::Email.eq(email))
        .count(&svc.db)
        .await?
        > 0
    {
        return Ok(false);
    }
    let hash = hash_blocking(password.to_owned()).await?;
    let t = now();
    let txn = svc.db.begin().await?;
    crate::server::write_lock(&txn).await?;
    let user = user_account::ActiveModel {
        kind: Set(AccountKind::Officer.as_str().into()),
        email: Set(email.into()),
        full_name: Set(name.into()),
        email_verified_at: Set(Some(t)),
        password_hash: Set(hash),
        password_changed_at: Set(t),
        must_change_password: Set(true),
        failed_logins: Set(0),
        created_at: Set(t),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    role_assignment::ActiveModel {
        user_id: Set(user.id),
        role: Set(role.as_str().into()),
        agency_id: Set(agency_id),
        created_at: Set(t),
        created_by: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    audit(
        svc,
        Entry {
            action: "account.bootstrap_officer".into(),
            object_type: Some("user".into()),
            object_id: Some(user.id.to_string()),
            ..Default::default()
        },
    )
    .await?;
    Ok(true)
}

/// A verified demo citizen with a consent record (demo data only).
pub async fn ensure_demo_citizen(
    svc: &Services,
    email: &str,
    password: &str,
) -> Result<bool, AppError> {
    if user_account::Entity::find()
        .filter(user_account::Column::Email.eq(email))
        .count(&svc.db)
        .await?
        > 0
    {
        return Ok(false);
    }
    let cid = "048199000123";
    let hash = hash_blocking(password.to_owned()).await?;
    let t = now();
    let txn = svc.db.begin().await?;
    crate::server::write_lock(&txn).await?;
    let user = user_account::ActiveModel {
        kind: Set(AccountKind::Citizen.as_str().into()),
        email: Set(email.into()),
        full_name: Set("Nguyễn Văn An (demo)".into()),
        phone: Set(Some("0905000123".into())),
        citizen_id_enc: Set(svc.auth.cipher.encrypt(CITIZEN_ID, cid)),
        citizen_id_index: Set(Some(svc.auth.cipher.blind_index(CITIZEN_ID, cid))),
        email_verified_at: Set(Some(t)),
        password_hash: Set(hash),
        password_changed_at: Set(t),
        must_change_password: Set(false),
        failed_logins: Set(0),
        created_at: Set(t),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record_consent(&txn, user.id, t).await?;
    txn.commit().await?;
    Ok(true)
}

pub async fn pending_deletions(
    svc: &Services,
    admin: &Principal,
) -> Result<Vec<DeletionRow>, AppError> {
    if !admin.can(Permission::ViewAudit, None) {
        return Err(AppError::Forbidden);
    }
    let mut out = Vec::new();
    for r in deletion_request::Entity::find()
        .filter(deletion_request::Column::Status.eq("pending"))
        .order_by_asc(deletion_request::Column::RequestedAt)
        .all(&svc.db)
        .await?
    {
        if let Some(u) = user_account::Entity::find_by_id(r.user_id)
            .one(&svc.db)
            .await?
        {
            out.push(DeletionRow {
                id: r.id,
                email: u.email,
                full_name: u.full_name,
                requested_at: r.requested_at,
                reason: r.reason,
            });
        }
    }
    Ok(out)
}

/// Carries out (or refuses) a deletion request. Carrying it out anonymises the account in one
/// transaction: contact data, ID number, password, 2FA and links to organisations and external
/// identities are removed and every session ends; the row stays so that records the law
/// requires to be kept (dossiers, the audit log) still point somewhere.
pub async fn decide_deletion(
    svc: &Services,
    admin: &Principal,
    request_id: i32,
    approve: bool,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    if !admin.can(Permission::ViewAudit, None) {
        return Err(AppError::Forbidden);
    }
    let Some(req) = deletion_request::Entity::find_by_id(request_id)
        .one(&svc.db)
        .await?
        .filter(|r| r.status == "pending")
    else {
        return Err(AppError::NotFound);
    };
    let user = user_of(svc, req.user_id).await?;
    let t = now();
    let txn = svc.db.begin().await?;
    crate::server::write_lock(&txn).await?;
    let mut r = req.clone().into_active_model();
    r.status = Set(if approve { "done" } else { "rejected" }.into());
    r.decided_at = Set(Some(t));
    r.decided_by = Set(Some(admin.user_id));
    r.update(&txn).await?;
    if approve {
        let mut am = user.clone().into_active_model();
        am.email = Set(format!("deleted-{}@invalid.local", user.id));
        am.full_name = Set("(đã xoá / deleted)".into());
        am.phone = Set(None);
        am.citizen_id_enc = Set(None);
        am.citizen_id_index = Set(None);
        // Not a PHC string: no password can ever match it.
        am.password_hash = Set("!deleted".into());
        am.totp_secret_enc = Set(None);
        am.totp_enabled_at = Set(None);
        am.disabled_at = Set(Some(t));
        am.disabled_reason = Set(Some("deleted".into()));
        am.update(&txn).await?;
        organisation_member::Entity::delete_many()
            .filter(organisation_member::Column::UserId.eq(user.id))
            .exec(&txn)
            .await?;
        entity::external_identity::Entity::delete_many()
            .filter(entity::external_identity::Column::UserId.eq(user.id))
            .exec(&txn)
            .await?;
        recovery_code::Entity::delete_many()
            .filter(recovery_code::Column::UserId.eq(user.id))
            .exec(&txn)
            .await?;
        email_token::Entity::delete_many()
            .filter(email_token::Column::UserId.eq(user.id))
            .exec(&txn)
            .await?;
        session::revoke_all(&txn, user.id, "deleted", None).await?;
    }
    // P-10.2 / S-PD: the personal data store and notifications go with the account; dossiers
    // stay (with the name as filed) for the periods the archives law requires.
    let store: Vec<String> = if approve {
        let items = entity::data_store_item::Entity::find()
            .filter(entity::data_store_item::Column::OwnerId.eq(user.id))
            .all(&txn)
            .await?;
        entity::data_store_item::Entity::delete_many()
            .filter(entity::data_store_item::Column::OwnerId.eq(user.id))
            .exec(&txn)
            .await?;
        entity::notification::Entity::delete_many()
            .filter(entity::notification::Column::UserId.eq(user.id))
            .exec(&txn)
            .await?;
        items.into_iter().map(|i| i.sha256).collect()
    } else {
        vec![]
    };
    txn.commit().await?;
    for sha in store {
        crate::server::dossier::release_blob(svc, &sha).await;
    }
    let mut e = entry(
        Some(admin.user_id),
        if approve {
            "account.deleted"
        } else {
            "account.deletion_refused"
        },
        meta,
    );
    e.object_id = Some(user.id.to_string());
    audit(svc, e).await?;
    let (subject, body) = if approve {
        (
            "Tài khoản đã được xoá / Account deleted",
            "Theo yêu cầu của bạn, tài khoản trên Cổng Dịch vụ công đã được xoá. Hồ sơ thủ tục \
             hành chính được lưu theo thời hạn pháp luật quy định.\n\n---\nAs you asked, your \
             Public Service Portal account has been deleted. Dossiers are kept for the periods \
             the law requires.\n",
        )
    } else {
        (
            "Yêu cầu xoá tài khoản / Deletion request",
            "Yêu cầu xoá tài khoản của bạn chưa được chấp nhận; hãy liên hệ bộ phận hỗ trợ để \
             biết lý do.\n\n---\nYour deletion request was not accepted; contact support for the \
             reason.\n",
        )
    };
    if let Err(err) = svc.auth.mailer.send(&user.email, subject, body).await {
        tracing::warn!(error = %err, "deletion notice not sent");
    }
    Ok(())
}
