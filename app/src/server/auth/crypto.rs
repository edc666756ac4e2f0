//! Cryptographic building blocks for accounts (S-ACC, S-PD): argon2id password hashes, random
//! tokens stored as SHA-256, signed access tokens (JWT, HS256 only), AES-256-GCM for personal
//! data at rest, a keyed blind index, and TOTP (RFC 6238) for officers' second factor.
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm as ArgonAlgorithm, Argon2, Params, Version};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::rngs::OsRng;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// OWASP Password Storage Cheat Sheet minimum for argon2id: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(ArgonAlgorithm::Argon2id, Version::V0x13, params)
}

/// PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) with a fresh 16-byte salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Constant work whether or not the hash parses, so timing does not tell accounts apart.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => argon2().verify_password(password.as_bytes(), &h).is_ok(),
        Err(_) => {
            let _ = argon2().verify_password(password.as_bytes(), &dummy_hash());
            false
        }
    }
}

/// Hash checked for unknown emails so that a wrong email costs the same time as a wrong
/// password (ASVS V2.2: no account enumeration through timing).
pub fn dummy_hash() -> PasswordHash<'static> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let s = DUMMY.get_or_init(|| hash_password("dummy password for timing").unwrap_or_default());
    PasswordHash::new(s.as_str()).unwrap_or_else(|_| {
        // Unreachable in practice: the string above was produced by the same library.
        PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$YWJj").expect("static")
    })
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    OsRng.fill_bytes(&mut b);
    b
}

/// 256-bit URL-safe token for links and cookies.
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Equality in time independent of where the inputs differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Claims of the short-lived access token.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    /// Session id: the token is honoured only while this session is live, so logout and
    /// password change revoke it at once.
    pub sid: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    pub issuer: String,
    pub audience: String,
}

impl JwtKeys {
    pub fn new(secret: &[u8], issuer: &str, audience: &str) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            issuer: issuer.into(),
            audience: audience.into(),
        }
    }

    pub fn sign(&self, user_id: i32, session_id: &str, now: i64, ttl: i64) -> Option<String> {
        let claims = Claims {
            sub: user_id.to_string(),
            sid: session_id.into(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            nbf: now,
            exp: now + ttl,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).ok()
    }

    /// Accepts only HS256 (no `none`, no algorithm confusion) with valid signature, `exp`,
    /// `nbf`, issuer and audience.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut v = Validation::new(Algorithm::HS256);
        v.algorithms = vec![Algorithm::HS256];
        v.leeway = 5;
        v.validate_exp = true;
        v.validate_nbf = true;
        v.set_issuer(&[self.issuer.as_str()]);
        v.set_audience(&[self.audience.as_str()]);
        v.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &v)
            .ok()
            .map(|d| d.claims)
    }
}

/// AES-256-GCM with a random 96-bit nonce; `purpose` is bound as associated data so a
/// ciphertext cannot be moved to another column.
pub struct DataCipher {
    cipher: Aes256Gcm,
    index_key: [u8; 32],
}

impl DataCipher {
    pub fn new(key: &[u8; 32]) -> Self {
        // The blind-index key is derived, so one configured secret serves both.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
        mac.update(b"blind-index-v1");
        let index_key: [u8; 32] = mac.finalize().into_bytes().into();
        Self {
            cipher: Aes256Gcm::new(key.into()),
            index_key,
        }
    }

    pub fn encrypt(&self, purpose: &str, plain: &str) -> Option<String> {
        let nonce = random_bytes::<12>();
        let ct = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: purpose.as_bytes(),
                },
            )
            .ok()?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Some(STANDARD.encode(out))
    }

    pub fn decrypt(&self, purpose: &str, stored: &str) -> Option<String> {
        let raw = STANDARD.decode(stored).ok()?;
        if raw.len() < 12 + 16 {
            return None;
        }
        let (nonce, ct) = raw.split_at(12);
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: purpose.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }

    /// Keyed hash for uniqueness checks and lookups without decrypting.
    pub fn blind_index(&self, purpose: &str, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.index_key).expect("any key");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// RFC 4648 base32 without padding (authenticator apps read secrets in this form).
pub fn base32(bytes: &[u8]) -> String {
    const A: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = (buf << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            out.push(A[((buf >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(A[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Inverse of [`base32`]; None on characters outside the alphabet.
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.chars().filter(|c| *c != '=') {
        let v = match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            '2'..='7' => c as u32 - '2' as u32 + 26,
            _ => return None,
        };
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push((buf >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

pub const TOTP_STEP: i64 = 30;

/// RFC 6238 TOTP with HMAC-SHA1, 6 digits (what every authenticator app supports).
pub fn totp(secret: &[u8], step: i64) -> String {
    let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(secret).expect("any key");
    mac.update(&(step as u64).to_be_bytes());
    let h = mac.finalize().into_bytes();
    let off = (h[19] & 0x0f) as usize;
    let bin = ((h[off] as u32 & 0x7f) << 24)
        | ((h[off + 1] as u32) << 16)
        | ((h[off + 2] as u32) << 8)
        | h[off + 3] as u32;
    format!("{:06}", bin % 1_000_000)
}

/// The time step a code matches, allowing one step of clock drift either way; the caller
/// refuses steps at or before the last one used, so a code works once.
pub fn totp_match(secret: &[u8], code: &str, now: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let step = now.div_euclid(TOTP_STEP);
    [step - 1, step, step + 1]
        .into_iter()
        .find(|s| constant_time_eq(totp(secret, *s).as_bytes(), code.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totp_matches_rfc6238_vectors() {
        // RFC 6238 Appendix B, SHA-1 secret "12345678901234567890", last 6 digits.
        let secret = b"12345678901234567890";
        for (t, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(totp(secret, t / TOTP_STEP), code, "t={t}");
        }
    }

    #[test]
    fn base32_matches_rfc4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
    }

    #[test]
    fn argon2id_hashes_have_unique_salts_and_verify() {
        let a = hash_password("một câu dài dễ nhớ").expect("hash");
        let b = hash_password("một câu dài dễ nhớ").expect("hash");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_ne!(a, b);
        assert!(verify_password("một câu dài dễ nhớ", &a));
        assert!(!verify_password("một câu dài dễ nhở", &a));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn jwt_rejects_tampering_other_audience_and_expiry() {
        let k = JwtKeys::new(b"0123456789abcdef0123456789abcdef", "portal", "portal-web");
        let t = k.sign(7, "s1", 1_000, 600).expect("sign");
        // Signed far in the past: expired.
        assert!(k.verify(&t).is_none());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        let t = k.sign(7, "s1", now, 600).expect("sign");
        assert_eq!(k.verify(&t).map(|c| c.sid), Some("s1".into()));
        let other = JwtKeys::new(b"0123456789abcdef0123456789abcdef", "portal", "other");
        assert!(other.verify(&t).is_none());
        let wrong_key = JwtKeys::new(b"another key another key another k", "portal", "portal-web");
        assert!(wrong_key.verify(&t).is_none());
    }

    #[test]
    fn data_cipher_round_trips_and_binds_purpose() {
        let c = DataCipher::new(&[7u8; 32]);
        let e = c.encrypt("citizen_id", "001099012345").expect("enc");
        assert!(!e.contains("001099012345"));
        assert_eq!(c.decrypt("citizen_id", &e).as_deref(), Some("001099012345"));
        assert!(c.decrypt("phone", &e).is_none());
        assert_ne!(c.encrypt("citizen_id", "001099012345"), Some(e));
        assert_eq!(
            c.blind_index("citizen_id", "001099012345"),
            c.blind_index("citizen_id", "001099012345")
        );
    }
}
