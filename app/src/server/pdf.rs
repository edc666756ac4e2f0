//! Printable slips as PDF in Vietnamese (B-l, Circular 01/2018/TT-VPCP forms): a small PDF
//! writer with one embedded Unicode font (DejaVu Sans, subset to the glyphs used, with a
//! ToUnicode map so the text can be searched, copied and read aloud) and QR codes drawn as
//! vector squares. Pages are A4, text is laid out in lines with word wrapping.
use std::collections::BTreeMap;
use std::io::Write;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

pub const A4: (f32, f32) = (595.28, 841.89);
const MARGIN: f32 = 56.0;

struct Font {
    data: &'static [u8],
    name: &'static str,
    remap: subsetter::GlyphRemapper,
    /// new glyph id → (advance in font units, text it stands for)
    used: BTreeMap<u16, (u16, char)>,
    upem: f32,
}

impl Font {
    fn new(data: &'static [u8], name: &'static str) -> Result<Self, String> {
        let face = ttf_parser::Face::parse(data, 0).map_err(|e| e.to_string())?;
        Ok(Self {
            data,
            name,
            remap: subsetter::GlyphRemapper::new(),
            used: BTreeMap::new(),
            upem: face.units_per_em() as f32,
        })
    }

    fn face(&self) -> Result<ttf_parser::Face<'static>, String> {
        ttf_parser::Face::parse(self.data, 0).map_err(|e| e.to_string())
    }

    /// Width of `text` at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        let Ok(face) = self.face() else { return 0.0 };
        let units: f32 = text
            .chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    .unwrap_or(0) as f32
            })
            .sum();
        units * size / self.upem
    }

    /// The text as a hex string of (new) glyph ids, recording each glyph used.
    fn encode(&mut self, text: &str) -> Result<String, String> {
        let face = self.face()?;
        let mut out = String::with_capacity(text.len() * 4 + 2);
        out.push('<');
        // NFC-composed Vietnamese letters all exist as single glyphs in DejaVu Sans.
        for c in text.chars() {
            let g = face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
            let adv = face.glyph_hor_advance(g).unwrap_or(0);
            let new = self.remap.remap(g.0);
            self.used.entry(new).or_insert((adv, c));
            out.push_str(&format!("{new:04X}"));
        }
        out.push('>');
        Ok(out)
    }
}

/// One page's drawing operations and the document's fonts.
pub struct Doc {
    fonts: [Font; 2],
    pages: Vec<String>,
    ops: String,
    y: f32,
    title: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Regular,
    Bold,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Centre,
}

impl Doc {
    pub fn new(title: &str) -> Result<Self, String> {
        Ok(Self {
            fonts: [Font::new(REGULAR, "F1")?, Font::new(BOLD, "F2")?],
            pages: Vec::new(),
            ops: String::new(),
            y: A4.1 - MARGIN,
            title: title.to_string(),
        })
    }

    fn font(&mut self, s: Style) -> &mut Font {
        match s {
            Style::Regular => &mut self.fonts[0],
            Style::Bold => &mut self.fonts[1],
        }
    }

    pub fn y(&self) -> f32 {
        self.y
    }

    pub fn set_y(&mut self, y: f32) {
        self.y = y;
    }

    pub fn gap(&mut self, pts: f32) {
        self.y -= pts;
    }

    fn ensure_room(&mut self, h: f32) {
        if self.y - h < MARGIN {
            self.new_page();
        }
    }

    pub fn new_page(&mut self) {
        let ops = std::mem::take(&mut self.ops);
        self.pages.push(ops);
        self.y = A4.1 - MARGIN;
    }

    /// Text at an absolute position (no wrapping).
    pub fn text_at(
        &mut self,
        x: f32,
        y: f32,
        text: &str,
        size: f32,
        style: Style,
    ) -> Result<(), String> {
        let f = self.font(style);
        let hex = f.encode(text)?;
        let name = f.name;
        self.ops.push_str(&format!(
            "BT /{name} {size} Tf {x:.2} {y:.2} Td {hex} Tj ET\n"
        ));
        Ok(())
    }

    /// A paragraph wrapped to `width` starting at `x`, moving the cursor down.
    pub fn para(
        &mut self,
        x: f32,
        width: f32,
        text: &str,
        size: f32,
        style: Style,
        align: Align,
    ) -> Result<(), String> {
        let lead = size * 1.35;
        let mut line = String::new();
        let mut lines = Vec::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if !line.is_empty() && self.font(style).width(&candidate, size) > width {
                lines.push(std::mem::take(&mut line));
                line = word.to_string();
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        for l in lines {
            self.ensure_room(lead);
            self.y -= lead;
            let lx = match align {
                Align::Left => x,
                Align::Centre => x + (width - self.font(style).width(&l, size)) / 2.0,
            };
            let y = self.y;
            self.text_at(lx, y, &l, size, style)?;
        }
        Ok(())
    }

    /// Full-width paragraph between the margins.
    pub fn line(
        &mut self,
        text: &str,
        size: f32,
        style: Style,
        align: Align,
    ) -> Result<(), String> {
        self.para(MARGIN, A4.0 - 2.0 * MARGIN, text, size, style, align)
    }

    /// "Label: value" with the label in bold and the value wrapped beside it.
    pub fn field(&mut self, label: &str, value: &str, size: f32) -> Result<(), String> {
        let lw = 170.0;
        let top = self.y;
        self.para(MARGIN, lw - 6.0, label, size, Style::Bold, Align::Left)?;
        let after_label = self.y;
        self.y = top;
        self.para(
            MARGIN + lw,
            A4.0 - 2.0 * MARGIN - lw,
            value,
            size,
            Style::Regular,
            Align::Left,
        )?;
        self.y = self.y.min(after_label) - 3.0;
        Ok(())
    }

    pub fn rule(&mut self, x1: f32, x2: f32) {
        let y = self.y - 4.0;
        self.ops
            .push_str(&format!("0.5 w {x1:.2} {y:.2} m {x2:.2} {y:.2} l S\n"));
        self.y -= 8.0;
    }

    /// A QR code (error correction M) of `size` points with its top-left corner at (x, y).
    pub fn qr(&mut self, data: &str, x: f32, y: f32, size: f32) -> Result<(), String> {
        let code = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M)
            .map_err(|e| e.to_string())?;
        let n = code.width();
        let quiet = 2;
        let cell = size / (n + 2 * quiet) as f32;
        let colors = code.to_colors();
        self.ops.push_str("0 g\n");
        for (i, c) in colors.iter().enumerate() {
            if *c == qrcode::Color::Dark {
                let (cx, cy) = (i % n + quiet, i / n + quiet);
                let px = x + cx as f32 * cell;
                let py = y - (cy + 1) as f32 * cell;
                self.ops
                    .push_str(&format!("{px:.2} {py:.2} {cell:.3} {cell:.3} re\n"));
            }
        }
        self.ops.push_str("f\n");
        Ok(())
    }

    pub fn finish(mut self) -> Result<Vec<u8>, String> {
        if !self.ops.is_empty() || self.pages.is_empty() {
            self.new_page();
        }
        let mut w = Writer::default();
        w.out.extend_from_slice(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
        // Object numbers: 1 catalog, 2 pages, 3 info, then fonts, then pages.
        let mut next = 4;
        let mut font_refs = Vec::new();
        for f in &self.fonts {
            let base = next;
            next += 5;
            font_refs.push((f.name, base));
        }
        let page_base = next;
        let kids: Vec<String> = (0..self.pages.len())
            .map(|i| format!("{} 0 R", page_base + 2 * i))
            .collect();
        w.obj(1, "<< /Type /Catalog /Pages 2 0 R /Lang (vi-VN) /ViewerPreferences << /DisplayDocTitle true >> >>");
        w.obj(
            2,
            &format!(
                "<< /Type /Pages /Kids [{}] /Count {} >>",
                kids.join(" "),
                self.pages.len()
            ),
        );
        w.obj(
            3,
            &format!(
                "<< /Title {} /Producer (Cong dich vu cong) >>",
                utf16_string(&self.title)
            ),
        );
        for (f, (_, base)) in self.fonts.iter().zip(&font_refs) {
            write_font(&mut w, f, *base)?;
        }
        let fonts_dict: String = font_refs
            .iter()
            .map(|(n, b)| format!("/{n} {b} 0 R"))
            .collect::<Vec<_>>()
            .join(" ");
        for (i, ops) in self.pages.iter().enumerate() {
            let page = page_base + 2 * i;
            w.obj(
                page,
                &format!(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Resources << /Font << {fonts_dict} >> >> /Contents {} 0 R >>",
                    A4.0,
                    A4.1,
                    page + 1
                ),
            );
            w.stream(page + 1, "", ops.as_bytes());
        }
        Ok(w.finish(3))
    }
}

fn write_font(w: &mut Writer, f: &Font, base: usize) -> Result<(), String> {
    let face = f.face()?;
    let subset = subsetter::subset(f.data, 0, &f.remap).map_err(|e| format!("{e:?}"))?;
    let scale = 1000.0 / f.upem;
    let bbox = face.global_bounding_box();
    let ps_name = format!(
        "AAAAAA+{}",
        if f.name == "F1" {
            "DejaVuSans"
        } else {
            "DejaVuSans-Bold"
        }
    );
    // Type0 font → CIDFontType2 → descriptor → font file; ToUnicode for text extraction.
    w.obj(
        base,
        &format!(
            "<< /Type /Font /Subtype /Type0 /BaseFont /{ps_name} /Encoding /Identity-H /DescendantFonts [{} 0 R] /ToUnicode {} 0 R >>",
            base + 1,
            base + 4
        ),
    );
    let widths: String = f
        .used
        .iter()
        .map(|(g, (adv, _))| format!("{g} [{:.0}]", *adv as f32 * scale))
        .collect::<Vec<_>>()
        .join(" ");
    w.obj(
        base + 1,
        &format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{ps_name} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor {} 0 R /CIDToGIDMap /Identity /DW 600 /W [{widths}] >>",
            base + 2
        ),
    );
    w.obj(
        base + 2,
        &format!(
            "<< /Type /FontDescriptor /FontName /{ps_name} /Flags 32 /FontBBox [{:.0} {:.0} {:.0} {:.0}] /ItalicAngle 0 /Ascent {:.0} /Descent {:.0} /CapHeight {:.0} /StemV 80 /FontFile2 {} 0 R >>",
            bbox.x_min as f32 * scale,
            bbox.y_min as f32 * scale,
            bbox.x_max as f32 * scale,
            bbox.y_max as f32 * scale,
            face.ascender() as f32 * scale,
            face.descender() as f32 * scale,
            face.capital_height().unwrap_or(700) as f32 * scale,
            base + 3
        ),
    );
    w.stream(base + 3, &format!("/Length1 {}", subset.len()), &subset);
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
    );
    let entries: Vec<_> = f.used.iter().collect();
    for chunk in entries.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (g, (_, c)) in chunk {
            let mut buf = [0u16; 2];
            let units: String = c
                .encode_utf16(&mut buf)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            cmap.push_str(&format!("<{g:04X}> <{units}>\n"));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap CMapName currentdict /CMap defineresource pop end end\n");
    w.stream(base + 4, "", cmap.as_bytes());
    Ok(())
}

/// A PDF text string in UTF-16BE with BOM, so Vietnamese titles show in viewers.
fn utf16_string(s: &str) -> String {
    let mut hex = String::from("<FEFF");
    for u in s.encode_utf16() {
        hex.push_str(&format!("{u:04X}"));
    }
    hex.push('>');
    hex
}

#[derive(Default)]
struct Writer {
    out: Vec<u8>,
    offsets: BTreeMap<usize, usize>,
}

impl Writer {
    fn obj(&mut self, n: usize, body: &str) {
        self.offsets.insert(n, self.out.len());
        self.out
            .extend_from_slice(format!("{n} 0 obj\n{body}\nendobj\n").as_bytes());
    }

    fn stream(&mut self, n: usize, extra: &str, data: &[u8]) {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let compressed = z
            .write_all(data)
            .and_then(|_| z.finish())
            .unwrap_or_default();
        self.offsets.insert(n, self.out.len());
        self.out.extend_from_slice(
            format!(
                "{n} 0 obj\n<< /Length {} /Filter /FlateDecode {extra} >>\nstream\n",
                compressed.len()
            )
            .as_bytes(),
        );
        self.out.extend_from_slice(&compressed);
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
    }

    fn finish(mut self, info: usize) -> Vec<u8> {
        let count = self.offsets.keys().max().copied().unwrap_or(0) + 1;
        let xref = self.out.len();
        let mut table = format!("xref\n0 {count}\n0000000000 65535 f \n");
        for n in 1..count {
            match self.offsets.get(&n) {
                Some(o) => table.push_str(&format!("{o:010} 00000 n \n")),
                None => table.push_str("0000000000 65535 f \n"),
            }
        }
        self.out.extend_from_slice(table.as_bytes());
        self.out.extend_from_slice(
            format!("trailer\n<< /Size {count} /Root 1 0 R /Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n")
                .as_bytes(),
        );
        self.out
    }
}

/// The two-column heading of every slip: agency on the left, national motto and dossier code
/// on the right (Circular 01/2018/TT-VPCP forms).
fn header(d: &mut Doc, agency_parent: &str, agency: &str, code: &str) -> Result<(), String> {
    let half = (A4.0 - 2.0 * MARGIN) / 2.0;
    let top = d.y();
    d.para(
        MARGIN,
        half - 10.0,
        &agency_parent.to_uppercase(),
        10.0,
        Style::Regular,
        Align::Centre,
    )?;
    d.para(
        MARGIN,
        half - 10.0,
        &agency.to_uppercase(),
        10.0,
        Style::Bold,
        Align::Centre,
    )?;
    let left_end = d.y();
    d.set_y(top);
    d.para(
        MARGIN + half,
        half,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        10.0,
        Style::Bold,
        Align::Centre,
    )?;
    d.para(
        MARGIN + half,
        half,
        "Độc lập - Tự do - Hạnh phúc",
        10.0,
        Style::Bold,
        Align::Centre,
    )?;
    d.para(
        MARGIN + half,
        half,
        &format!("Mã hồ sơ: {code}"),
        10.0,
        Style::Regular,
        Align::Centre,
    )?;
    let right_end = d.y();
    d.set_y(left_end.min(right_end));
    Ok(())
}

/// A slip of the one-stop forms (Circular 01/2018/TT-VPCP: supplement request, refusal,
/// apology and new appointment, processing control): heading, title, labelled facts,
/// paragraphs, an optional lookup QR code.
pub struct Slip {
    pub agency_parent: String,
    pub agency: String,
    pub code: String,
    pub title: String,
    pub fields: Vec<(String, String)>,
    pub paragraphs: Vec<String>,
    /// A table of rows (processing control slip): header then rows, as cells.
    pub table: Vec<Vec<String>>,
    pub lookup_url: Option<String>,
}

pub fn slip(s: &Slip) -> Result<Vec<u8>, String> {
    let mut d = Doc::new(&format!("{} {}", s.title, s.code))?;
    header(&mut d, &s.agency_parent, &s.agency, &s.code)?;
    d.gap(18.0);
    d.para(
        MARGIN,
        A4.0 - 2.0 * MARGIN,
        &s.title.to_uppercase(),
        14.0,
        Style::Bold,
        Align::Centre,
    )?;
    d.gap(12.0);
    for (label, value) in &s.fields {
        d.field(label, value, 11.0)?;
    }
    d.gap(6.0);
    for p in &s.paragraphs {
        d.para(
            MARGIN,
            A4.0 - 2.0 * MARGIN,
            p,
            11.0,
            Style::Regular,
            Align::Left,
        )?;
        d.gap(4.0);
    }
    if !s.table.is_empty() {
        let cols = s.table.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let width = (A4.0 - 2.0 * MARGIN) / cols as f32;
        for (i, row) in s.table.iter().enumerate() {
            if d.y() < MARGIN + 40.0 {
                d.new_page();
            }
            let top = d.y();
            let mut bottom = top;
            for (c, cell) in row.iter().enumerate() {
                d.set_y(top);
                let style = if i == 0 { Style::Bold } else { Style::Regular };
                d.para(
                    MARGIN + c as f32 * width,
                    width - 6.0,
                    cell,
                    9.0,
                    style,
                    Align::Left,
                )?;
                bottom = bottom.min(d.y());
            }
            d.set_y(bottom);
            d.rule(MARGIN, A4.0 - MARGIN);
            d.gap(3.0);
        }
    }
    if let Some(url) = &s.lookup_url {
        d.gap(8.0);
        let size = 90.0;
        if d.y() - size < MARGIN {
            d.new_page();
        }
        let y = d.y();
        d.qr(url, MARGIN, y, size)?;
        d.para(
            MARGIN + size + 16.0,
            A4.0 - 2.0 * MARGIN - size - 16.0,
            &format!("Tra cứu tình trạng hồ sơ: {url}"),
            9.0,
            Style::Regular,
            Align::Left,
        )?;
    }
    d.finish()
}

/// The facts on a receipt and appointment slip (Giấy tiếp nhận hồ sơ và hẹn trả kết quả).
pub struct Receipt {
    pub agency_parent: String,
    pub agency: String,
    pub code: String,
    pub procedure: String,
    pub applicant: String,
    pub phone: Option<String>,
    pub channel: String,
    pub received_at: String,
    pub due: String,
    pub documents: Vec<(String, usize)>,
    pub lookup_url: String,
}

/// The receipt slip (mẫu 01, Circular 01/2018/TT-VPCP) for an online submission.
pub fn receipt(r: &Receipt) -> Result<Vec<u8>, String> {
    let mut d = Doc::new(&format!("Giấy tiếp nhận hồ sơ {}", r.code))?;
    header(&mut d, &r.agency_parent, &r.agency, &r.code)?;
    d.gap(18.0);
    d.line(
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        15.0,
        Style::Bold,
        Align::Centre,
    )?;
    d.gap(14.0);
    d.field("Cơ quan tiếp nhận:", &r.agency, 11.0)?;
    d.field("Tiếp nhận hồ sơ của:", &r.applicant, 11.0)?;
    if let Some(p) = &r.phone {
        d.field("Số điện thoại:", p, 11.0)?;
    }
    d.field("Thủ tục:", &r.procedure, 11.0)?;
    d.field("Hình thức nộp:", &r.channel, 11.0)?;
    d.field("Thời điểm tiếp nhận:", &r.received_at, 11.0)?;
    d.gap(6.0);
    d.line("Thành phần hồ sơ đã nhận:", 11.0, Style::Bold, Align::Left)?;
    if r.documents.is_empty() {
        d.line(
            "Tờ khai điện tử (không có tệp đính kèm).",
            11.0,
            Style::Regular,
            Align::Left,
        )?;
    } else {
        d.line("1. Tờ khai điện tử.", 11.0, Style::Regular, Align::Left)?;
        for (i, (name, files)) in r.documents.iter().enumerate() {
            d.para(
                MARGIN,
                A4.0 - 2.0 * MARGIN,
                &format!("{}. {name} ({files} tệp, bản điện tử).", i + 2),
                11.0,
                Style::Regular,
                Align::Left,
            )?;
        }
    }
    d.gap(8.0);
    d.field("Ngày hẹn trả kết quả:", &r.due, 12.0)?;
    d.gap(8.0);
    d.line(
        "Tra cứu tình trạng hồ sơ bằng mã hồ sơ và số điện thoại hoặc số định danh cá nhân của người nộp tại địa chỉ dưới đây, hoặc quét mã QR.",
        10.0,
        Style::Regular,
        Align::Left,
    )?;
    d.line(&r.lookup_url, 10.0, Style::Regular, Align::Left)?;
    d.gap(8.0);
    let size = 110.0;
    if d.y() - size < MARGIN {
        d.new_page();
    }
    let y = d.y();
    d.qr(&r.lookup_url, MARGIN, y, size)?;
    d.para(
        MARGIN + size + 16.0,
        A4.0 - 2.0 * MARGIN - size - 16.0,
        "Giấy này được tạo tự động khi hồ sơ được nộp trực tuyến trên Cổng dịch vụ công và có giá trị như giấy tiếp nhận do bộ phận một cửa cấp (Thông tư 01/2018/TT-VPCP).",
        9.0,
        Style::Regular,
        Align::Left,
    )?;
    d.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Receipt {
        Receipt {
            agency_parent: "Ủy ban nhân dân thành phố Đà Nẵng".into(),
            agency: "Bộ phận Một cửa Phường Hải Vân".into(),
            code: "H48.50.01-261201-0001".into(),
            procedure: "Đăng ký thường trú".into(),
            applicant: "Nguyễn Văn An".into(),
            phone: Some("0905000123".into()),
            channel: "Trực tuyến".into(),
            received_at: "01/12/2026 10:15".into(),
            due: "10/12/2026".into(),
            documents: vec![("Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp".into(), 2)],
            lookup_url: "http://127.0.0.1:3000/tra-cuu-ho-so?ma=H48.50.01-261201-0001".into(),
        }
    }

    #[test]
    fn receipt_is_a_small_well_formed_pdf() {
        let pdf = receipt(&sample()).unwrap();
        assert!(pdf.starts_with(b"%PDF-1.7"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        // The subset font keeps the slip small enough for a phone (PERF).
        assert!(pdf.len() < 120_000, "{} bytes", pdf.len());
        let text = String::from_utf8_lossy(&pdf);
        // Every xref offset points at its object.
        let xref_at: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(pdf[xref_at..].starts_with(b"xref"));
        let table = String::from_utf8_lossy(&pdf[xref_at..]).to_string();
        for (i, line) in table.lines().skip(2).enumerate() {
            if line.starts_with("trailer") {
                break;
            }
            if line.ends_with(" n ") {
                let off: usize = line[..10].parse().unwrap();
                assert!(
                    pdf[off..].starts_with(format!("{i} 0 obj").as_bytes()),
                    "object {i}"
                );
            }
        }
        // The title carries the code (viewers show it; tests can find it).
        let title: String = "Giấy tiếp nhận hồ sơ H48.50.01-261201-0001"
            .encode_utf16()
            .map(|u| format!("{u:04X}"))
            .collect();
        assert!(text.contains(&title));
        if let Ok(path) = std::env::var("PDF_SAMPLE_OUT") {
            std::fs::write(path, &pdf).unwrap();
        }
    }
}
