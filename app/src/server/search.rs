//! In-process full-text index over the catalogue (P-5.1), rebuilt from the database at start.
//! Text is folded (no diacritics, lower case) before indexing and querying, so Vietnamese typed
//! with or without diacritics matches; fuzzy terms absorb one-letter typos ("ki" for "ký").
use std::collections::HashMap;

use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Schema, FAST, STRING, TEXT};
use tantivy::{doc, Index, IndexReader, TantivyDocument, Term};

/// Fast-field name of the procedure id (read per hit without touching the document store).
const ID: &str = "id";

use crate::domain::text::{
    expand_abbreviation, expand_phrase, is_filler, is_procedure_code, words,
};

/// What the index needs to know about one procedure.
pub struct SearchDoc {
    pub id: i32,
    pub code: String,
    pub name: String,
    /// Field, agencies and result names: matched with a lower weight than the name.
    pub extra: String,
}

pub struct SearchIndex {
    reader: IndexReader,
    code: Field,
    name: Field,
    extra: Field,
    /// Folded name words per procedure, for putting exact name matches first.
    names: HashMap<i32, String>,
}

/// Most results one search returns before filtering; above the catalogue size on purpose.
pub const MAX_HITS: usize = 5_000;

/// "thủ tục" opens many names and queries but tells nothing apart.
fn drop_noise(ws: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(ws.len());
    let mut i = 0;
    while i < ws.len() {
        if ws[i] == "thu" && ws.get(i + 1).map(String::as_str) == Some("tuc") {
            i += 2;
            continue;
        }
        out.push(ws[i].clone());
        i += 1;
    }
    out
}

fn query_words(text: &str) -> Vec<String> {
    let raw = words(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        if let Some(exp) = raw.get(i + 1).and_then(|next| expand_phrase(&raw[i], next)) {
            out.extend(exp.split(' ').map(str::to_owned));
            i += 2;
            continue;
        }
        match expand_abbreviation(&raw[i]) {
            Some(exp) => out.extend(exp.split(' ').map(str::to_owned)),
            None => out.push(raw[i].clone()),
        }
        i += 1;
    }
    let meaningful: Vec<String> = out.iter().filter(|w| !is_filler(w)).cloned().collect();
    // A query of filler words only ("thẻ", "nào") is still searched as typed.
    drop_noise(if meaningful.is_empty() {
        out
    } else {
        meaningful
    })
}

impl SearchIndex {
    pub fn build(docs: impl IntoIterator<Item = SearchDoc>) -> tantivy::Result<Self> {
        let mut sb = Schema::builder();
        let id = sb.add_u64_field(ID, FAST);
        let code = sb.add_text_field("code", STRING);
        let name = sb.add_text_field("name", TEXT);
        let extra = sb.add_text_field("extra", TEXT);
        let index = Index::create_in_ram(sb.build());
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 30_000_000)?;
        let mut names = HashMap::new();
        for d in docs {
            let name_words = drop_noise(words(&d.name)).join(" ");
            writer.add_document(doc!(
                id => d.id as u64,
                code => d.code.trim(),
                name => name_words.clone(),
                extra => words(&d.extra).join(" "),
            ))?;
            names.insert(d.id, name_words);
        }
        writer.commit()?;
        let reader = index.reader()?;
        Ok(Self {
            reader,
            code,
            name,
            extra,
            names,
        })
    }

    /// Procedure ids that match `text`, best first.
    pub fn search(&self, text: &str) -> Vec<i32> {
        let searcher = self.reader.searcher();
        let mut out: Vec<i32> = Vec::new();
        if is_procedure_code(text) {
            let q = TermQuery::new(
                Term::from_field_text(self.code, text.trim()),
                IndexRecordOption::Basic,
            );
            out.extend(self.collect(&searcher, &q));
            return out;
        }
        let ws = query_words(text);
        if ws.is_empty() {
            return out;
        }
        let mut per_word: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let last = ws.len() - 1;
        for (i, w) in ws.iter().enumerate() {
            let term = Term::from_field_text(self.name, w);
            let mut alts: Vec<(Occur, Box<dyn Query>)> = vec![
                (
                    Occur::Should,
                    Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                ),
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(
                            Term::from_field_text(self.extra, w),
                            IndexRecordOption::WithFreqs,
                        )),
                        0.3,
                    )),
                ),
            ];
            if w.chars().count() >= 2 {
                alts.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(FuzzyTermQuery::new(term.clone(), 1, true)),
                        0.5,
                    )),
                ));
            }
            if i == last && w.chars().count() >= 2 {
                // The last word may be unfinished while typing: "khai si" → "khai sinh".
                alts.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(FuzzyTermQuery::new_prefix(term, 0, true)),
                        0.4,
                    )),
                ));
            }
            per_word.push((Occur::Should, Box::new(BooleanQuery::new(alts))));
        }
        // Most words must match (all of up to 2, then three quarters): precise yet forgiving.
        let n = ws.len();
        let need = if n <= 2 { n } else { (n * 3).div_ceil(4) };
        let words_q = BooleanQuery::with_minimum_required_clauses(per_word, need);
        let mut top: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(words_q))];
        if n >= 2 {
            let terms = ws
                .iter()
                .map(|w| Term::from_field_text(self.name, w))
                .collect();
            top.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(PhraseQuery::new(terms)), 2.0)),
            ));
        }
        let hits = self.collect(&searcher, &BooleanQuery::new(top));
        // An exact name match goes first whatever the scores say.
        let joined = ws.join(" ");
        let (exact, rest): (Vec<i32>, Vec<i32>) = hits
            .into_iter()
            .partition(|id| self.names.get(id) == Some(&joined));
        out.extend(exact);
        out.extend(rest);
        out
    }

    fn collect(&self, searcher: &tantivy::Searcher, q: &dyn Query) -> Vec<i32> {
        let Ok(top) = searcher.search(q, &TopDocs::with_limit(MAX_HITS)) else {
            return Vec::new();
        };
        let Ok(ids) = searcher
            .segment_readers()
            .iter()
            .map(|r| r.fast_fields().u64(ID))
            .collect::<tantivy::Result<Vec<_>>>()
        else {
            return Vec::new();
        };
        top.into_iter()
            .filter_map(|(_, a)| {
                ids.get(a.segment_ord as usize)
                    .and_then(|c| c.first(a.doc_id))
            })
            .map(|v| v as i32)
            .collect()
    }
}
