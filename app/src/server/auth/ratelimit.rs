//! Per-IP fixed-window rate limits for login, registration and password reset (S-ACC). Held in
//! memory: each app instance limits on its own, which bounds an attacker at N × limit.
use std::collections::HashMap;
use std::sync::Mutex;

/// (bucket, client) → (minute, requests in that minute).
type Windows = HashMap<(&'static str, String), (i64, u32)>;

#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<Windows>,
}

impl RateLimiter {
    /// Counts one request; false when `key` exceeded `limit` in the current minute.
    pub fn allow(&self, bucket: &'static str, key: &str, limit: u32, now: i64) -> bool {
        let minute = now.div_euclid(60);
        let Ok(mut w) = self.windows.lock() else {
            return true;
        };
        if w.len() > 100_000 {
            w.retain(|_, (m, _)| *m == minute);
        }
        let e = w.entry((bucket, key.to_owned())).or_insert((minute, 0));
        if e.0 != minute {
            *e = (minute, 0);
        }
        e.1 += 1;
        e.1 <= limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_bucket_and_key_and_resets_each_minute() {
        let r = RateLimiter::default();
        for _ in 0..3 {
            assert!(r.allow("login", "1.2.3.4", 3, 120));
        }
        assert!(!r.allow("login", "1.2.3.4", 3, 130));
        assert!(r.allow("login", "5.6.7.8", 3, 130));
        assert!(r.allow("reset", "1.2.3.4", 3, 130));
        assert!(r.allow("login", "1.2.3.4", 3, 180));
    }
}
