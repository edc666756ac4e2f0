//! Sessions (S-ACC, ASVS V3): a short-lived access JWT bound to a server-side session, and a
//! rotating refresh token stored as a hash. Presenting a refresh token that was already used
//! revokes the whole session (token family), because only a thief would hold an old one.
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use entity::{agency, auth_session, refresh_token, role_assignment, user_account};

use super::crypto::{random_token, sha256_hex};
use super::{now, RequestMeta};
use crate::domain::account::{AccountKind, Principal, Role, RoleGrant, Stage};
use crate::error::AppError;
use crate::server::audit::Entry;
use crate::server::Services;

/// Tokens to hand to the browser.
#[derive(Clone, Debug)]
pub struct Issued {
    pub session_id: String,
    pub access: String,
    pub refresh: String,
    /// Seconds until the session's absolute end (refresh-cookie lifetime).
    pub refresh_max_age: i64,
}

/// Result of checking a request's cookies.
#[derive(Default)]
pub struct Authenticated {
    pub principal: Option<Principal>,
    /// New tokens after a silent refresh.
    pub reissued: Option<Issued>,
    /// The presented tokens are dead: clear the cookies.
    pub clear: bool,
}

async fn issue_refresh<C: ConnectionTrait>(db: &C, session_id: &str) -> Result<String, AppError> {
    let token = random_token();
    refresh_token::ActiveModel {
        session_id: Set(session_id.into()),
        token_hash: Set(sha256_hex(&token)),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Starts a session at `stage` for a user whose password was just verified.
pub async fn create(
    svc: &Services,
    user_id: i32,
    stage: Stage,
    meta: &RequestMeta,
) -> Result<Issued, AppError> {
    let auth = &svc.auth;
    let t = now();
    let id = random_token();
    let expires_at = t + auth.policy.absolute_lifetime_secs;
    auth_session::ActiveModel {
        id: Set(id.clone()),
        user_id: Set(user_id),
        stage: Set(stage.as_str().into()),
        created_at: Set(t),
        last_seen_at: Set(t),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        ip: Set(meta.ip.clone()),
        user_agent: Set(meta
            .user_agent
            .as_deref()
            .map(|u| u.chars().take(400).collect())),
    }
    .insert(&svc.db)
    .await?;
    let refresh = issue_refresh(&svc.db, &id).await?;
    let access = auth
        .jwt
        .sign(user_id, &id, t, auth.policy.access_ttl_secs)
        .ok_or_else(|| crate::error::internal("jwt signing failed"))?;
    Ok(Issued {
        session_id: id,
        access,
        refresh,
        refresh_max_age: expires_at - t,
    })
}

/// Moves a session to the next login stage.
pub async fn set_stage(svc: &Services, session_id: &str, stage: Stage) -> Result<(), AppError> {
    auth_session::Entity::update_many()
        .col_expr(auth_session::Column::Stage, Expr::value(stage.as_str()))
        .filter(auth_session::Column::Id.eq(session_id))
        .exec(&svc.db)
        .await?;
    Ok(())
}

pub async fn revoke(svc: &Services, session_id: &str, reason: &str) -> Result<(), AppError> {
    auth_session::Entity::update_many()
        .col_expr(auth_session::Column::RevokedAt, Expr::value(now()))
        .col_expr(auth_session::Column::RevokedReason, Expr::value(reason))
        .filter(auth_session::Column::Id.eq(session_id))
        .filter(auth_session::Column::RevokedAt.is_null())
        .exec(&svc.db)
        .await?;
    Ok(())
}

/// Ends every live session of a user, optionally keeping one (log out other devices).
pub async fn revoke_all<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    reason: &str,
    except: Option<&str>,
) -> Result<u64, AppError> {
    let mut q = auth_session::Entity::update_many()
        .col_expr(auth_session::Column::RevokedAt, Expr::value(now()))
        .col_expr(auth_session::Column::RevokedReason, Expr::value(reason))
        .filter(auth_session::Column::UserId.eq(user_id))
        .filter(auth_session::Column::RevokedAt.is_null());
    if let Some(keep) = except {
        q = q.filter(auth_session::Column::Id.ne(keep));
    }
    Ok(q.exec(db).await?.rows_affected)
}

fn live(s: &auth_session::Model, idle: i64, t: i64) -> bool {
    s.revoked_at.is_none() && s.expires_at > t && s.last_seen_at + idle > t
}

async fn principal_of(
    svc: &Services,
    s: &auth_session::Model,
) -> Result<Option<Principal>, AppError> {
    let Some(u) = user_account::Entity::find_by_id(s.user_id)
        .one(&svc.db)
        .await?
    else {
        return Ok(None);
    };
    if u.disabled_at.is_some() {
        return Ok(None);
    }
    let grants = role_assignment::Entity::find()
        .filter(role_assignment::Column::UserId.eq(u.id))
        .find_also_related_agency(&svc.db)
        .await?;
    Ok(Some(Principal {
        user_id: u.id,
        session_id: s.id.clone(),
        kind: AccountKind::parse(&u.kind).unwrap_or(AccountKind::Citizen),
        full_name: u.full_name,
        email: u.email,
        stage: Stage::parse(&s.stage).unwrap_or(Stage::Totp),
        roles: grants,
    }))
}

/// Role grants with the unit's name, without a foreign-key relation in the entity.
trait GrantsQuery {
    async fn find_also_related_agency(
        self,
        db: &sea_orm::DatabaseConnection,
    ) -> Result<Vec<RoleGrant>, AppError>;
}

impl GrantsQuery for sea_orm::Select<role_assignment::Entity> {
    async fn find_also_related_agency(
        self,
        db: &sea_orm::DatabaseConnection,
    ) -> Result<Vec<RoleGrant>, AppError> {
        let rows = self
            .order_by_asc(role_assignment::Column::Id)
            .all(db)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let Some(role) = Role::parse(&r.role) else {
                continue;
            };
            let agency_name = match r.agency_id {
                Some(id) => agency::Entity::find_by_id(id)
                    .one(db)
                    .await?
                    .map(|a| a.name),
                None => None,
            };
            out.push(RoleGrant {
                role,
                agency_id: r.agency_id,
                agency_name,
            });
        }
        Ok(out)
    }
}

/// Checks the access token; when it is missing or expired, rotates the refresh token.
pub async fn authenticate(
    svc: &Services,
    access: Option<&str>,
    refresh: Option<&str>,
    meta: &RequestMeta,
) -> Result<Authenticated, AppError> {
    let auth = &svc.auth;
    let t = now();
    let idle = auth.policy.idle_timeout_secs;
    if let Some(claims) = access.and_then(|a| auth.jwt.verify(a)) {
        let s = auth_session::Entity::find_by_id(claims.sid.clone())
            .one(&svc.db)
            .await?;
        match s {
            Some(s) if live(&s, idle, t) && s.user_id.to_string() == claims.sub => {
                // Idle time is tracked to the minute: one write per user per minute at most.
                if t - s.last_seen_at >= 60 {
                    touch(svc, &s.id, t).await?;
                }
                let principal = principal_of(svc, &s).await?;
                let clear = principal.is_none();
                return Ok(Authenticated {
                    principal,
                    reissued: None,
                    clear,
                });
            }
            // A valid signature on a dead session: logged out, revoked or timed out.
            _ => {
                return Ok(Authenticated {
                    clear: true,
                    ..Default::default()
                })
            }
        }
    }
    let Some(presented) = refresh else {
        return Ok(Authenticated {
            clear: access.is_some(),
            ..Default::default()
        });
    };
    let hash = sha256_hex(presented);
    let Some(rt) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .one(&svc.db)
        .await?
    else {
        return Ok(Authenticated {
            clear: true,
            ..Default::default()
        });
    };
    let Some(s) = auth_session::Entity::find_by_id(rt.session_id.clone())
        .one(&svc.db)
        .await?
    else {
        return Ok(Authenticated {
            clear: true,
            ..Default::default()
        });
    };
    if let Some(used) = rt.used_at {
        // Two requests racing with the same cookie within seconds are the same browser; an
        // older token coming back is a replay: end the whole family.
        if t - used >= auth.policy.refresh_reuse_grace_secs {
            revoke(svc, &s.id, "refresh_reuse").await?;
            svc.audit
                .append(
                    &svc.db,
                    Entry {
                        actor: Some(s.user_id.to_string()),
                        action: "auth.refresh.reuse".into(),
                        object_type: Some("session".into()),
                        object_id: Some(short(&s.id)),
                        ip: meta.ip.clone(),
                        user_agent: meta.user_agent.clone(),
                        detail: None,
                    },
                )
                .await?;
            return Ok(Authenticated {
                clear: true,
                ..Default::default()
            });
        }
        return Ok(Authenticated::default());
    }
    if !live(&s, idle, t) {
        return Ok(Authenticated {
            clear: true,
            ..Default::default()
        });
    }
    // Mark used only if still unused, so two concurrent rotations cannot both succeed.
    let res = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(t))
        .filter(refresh_token::Column::Id.eq(rt.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&svc.db)
        .await?;
    if res.rows_affected != 1 {
        return Ok(Authenticated::default());
    }
    touch(svc, &s.id, t).await?;
    let Some(principal) = principal_of(svc, &s).await? else {
        return Ok(Authenticated {
            clear: true,
            ..Default::default()
        });
    };
    let refresh = issue_refresh(&svc.db, &s.id).await?;
    let access = auth
        .jwt
        .sign(s.user_id, &s.id, t, auth.policy.access_ttl_secs)
        .ok_or_else(|| crate::error::internal("jwt signing failed"))?;
    Ok(Authenticated {
        principal: Some(principal),
        reissued: Some(Issued {
            session_id: s.id.clone(),
            access,
            refresh,
            refresh_max_age: s.expires_at - t,
        }),
        clear: false,
    })
}

async fn touch(svc: &Services, id: &str, t: i64) -> Result<(), AppError> {
    auth_session::Entity::update_many()
        .col_expr(auth_session::Column::LastSeenAt, Expr::value(t))
        .filter(auth_session::Column::Id.eq(id))
        .exec(&svc.db)
        .await?;
    Ok(())
}

/// Session ids are secrets of a kind: logs and pages show a prefix only.
pub fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

/// The user's sessions, newest first (the "my sessions" page).
pub async fn list(svc: &Services, user_id: i32) -> Result<Vec<auth_session::Model>, AppError> {
    let t = now();
    let idle = svc.auth.policy.idle_timeout_secs;
    Ok(auth_session::Entity::find()
        .filter(auth_session::Column::UserId.eq(user_id))
        .order_by_desc(auth_session::Column::LastSeenAt)
        .all(&svc.db)
        .await?
        .into_iter()
        .filter(|s| live(s, idle, t))
        .collect())
}
