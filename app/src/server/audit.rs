//! Append-only, hash-chained audit log (P-10.3, S-1). Each record's hash covers its content and
//! the previous record's hash, so deleting, reordering or editing any record breaks the chain at
//! that point; the database additionally refuses UPDATE and DELETE on the table.
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, PaginatorTrait, QueryOrder, Set, TransactionTrait,
};
use sha2::{Digest, Sha256};

use entity::audit_log;

use crate::error::AppError;

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Advisory-lock key that serialises appends across app servers on PostgreSQL.
const PG_LOCK_KEY: i64 = 0x0a0d_1710;

/// What happened, by whom, from where.
#[derive(Clone, Debug, Default)]
pub struct Entry {
    pub actor: Option<String>,
    pub action: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<serde_json::Value>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub records: u64,
    /// Id of the first record whose hash or link does not match; None when the chain is intact.
    pub first_broken: Option<i32>,
}

/// Serialises appends inside this process (the embedded SQLite default has one writer; on
/// PostgreSQL an advisory lock also covers other app servers).
#[derive(Default)]
pub struct AuditLog {
    lock: tokio::sync::Mutex<()>,
}

/// SHA-256 over the previous hash and every field, each length-prefixed so that no two
/// different records can produce the same input.
pub fn chain_hash(prev: &str, at: &str, e: &Entry, detail: &str) -> String {
    let mut h = Sha256::new();
    for part in [
        Some(prev),
        Some(at),
        e.actor.as_deref(),
        Some(e.action.as_str()),
        e.object_type.as_deref(),
        e.object_id.as_deref(),
        e.ip.as_deref(),
        e.user_agent.as_deref(),
        Some(detail),
    ] {
        match part {
            Some(s) => {
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
            None => h.update(u64::MAX.to_be_bytes()),
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn entry_of(m: &audit_log::Model) -> Entry {
    Entry {
        actor: m.actor.clone(),
        action: m.action.clone(),
        object_type: m.object_type.clone(),
        object_id: m.object_id.clone(),
        ip: m.ip.clone(),
        user_agent: m.user_agent.clone(),
        detail: None,
    }
}

impl AuditLog {
    pub async fn append(
        &self,
        db: &DatabaseConnection,
        e: Entry,
    ) -> Result<audit_log::Model, AppError> {
        let _guard = self.lock.lock().await;
        let txn = db.begin().await?;
        super::write_lock(&txn).await?;
        if txn.get_database_backend() == DbBackend::Postgres {
            txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({PG_LOCK_KEY})"))
                .await?;
        }
        let prev = audit_log::Entity::find()
            .order_by_desc(audit_log::Column::Id)
            .one(&txn)
            .await?
            .map(|m| m.hash)
            .unwrap_or_else(|| GENESIS.to_owned());
        let at = utc_now();
        let detail = e
            .detail
            .clone()
            .unwrap_or_else(|| serde_json::json!({}))
            .to_string();
        let hash = chain_hash(&prev, &at, &e, &detail);
        let row = audit_log::ActiveModel {
            id: NotSet,
            at: Set(at),
            actor: Set(e.actor),
            action: Set(e.action),
            object_type: Set(e.object_type),
            object_id: Set(e.object_id),
            ip: Set(e.ip),
            user_agent: Set(e.user_agent),
            detail: Set(detail),
            prev_hash: Set(prev),
            hash: Set(hash),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Walks the whole chain in id order, a page at a time.
    pub async fn verify(db: &DatabaseConnection) -> Result<Verification, AppError> {
        let mut pages = audit_log::Entity::find()
            .order_by_asc(audit_log::Column::Id)
            .paginate(db, 1000);
        let mut expected_prev = GENESIS.to_owned();
        let mut records = 0;
        while let Some(rows) = pages.fetch_and_next().await? {
            for m in rows {
                records += 1;
                let recomputed = chain_hash(&m.prev_hash, &m.at, &entry_of(&m), &m.detail);
                if m.prev_hash != expected_prev || recomputed != m.hash {
                    return Ok(Verification {
                        records,
                        first_broken: Some(m.id),
                    });
                }
                expected_prev = m.hash;
            }
        }
        Ok(Verification {
            records,
            first_broken: None,
        })
    }
}

/// Current UTC time as RFC 3339 with microseconds, e.g. `2026-11-27T03:40:00.123456Z`.
pub fn utc_now() -> String {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format_utc(d.as_secs() as i64, d.subsec_micros())
}

fn format_utc(secs: i64, micros: u32) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_dates() {
        assert_eq!(format_utc(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(format_utc(1_798_342_800, 5), "2026-12-27T03:40:00.000005Z");
        assert_eq!(format_utc(951_782_400, 0), "2000-02-29T00:00:00.000000Z");
    }

    #[test]
    fn hash_depends_on_every_field_and_the_link() {
        let e = Entry {
            action: "login".into(),
            actor: Some("a".into()),
            ..Default::default()
        };
        let h = chain_hash(GENESIS, "t", &e, "{}");
        assert_eq!(h.len(), 64);
        assert_ne!(h, chain_hash("1", "t", &e, "{}"));
        assert_ne!(h, chain_hash(GENESIS, "t", &e, "{\"x\":1}"));
        let moved = Entry {
            actor: None,
            object_type: Some("a".into()),
            ..e.clone()
        };
        assert_ne!(h, chain_hash(GENESIS, "t", &moved, "{}"));
    }
}
