//! Catalogue query parameters and the data shown on catalogue and procedure pages (P-2.2, P-5.1).
use serde::{Deserialize, Serialize};

/// Procedures per catalogue page.
pub const PAGE_SIZE: u64 = 20;
/// Longest search text accepted; longer input is cut, never an error (P-5.1).
pub const MAX_QUERY_CHARS: usize = 200;
/// Highest page number accepted (2,849 procedures / 20 per page is far below it).
pub const MAX_PAGE: u64 = 10_000;

/// Online service level (P-2.1) and channel filter values, as written in URLs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LevelFilter {
    /// Toàn trình: the whole procedure is done online.
    Full,
    /// Một phần: partly online.
    Partial,
    /// Accepts online submission (full, partial or not yet classified).
    Online,
    /// No online submission: counter or post only.
    Offline,
}

impl LevelFilter {
    pub const ALL: [LevelFilter; 4] = [Self::Full, Self::Partial, Self::Online, Self::Offline];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Full => "toan-trinh",
            Self::Partial => "mot-phan",
            Self::Online => "truc-tuyen",
            Self::Offline => "khong-truc-tuyen",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.slug() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    Citizen,
    Organisation,
}

impl Audience {
    pub const ALL: [Audience; 2] = [Self::Citizen, Self::Organisation];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Citizen => "ca-nhan",
            Self::Organisation => "to-chuc",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.slug() == s)
    }
}

/// Parsed catalogue/search parameters. Parsing never fails: unknown or malformed values are
/// dropped and out-of-range pages are clamped, so a bad link shows a page instead of an error.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueQuery {
    pub q: Option<String>,
    pub field: Option<i32>,
    pub agency: Option<i32>,
    pub level: Option<LevelFilter>,
    pub audience: Option<Audience>,
    pub page: u64,
}

impl CatalogueQuery {
    /// Builds a query from URL parameters, looked up by name.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let q = get("q")
            .map(|s| s.trim().chars().take(MAX_QUERY_CHARS).collect::<String>())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        let id = |k: &str| {
            get(k)
                .and_then(|s| s.trim().parse::<i32>().ok())
                .filter(|n| *n > 0)
        };
        let page = get("trang")
            .and_then(|s| s.trim().parse::<u64>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
            .min(MAX_PAGE);
        Self {
            q,
            field: id("linhvuc"),
            agency: id("coquan"),
            level: get("mucdo").and_then(|s| LevelFilter::parse(s.trim())),
            audience: get("doituong").and_then(|s| Audience::parse(s.trim())),
            page,
        }
    }

    /// The URL query string for this query at another page (for pagination links).
    pub fn to_query_string(&self, page: u64) -> String {
        let mut parts = Vec::new();
        if let Some(q) = &self.q {
            parts.push(format!("q={}", encode(q)));
        }
        if let Some(f) = self.field {
            parts.push(format!("linhvuc={f}"));
        }
        if let Some(a) = self.agency {
            parts.push(format!("coquan={a}"));
        }
        if let Some(l) = self.level {
            parts.push(format!("mucdo={}", l.slug()));
        }
        if let Some(a) = self.audience {
            parts.push(format!("doituong={}", a.slug()));
        }
        if page > 1 {
            parts.push(format!("trang={page}"));
        }
        parts.join("&")
    }

    pub fn offset(&self) -> u64 {
        (self.page.max(1) - 1) * PAGE_SIZE
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProcedureSummary {
    pub code: String,
    pub name: String,
    pub field: String,
    pub agency: String,
    pub levels: Vec<String>,
    pub service_level: Option<String>,
    pub online: bool,
    pub time_limit_days: Option<i32>,
    pub fee_free: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i32,
    pub name: String,
    pub count: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogueResult {
    pub items: Vec<ProcedureSummary>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub fields: Vec<Choice>,
    pub agencies: Vec<Choice>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Channel {
    pub channel: Option<String>,
    pub time_raw: Option<String>,
    pub fee_label: Option<String>,
    pub fee_vnd: Option<i64>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequiredDocument {
    pub name: String,
    pub quantity: Option<String>,
    pub form: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LegalDocument {
    pub title: String,
    pub code: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProcedureDetail {
    pub summary: ProcedureSummary,
    pub decision: Option<String>,
    pub kind: Option<String>,
    pub level_text: Option<String>,
    pub audience: Option<String>,
    pub implementing_agency: Option<String>,
    pub competent_agency: Option<String>,
    pub address: Option<String>,
    pub steps: Vec<String>,
    pub channels: Vec<Channel>,
    pub documents: Vec<RequiredDocument>,
    pub legal_basis: Vec<LegalDocument>,
    pub conditions: Option<String>,
    pub result_name: Option<String>,
    pub result_code: Option<String>,
    pub source_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HomeData {
    pub featured: Vec<ProcedureSummary>,
    pub fields: Vec<Choice>,
    pub total: u64,
    pub online: u64,
}

/// Identity of the deployment shown in every page's header and footer (L-1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalInfo {
    pub name: String,
    pub agency: String,
    pub address: String,
    pub hotline: String,
    pub email: String,
}

/// Formats a VND amount with Vietnamese thousands separators: 1200000 → "1.200.000 đồng".
pub fn format_vnd(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if amount < 0 {
        out.insert(0, '-');
    }
    format!("{out} đồng")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn parse(pairs: &[(&str, &str)]) -> CatalogueQuery {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        CatalogueQuery::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn bad_parameters_fall_back_to_defaults() {
        let q = parse(&[
            ("trang", "-1"),
            ("linhvuc", "abc"),
            ("mucdo", "x"),
            ("doituong", "'; DROP"),
        ]);
        assert_eq!(
            q,
            CatalogueQuery {
                page: 1,
                ..Default::default()
            }
        );
        assert_eq!(parse(&[("trang", "99999999999999999999")]).page, 1);
        assert_eq!(parse(&[("trang", "50000")]).page, MAX_PAGE);
    }

    #[test]
    fn long_search_text_is_cut() {
        let long = "a".repeat(5000);
        assert_eq!(
            parse(&[("q", &long)]).q.map(|s| s.chars().count()),
            Some(MAX_QUERY_CHARS)
        );
        assert_eq!(parse(&[("q", "   ")]).q, None);
    }

    #[test]
    fn round_trips_through_the_query_string() {
        let q = parse(&[
            ("q", "đăng ký & khai sinh"),
            ("linhvuc", "3"),
            ("mucdo", "truc-tuyen"),
            ("doituong", "to-chuc"),
        ]);
        let s = q.to_query_string(2);
        assert_eq!(s, "q=%C4%91%C4%83ng+k%C3%BD+%26+khai+sinh&linhvuc=3&mucdo=truc-tuyen&doituong=to-chuc&trang=2");
    }

    #[test]
    fn formats_money() {
        assert_eq!(format_vnd(0), "0 đồng");
        assert_eq!(format_vnd(10_000), "10.000 đồng");
        assert_eq!(format_vnd(1_200_000), "1.200.000 đồng");
    }

    proptest! {
        #[test]
        fn any_parameters_parse_within_bounds(page in "\\PC{0,30}", q in "\\PC{0,400}", f in "\\PC{0,12}") {
            let p = parse(&[("trang", &page), ("q", &q), ("linhvuc", &f)]);
            prop_assert!(p.page >= 1 && p.page <= MAX_PAGE);
            prop_assert!(p.q.map(|s| s.chars().count() <= MAX_QUERY_CHARS).unwrap_or(true));
            prop_assert!(p.field.map(|n| n > 0).unwrap_or(true));
        }
    }
}
