//! Interactive e-forms (P-3.3): a form is data (JSON, versioned with the procedure version) and
//! this module is the one implementation of its rules. The server runs it on every save and
//! submit (authoritative); the browser runs the same code compiled to WASM for instant
//! feedback, so a value one side accepts the other accepts too.
//!
//! Values travel as the flat name → text pairs of an HTML form, which is what a page without
//! JavaScript posts: `name`, a group cell `children.0.full_name`, an address part
//! `address.province`.
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::account::{normalise_citizen_id, normalise_email, normalise_phone, normalise_tax_code};
use super::calendar::Day;
use crate::error::FieldError;
use crate::i18n::Lang;

pub type Values = BTreeMap<String, String>;

/// Longest text a single input keeps; long text fields default to this, short ones to 200.
pub const MAX_VALUE_CHARS: usize = 4000;
/// Rows a repeatable group may hold whatever its schema says, so a post cannot grow without end.
pub const MAX_ROWS: u32 = 50;

/// A label in Vietnamese with an optional English translation (falls back to Vietnamese).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub vi: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En if !self.en.is_empty() => &self.en,
            _ => &self.vi,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Text,
    LongText,
    Number,
    /// Vietnamese đồng, whole numbers; `1.500.000`, `1,500,000` and `1 500 000` are accepted.
    Money,
    Date,
    Select,
    Radio,
    /// A single box; value `1` when ticked. Required means it must be ticked (a declaration).
    Checkbox,
    Email,
    Phone,
    /// 12-digit personal identification number (Law on Identification 2023).
    CitizenId,
    TaxCode,
    /// Province and commune of the 2-level structure (since 1 July 2025) plus street address.
    Address,
    /// Repeatable rows of `columns` (a table).
    Group,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: Text,
}

/// Show the field only while another field's value is one of `any_of`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub field: String,
    pub any_of: Vec<String>,
}

/// Where a field's first value comes from (the signed-in user's profile).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prefill {
    FullName,
    Email,
    Phone,
    CitizenId,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub id: String,
    pub label: Text,
    pub kind: Kind,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
    /// Bounds for numbers and money.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Bounds for dates: an ISO date or `today`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_len: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_len: Option<u32>,
    /// An input mask: `9` a digit, `A` a letter, `X` a letter or digit, `\c` the character c,
    /// anything else itself. Masks cover the fixed formats on Vietnamese papers (permit and
    /// certificate numbers) without a regular-expression engine in the browser.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_if: Option<Condition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<Field>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_rows: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rows: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<Prefill>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub title: Text,
    pub fields: Vec<Field>,
}

/// A cross-field rule: the date in `first` is not after the date in `second`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    DateOrder {
        first: String,
        second: String,
        message: Text,
    },
    /// At least one of `fields` is filled in.
    AnyOf { fields: Vec<String>, message: Text },
}

/// A document the applicant attaches (thành phần hồ sơ), one slot per line of the procedure's
/// document list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentSlot {
    pub id: String,
    pub name: Text,
    #[serde(default)]
    pub required: bool,
    #[serde(default = "default_max_files")]
    pub max_files: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
}

fn default_max_files() -> u32 {
    5
}

/// P-3.4: which files a procedure takes. The defaults are the issue's: PDF, JPEG, PNG, 20 MB a
/// file, 100 MB a dossier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilePolicy {
    #[serde(default = "default_types")]
    pub types: Vec<FileType>,
    #[serde(default = "default_file_mb")]
    pub max_file_mb: u32,
    #[serde(default = "default_total_mb")]
    pub max_total_mb: u32,
}

impl Default for FilePolicy {
    fn default() -> Self {
        Self {
            types: default_types(),
            max_file_mb: default_file_mb(),
            max_total_mb: default_total_mb(),
        }
    }
}

fn default_types() -> Vec<FileType> {
    vec![FileType::Pdf, FileType::Jpeg, FileType::Png]
}
fn default_file_mb() -> u32 {
    20
}
fn default_total_mb() -> u32 {
    100
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileType {
    Pdf,
    Jpeg,
    Png,
}

impl FileType {
    /// Recognises a file by its first bytes, never by its name (P-3.4).
    pub fn sniff(head: &[u8]) -> Option<FileType> {
        if head.starts_with(b"%PDF-") {
            Some(FileType::Pdf)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileType::Jpeg)
        } else if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(FileType::Png)
        } else {
            None
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Jpeg => "jpg",
            FileType::Png => "png",
        }
    }

    pub fn from_mime(m: &str) -> Option<FileType> {
        [FileType::Pdf, FileType::Jpeg, FileType::Png]
            .into_iter()
            .find(|t| t.mime() == m)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormSchema {
    /// Version of the form's data layout; a designer may leave it out (1).
    #[serde(default = "first_version")]
    pub version: u32,
    pub sections: Vec<Section>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<DocumentSlot>,
    #[serde(default)]
    pub files: FilePolicy,
}

fn first_version() -> u32 {
    1
}

/// What the profile offers for prefilling.
#[derive(Clone, Debug, Default)]
pub struct PrefillSource {
    pub full_name: String,
    pub email: String,
    pub phone: String,
    pub citizen_id: String,
}

fn err(key: &str, label: &Text, vi: &str, en: &str) -> FieldError {
    FieldError {
        field: key.to_string(),
        message_vi: format!("{}: {vi}", label.vi),
        message_en: format!(
            "{}: {en}",
            if label.en.is_empty() {
                &label.vi
            } else {
                &label.en
            }
        ),
    }
}

fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim().replace(',', ".");
    if t.is_empty() || t.matches('.').count() > 1 {
        return None;
    }
    let body = t.strip_prefix('-').unwrap_or(&t);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    t.parse().ok()
}

/// Whole đồng; grouping with dots, commas or spaces in threes is accepted.
pub fn parse_money(s: &str) -> Option<u64> {
    let t = s.trim();
    let t = t
        .strip_suffix("đồng")
        .or_else(|| t.strip_suffix('đ'))
        .or_else(|| t.strip_suffix("VND"))
        .unwrap_or(t)
        .trim();
    if t.is_empty() {
        return None;
    }
    let groups: Vec<&str> = t.split(['.', ',', ' ']).collect();
    if groups.len() > 1
        && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3))
    {
        return None;
    }
    let digits: String = groups.concat();
    if digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

pub fn matches_mask(value: &str, mask: &str) -> bool {
    let mut v = value.chars();
    let mut m = mask.chars();
    loop {
        match (m.next(), v.next()) {
            (None, None) => return true,
            (Some('\\'), Some(c)) => {
                if m.next() != Some(c) {
                    return false;
                }
            }
            (Some('9'), Some(c)) if c.is_ascii_digit() => {}
            (Some('A'), Some(c)) if c.is_alphabetic() => {}
            (Some('X'), Some(c)) if c.is_alphanumeric() => {}
            (Some(p), Some(c)) if !matches!(p, '9' | 'A' | 'X') && p == c => {}
            _ => return false,
        }
    }
}

fn resolve_date(spec: &str, today: Day) -> Option<Day> {
    if spec == "today" {
        Some(today)
    } else {
        Day::parse_iso(spec)
    }
}

impl Field {
    /// A field with no bounds, hint, options or condition.
    pub fn new(id: &str, label: Text, kind: Kind, required: bool) -> Field {
        Field {
            id: id.into(),
            label,
            kind,
            required,
            hint: None,
            min: None,
            max: None,
            min_date: None,
            max_date: None,
            min_len: None,
            max_len: None,
            pattern: None,
            options: vec![],
            visible_if: None,
            columns: vec![],
            min_rows: None,
            max_rows: None,
            prefill: None,
        }
    }

    fn max_chars(&self) -> usize {
        self.max_len.map(|m| m as usize).unwrap_or(match self.kind {
            Kind::LongText => MAX_VALUE_CHARS,
            _ => 200,
        })
    }

    /// The input names this field owns (address parts; a group's cells are handled apart).
    pub fn keys(&self) -> Vec<String> {
        match self.kind {
            Kind::Address => ["province", "commune", "street"]
                .iter()
                .map(|p| format!("{}.{p}", self.id))
                .collect(),
            Kind::Group => vec![format!("{}.rows", self.id)],
            _ => vec![self.id.clone()],
        }
    }

    /// Checks one scalar value (already trimmed). Empty and required is reported by the caller.
    fn check_value(&self, key: &str, v: &str, today: Day, out: &mut Vec<FieldError>) {
        let l = &self.label;
        if v.chars().count() > self.max_chars() {
            out.push(err(
                key,
                l,
                &format!("dài tối đa {} ký tự.", self.max_chars()),
                &format!("at most {} characters.", self.max_chars()),
            ));
            return;
        }
        if let Some(min) = self.min_len {
            if v.chars().count() < min as usize {
                out.push(err(
                    key,
                    l,
                    &format!("cần ít nhất {min} ký tự."),
                    &format!("at least {min} characters."),
                ));
                return;
            }
        }
        if let Some(mask) = &self.pattern {
            if !matches_mask(v, mask) {
                out.push(err(
                    key,
                    l,
                    &format!("không đúng định dạng {mask}."),
                    &format!("does not match the format {mask}."),
                ));
                return;
            }
        }
        let bounds = |x: f64, out: &mut Vec<FieldError>| {
            if let Some(min) = self.min {
                if x < min {
                    out.push(err(
                        key,
                        l,
                        &format!("không nhỏ hơn {min}."),
                        &format!("must be at least {min}."),
                    ));
                }
            }
            if let Some(max) = self.max {
                if x > max {
                    out.push(err(
                        key,
                        l,
                        &format!("không lớn hơn {max}."),
                        &format!("must be at most {max}."),
                    ));
                }
            }
        };
        match self.kind {
            Kind::Text | Kind::LongText | Kind::Address | Kind::Group => {}
            Kind::Number => match parse_number(v) {
                Some(x) => bounds(x, out),
                None => out.push(err(key, l, "phải là một số.", "must be a number.")),
            },
            Kind::Money => match parse_money(v) {
                Some(x) => bounds(x as f64, out),
                None => out.push(err(
                    key,
                    l,
                    "phải là số tiền bằng đồng, ví dụ 1.500.000.",
                    "must be an amount in đồng, e.g. 1,500,000.",
                )),
            },
            Kind::Date => match Day::parse_iso(v) {
                Some(d) => {
                    if let Some(min) = self
                        .min_date
                        .as_deref()
                        .and_then(|s| resolve_date(s, today))
                    {
                        if d < min {
                            out.push(err(
                                key,
                                l,
                                &format!("không được trước ngày {}.", min.vn()),
                                &format!("cannot be before {}.", min.vn()),
                            ));
                        }
                    }
                    if let Some(max) = self
                        .max_date
                        .as_deref()
                        .and_then(|s| resolve_date(s, today))
                    {
                        if d > max {
                            out.push(err(
                                key,
                                l,
                                &format!("không được sau ngày {}.", max.vn()),
                                &format!("cannot be after {}.", max.vn()),
                            ));
                        }
                    }
                }
                None => out.push(err(
                    key,
                    l,
                    "ngày không hợp lệ (năm-tháng-ngày).",
                    "is not a valid date (year-month-day).",
                )),
            },
            Kind::Select | Kind::Radio => {
                if !self.options.iter().any(|o| o.value == v) {
                    out.push(err(
                        key,
                        l,
                        "hãy chọn một mục trong danh sách.",
                        "choose one of the options.",
                    ));
                }
            }
            Kind::Checkbox => {
                if v != "1" {
                    out.push(err(key, l, "giá trị không hợp lệ.", "invalid value."));
                }
            }
            Kind::Email => {
                if normalise_email(v).is_none() {
                    out.push(err(
                        key,
                        l,
                        "địa chỉ email không hợp lệ.",
                        "is not a valid email address.",
                    ));
                }
            }
            Kind::Phone => {
                if normalise_phone(v).is_none() {
                    out.push(err(
                        key,
                        l,
                        "số điện thoại không hợp lệ (10 chữ số, bắt đầu bằng 0).",
                        "is not a valid phone number (10 digits starting with 0).",
                    ));
                }
            }
            Kind::CitizenId => {
                if normalise_citizen_id(v).is_none() {
                    out.push(err(
                        key,
                        l,
                        "số định danh cá nhân gồm 12 chữ số, 3 số đầu là mã tỉnh nơi đăng ký khai sinh.",
                        "a personal ID number has 12 digits; the first 3 are the province code of birth registration.",
                    ));
                }
            }
            Kind::TaxCode => {
                if normalise_tax_code(v).is_none() {
                    out.push(err(
                        key,
                        l,
                        "mã số thuế gồm 10 chữ số (hoặc 10 chữ số, dấu gạch và 3 chữ số của chi nhánh).",
                        "a tax code has 10 digits (or 10 digits, a dash and a 3-digit branch number).",
                    ));
                }
            }
        }
    }
}

impl FormSchema {
    pub fn parse(json: &str) -> Result<FormSchema, String> {
        let s: FormSchema = serde_json::from_str(json).map_err(|e| e.to_string())?;
        s.check()?;
        Ok(s)
    }

    /// The schema itself is sound: ids unique and plain, conditions point at an earlier
    /// choice field, choice fields have options, groups have columns (B-e validates designs
    /// with this before publishing).
    pub fn check(&self) -> Result<(), String> {
        let mut seen = BTreeSet::new();
        let plain = |id: &str| {
            !id.is_empty()
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        for f in self.fields() {
            if !plain(&f.id) || !seen.insert(f.id.clone()) {
                return Err(format!(
                    "field id `{}` is empty, not plain or repeated",
                    f.id
                ));
            }
            if matches!(f.kind, Kind::Select | Kind::Radio) && f.options.is_empty() {
                return Err(format!("`{}` has no options", f.id));
            }
            if f.kind == Kind::Group {
                if f.columns.is_empty() {
                    return Err(format!("group `{}` has no columns", f.id));
                }
                let mut cols = BTreeSet::new();
                for c in &f.columns {
                    if !plain(&c.id)
                        || !cols.insert(c.id.clone())
                        || matches!(c.kind, Kind::Group | Kind::Address)
                    {
                        return Err(format!("column `{}` of `{}` is not valid", c.id, f.id));
                    }
                }
            }
            if let Some(c) = &f.visible_if {
                if !seen.contains(&c.field) || c.field == f.id {
                    return Err(format!(
                        "`{}` depends on `{}`, which is not an earlier field",
                        f.id, c.field
                    ));
                }
            }
        }
        let mut slots = BTreeSet::new();
        for d in &self.documents {
            if !plain(&d.id) || !slots.insert(d.id.clone()) || d.max_files == 0 {
                return Err(format!("document slot `{}` is not valid", d.id));
            }
        }
        for r in &self.rules {
            let ids: Vec<&String> = match r {
                Rule::DateOrder { first, second, .. } => vec![first, second],
                Rule::AnyOf { fields, .. } => fields.iter().collect(),
            };
            if let Some(missing) = ids.into_iter().find(|i| !seen.contains(*i)) {
                return Err(format!("rule refers to unknown field `{missing}`"));
            }
        }
        Ok(())
    }

    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.sections.iter().flat_map(|s| s.fields.iter())
    }

    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields().find(|f| f.id == id)
    }

    pub fn is_visible(&self, f: &Field, values: &Values) -> bool {
        match &f.visible_if {
            None => true,
            Some(c) => {
                let parent_visible = self
                    .field(&c.field)
                    .is_none_or(|p| p.id == f.id || self.is_visible(p, values));
                let v = values.get(&c.field).map(String::as_str).unwrap_or("");
                parent_visible && c.any_of.iter().any(|a| a == v)
            }
        }
    }

    /// Rows of a group as the form holds them (at least `min_rows`, at least one).
    pub fn row_count(f: &Field, values: &Values) -> u32 {
        let declared = values
            .get(&format!("{}.rows", f.id))
            .and_then(|v| v.trim().parse::<u32>().ok())
            .unwrap_or(0);
        let cap = f.max_rows.unwrap_or(MAX_ROWS).min(MAX_ROWS);
        declared.max(f.min_rows.unwrap_or(1)).max(1).min(cap)
    }

    /// Keeps only the inputs this schema defines, trimmed, with hidden fields dropped, so
    /// nothing unexpected is stored (bad input changes nothing it should not).
    pub fn clean<'a>(&self, raw: impl IntoIterator<Item = (&'a str, &'a str)>) -> Values {
        let raw: Values = raw
            .into_iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    v.trim().chars().take(MAX_VALUE_CHARS).collect(),
                )
            })
            .collect();
        let mut out = Values::new();
        for f in self.fields() {
            if f.kind == Kind::Group {
                let rows = Self::row_count(f, &raw);
                out.insert(format!("{}.rows", f.id), rows.to_string());
                for i in 0..rows {
                    for c in &f.columns {
                        let k = format!("{}.{i}.{}", f.id, c.id);
                        if let Some(v) = raw.get(&k).filter(|v| !v.is_empty()) {
                            out.insert(k, v.clone());
                        }
                    }
                }
                continue;
            }
            for k in f.keys() {
                if let Some(v) = raw.get(&k).filter(|v| !v.is_empty()) {
                    out.insert(k, v.clone());
                }
            }
        }
        // Visibility depends on the cleaned values; drop what the user cannot see.
        let hidden: Vec<&Field> = self
            .fields()
            .filter(|f| !self.is_visible(f, &out))
            .collect();
        for f in hidden {
            let prefix = format!("{}.", f.id);
            out.retain(|k, _| k != &f.id && !k.starts_with(&prefix));
        }
        out
    }

    /// Every problem with `values`, in form order; empty means the form can be submitted.
    pub fn validate(&self, values: &Values, today: Day) -> Vec<FieldError> {
        let mut out = Vec::new();
        for s in &self.sections {
            self.validate_section(s, values, today, &mut out);
        }
        for r in &self.rules {
            match r {
                Rule::DateOrder {
                    first,
                    second,
                    message,
                } => {
                    let a = values.get(first).and_then(|v| Day::parse_iso(v));
                    let b = values.get(second).and_then(|v| Day::parse_iso(v));
                    if let (Some(a), Some(b)) = (a, b) {
                        if a > b {
                            out.push(FieldError {
                                field: second.clone(),
                                message_vi: message.vi.clone(),
                                message_en: message.get(Lang::En).to_string(),
                            });
                        }
                    }
                }
                Rule::AnyOf { fields, message } => {
                    let any = fields
                        .iter()
                        .any(|f| values.get(f).is_some_and(|v| !v.trim().is_empty()));
                    if !any {
                        out.push(FieldError {
                            field: fields.first().cloned().unwrap_or_default(),
                            message_vi: message.vi.clone(),
                            message_en: message.get(Lang::En).to_string(),
                        });
                    }
                }
            }
        }
        out
    }

    pub fn validate_section(
        &self,
        s: &Section,
        values: &Values,
        today: Day,
        out: &mut Vec<FieldError>,
    ) {
        let get = |k: &str| values.get(k).map(|v| v.trim()).unwrap_or("");
        for f in &s.fields {
            if !self.is_visible(f, values) {
                continue;
            }
            match f.kind {
                Kind::Address => {
                    let (p, c, st) = (
                        format!("{}.province", f.id),
                        format!("{}.commune", f.id),
                        format!("{}.street", f.id),
                    );
                    let (pv, cv, sv) = (get(&p), get(&c), get(&st));
                    if pv.is_empty() && cv.is_empty() && sv.is_empty() {
                        if f.required {
                            out.push(err(
                                &p,
                                &f.label,
                                "hãy chọn tỉnh, thành phố.",
                                "choose a province or city.",
                            ));
                        }
                        continue;
                    }
                    if pv.len() != 2 || !pv.bytes().all(|b| b.is_ascii_digit()) {
                        out.push(err(
                            &p,
                            &f.label,
                            "hãy chọn tỉnh, thành phố.",
                            "choose a province or city.",
                        ));
                    }
                    if cv.len() != 5 || !cv.bytes().all(|b| b.is_ascii_digit()) {
                        out.push(err(
                            &c,
                            &f.label,
                            "hãy chọn xã, phường, đặc khu.",
                            "choose a commune or ward.",
                        ));
                    }
                    if sv.is_empty() {
                        out.push(err(
                            &st,
                            &f.label,
                            "hãy nhập số nhà, đường, thôn, tổ dân phố.",
                            "enter the house number, street or hamlet.",
                        ));
                    } else if sv.chars().count() > 200 {
                        out.push(err(
                            &st,
                            &f.label,
                            "dài tối đa 200 ký tự.",
                            "at most 200 characters.",
                        ));
                    }
                }
                Kind::Group => {
                    let rows = Self::row_count(f, values);
                    let mut filled = 0;
                    for i in 0..rows {
                        let key = |c: &Field| format!("{}.{i}.{}", f.id, c.id);
                        let empty = f.columns.iter().all(|c| get(&key(c)).is_empty());
                        if empty {
                            continue;
                        }
                        filled += 1;
                        for c in &f.columns {
                            let k = key(c);
                            let v = get(&k);
                            if v.is_empty() {
                                if c.required {
                                    out.push(err(
                                        &k,
                                        &c.label,
                                        &format!("dòng {}: bắt buộc nhập.", i + 1),
                                        &format!("row {}: required.", i + 1),
                                    ));
                                }
                            } else {
                                c.check_value(&k, v, today, out);
                            }
                        }
                    }
                    let min = if f.required {
                        f.min_rows.unwrap_or(1).max(1)
                    } else {
                        f.min_rows.unwrap_or(0)
                    };
                    if filled < min {
                        out.push(err(
                            &format!("{}.0.{}", f.id, f.columns[0].id),
                            &f.label,
                            &format!("cần ít nhất {min} dòng."),
                            &format!("at least {min} row(s) are needed."),
                        ));
                    }
                }
                _ => {
                    let v = get(&f.id);
                    if v.is_empty() {
                        if f.required {
                            let (vi, en) = if f.kind == Kind::Checkbox {
                                ("cần đánh dấu để xác nhận.", "tick the box to confirm.")
                            } else if matches!(f.kind, Kind::Select | Kind::Radio) {
                                ("hãy chọn một mục.", "choose an option.")
                            } else {
                                ("bắt buộc nhập.", "required.")
                            };
                            out.push(err(&f.id, &f.label, vi, en));
                        }
                    } else {
                        f.check_value(&f.id, v, today, out);
                    }
                }
            }
        }
    }

    /// A section is complete when it has no problems (the task list of P-3.1).
    pub fn section_complete(&self, s: &Section, values: &Values, today: Day) -> bool {
        let mut out = Vec::new();
        self.validate_section(s, values, today, &mut out);
        out.is_empty()
    }

    /// First values for a new dossier from the applicant's profile.
    pub fn prefill(&self, p: &PrefillSource) -> Values {
        let mut v = Values::new();
        for f in self.fields() {
            let value = match f.prefill {
                Some(Prefill::FullName) => &p.full_name,
                Some(Prefill::Email) => &p.email,
                Some(Prefill::Phone) => &p.phone,
                Some(Prefill::CitizenId) => &p.citizen_id,
                None => continue,
            };
            if !value.is_empty() {
                v.insert(f.id.clone(), value.clone());
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(vi: &str) -> Text {
        Text {
            vi: vi.into(),
            en: String::new(),
        }
    }

    fn field(id: &str, kind: Kind, required: bool) -> Field {
        Field::new(id, t(id), kind, required)
    }

    fn schema() -> FormSchema {
        let mut rel = field("relation", Kind::Radio, true);
        rel.options = ["self", "other"]
            .iter()
            .map(|v| Choice {
                value: v.to_string(),
                label: t(v),
            })
            .collect();
        let mut other = field("other_name", Kind::Text, true);
        other.visible_if = Some(Condition {
            field: "relation".into(),
            any_of: vec!["other".into()],
        });
        let mut born = field("born", Kind::Date, true);
        born.max_date = Some("today".into());
        let mut fee = field("fee", Kind::Money, false);
        fee.max = Some(1_000_000.0);
        let mut permit = field("permit", Kind::Text, false);
        permit.pattern = Some("99/AA".into());
        let mut kids = field("kids", Kind::Group, false);
        kids.columns = vec![
            field("name", Kind::Text, true),
            field("id", Kind::CitizenId, false),
        ];
        FormSchema {
            version: 1,
            sections: vec![
                Section {
                    id: "a".into(),
                    title: t("A"),
                    fields: vec![
                        field("name", Kind::Text, true),
                        rel,
                        other,
                        born,
                        field("phone", Kind::Phone, false),
                        field("addr", Kind::Address, true),
                    ],
                },
                Section {
                    id: "b".into(),
                    title: t("B"),
                    fields: vec![fee, permit, kids, field("agree", Kind::Checkbox, true)],
                },
            ],
            rules: vec![],
            documents: vec![],
            files: FilePolicy::default(),
        }
    }

    fn today() -> Day {
        Day::parse_iso("2026-12-01").unwrap()
    }

    fn vals(pairs: &[(&str, &str)]) -> Values {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn good() -> Values {
        vals(&[
            ("name", "Nguyễn Văn An"),
            ("relation", "self"),
            ("born", "2026-11-20"),
            ("addr.province", "48"),
            ("addr.commune", "20194"),
            ("addr.street", "12 Lê Lợi"),
            ("agree", "1"),
        ])
    }

    fn fields_of(errs: &[FieldError]) -> Vec<&str> {
        errs.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn schema_checks() {
        assert!(schema().check().is_ok());
        let mut s = schema();
        s.sections[0].fields[2].visible_if = Some(Condition {
            field: "later".into(),
            any_of: vec![],
        });
        assert!(s.check().is_err());
        let mut s = schema();
        s.sections[1].fields.push(field("name", Kind::Text, false));
        assert!(s.check().unwrap_err().contains("repeated"));
    }

    #[test]
    fn good_values_pass() {
        assert_eq!(schema().validate(&good(), today()), vec![]);
    }

    #[test]
    fn required_and_formats() {
        let s = schema();
        let mut v = good();
        v.remove("name");
        v.insert("born".into(), "2026-12-02".into());
        v.insert("phone".into(), "12345".into());
        v.insert("fee".into(), "2.000.000".into());
        v.insert("permit".into(), "12-AB".into());
        v.remove("agree");
        let e = s.validate(&v, today());
        assert_eq!(
            fields_of(&e),
            vec!["name", "born", "phone", "fee", "permit", "agree"]
        );
        assert!(e[1].message_vi.contains("01/12/2026"));
    }

    #[test]
    fn conditional_fields() {
        let s = schema();
        let mut v = good();
        v.insert("relation".into(), "other".into());
        assert_eq!(fields_of(&s.validate(&v, today())), vec!["other_name"]);
        // A hidden field's stale value is not stored.
        v.insert("relation".into(), "self".into());
        v.insert("other_name".into(), "x".into());
        assert!(!s
            .clean(v.iter().map(|(a, b)| (a.as_str(), b.as_str())))
            .contains_key("other_name"));
    }

    #[test]
    fn groups_validate_filled_rows() {
        let s = schema();
        let mut v = good();
        v.insert("kids.rows".into(), "3".into());
        v.insert("kids.0.name".into(), "Bé Na".into());
        v.insert("kids.2.id".into(), "123".into());
        let e = s.validate(&v, today());
        assert_eq!(fields_of(&e), vec!["kids.2.name", "kids.2.id"]);
        assert!(e[0].message_vi.contains("dòng 3"));
    }

    #[test]
    fn clean_drops_unknown_keys_and_caps_rows() {
        let s = schema();
        let raw = vec![
            ("name", " An "),
            ("evil", "x"),
            ("kids.rows", "999999"),
            ("kids.60.name", "x"),
        ];
        let c = s.clean(raw);
        assert_eq!(c.get("name").map(String::as_str), Some("An"));
        assert!(!c.contains_key("evil"));
        assert_eq!(c.get("kids.rows").map(String::as_str), Some("50"));
        assert!(!c.contains_key("kids.60.name"));
    }

    #[test]
    fn address_parts() {
        let s = schema();
        let mut v = good();
        v.insert("addr.commune".into(), "".into());
        assert_eq!(fields_of(&s.validate(&v, today())), vec!["addr.commune"]);
    }

    #[test]
    fn money_and_masks() {
        assert_eq!(parse_money("1.500.000"), Some(1_500_000));
        assert_eq!(parse_money("1,500,000 đ"), Some(1_500_000));
        assert_eq!(parse_money("1500000"), Some(1_500_000));
        assert_eq!(parse_money("1.50.000"), None);
        assert_eq!(parse_money("-5"), None);
        assert!(matches_mask("12/AB", "99/AA"));
        assert!(matches_mask("GP-01", "GP-99"));
        assert!(matches_mask("9", "\\9"));
        assert!(!matches_mask("123/AB", "99/AA"));
    }

    #[test]
    fn sniffing() {
        assert_eq!(FileType::sniff(b"%PDF-1.7\n"), Some(FileType::Pdf));
        assert_eq!(FileType::sniff(b"MZ\x90\x00"), None);
        assert_eq!(FileType::sniff(b""), None);
    }

    /// The seeded schemas (migration/seed/forms.json) are sound, and an empty form is not
    /// accepted by any of them.
    #[test]
    fn seeded_forms_are_valid() {
        let all: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(include_str!("../../../migration/seed/forms.json")).unwrap();
        assert!(all.len() >= 10);
        for (code, v) in all {
            let s = FormSchema::parse(&v.to_string()).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert!(!s.validate(&Values::new(), today()).is_empty(), "{code}");
            assert!(
                s.fields().any(|f| f.kind == Kind::Checkbox && f.required),
                "{code} has a declaration"
            );
        }
    }

    proptest! {
        /// Whatever is posted, validating the cleaned values twice gives the same answer, and
        /// cleaning is idempotent: the browser (which validates what it will post) and the
        /// server (which validates what it stored) cannot disagree.
        #[test]
        fn clean_then_validate_is_stable(
            name in "\\PC{0,30}", rel in "(self|other|x)?", born in "[0-9-]{0,10}",
            phone in "[0-9 ]{0,12}", fee in "[0-9.,]{0,12}", rows in "[0-9]{0,3}",
            kid in "\\PC{0,10}", agree in "(1|0)?",
        ) {
            let s = schema();
            let raw = vec![("name", name.as_str()), ("relation", rel.as_str()),
                ("born", born.as_str()), ("phone", phone.as_str()), ("fee", fee.as_str()),
                ("kids.rows", rows.as_str()), ("kids.0.name", kid.as_str()), ("agree", agree.as_str())];
            let once = s.clean(raw);
            let twice = s.clean(once.iter().map(|(a, b)| (a.as_str(), b.as_str())));
            prop_assert_eq!(&once, &twice);
            prop_assert_eq!(s.validate(&once, today()), s.validate(&twice, today()));
        }
    }
}
