//! Password policy (S-ACC; ASVS 4.0.3 V2.1): length over composition, a breached/common
//! password list, and no password built from the user's own identifiers. Pure rules, so the
//! browser can check as the user types and the server checks again.
use serde::{Deserialize, Serialize};

/// Policy values; defaults follow ASVS L2 (≥ 12 characters, up to at least 64, every printable
/// character allowed, no forced composition, breached-password check).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub min_chars: usize,
    pub max_chars: usize,
    /// Require letters and digits (off by default: ASVS V2.1.9 forbids composition rules; a
    /// deployment whose regulator demands them can switch it on).
    pub require_letter_and_digit: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_chars: 12,
            max_chars: 128,
            require_letter_and_digit: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordProblem {
    TooShort { min: usize },
    TooLong { max: usize },
    NeedsLetterAndDigit,
    Common,
    ContainsPersonalData,
}

impl PasswordProblem {
    pub fn message_vi(self) -> String {
        match self {
            Self::TooShort { min } => {
                format!("Mật khẩu cần ít nhất {min} ký tự; một câu ngắn dễ nhớ là lựa chọn tốt.")
            }
            Self::TooLong { max } => format!("Mật khẩu dài tối đa {max} ký tự."),
            Self::NeedsLetterAndDigit => "Mật khẩu cần có cả chữ và số.".into(),
            Self::Common => "Mật khẩu này quá phổ biến và đã bị lộ; hãy chọn mật khẩu khác.".into(),
            Self::ContainsPersonalData => {
                "Mật khẩu không được chứa email, số điện thoại hay số định danh của bạn.".into()
            }
        }
    }

    pub fn message_en(self) -> String {
        match self {
            Self::TooShort { min } => {
                format!("Use at least {min} characters; a short sentence is easy to remember.")
            }
            Self::TooLong { max } => format!("Use at most {max} characters."),
            Self::NeedsLetterAndDigit => "Use both letters and digits.".into(),
            Self::Common => {
                "This password is too common and has been leaked; choose another.".into()
            }
            Self::ContainsPersonalData => {
                "Do not use your email, phone number or ID number in the password.".into()
            }
        }
    }
}

/// Most common passwords in public breach corpora, plus Vietnamese favourites; compared after
/// lower-casing and removing spaces, and after stripping trailing digits/punctuation
/// ("Password2024!" is still "password").
const COMMON: &str = include_str!("common_passwords.txt");

fn normalise(p: &str) -> String {
    p.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// One character repeated, or a run like "123456789012" / "987654" / "abcdef" (digits wrap
/// from 9 to 0).
fn is_trivial_run(p: &str) -> bool {
    let c: Vec<char> = p.chars().collect();
    if c.len() < 2 {
        return true;
    }
    let step = |a: char, b: char, d: i32| {
        let (a, b) = (a as i32, b as i32);
        b - a == d
            || (a == '9' as i32 && b == '0' as i32 && d == 1)
            || (a == '0' as i32 && b == '9' as i32 && d == -1)
    };
    [0, 1, -1]
        .iter()
        .any(|&d| c.windows(2).all(|w| step(w[0], w[1], d)))
}

pub fn is_common(password: &str) -> bool {
    let n = normalise(password);
    if is_trivial_run(&n) {
        return true;
    }
    let stem = crate::domain::text::fold(
        n.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation()),
    );
    let folded = crate::domain::text::fold(&n);
    COMMON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|c| c == folded || (stem.len() >= 4 && c == stem))
}

impl PasswordPolicy {
    /// Every problem with the password, in the order a user should fix them. `personal` holds
    /// the user's identifiers (email, phone, ID number); parts shorter than 4 characters are
    /// ignored.
    pub fn check(&self, password: &str, personal: &[&str]) -> Vec<PasswordProblem> {
        let mut out = Vec::new();
        let n = password.chars().count();
        if n < self.min_chars {
            out.push(PasswordProblem::TooShort {
                min: self.min_chars,
            });
        }
        if n > self.max_chars {
            out.push(PasswordProblem::TooLong {
                max: self.max_chars,
            });
        }
        if self.require_letter_and_digit
            && !(password.chars().any(char::is_alphabetic)
                && password.chars().any(|c| c.is_ascii_digit()))
        {
            out.push(PasswordProblem::NeedsLetterAndDigit);
        }
        if is_common(password) {
            out.push(PasswordProblem::Common);
        }
        let lower = normalise(password);
        let personal_hit = personal.iter().any(|p| {
            let p = normalise(p);
            let local = p.split('@').next().unwrap_or("").to_owned();
            [p, local]
                .iter()
                .any(|part| part.chars().count() >= 4 && lower.contains(part.as_str()))
        });
        if personal_hit {
            out.push(PasswordProblem::ContainsPersonalData);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_long_passphrase() {
        let p = PasswordPolicy::default();
        assert!(p
            .check("mùa thu Hà Nội lá vàng rơi", &["an@example.vn"])
            .is_empty());
    }

    #[test]
    fn rejects_short_common_and_personal() {
        let p = PasswordPolicy::default();
        assert_eq!(
            p.check("xq7", &[]),
            vec![PasswordProblem::TooShort { min: 12 }]
        );
        assert!(p
            .check("Password2024!", &[])
            .contains(&PasswordProblem::Common));
        assert!(p
            .check("123456789012", &[])
            .contains(&PasswordProblem::Common));
        assert!(p
            .check("aaaaaaaaaaaaaa", &[])
            .contains(&PasswordProblem::Common));
        assert!(p
            .check("9876543210987", &[])
            .contains(&PasswordProblem::Common));
        assert!(p.check("anhyeuem", &[]).contains(&PasswordProblem::Common));
        assert!(p
            .check("Anh Yêu Em 123", &[])
            .contains(&PasswordProblem::Common));
        assert_eq!(
            p.check(
                "nguyenvanan-rất-dài-và-riêng",
                &["nguyenvanan@example.vn", "0912345678"]
            ),
            vec![PasswordProblem::ContainsPersonalData]
        );
        assert!(p
            .check(&"x".repeat(129), &[])
            .contains(&PasswordProblem::TooLong { max: 128 }));
    }

    #[test]
    fn composition_rule_is_opt_in() {
        let strict = PasswordPolicy {
            require_letter_and_digit: true,
            ..Default::default()
        };
        assert!(strict
            .check("chỉ có chữ thôi nhé bạn", &[])
            .contains(&PasswordProblem::NeedsLetterAndDigit));
        assert!(PasswordPolicy::default()
            .check("chỉ có chữ thôi nhé bạn", &[])
            .is_empty());
    }

    #[test]
    fn every_problem_has_both_messages() {
        for p in [
            PasswordProblem::TooShort { min: 12 },
            PasswordProblem::TooLong { max: 128 },
            PasswordProblem::NeedsLetterAndDigit,
            PasswordProblem::Common,
            PasswordProblem::ContainsPersonalData,
        ] {
            assert!(!p.message_vi().is_empty() && !p.message_en().is_empty());
        }
    }
}
