//! Shared electronic catalogues (B-e): administrative units of the 2-level structure, agencies
//! and units with their codes, fields and document types. Each is listed, exported and imported as CSV in the
//! same columns, so an administrator edits a catalogue by exporting it, changing it in a
//! spreadsheet and importing it again. An import is all or nothing: every bad line is reported
//! with its number and nothing is written. Pure: the file's shape is checked here; what needs
//! the database (does a parent exist?) is checked by the server with the same line numbers.
use serde::{Deserialize, Serialize};

use super::editor::{csv_fields, valid_code, BadLine};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SharedCatalogue {
    Areas,
    Agencies,
    Fields,
    DocumentTypes,
}

/// One column of a catalogue's CSV: header, Vietnamese and English labels, required.
pub struct Column {
    pub header: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
    pub required: bool,
}

const fn col(header: &'static str, vi: &'static str, en: &'static str, required: bool) -> Column {
    Column {
        header,
        vi,
        en,
        required,
    }
}

const AREA_COLUMNS: [Column; 6] = [
    col("ma", "Mã", "Code", true),
    col("ten", "Tên", "Name", true),
    col("ten_day_du", "Tên đầy đủ", "Full name", true),
    col("loai", "Loại", "Kind", true),
    col("ma_tinh", "Mã tỉnh", "Province code", false),
    col("ten_tieng_anh", "Tên tiếng Anh", "English name", false),
];

/// `id` is the system's own number: exported so that agencies without an official code yet can
/// be edited too; empty for a new agency, which then needs a code.
const AGENCY_COLUMNS: [Column; 8] = [
    col("id", "Số hiệu trong hệ thống", "System id", false),
    col("ma", "Mã", "Code", false),
    col("ten", "Tên", "Name", true),
    col("loai", "Loại", "Kind", true),
    col(
        "ma_cap_tren",
        "Mã cơ quan cấp trên (hoặc #số hiệu)",
        "Parent code (or #id)",
        false,
    ),
    col("ma_dia_ban", "Mã địa bàn", "Area code", false),
    col("dia_chi", "Địa chỉ", "Address", false),
    col("duong_day_nong", "Đường dây nóng", "Hotline", false),
];

const FIELD_COLUMNS: [Column; 1] = [col("ten", "Tên lĩnh vực", "Field name", true)];

/// National codes (KQ.G01.…) as the National Public Service Portal publishes them.
const DOCUMENT_TYPE_COLUMNS: [Column; 3] = [
    col("ma", "Mã giấy tờ", "Code", true),
    col("ten", "Tên giấy tờ", "Name", true),
    col("co_quan_cap", "Cơ quan cấp", "Issued by", false),
];

/// Kinds of province-level units (Resolution 202/2025/QH15: 34 provinces and cities).
pub const PROVINCE_KINDS: [&str; 2] = ["Tỉnh", "Thành phố"];
/// Kinds of commune-level units since 1 July 2025.
pub const COMMUNE_KINDS: [&str; 3] = ["Xã", "Phường", "Đặc khu"];

/// Agency kinds as stored, with their labels.
pub const AGENCY_KINDS: [(&str, &str, &str); 5] = [
    ("ministry", "Bộ, ngành", "Ministry"),
    ("province", "UBND tỉnh", "Provincial People's Committee"),
    ("department", "Sở, ngành", "Department"),
    ("one_stop", "Bộ phận một cửa", "One-stop section"),
    ("commune", "UBND xã", "Commune People's Committee"),
];

/// The 2025 list has 3,355 units; room for a whole national list in one file.
pub const MAX_LINES: usize = 6000;
const MAX_TEXT: usize = 300;
/// Result names in the national catalogue run to 847 characters.
const MAX_DOCUMENT_NAME: usize = 1000;

impl SharedCatalogue {
    pub const ALL: [SharedCatalogue; 4] = [
        Self::Areas,
        Self::Agencies,
        Self::Fields,
        Self::DocumentTypes,
    ];

    /// Its part of the page address (`/quan-tri/danh-muc?loai=…`).
    pub fn slug(self) -> &'static str {
        match self {
            Self::Areas => "dia-ban",
            Self::Agencies => "co-quan",
            Self::Fields => "linh-vuc",
            Self::DocumentTypes => "giay-to",
        }
    }

    pub fn parse(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.slug() == slug)
    }

    pub fn title(self) -> (&'static str, &'static str) {
        match self {
            Self::Areas => (
                "Đơn vị hành chính (tỉnh, xã)",
                "Administrative units (provinces, communes)",
            ),
            Self::Agencies => ("Cơ quan, đơn vị", "Agencies and units"),
            Self::Fields => ("Lĩnh vực", "Fields"),
            Self::DocumentTypes => ("Loại giấy tờ, kết quả", "Document types"),
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Self::Areas => &AREA_COLUMNS,
            Self::Agencies => &AGENCY_COLUMNS,
            Self::Fields => &FIELD_COLUMNS,
            Self::DocumentTypes => &DOCUMENT_TYPE_COLUMNS,
        }
    }

    /// The longest a cell may be.
    fn max_text(self) -> usize {
        match self {
            Self::DocumentTypes => MAX_DOCUMENT_NAME,
            _ => MAX_TEXT,
        }
    }

    /// The first line of an exported file.
    pub fn header(self) -> String {
        self.columns()
            .iter()
            .map(|c| c.header)
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A checked line: its number in the file and one cell per column, normalised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub line: usize,
    pub cells: Vec<String>,
}

impl Line {
    /// A cell, or None when empty.
    pub fn opt(&self, i: usize) -> Option<String> {
        self.cells.get(i).filter(|s| !s.is_empty()).cloned()
    }
}

/// What an import did; when `bad` is not empty nothing was written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedReport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub bad: Vec<BadLine>,
}

/// A page of a catalogue, in its CSV columns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedList {
    pub catalogue: SharedCatalogue,
    pub total: u64,
    pub rows: Vec<Vec<String>>,
}

/// Quotes a cell for CSV when it needs it (RFC 4180).
pub fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', ';', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A system id: 1 to 9 digits.
fn is_number(s: &str) -> bool {
    (1..=9).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_hotline(s: &str) -> bool {
    s.len() <= 20
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b" .+-()".contains(&b))
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// Reads a catalogue file and checks each line's shape; all bad lines are reported at once.
pub fn parse(cat: SharedCatalogue, csv: &str) -> Result<Vec<Line>, Vec<BadLine>> {
    let text = csv.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() > MAX_LINES + 1 {
        return Err(vec![BadLine {
            line: MAX_LINES + 2,
            text: String::new(),
            vi: format!("Tệp có quá {MAX_LINES} dòng."),
            en: format!("The file has more than {MAX_LINES} lines."),
        }]);
    }
    let cols = cat.columns();
    let max_text = cat.max_text();
    let mut out = Vec::new();
    let mut bad = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let mut f = csv_fields(line);
        let first = f.first().map(|s| s.to_lowercase()).unwrap_or_default();
        if i == 0
            && [cols[0].header, cols[0].vi, cols[0].en]
                .iter()
                .any(|h| h.to_lowercase() == first)
        {
            continue;
        }
        let mut problems: Vec<(String, String)> = Vec::new();
        // Trailing optional columns may be left out.
        let required_len = cols.iter().rposition(|c| c.required).map_or(0, |p| p + 1);
        if f.len() < required_len || f.len() > cols.len() {
            problems.push((
                format!(
                    "Cần {} cột: {}.",
                    cols.len(),
                    cols.iter().map(|c| c.vi).collect::<Vec<_>>().join(", ")
                ),
                format!(
                    "Needs {} columns: {}.",
                    cols.len(),
                    cols.iter().map(|c| c.en).collect::<Vec<_>>().join(", ")
                ),
            ));
        } else {
            f.resize(cols.len(), String::new());
            for (c, v) in cols.iter().zip(&f) {
                if c.required && v.is_empty() {
                    problems.push((
                        format!("Thiếu {}.", c.vi.to_lowercase()),
                        format!("{} is missing.", c.en),
                    ));
                } else if v.chars().count() > max_text {
                    problems.push((
                        format!("{} dài quá {max_text} ký tự.", c.vi),
                        format!("{} is longer than {max_text} characters.", c.en),
                    ));
                }
            }
            if problems.is_empty() {
                check_line(cat, &mut f, &mut problems);
            }
            // The keys: the code (the name for fields); for agencies also the id.
            let keys = match cat {
                SharedCatalogue::Agencies => [
                    (!f[0].is_empty()).then(|| format!("#{}", f[0])),
                    (!f[1].is_empty()).then(|| f[1].to_lowercase()),
                ],
                _ => [Some(f[0].to_lowercase()), None],
            };
            if problems.is_empty() {
                for key in keys.into_iter().flatten() {
                    if let Some(first) = seen.insert(key, i + 1) {
                        problems.push((
                            format!("Trùng với dòng {first}."),
                            format!("Repeats line {first}."),
                        ));
                        break;
                    }
                }
            }
        }
        if problems.is_empty() {
            out.push(Line {
                line: i + 1,
                cells: f,
            });
        } else {
            let (vi, en): (Vec<String>, Vec<String>) = problems.into_iter().unzip();
            bad.push(BadLine {
                line: i + 1,
                text: line.chars().take(200).collect(),
                vi: vi.join(" "),
                en: en.join(" "),
            });
        }
    }
    if out.is_empty() && bad.is_empty() {
        bad.push(BadLine {
            line: 1,
            text: String::new(),
            vi: "Tệp không có dòng dữ liệu nào.".into(),
            en: "The file has no data lines.".into(),
        });
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err(bad)
    }
}

/// Per-catalogue rules; normalises kinds to their stored form.
fn check_line(cat: SharedCatalogue, f: &mut [String], problems: &mut Vec<(String, String)>) {
    match cat {
        SharedCatalogue::Areas => {
            let kind = PROVINCE_KINDS
                .iter()
                .chain(COMMUNE_KINDS.iter())
                .find(|k| k.to_lowercase() == f[3].to_lowercase());
            match kind {
                None => problems.push((
                    format!(
                        "Loại \"{}\" không hợp lệ (Tỉnh, Thành phố, Xã, Phường hoặc Đặc khu).",
                        f[3]
                    ),
                    format!(
                        "Kind \"{}\" is not valid (Tỉnh, Thành phố, Xã, Phường or Đặc khu).",
                        f[3]
                    ),
                )),
                Some(k) if PROVINCE_KINDS.contains(k) => {
                    f[3] = (*k).to_owned();
                    if !digits(&f[0], 2) {
                        problems.push((
                            "Mã tỉnh gồm 2 chữ số.".into(),
                            "A province code has 2 digits.".into(),
                        ));
                    }
                    if !f[4].is_empty() {
                        problems.push((
                            "Tỉnh, thành phố không có mã tỉnh cấp trên.".into(),
                            "A province has no parent province code.".into(),
                        ));
                    }
                }
                Some(k) => {
                    f[3] = (*k).to_owned();
                    if !digits(&f[0], 5) {
                        problems.push((
                            "Mã xã, phường gồm 5 chữ số.".into(),
                            "A commune code has 5 digits.".into(),
                        ));
                    }
                    if !digits(&f[4], 2) {
                        problems.push((
                            "Xã, phường cần mã tỉnh (2 chữ số).".into(),
                            "A commune needs its province code (2 digits).".into(),
                        ));
                    }
                }
            }
        }
        SharedCatalogue::Agencies => {
            if !(f[0].is_empty() || is_number(&f[0])) {
                problems.push((
                    format!(
                        "Số hiệu \"{}\" không hợp lệ (để trống với cơ quan mới).",
                        f[0]
                    ),
                    format!(
                        "Id \"{}\" is not valid (leave it empty for a new agency).",
                        f[0]
                    ),
                ));
            }
            if f[1].is_empty() && f[0].is_empty() {
                problems.push((
                    "Cơ quan mới cần mã.".into(),
                    "A new agency needs a code.".into(),
                ));
            } else if !f[1].is_empty() && !valid_code(&f[1]) {
                problems.push((
                    format!(
                        "Mã \"{}\" không hợp lệ (3–32 chữ, số, dấu chấm, gạch ngang).",
                        f[1]
                    ),
                    format!(
                        "Code \"{}\" is not valid (3–32 letters, digits, dots, hyphens).",
                        f[1]
                    ),
                ));
            }
            let kind = AGENCY_KINDS.iter().find(|(k, vi, _)| {
                let v = f[3].to_lowercase();
                v == *k || v == vi.to_lowercase()
            });
            match kind {
                Some((k, _, _)) => f[3] = (*k).to_owned(),
                None => problems.push((
                    format!(
                        "Loại \"{}\" không hợp lệ ({}).",
                        f[3],
                        AGENCY_KINDS.map(|k| k.0).join(", ")
                    ),
                    format!(
                        "Kind \"{}\" is not valid ({}).",
                        f[3],
                        AGENCY_KINDS.map(|k| k.0).join(", ")
                    ),
                )),
            }
            let parent = &f[4];
            let parent_ok = parent.is_empty()
                || valid_code(parent)
                || parent.strip_prefix('#').is_some_and(is_number);
            if !parent_ok {
                problems.push((
                    format!("Mã cơ quan cấp trên \"{parent}\" không hợp lệ."),
                    format!("Parent code \"{parent}\" is not valid."),
                ));
            } else if !parent.is_empty()
                && (*parent == f[1] || parent.strip_prefix('#') == Some(f[0].as_str()))
            {
                problems.push((
                    "Cơ quan không thể là cấp trên của chính nó.".into(),
                    "An agency cannot be its own parent.".into(),
                ));
            }
            if !(f[5].is_empty() || digits(&f[5], 2) || digits(&f[5], 5)) {
                problems.push((
                    "Mã địa bàn là mã tỉnh (2 chữ số) hoặc mã xã (5 chữ số).".into(),
                    "The area code is a province (2 digits) or commune (5 digits) code.".into(),
                ));
            }
            if !(f[7].is_empty() || is_hotline(&f[7])) {
                problems.push((
                    "Đường dây nóng chỉ gồm chữ số (tối đa 20 ký tự).".into(),
                    "The hotline has digits only (at most 20 characters).".into(),
                ));
            }
        }
        SharedCatalogue::Fields => {
            f[0] = f[0].split_whitespace().collect::<Vec<_>>().join(" ");
        }
        SharedCatalogue::DocumentTypes => {
            // National codes are upper case; one spelling keeps one row per code.
            f[0] = f[0].to_uppercase();
            if !valid_code(&f[0]) {
                problems.push((
                    format!(
                        "Mã \"{}\" không hợp lệ (3–32 chữ, số, dấu chấm, gạch ngang).",
                        f[0]
                    ),
                    format!(
                        "Code \"{}\" is not valid (3–32 letters, digits, dots, hyphens).",
                        f[0]
                    ),
                ));
            }
            f[1] = f[1].split_whitespace().collect::<Vec<_>>().join(" ");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_read_with_their_rules() {
        let rows = parse(
            SharedCatalogue::Areas,
            "\u{feff}ma,ten,ten_day_du,loai,ma_tinh,ten_tieng_anh\n48,Đà Nẵng,Thành phố Đà Nẵng,thành phố,,Da Nang\n20194,Hải Châu,Phường Hải Châu,Phường,48\n",
        )
        .expect("valid");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].cells[3], "Thành phố", "kind normalised");
        assert_eq!(
            rows[1].opt(5),
            None,
            "a trailing optional column may be left out"
        );
        assert_eq!(rows[1].line, 3);
    }

    #[test]
    fn every_bad_line_is_reported() {
        let bad = parse(
            SharedCatalogue::Areas,
            "ma,ten,ten_day_du,loai,ma_tinh\n4,X,Tỉnh X,Tỉnh,\n20194,Hải Châu,Phường Hải Châu,Quận,48\n20195,A,Xã A,Xã,\n48,Đà Nẵng,Thành phố Đà Nẵng,Thành phố\n48,Đà Nẵng,Thành phố Đà Nẵng,Thành phố\nchỉ,hai\n",
        )
        .expect_err("bad");
        let lines: Vec<usize> = bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 6, 7]);
        assert!(bad[0].vi.contains("2 chữ số"));
        assert!(bad[1].vi.contains("Quận"));
        assert!(bad[2].vi.contains("mã tỉnh"));
        assert!(bad[3].vi.contains("Trùng với dòng 5"));
    }

    #[test]
    fn agencies_accept_kind_labels_and_check_codes() {
        let rows = parse(
            SharedCatalogue::Agencies,
            "id,ma,ten,loai,ma_cap_tren,ma_dia_ban,dia_chi,duong_day_nong\n,H48.50,Bộ phận một cửa phường Hải Châu,Bộ phận một cửa,#7,20194,\"12 Lê Duẩn, Hải Châu\",0236 1022\n12,,UBND phường Hải Châu,commune,H48\n",
        )
        .expect("valid");
        assert_eq!(rows[0].cells[3], "one_stop");
        assert_eq!(rows[0].cells[6], "12 Lê Duẩn, Hải Châu");
        assert_eq!(rows[1].opt(1), None, "an existing agency may have no code");
        let bad = parse(
            SharedCatalogue::Agencies,
            ",a b,Tên,sở,,,,\n,H48,Tên,club,H48,1234,,hotline\n,,Không mã,commune\nx1,H49,Tên,commune,#,,,\n,H48,Lặp mã,commune\n",
        )
        .expect_err("bad");
        assert_eq!(
            bad.iter().map(|b| b.line).collect::<Vec<_>>(),
            vec![1, 2, 3, 4]
        );
        assert!(bad[0].vi.contains("Mã \"a b\""));
        for part in ["club", "chính nó", "Mã địa bàn", "Đường dây nóng"] {
            assert!(bad[1].vi.contains(part), "{part}: {}", bad[1].vi);
        }
        assert!(bad[2].vi.contains("cần mã"));
        assert!(
            bad[3].vi.contains("Số hiệu") && bad[3].vi.contains("cấp trên"),
            "{}",
            bad[3].vi
        );
    }

    #[test]
    fn fields_are_names_and_an_empty_file_is_refused() {
        let rows = parse(SharedCatalogue::Fields, "ten\n  Hộ   tịch \nĐất đai\n").expect("ok");
        assert_eq!(rows[0].cells[0], "Hộ tịch");
        assert!(parse(SharedCatalogue::Fields, "ten\n\n").is_err());
        assert!(parse(SharedCatalogue::Fields, "Hộ tịch\nhộ tịch\n").is_err());
    }

    #[test]
    fn document_types_take_national_codes_and_long_names() {
        let long = "Quyết định ".repeat(80);
        let rows = parse(
            SharedCatalogue::DocumentTypes,
            &format!("ma,ten,co_quan_cap\nKQ.G01.00262,  Quyết định   giải quyết khiếu nại ,\nKQ.G01.000023,{long},Bộ Công an\n"),
        )
        .expect("valid");
        assert_eq!(rows[0].cells[1], "Quyết định giải quyết khiếu nại");
        assert_eq!(rows[1].opt(2).as_deref(), Some("Bộ Công an"));
        let bad = parse(
            SharedCatalogue::DocumentTypes,
            &format!("KQ G01,Tên\nkq.g01.1,{}\nKQ.G01.1,Lặp\n", "x".repeat(1001)),
        )
        .expect_err("bad");
        assert_eq!(bad.iter().map(|b| b.line).collect::<Vec<_>>(), vec![1, 2]);
        assert!(bad[0].vi.contains("Mã \"KQ G01\""));
        assert!(bad[1].vi.contains("1000 ký tự"));
    }

    #[test]
    fn cells_are_quoted_only_when_needed() {
        assert_eq!(csv_cell("Hải Châu"), "Hải Châu");
        assert_eq!(csv_cell("12 Lê Duẩn, \"A\""), "\"12 Lê Duẩn, \"\"A\"\"\"");
        let line = format!("{},{}", csv_cell("a,b"), csv_cell("c"));
        assert_eq!(csv_fields(&line), vec!["a,b", "c"]);
    }
}
