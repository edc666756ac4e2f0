//! A minimal Office Open XML workbook (one sheet of text and numbers) for report exports
//! (B-d), written directly: a ZIP of five XML parts, deflated with `flate2`, so that no
//! spreadsheet crate is needed. Numbers are written as numbers, everything else as inline
//! strings (no shared-string table).
use std::io::Write;

use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc};

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Column letters: 0 → A, 25 → Z, 26 → AA.
fn column(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn sheet(rows: &[Vec<String>]) -> String {
    let mut x = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        x.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, cell) in row.iter().enumerate() {
            let at = format!("{}{}", column(c), r + 1);
            let numeric = !cell.is_empty()
                && cell.len() < 16
                && cell.parse::<f64>().is_ok_and(f64::is_finite)
                && !cell.starts_with('+');
            if numeric {
                x.push_str(&format!("<c r=\"{at}\"><v>{cell}</v></c>"));
            } else {
                x.push_str(&format!(
                    "<c r=\"{at}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
                    escape(cell)
                ));
            }
        }
        x.push_str("</row>");
    }
    x.push_str("</sheetData></worksheet>");
    x
}

/// A workbook with one sheet named `name`.
pub fn workbook(name: &str, rows: &[Vec<String>]) -> std::io::Result<Vec<u8>> {
    let name: String = escape(name).chars().take(31).collect();
    let parts: [(&str, String); 5] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#
                .into(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
                .into(),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
                .into(),
        ),
        ("xl/worksheets/sheet1.xml", sheet(rows)),
    ];
    zip(&parts)
}

/// A ZIP archive (PKWARE APPNOTE 4.3/4.4) of deflated entries.
fn zip(entries: &[(&str, String)]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let mut crc = Crc::new();
        crc.update(data.as_bytes());
        let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
        enc.write_all(data.as_bytes())?;
        let packed = enc.finish()?;
        let offset = out.len() as u32;
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&20u16.to_le_bytes()); // version needed
            v.extend_from_slice(&0x0800u16.to_le_bytes()); // UTF-8 names
            v.extend_from_slice(&8u16.to_le_bytes()); // deflate
            v.extend_from_slice(&0u16.to_le_bytes()); // time
            v.extend_from_slice(&0x21u16.to_le_bytes()); // date 1980-01-01
            v.extend_from_slice(&crc.sum().to_le_bytes());
            v.extend_from_slice(&(packed.len() as u32).to_le_bytes());
            v.extend_from_slice(&(data.len() as u32).to_le_bytes());
            v.extend_from_slice(&(name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // extra length
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&packed);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        common(&mut central);
        central.extend_from_slice(&0u16.to_le_bytes()); // comment length
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let at = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::DeflateDecoder;
    use std::io::Read;

    fn u16_at(b: &[u8], i: usize) -> usize {
        u16::from_le_bytes([b[i], b[i + 1]]) as usize
    }
    fn u32_at(b: &[u8], i: usize) -> u32 {
        u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
    }

    /// Reads the archive back through its central directory, inflating and checking each CRC.
    fn read_back(z: &[u8]) -> Vec<(String, String)> {
        let end = z.len() - 22;
        assert_eq!(u32_at(z, end), 0x0605_4b50);
        let n = u16_at(z, end + 10);
        let mut at = u32_at(z, end + 16) as usize;
        let mut out = Vec::new();
        for _ in 0..n {
            assert_eq!(u32_at(z, at), 0x0201_4b50);
            let crc = u32_at(z, at + 16);
            let packed = u32_at(z, at + 20) as usize;
            let size = u32_at(z, at + 24) as usize;
            let name_len = u16_at(z, at + 28);
            let local = u32_at(z, at + 42) as usize;
            let name = String::from_utf8(z[at + 46..at + 46 + name_len].to_vec()).unwrap();
            assert_eq!(u32_at(z, local), 0x0403_4b50);
            let data_at = local + 30 + u16_at(z, local + 26) + u16_at(z, local + 28);
            let mut text = String::new();
            DeflateDecoder::new(&z[data_at..data_at + packed])
                .read_to_string(&mut text)
                .unwrap();
            assert_eq!(text.len(), size);
            let mut c = Crc::new();
            c.update(text.as_bytes());
            assert_eq!(c.sum(), crc, "{name}");
            out.push((name, text));
            at += 46 + name_len;
        }
        out
    }

    #[test]
    fn a_workbook_reads_back_with_its_cells() {
        let rows = vec![
            vec!["Đơn vị".to_string(), "Tiếp nhận".into(), "Tỷ lệ (%)".into()],
            vec!["Phường Hải Châu <A&B>".into(), "12".into(), "87.5".into()],
            vec!["=SUM(A1)".into(), "—".into(), "+1".into()],
        ];
        let z = workbook("Báo cáo", &rows).unwrap();
        let parts = read_back(&z);
        let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "[Content_Types].xml",
                "_rels/.rels",
                "xl/workbook.xml",
                "xl/_rels/workbook.xml.rels",
                "xl/worksheets/sheet1.xml"
            ]
        );
        let sheet = &parts[4].1;
        assert!(sheet.contains("<c r=\"B2\"><v>12</v></c>"));
        assert!(sheet.contains("<c r=\"C2\"><v>87.5</v></c>"));
        assert!(sheet.contains("Phường Hải Châu &lt;A&amp;B&gt;"));
        // Formulas stay text; never evaluated.
        assert!(sheet.contains("<t xml:space=\"preserve\">=SUM(A1)</t>") && !sheet.contains("<f>"));
        assert!(sheet.contains("r=\"C3\" t=\"inlineStr\""));
        assert!(parts[2].1.contains("name=\"Báo cáo\""));
        assert_eq!(column(0), "A");
        assert_eq!(column(25), "Z");
        assert_eq!(column(26), "AA");
        assert_eq!(column(27), "AB");
    }
}
