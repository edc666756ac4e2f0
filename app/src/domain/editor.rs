//! Catalogue management (B-a, B-e): what an administrator edits of a procedure, how the
//! plain-HTML editor's fields are read and checked, and the holiday-list import. Pure: the
//! server publishes what these functions accept, so every rule here is unit-tested.
use serde::{Deserialize, Serialize};

use super::calendar::Day;
use super::catalogue::RequiredDocument;
use super::eform::FormSchema;
use super::workflow::Workflow;
use crate::error::FieldError;

/// Online service level as the editor offers it (P-2.1; Decree 42/2022 art. 11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    /// Counter or post only.
    Offline,
    /// Một phần: partly online.
    Partial,
    /// Toàn trình: the whole procedure online.
    Full,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Offline, Level::Partial, Level::Full];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offline => "offline",
            Self::Partial => "partial",
            Self::Full => "full",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// From the procedure row's `online` flag and `service_level`.
    pub fn of(online: bool, service_level: Option<&str>) -> Level {
        match service_level {
            Some("full") => Self::Full,
            Some("partial") => Self::Partial,
            _ if online => Self::Partial,
            _ => Self::Offline,
        }
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::Offline => (
                "Không trực tuyến (nộp trực tiếp, bưu chính)",
                "Not online (counter, post)",
            ),
            Self::Partial => ("Trực tuyến một phần", "Partly online"),
            Self::Full => ("Trực tuyến toàn trình", "Fully online"),
        }
    }
}

/// The editor's fields as text, exactly as shown in (and posted from) the form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftText {
    pub name: String,
    pub time_limit: String,
    /// `free`, `fee` or empty (not stated).
    pub fee: String,
    pub level: String,
    /// One required document per line: `name | quantity`.
    pub documents: String,
    /// The e-form schema as JSON; empty: the general application form (B-e).
    pub form: String,
    /// The workflow definition as JSON (B-b).
    pub workflow: String,
    /// Years finished dossiers are kept in the archive; 0 for permanently (B-đ).
    pub retention: String,
}

/// Editor field names; prefixed so that they never meet the ids of a previewed form's fields.
pub const F_NAME: &str = "p_name";
pub const F_TIME: &str = "p_time_limit";
pub const F_FEE: &str = "p_fee";
pub const F_LEVEL: &str = "p_level";
pub const F_DOCS: &str = "p_documents";
pub const F_FORM: &str = "p_form";
pub const F_WORKFLOW: &str = "p_workflow";
pub const F_RETENTION: &str = "p_retention";
/// The version the editor was opened on: publishing over a newer one is a conflict.
pub const F_BASE: &str = "p_base";

pub const MAX_NAME: usize = 500;
pub const MAX_DOCUMENTS: usize = 100;
/// Longest document line: the national database has document descriptions of several
/// paragraphs.
pub const MAX_DOC: usize = 4000;
/// Longest JSON body accepted for a form or a workflow (the largest seeded form is ~20 KB).
pub const MAX_BODY: usize = 200_000;
/// Longest legal time limit written in the national database is well under a year.
pub const MAX_DAYS: i32 = 365;
/// Longest fixed retention period of Circular 10/2022/TT-BNV is 70 years; above that the
/// record is kept permanently (0).
pub const MAX_RETENTION: i32 = 70;

impl DraftText {
    pub fn from_fields(get: impl Fn(&str) -> String) -> Self {
        Self {
            name: get(F_NAME),
            time_limit: get(F_TIME),
            fee: get(F_FEE),
            level: get(F_LEVEL),
            documents: get(F_DOCS),
            form: get(F_FORM),
            workflow: get(F_WORKFLOW),
            retention: get(F_RETENTION),
        }
    }

    pub fn fields(&self) -> Vec<(String, String)> {
        [
            (F_NAME, &self.name),
            (F_TIME, &self.time_limit),
            (F_FEE, &self.fee),
            (F_LEVEL, &self.level),
            (F_DOCS, &self.documents),
            (F_FORM, &self.form),
            (F_WORKFLOW, &self.workflow),
            (F_RETENTION, &self.retention),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
    }
}

/// A checked draft, ready to publish as a new version.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub name: String,
    pub time_limit_days: Option<i32>,
    pub fee_free: Option<bool>,
    pub level: Level,
    pub documents: Vec<RequiredDocument>,
    /// None: the general application form.
    pub form: Option<FormSchema>,
    pub workflow: Workflow,
    pub retention_years: i32,
}

fn err(field: &str, vi: String, en: String) -> FieldError {
    FieldError {
        field: field.into(),
        message_vi: vi,
        message_en: en,
    }
}

/// Lines of the document list as `name | quantity`; blank lines are skipped.
pub fn documents_text(docs: &[RequiredDocument]) -> String {
    docs.iter()
        .map(|d| match &d.quantity {
            Some(q) if !q.is_empty() => format!("{} | {q}", d.name),
            _ => d.name.clone(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads and checks every field; all problems are reported at once (one request, one list of
/// what to fix).
pub fn check(t: &DraftText) -> Result<Draft, Vec<FieldError>> {
    let mut errs = Vec::new();
    let name = t.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.chars().count() < 5 || name.chars().count() > MAX_NAME {
        errs.push(err(
            F_NAME,
            format!("Tên thủ tục cần từ 5 đến {MAX_NAME} ký tự."),
            format!("The procedure name needs 5 to {MAX_NAME} characters."),
        ));
    }
    let time_limit_days = match t.time_limit.trim() {
        "" => None,
        s => match s.parse::<i32>() {
            Ok(n) if (0..=MAX_DAYS).contains(&n) => Some(n),
            _ => {
                errs.push(err(
                    F_TIME,
                    format!("Thời hạn giải quyết là số ngày làm việc từ 0 đến {MAX_DAYS}, hoặc để trống nếu văn bản không quy định."),
                    format!("The time limit is a number of working days from 0 to {MAX_DAYS}, or empty when the law sets none."),
                ));
                None
            }
        },
    };
    let retention_years = match t.retention.trim().parse::<i32>() {
        Ok(n) if (0..=MAX_RETENTION).contains(&n) => n,
        _ => {
            errs.push(err(
                F_RETENTION,
                format!("Thời hạn bảo quản là số năm từ 1 đến {MAX_RETENTION}, hoặc 0 nếu bảo quản vĩnh viễn."),
                format!("The retention period is a number of years from 1 to {MAX_RETENTION}, or 0 to keep permanently."),
            ));
            0
        }
    };
    let fee_free = match t.fee.as_str() {
        "" => None,
        "free" => Some(true),
        "fee" => Some(false),
        _ => {
            errs.push(err(
                F_FEE,
                "Chọn có thu phí, lệ phí hay không.".into(),
                "Choose whether a fee is charged.".into(),
            ));
            None
        }
    };
    let level = Level::parse(&t.level).unwrap_or_else(|| {
        errs.push(err(
            F_LEVEL,
            "Chọn mức độ cung cấp dịch vụ công trực tuyến.".into(),
            "Choose the online service level.".into(),
        ));
        Level::Offline
    });
    let mut documents = Vec::new();
    for (i, line) in t.documents.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (name, quantity) = match line.split_once('|') {
            Some((n, q)) => (
                n.trim(),
                Some(q.trim().to_owned()).filter(|q| !q.is_empty()),
            ),
            None => (line, None),
        };
        if name.is_empty() || name.chars().count() > MAX_DOC {
            errs.push(err(
                F_DOCS,
                format!("Dòng {} của thành phần hồ sơ cần có tên giấy tờ (tối đa {MAX_DOC} ký tự).", i + 1),
                format!("Line {} of the document list needs a document name (at most {MAX_DOC} characters).", i + 1),
            ));
            continue;
        }
        documents.push(RequiredDocument {
            name: name.to_owned(),
            quantity,
            form: None,
        });
    }
    if documents.len() > MAX_DOCUMENTS {
        errs.push(err(
            F_DOCS,
            format!("Tối đa {MAX_DOCUMENTS} giấy tờ."),
            format!("At most {MAX_DOCUMENTS} documents."),
        ));
    }
    let too_long = |s: &str| s.len() > MAX_BODY;
    let form = match t.form.trim() {
        "" => None,
        s if too_long(s) => {
            errs.push(err(
                F_FORM,
                "Thiết kế biểu mẫu quá dài.".into(),
                "The form design is too long.".into(),
            ));
            None
        }
        s => match FormSchema::parse(s) {
            Ok(f) if f.sections.is_empty() => {
                errs.push(err(
                    F_FORM,
                    "Biểu mẫu cần ít nhất một phần (section); để trống ô này để dùng tờ khai chung.".into(),
                    "The form needs at least one section; leave the box empty for the general application form.".into(),
                ));
                None
            }
            Ok(f) => Some(f),
            Err(e) => {
                errs.push(err(
                    F_FORM,
                    format!("Thiết kế biểu mẫu chưa hợp lệ: {e}"),
                    format!("The form design is not valid: {e}"),
                ));
                None
            }
        },
    };
    let workflow = if too_long(&t.workflow) {
        errs.push(err(
            F_WORKFLOW,
            "Quy trình quá dài.".into(),
            "The workflow is too long.".into(),
        ));
        None
    } else {
        match serde_json::from_str::<Workflow>(&t.workflow) {
            Err(e) => {
                errs.push(err(
                    F_WORKFLOW,
                    format!("Quy trình không đọc được (JSON): {e}"),
                    format!("The workflow cannot be read (JSON): {e}"),
                ));
                None
            }
            Ok(w) => {
                let slug = !w.code.is_empty()
                    && w.code.len() <= 64
                    && w.code
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                if !slug || w.name_vi.trim().is_empty() {
                    errs.push(err(
                        F_WORKFLOW,
                        "Quy trình cần mã (chữ thường, số, dấu gạch ngang) và tên.".into(),
                        "The workflow needs a code (lower-case letters, digits, hyphens) and a name.".into(),
                    ));
                }
                for g in w.check() {
                    let (vi, en) = g.message();
                    errs.push(err(F_WORKFLOW, vi, en));
                }
                Some(w)
            }
        }
    };
    match (errs.is_empty(), workflow) {
        (true, Some(workflow)) => Ok(Draft {
            name,
            time_limit_days,
            fee_free,
            level,
            documents,
            form,
            workflow,
            retention_years,
        }),
        _ => Err(errs),
    }
}

/// A procedure code of the national database: digits separated by dots (`1.001193`), or a
/// local code of letters, digits, dots and hyphens.
pub fn valid_code(code: &str) -> bool {
    (3..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && code
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

/// Kinds of rows in the holiday list (B-i): a day off, or a weekend day worked in exchange.
/// Stored as in the `holiday` table.
pub const HOLIDAY_KINDS: [&str; 2] = ["off", "makeup"];

/// One holiday row to import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayRow {
    pub day: Day,
    /// `off` or `makeup`.
    pub kind: String,
    pub name: String,
}

/// A rejected line of an import, with its number as the user sees it (header = line 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadLine {
    pub line: usize,
    pub text: String,
    pub vi: String,
    pub en: String,
}

pub const MAX_IMPORT_LINES: usize = 2000;

/// Splits one CSV line (RFC 4180 quoting, comma or semicolon as spreadsheets in Vietnamese
/// locale write them).
pub fn csv_fields(line: &str) -> Vec<String> {
    let sep = if line.contains(';') && !line.contains(',') {
        ';'
    } else {
        ','
    };
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().map(|s| s.trim().to_owned()).collect()
}

/// Parses a holiday list `ngay,loai,ten` (date as `YYYY-MM-DD` or `DD/MM/YYYY`; kind
/// `holiday`/`nghi` or `makeup`/`lam-bu`). All lines are checked; the import is all or
/// nothing, so any bad line rejects the file with the full list of bad lines.
pub fn parse_holidays(csv: &str) -> Result<Vec<HolidayRow>, Vec<BadLine>> {
    let text = csv.trim_start_matches('\u{feff}');
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() > MAX_IMPORT_LINES + 1 {
        return Err(vec![BadLine {
            line: MAX_IMPORT_LINES + 2,
            text: String::new(),
            vi: format!("Tệp có quá {MAX_IMPORT_LINES} dòng."),
            en: format!("The file has more than {MAX_IMPORT_LINES} lines."),
        }]);
    }
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let f = csv_fields(line);
        let first = f.first().map(|s| s.to_lowercase()).unwrap_or_default();
        if i == 0 && (first == "ngay" || first == "ngày" || first == "day" || first == "date") {
            continue;
        }
        let mut reject = |vi: String, en: String| {
            bad.push(BadLine {
                line: i + 1,
                text: line.chars().take(200).collect(),
                vi,
                en,
            })
        };
        if f.len() != 3 {
            reject(
                "Cần đúng 3 cột: ngày, loại, tên.".into(),
                "Needs exactly 3 columns: date, kind, name.".into(),
            );
            continue;
        }
        let day = Day::parse_iso(&f[0]).or_else(|| {
            let p: Vec<&str> = f[0].split('/').collect();
            match p.as_slice() {
                [d, m, y] => Day::parse_iso(&format!("{y}-{m:0>2}-{d:0>2}")),
                _ => None,
            }
        });
        let Some(day) = day else {
            reject(
                format!(
                    "Ngày \"{}\" không hợp lệ (dùng YYYY-MM-DD hoặc DD/MM/YYYY).",
                    f[0]
                ),
                format!(
                    "Date \"{}\" is not valid (use YYYY-MM-DD or DD/MM/YYYY).",
                    f[0]
                ),
            );
            continue;
        };
        let kind = match f[1].to_lowercase().as_str() {
            "off" | "holiday" | "nghi" | "nghỉ" => "off",
            "makeup" | "lam-bu" | "làm bù" | "lam bu" => "makeup",
            other => {
                reject(
                    format!("Loại \"{other}\" không hợp lệ (nghỉ hoặc làm bù)."),
                    format!("Kind \"{other}\" is not valid (holiday or makeup)."),
                );
                continue;
            }
        };
        if f[2].is_empty() || f[2].chars().count() > 200 {
            reject(
                "Cần tên ngày nghỉ (tối đa 200 ký tự).".into(),
                "Needs the holiday's name (at most 200 characters).".into(),
            );
            continue;
        }
        let weekend = day.weekday() >= 5;
        if kind == "makeup" && !weekend {
            reject(
                "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật.".into(),
                "A make-up working day must be a Saturday or a Sunday.".into(),
            );
            continue;
        }
        if !seen.insert(day) {
            reject(
                "Ngày này xuất hiện hai lần trong tệp.".into(),
                "This date appears twice in the file.".into(),
            );
            continue;
        }
        rows.push(HolidayRow {
            day,
            kind: kind.into(),
            name: f[2].clone(),
        });
    }
    if rows.is_empty() && bad.is_empty() {
        bad.push(BadLine {
            line: 1,
            text: String::new(),
            vi: "Tệp không có dòng dữ liệu nào.".into(),
            en: "The file has no data lines.".into(),
        });
    }
    if bad.is_empty() {
        Ok(rows)
    } else {
        Err(bad)
    }
}

// What the administration pages show (B-a, B-e).

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorRow {
    pub code: String,
    pub name: String,
    pub agency: String,
    pub level: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorList {
    pub rows: Vec<EditorRow>,
    pub total: usize,
    pub fields: Vec<(i32, String)>,
    pub agencies: Vec<(i32, String)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRow {
    pub version: i32,
    pub time_limit_days: Option<i32>,
    pub workflow: String,
    /// Dossiers filed under this version (they keep it).
    pub dossiers: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRow {
    pub at: i64,
    pub kind: String,
    pub subject: String,
    pub summary: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorView {
    pub code: String,
    pub field: String,
    pub agency: String,
    /// The version the draft is based on.
    pub version: i32,
    pub text: DraftText,
    pub versions: Vec<VersionRow>,
    pub changes: Vec<ChangeRow>,
    pub provinces: Vec<(String, String)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayLine {
    pub day: String,
    pub kind: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayView {
    pub year: i32,
    pub years: Vec<i32>,
    pub rows: Vec<HolidayLine>,
    pub changes: Vec<ChangeRow>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Years whose lists the file replaced.
    pub years: Vec<i32>,
    pub imported: usize,
    /// Rows of those years that were there before.
    pub replaced: usize,
    /// Lines refused; when any, nothing was written.
    pub bad: Vec<BadLine>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeded_workflow() -> String {
        serde_json::to_string(&super::super::workflow::seeded()[0]).expect("json")
    }

    fn good() -> DraftText {
        DraftText {
            name: "  Đăng ký   khai sinh ".into(),
            time_limit: "3".into(),
            fee: "free".into(),
            level: "full".into(),
            documents: "Tờ khai | 01 bản chính\n\nGiấy chứng sinh".into(),
            form: String::new(),
            workflow: seeded_workflow(),
            retention: "10".into(),
        }
    }

    #[test]
    fn a_good_draft_is_read_whole() {
        let d = check(&good()).expect("valid");
        assert_eq!(d.name, "Đăng ký khai sinh");
        assert_eq!(d.time_limit_days, Some(3));
        assert_eq!(d.fee_free, Some(true));
        assert_eq!(d.level, Level::Full);
        assert_eq!(d.documents.len(), 2);
        assert_eq!(d.documents[0].quantity.as_deref(), Some("01 bản chính"));
        assert!(d.form.is_none());
        assert_eq!(
            documents_text(&d.documents),
            "Tờ khai | 01 bản chính\nGiấy chứng sinh"
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let t = DraftText {
            name: "ab".into(),
            time_limit: "-1".into(),
            fee: "maybe".into(),
            level: "".into(),
            documents: "| 2 bản".into(),
            form: "{\"sections\": 3}".into(),
            workflow: "{".into(),
            retention: "forever".into(),
        };
        let errs = check(&t).expect_err("invalid");
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        for f in [
            F_NAME,
            F_TIME,
            F_FEE,
            F_LEVEL,
            F_DOCS,
            F_FORM,
            F_WORKFLOW,
            F_RETENTION,
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn an_invalid_workflow_graph_is_refused_with_its_flaws() {
        let mut w = super::super::workflow::seeded()[0].clone();
        // A state nobody reaches, which is also an end that is not final; and no result end.
        let mut orphan = w.states[0].clone();
        orphan.key = "treo".into();
        orphan.status = 4;
        orphan.actions.clear();
        w.states.push(orphan);
        w.states.retain(|s| s.status != 10);
        let t = DraftText {
            workflow: serde_json::to_string(&w).expect("json"),
            ..good()
        };
        let errs = check(&t).expect_err("invalid graph");
        let text: Vec<String> = errs.iter().map(|e| e.message_vi.clone()).collect();
        assert!(
            text.iter().any(|m| m.contains("Đã trả kết quả")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|m| m.contains("Không thể đi tới bước \"treo\"")),
            "{text:?}"
        );
    }

    #[test]
    fn a_form_schema_is_checked() {
        let bad = r#"{"sections":[{"id":"a","title":{"vi":"A","en":"A"},"fields":[
            {"id":"x","label":{"vi":"X","en":"X"},"kind":"select","required":true}]}]}"#;
        let errs = check(&DraftText {
            form: bad.into(),
            ..good()
        })
        .expect_err("select without options");
        assert!(errs.iter().any(|e| e.field == F_FORM), "{errs:?}");
    }

    #[test]
    fn codes() {
        assert!(valid_code("1.001193"));
        assert!(valid_code("DN-01.2"));
        assert!(!valid_code(".12"));
        assert!(!valid_code("1 2 3"));
        assert!(!valid_code("ab"));
    }

    #[test]
    fn holidays_parse_both_date_forms_and_kinds() {
        let rows = parse_holidays(
            "\u{feff}ngay,loai,ten\n2027-02-05,holiday,Tết Nguyên đán\n06/02/2027;nghỉ;Tết\n\"2027-01-30\",làm bù,\"Làm bù, Tết\"\n",
        );
        // Mixed separators on different lines are fine; each line picks its own.
        let rows = rows.expect("valid");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].day.to_string(), "2027-02-06");
        assert_eq!(rows[2].kind, "makeup");
        assert_eq!(rows[2].name, "Làm bù, Tết");
    }

    #[test]
    fn holiday_import_lists_every_bad_line() {
        let bad = parse_holidays(
            "ngay,loai,ten\n2027-13-01,holiday,X\n2027-02-05,party,X\n2027-02-03,makeup,Thứ Tư\n2027-02-05,holiday,A\n2027-02-05,holiday,B\nonly,two\n",
        )
        .expect_err("bad lines");
        let lines: Vec<usize> = bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 6, 7]);
        assert!(bad[2].vi.contains("thứ Bảy"));
        assert!(bad[3].vi.contains("hai lần"));
        assert!(parse_holidays("ngay,loai,ten\n").is_err());
    }
}
