//! Vietnamese text folding for search (P-5.1): people type without diacritics, in any case,
//! so "Đăng ký", "dang ky" and "DANG KY" must compare equal.

/// Lower-cases and removes Vietnamese diacritics (tone marks, circumflex, breve, horn, đ).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        for l in c.to_lowercase() {
            out.push(base_letter(l));
        }
    }
    out
}

/// Removes Vietnamese diacritics and keeps the case ("Đã nộp" → "Da nop"): text for channels
/// limited to ASCII, such as SMS in GSM-7 (P-3.2).
pub fn unaccent(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_uppercase() {
            let lower: String = c.to_lowercase().map(base_letter).collect();
            out.extend(lower.chars().flat_map(char::to_uppercase));
        } else if let b @ ('\u{1}'..) = base_letter(c) {
            out.push(b);
        }
    }
    out
}

fn base_letter(c: char) -> char {
    match c {
        'à' | 'á' | 'ạ' | 'ả' | 'ã' | 'â' | 'ầ' | 'ấ' | 'ậ' | 'ẩ' | 'ẫ' | 'ă' | 'ằ' | 'ắ' | 'ặ'
        | 'ẳ' | 'ẵ' => 'a',
        'è' | 'é' | 'ẹ' | 'ẻ' | 'ẽ' | 'ê' | 'ề' | 'ế' | 'ệ' | 'ể' | 'ễ' => 'e',
        'ì' | 'í' | 'ị' | 'ỉ' | 'ĩ' => 'i',
        'ò' | 'ó' | 'ọ' | 'ỏ' | 'õ' | 'ô' | 'ồ' | 'ố' | 'ộ' | 'ổ' | 'ỗ' | 'ơ' | 'ờ' | 'ớ' | 'ợ'
        | 'ở' | 'ỡ' => 'o',
        'ù' | 'ú' | 'ụ' | 'ủ' | 'ũ' | 'ư' | 'ừ' | 'ứ' | 'ự' | 'ử' | 'ữ' => 'u',
        'ỳ' | 'ý' | 'ỵ' | 'ỷ' | 'ỹ' => 'y',
        'đ' => 'd',
        // Combining marks left by decomposed (NFD) input, e.g. from some phone keyboards.
        '\u{0300}'..='\u{036f}' => '\u{0}',
        c => c,
    }
}

/// Folds and splits into search words (letters and digits), dropping combining-mark leftovers.
pub fn words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .map(|w| w.replace('\u{0}', ""))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Common abbreviations people type on the portal, expanded to the catalogue's words.
pub fn expand_abbreviation(word: &str) -> Option<&'static str> {
    Some(match word {
        "gplx" => "giay phep lai xe",
        "cccd" => "can cuoc cong dan",
        "cmnd" => "chung minh nhan dan",
        "lltp" => "ly lich tu phap",
        "gcn" => "giay chung nhan",
        "qsdd" => "quyen su dung dat",
        "gcnqsdd" => "giay chung nhan quyen su dung dat",
        "dkkd" => "dang ky kinh doanh",
        "hkd" => "ho kinh doanh",
        "dn" => "doanh nghiep",
        "htx" => "hop tac xa",
        "xnc" => "xuat nhap canh",
        "pccc" => "phong chay chua chay",
        "bhyt" => "bao hiem y te",
        "bhxh" => "bao hiem xa hoi",
        "gpxd" => "giay phep xay dung",
        "dk" => "dang ky",
        "nvqs" => "nghia vu quan su",
        "gtgt" => "gia tri gia tang",
        "tncn" => "thu nhap ca nhan",
        "tt" => "thu tuc",
        _ => return None,
    })
}

/// Everyday names for documents, as folded word pairs, mapped to the catalogue's words
/// ("sổ đỏ", "sổ hồng" are the land-use right certificate).
pub fn expand_phrase(a: &str, b: &str) -> Option<&'static str> {
    Some(match (a, b) {
        ("so", "do") | ("so", "hong") => "giay chung nhan quyen su dung dat",
        ("bang", "lai") => "giay phep lai xe",
        _ => return None,
    })
}

/// Filler words of questions typed into the search box ("làm", "xin", "muốn"): they never
/// tell procedures apart, so they must not count against a match. Words whose folded form is
/// also a content word ("cần"/"căn", "thế"/"thẻ", "đâu"/"đầu") are deliberately not here.
pub fn is_filler(word: &str) -> bool {
    matches!(word, "lam" | "xin" | "muon" | "nhu" | "nao" | "o" | "gi")
}

/// True when the text looks like a procedure code such as `1.001193`.
pub fn is_procedure_code(s: &str) -> bool {
    let s = s.trim();
    let mut parts = s.split('.');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(a), Some(b), None)
            if !a.is_empty() && a.len() <= 2 && a.chars().all(|c| c.is_ascii_digit())
                && b.len() == 6 && b.chars().all(|c| c.is_ascii_digit())
    )
}

/// Percent-encodes a value for a URL path or query (RFC 3986 unreserved characters and `/` kept).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An amount of đồng as people type it: `50000`, `50.000`, `50,000`, `50 000`, optionally
/// followed by `đ`, `đồng` or `VND`. None when it is not a whole non-negative number.
pub fn parse_vnd(s: &str) -> Option<i64> {
    let t = s.trim();
    let t = ["đồng", "đ", "VND", "vnd"]
        .iter()
        .find_map(|u| t.strip_suffix(u))
        .unwrap_or(t)
        .trim();
    let digits: String = t
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | ' ' | '\u{a0}'))
        .collect();
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_dong_as_typed() {
        assert_eq!(parse_vnd("50000"), Some(50_000));
        assert_eq!(parse_vnd(" 1.250.000 đ"), Some(1_250_000));
        assert_eq!(parse_vnd("50,000 VND"), Some(50_000));
        assert_eq!(parse_vnd("50 000đồng"), Some(50_000));
        for bad in ["", "-5", "5,5k", "abc", "1e6", "9999999999999999"] {
            assert_eq!(parse_vnd(bad), None, "{bad}");
        }
    }

    #[test]
    fn urlencode_keeps_paths_and_escapes_the_rest() {
        assert_eq!(urlencode("/ho-so/1?x"), "/ho-so/1%3Fx");
        assert_eq!(urlencode("Bình 4&a"), "B%C3%ACnh%204%26a");
    }
    use proptest::prelude::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Đăng ký khai sinh"), "dang ky khai sinh");
        assert_eq!(fold("ĐĂNG KÝ KẾT HÔN"), "dang ky ket hon");
        assert_eq!(
            fold("Cấp Phiếu lý lịch tư pháp"),
            "cap phieu ly lich tu phap"
        );
        assert_eq!(fold("Ưu đãi, hỗ trợ"), "uu dai, ho tro");
    }

    #[test]
    fn unaccent_keeps_case() {
        assert_eq!(unaccent("Đã tiếp nhận HỒ SƠ"), "Da tiep nhan HO SO");
        assert_eq!(
            unaccent("Ưu đãi, hỗ trợ 25.000 đ"),
            "Uu dai, ho tro 25.000 d"
        );
        // Decomposed input (NFD): the combining marks are dropped, not left as NUL.
        assert_eq!(unaccent("Vie\u{0302}\u{0323}t"), "Viet");
    }

    #[test]
    fn folds_decomposed_input() {
        // "ký" typed as k + y + combining acute accent.
        assert_eq!(words("Đăng ky\u{301}"), vec!["dang", "ky"]);
    }

    #[test]
    fn recognises_codes() {
        assert!(is_procedure_code("1.001193"));
        assert!(is_procedure_code(" 2.000815 "));
        assert!(!is_procedure_code("1.00119"));
        assert!(!is_procedure_code("a.001193"));
        assert!(!is_procedure_code("1.001193.1"));
    }

    #[test]
    fn expands_everyday_names() {
        assert_eq!(
            expand_phrase("so", "do"),
            Some("giay chung nhan quyen su dung dat")
        );
        assert_eq!(expand_abbreviation("gplx"), Some("giay phep lai xe"));
        assert_eq!(expand_abbreviation("khai"), None);
        assert!(is_filler("lam"));
        // "can" folds both "cần" (need) and "căn" (căn cước): never dropped.
        assert!(!is_filler("can"));
    }

    proptest! {
        #[test]
        fn folding_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
        }

        #[test]
        fn folded_vietnamese_is_ascii(s in "[a-zA-Z àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđĐ]{0,40}") {
            prop_assert!(fold(&s).is_ascii());
        }

        #[test]
        fn words_never_empty_or_spaced(s in "\\PC{0,60}") {
            for w in words(&s) {
                prop_assert!(!w.is_empty());
                prop_assert!(!w.contains(' '));
            }
        }
    }
}
