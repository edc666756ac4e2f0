//! P-4 e-signature: result documents signed as PAdES (ETSI EN 319 142-1, baseline B-B) and a
//! verifier for the public "verify a document" page.
//!
//! Signing appends one incremental update to the PDF (ISO 32000-1 §7.5.6): a signature
//! dictionary (`/SubFilter /ETSI.CAdES.detached`), an invisible signature field on the first
//! page, the AcroForm naming it, and a cross-reference section chaining to the original's. The
//! signature is a detached CMS SignedData (RFC 5652) over the whole file except the
//! `/Contents` hole, with the signed attributes PAdES asks for: content-type, message-digest and
//! ESS signing-certificate-v2 (RFC 5035); the claimed signing time is the dictionary's `/M`, not
//! a CMS attribute (PAdES forbids signing-time there). Nothing of the original bytes changes,
//! so an earlier signature on the file stays valid.
//!
//! The key is the agency's, from a PKCS#12 file (RSA or ECDSA P-256), or a signer's key held
//! by a remote-signing CA (spec/protocols.md §3.3: "hash on the server, sign on the CA"):
//! [`prepare`] writes everything but the signature value and gives the digest to send,
//! [`Pending::finish`] embeds the value that comes back (see `remotesign`).
//!
//! Verification checks, for every signature in the file: the byte range (starts at 0, skips
//! exactly the `/Contents` string), the digest against the message-digest attribute, the
//! signature over the signed attributes with the signer certificate's key, the chain from the
//! signer through the certificates in the signature up to a configured trust root (each link's
//! signature and validity at the claimed signing time), and whether bytes were added after it.
use std::fmt::Write as _;

use ring::rand::SystemRandom;
use ring::signature::{self as rs, KeyPair as _};
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate};

pub use crate::domain::integration::SignatureReport;

/// Bytes reserved for the CMS blob (hex-encoded twice that in the file): a chain of three
/// certificates and an RSA-4096 signature fit with room to spare.
const RESERVED: usize = 16 * 1024;

/// Why a document could not be signed or read; `Display` is for logs, [`SignError::vi`] and
/// [`SignError::en`] for people.
#[derive(Debug)]
pub enum SignError {
    /// Not a PDF, damaged, or encrypted.
    Unreadable(String),
    /// The key could not sign (a broken key file is caught at start-up).
    Key(String),
}

impl std::fmt::Display for SignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unreadable(e) => write!(f, "unreadable PDF: {e}"),
            Self::Key(e) => write!(f, "signing key: {e}"),
        }
    }
}

impl SignError {
    pub fn vi(&self) -> &'static str {
        match self {
            Self::Unreadable(_) => {
                "Không ký được: tệp PDF bị hỏng, được mã hoá hoặc không đọc được."
            }
            Self::Key(_) => "Không ký được lúc này: khoá ký số của cơ quan gặp lỗi.",
        }
    }
    pub fn en(&self) -> &'static str {
        match self {
            Self::Unreadable(_) => "Cannot sign: the PDF is damaged, encrypted or unreadable.",
            Self::Key(_) => "Cannot sign now: the agency's signing key failed.",
        }
    }
}

/// Deployment settings: `PORTAL_SIGN_P12` (path of the agency's PKCS#12 file),
/// `PORTAL_SIGN_P12_PASSWORD`, and `PORTAL_SIGN_TRUST_ROOTS` (a PEM file of the root
/// certificates the verify page trusts, e.g. the Government CA root of Ban Cơ yếu and the
/// licensed public CAs).
#[derive(Clone, Debug, Default)]
pub struct SignConfig {
    pub p12: Option<String>,
    pub p12_password: String,
    pub trust_roots: Option<String>,
}

impl SignConfig {
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            p12: env("PORTAL_SIGN_P12").filter(|v| !v.is_empty()),
            p12_password: env("PORTAL_SIGN_P12_PASSWORD").unwrap_or_default(),
            trust_roots: env("PORTAL_SIGN_TRUST_ROOTS").filter(|v| !v.is_empty()),
        }
    }
}

enum Key {
    Rsa(rs::RsaKeyPair),
    Ec(rs::EcdsaKeyPair),
}

/// The agency's signing key and its certificate chain (signer first), as DER.
pub struct KeyPair {
    key: Key,
    chain: Vec<Vec<u8>>,
    /// The signer's subject, for the integrations page.
    pub subject: String,
}

impl KeyPair {
    /// Opens a PKCS#12 file (the form CAs deliver soft certificates in).
    pub fn from_pkcs12(data: &[u8], password: &str) -> Result<Self, String> {
        let store = p12_keystore::KeyStore::from_pkcs12(
            data,
            password,
            p12_keystore::Pkcs12ImportPolicy::Relaxed,
        )
        .map_err(|e| format!("PKCS#12: {e}"))?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or("PKCS#12: no private key with a certificate")?;
        let pkcs8 = chain.key().as_der();
        let rng = SystemRandom::new();
        let key = match rs::RsaKeyPair::from_pkcs8(pkcs8) {
            Ok(k) => Key::Rsa(k),
            Err(_) => Key::Ec(
                rs::EcdsaKeyPair::from_pkcs8(&rs::ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8, &rng)
                    .map_err(|_| "PKCS#12: the key is neither RSA nor ECDSA P-256")?,
            ),
        };
        let chain: Vec<Vec<u8>> = chain.certs().iter().map(|c| c.as_der().to_vec()).collect();
        let first = chain.first().ok_or("PKCS#12: no certificate")?;
        let (_, cert) =
            X509Certificate::from_der(first).map_err(|e| format!("certificate: {e}"))?;
        // The certificate must be the key's: compare the public keys.
        let public = match &key {
            Key::Rsa(k) => k.public_key().as_ref().to_vec(),
            Key::Ec(k) => k.public_key().as_ref().to_vec(),
        };
        if cert.public_key().subject_public_key.data.as_ref() != public.as_slice() {
            return Err("PKCS#12: the first certificate is not the key's".into());
        }
        Ok(Self {
            key,
            subject: cert.subject().to_string(),
            chain,
        })
    }

    fn sign(&self, data: &[u8]) -> Result<(Vec<u8>, &'static [u8]), SignError> {
        let rng = SystemRandom::new();
        match &self.key {
            Key::Rsa(k) => {
                let mut sig = vec![0; k.public().modulus_len()];
                k.sign(&rs::RSA_PKCS1_SHA256, &rng, data, &mut sig)
                    .map_err(|_| SignError::Key("RSA signing failed".into()))?;
                Ok((sig, OID_SHA256_RSA))
            }
            Key::Ec(k) => {
                let sig = k
                    .sign(&rng, data)
                    .map_err(|_| SignError::Key("ECDSA signing failed".into()))?;
                Ok((sig.as_ref().to_vec(), OID_ECDSA_SHA256))
            }
        }
    }
}

/// Who signs, why and where, for the signature dictionary (shown by PDF readers).
#[derive(Clone)]
pub struct SignInfo {
    pub name: String,
    pub reason: String,
    pub location: String,
    /// Unix seconds.
    pub time: i64,
}

// Object identifiers, DER-encoded contents (without tag and length).
const OID_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
const OID_SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
const OID_CONTENT_TYPE: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03];
const OID_MESSAGE_DIGEST: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04];
const OID_SIGNING_CERT_V2: &[u8] = &[
    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x2f,
];
const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const OID_SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
const OID_SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_SHA256_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const OID_SHA384_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
const OID_SHA512_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const OID_ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];

/// DER: one tag-length-value.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// A DER SET OF: members sorted by their encodings (X.690 §11.6).
fn set_of(tag: u8, mut parts: Vec<Vec<u8>>) -> Vec<u8> {
    parts.sort();
    tlv(tag, &parts.concat())
}

fn algorithm(oid: &[u8], null_params: bool) -> Vec<u8> {
    if null_params {
        seq(&[&tlv(0x06, oid), &[0x05, 0x00]])
    } else {
        seq(&[&tlv(0x06, oid)])
    }
}

/// The signed attributes (as the DER SET that is signed) for `digest` of the signed bytes.
fn signed_attributes(signer: &[u8], digest: &[u8]) -> Vec<u8> {
    let attr = |oid: &[u8], value: Vec<u8>| seq(&[&tlv(0x06, oid), &set_of(0x31, vec![value])]);
    // ESS signing-certificate-v2: the hash of the signer certificate (SHA-256 is the default
    // algorithm, so it is left out), binding the signature to that certificate.
    let cert_hash = Sha256::digest(signer);
    let ess = seq(&[&seq(&[&seq(&[&tlv(0x04, &cert_hash)])])]);
    set_of(
        0x31,
        vec![
            attr(OID_CONTENT_TYPE, tlv(0x06, OID_DATA)),
            attr(OID_MESSAGE_DIGEST, tlv(0x04, digest)),
            attr(OID_SIGNING_CERT_V2, ess),
        ],
    )
}

/// The CMS SignedData (detached) around `signature` over `signed` attributes.
fn assemble(
    chain: &[Vec<u8>],
    signed: &[u8],
    signature: &[u8],
    sig_alg: &[u8],
) -> Result<Vec<u8>, SignError> {
    let signer = chain
        .first()
        .ok_or_else(|| SignError::Key("no certificate".into()))?;
    let (_, cert) = X509Certificate::from_der(signer)
        .map_err(|e| SignError::Key(format!("certificate: {e}")))?;
    // What is signed is the attributes as a SET (tag 0x31); in the SignerInfo they sit under
    // the implicit [0] tag (RFC 5652 §5.4).
    let mut implicit = signed.to_vec();
    implicit[0] = 0xa0;
    let issuer_serial = seq(&[
        cert.tbs_certificate.issuer.as_raw(),
        &tlv(0x02, cert.tbs_certificate.raw_serial()),
    ]);
    let signer_info = seq(&[
        &[0x02, 0x01, 0x01],
        &issuer_serial,
        &algorithm(OID_SHA256, false),
        &implicit,
        &algorithm(sig_alg, sig_alg == OID_SHA256_RSA),
        &tlv(0x04, signature),
    ]);
    let signed_data = seq(&[
        &[0x02, 0x01, 0x01],
        &set_of(0x31, vec![algorithm(OID_SHA256, false)]),
        &seq(&[&tlv(0x06, OID_DATA)]),
        &tlv(0xa0, &chain.concat()),
        &set_of(0x31, vec![signer_info]),
    ]);
    Ok(seq(&[
        &tlv(0x06, OID_SIGNED_DATA),
        &tlv(0xa0, &signed_data),
    ]))
}

/// A PDF text string: UTF-16BE with a byte-order mark, as hex (any Vietnamese text).
fn text(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for u in s.encode_utf16() {
        let _ = write!(out, "{u:04X}");
    }
    out.push('>');
    out
}

/// `D:YYYYMMDDHHmmSS+07'00'` in Vietnam time.
fn pdf_date(secs: i64) -> String {
    let t = super::npsp::portal_time(secs);
    format!("D:{t}+07'00'")
}

/// An object as PDF syntax (the objects of the update are copies of parsed ones).
fn write_obj(out: &mut String, o: &lopdf::Object) {
    use lopdf::Object as O;
    match o {
        O::Null => out.push_str("null"),
        O::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        O::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        O::Real(r) => {
            let _ = write!(out, "{r}");
        }
        O::Name(n) => write_name(out, n),
        O::String(bytes, _) => {
            out.push('<');
            for b in bytes {
                let _ = write!(out, "{b:02X}");
            }
            out.push('>');
        }
        O::Array(items) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_obj(out, it);
            }
            out.push(']');
        }
        O::Dictionary(d) => write_dict(out, d.iter()),
        // Streams are never inline values; a dictionary holding one by value is malformed.
        O::Stream(_) => out.push_str("null"),
        O::Reference((n, g)) => {
            let _ = write!(out, "{n} {g} R");
        }
    }
}

fn write_name(out: &mut String, n: &[u8]) {
    out.push('/');
    for &b in n {
        if b.is_ascii_alphanumeric() || b"-_.+*'".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "#{b:02X}");
        }
    }
}

fn write_dict<'a>(
    out: &mut String,
    entries: impl Iterator<Item = (&'a Vec<u8>, &'a lopdf::Object)>,
) {
    out.push_str("<<");
    for (k, v) in entries {
        write_name(out, k);
        out.push(' ');
        write_obj(out, v);
    }
    out.push_str(">>");
}

/// The dictionary `o` is, or the one it refers to.
fn dict_of(doc: &lopdf::Document, o: &lopdf::Object) -> Option<lopdf::Dictionary> {
    match o {
        lopdf::Object::Dictionary(d) => Some(d.clone()),
        lopdf::Object::Reference(id) => doc.get_dictionary(*id).ok().cloned(),
        _ => None,
    }
}

fn array_of(doc: &lopdf::Document, o: &lopdf::Object) -> Vec<lopdf::Object> {
    match o {
        lopdf::Object::Array(a) => a.clone(),
        lopdf::Object::Reference(id) => match doc.get_object(*id) {
            Ok(lopdf::Object::Array(a)) => a.clone(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// The offset of the last cross-reference section (`startxref`).
fn last_startxref(pdf: &[u8]) -> Option<usize> {
    let tail_from = pdf.len().saturating_sub(2048);
    let tail = &pdf[tail_from..];
    let at = tail.windows(9).rposition(|w| w == b"startxref")?;
    let rest = std::str::from_utf8(&tail[at + 9..]).ok()?;
    rest.split_whitespace().next()?.parse().ok()
}

/// Signs `pdf` with an invisible PAdES signature made with the agency's own key; returns the
/// signed file.
pub fn sign_pdf(pdf: &[u8], key: &KeyPair, info: &SignInfo) -> Result<Vec<u8>, SignError> {
    let pending = prepare(pdf, &key.chain, info)?;
    let (signature, alg) = key.sign(&pending.signed)?;
    pending.embed(&signature, alg)
}

/// A PDF with its signature dictionary written and the `/Contents` hole still empty, waiting
/// for the signature value: the "compute hash" half of a remote signature (spec/protocols.md
/// §3.3, "the server prepares the PDF … sends the digest to the CA … embeds the returned
/// signature"). Preparing is deterministic: the same file, certificate and [`SignInfo`] give
/// the same bytes, so a caller waiting minutes for the signer's confirmation keeps only those
/// inputs and the [`Pending::digest`] it sent, not the prepared file.
pub struct Pending {
    pdf: Vec<u8>,
    hole_start: usize,
    hole_end: usize,
    signed: Vec<u8>,
    chain: Vec<Vec<u8>>,
}

impl Pending {
    /// SHA-256 of the DER signed attributes: what a sign-hash service signs
    /// (`data_to_be_signed`, `sign_type: "hash"`).
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(&self.signed).into()
    }

    /// Embeds a signature made elsewhere over [`Pending::digest`] (PKCS#1 v1.5 for an RSA
    /// certificate, DER ECDSA for P-256) and checks it against the signer's certificate
    /// before the file is given back: a wrong or foreign signature is refused, never stored.
    pub fn finish(self, signature: &[u8]) -> Result<Vec<u8>, SignError> {
        let signer = self
            .chain
            .first()
            .ok_or_else(|| SignError::Key("no certificate".into()))?;
        let (_, cert) = X509Certificate::from_der(signer)
            .map_err(|e| SignError::Key(format!("certificate: {e}")))?;
        let spki = cert.public_key();
        let (alg, check): (&'static [u8], &dyn rs::VerificationAlgorithm) =
            if spki.algorithm.algorithm.as_bytes() == OID_EC_PUBLIC_KEY {
                (OID_ECDSA_SHA256, &rs::ECDSA_P256_SHA256_ASN1)
            } else {
                (OID_SHA256_RSA, &rs::RSA_PKCS1_2048_8192_SHA256)
            };
        rs::UnparsedPublicKey::new(check, spki.subject_public_key.data.as_ref())
            .verify(&self.signed, signature)
            .map_err(|_| SignError::Key("the signature does not match the certificate".into()))?;
        self.embed(signature, alg)
    }

    fn embed(mut self, signature: &[u8], alg: &[u8]) -> Result<Vec<u8>, SignError> {
        let blob = assemble(&self.chain, &self.signed, signature, alg)?;
        if blob.len() > RESERVED {
            return Err(SignError::Key(
                "signature larger than the space reserved".into(),
            ));
        }
        let mut hex = String::with_capacity(blob.len() * 2);
        for b in &blob {
            let _ = write!(hex, "{b:02X}");
        }
        debug_assert!(self.hole_start + 1 + hex.len() < self.hole_end);
        self.pdf[self.hole_start + 1..self.hole_start + 1 + hex.len()]
            .copy_from_slice(hex.as_bytes());
        Ok(self.pdf)
    }
}

/// Writes the signature dictionary for a signer with certificate `chain` (signer first) into
/// `pdf`. The PDF comes from an upload: a parser panic on a malformed file is an unreadable
/// file, not a crash.
pub fn prepare(pdf: &[u8], chain: &[Vec<u8>], info: &SignInfo) -> Result<Pending, SignError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        prepare_inner(pdf, chain, info)
    }))
    .unwrap_or_else(|_| Err(SignError::Unreadable("the PDF parser gave up".into())))
}

fn prepare_inner(pdf: &[u8], chain: &[Vec<u8>], info: &SignInfo) -> Result<Pending, SignError> {
    use lopdf::Object as O;
    let bad = |e: &dyn std::fmt::Display| SignError::Unreadable(e.to_string());
    let doc = lopdf::Document::load_mem(pdf).map_err(|e| bad(&e))?;
    if doc.is_encrypted() {
        return Err(bad(&"encrypted"));
    }
    let prev = last_startxref(pdf).ok_or_else(|| bad(&"no startxref"))?;
    let root_id = match doc.trailer.get(b"Root") {
        Ok(O::Reference(id)) => *id,
        _ => return Err(bad(&"no catalog")),
    };
    let mut catalog = doc.get_dictionary(root_id).map_err(|e| bad(&e))?.clone();
    let (_, &page_id) = doc
        .get_pages()
        .iter()
        .next()
        .map(|(n, id)| (*n, id))
        .ok_or_else(|| bad(&"no page"))?;
    let mut page = doc.get_dictionary(page_id).map_err(|e| bad(&e))?.clone();
    // New objects take numbers above every one in use: the highest loaded, and the trailer's
    // /Size (which also counts free and unloadable entries).
    let size = match doc.trailer.get(b"Size") {
        Ok(O::Integer(n)) => u32::try_from(*n).unwrap_or(0),
        _ => 0,
    };
    let top = doc.max_id.max(size.saturating_sub(1));
    let sig_id = top + 1;
    let field_id = top + 2;
    let field_ref = O::Reference((field_id, 0));

    // Objects rewritten by this update: (id, generation, body).
    let mut objects: Vec<(u32, u16, String)> = Vec::new();
    // The widget goes into the first page's annotations, which may sit in their own object.
    match page.get(b"Annots") {
        Ok(O::Reference(aid)) => {
            let aid = *aid;
            let mut annots = array_of(&doc, &O::Reference(aid));
            annots.push(field_ref.clone());
            let mut body = String::new();
            write_obj(&mut body, &O::Array(annots));
            objects.push((aid.0, aid.1, body));
        }
        Ok(o) => {
            let mut annots = array_of(&doc, o);
            annots.push(field_ref.clone());
            page.set("Annots", O::Array(annots));
            let mut body = String::new();
            write_dict(&mut body, page.iter());
            objects.push((page_id.0, page_id.1, body));
        }
        Err(_) => {
            page.set("Annots", O::Array(vec![field_ref.clone()]));
            let mut body = String::new();
            write_dict(&mut body, page.iter());
            objects.push((page_id.0, page_id.1, body));
        }
    }
    // The AcroForm lists the field; SigFlags 3 = signatures exist, append only.
    let acro = catalog.get(b"AcroForm").ok().cloned();
    let mut form = acro
        .as_ref()
        .and_then(|o| dict_of(&doc, o))
        .unwrap_or_default();
    let mut fields = form
        .get(b"Fields")
        .ok()
        .map(|o| array_of(&doc, o))
        .unwrap_or_default();
    fields.push(field_ref.clone());
    form.set("Fields", O::Array(fields));
    form.set("SigFlags", O::Integer(3));
    match acro {
        Some(O::Reference(fid)) => {
            let mut body = String::new();
            write_dict(&mut body, form.iter());
            objects.push((fid.0, fid.1, body));
        }
        _ => {
            catalog.set("AcroForm", O::Dictionary(form));
            let mut body = String::new();
            write_dict(&mut body, catalog.iter());
            objects.push((root_id.0, root_id.1, body));
        }
    }
    objects.push((
        field_id,
        0,
        format!(
            "<</Type/Annot/Subtype/Widget/FT/Sig/T{}/V {sig_id} 0 R/F 132/Rect[0 0 0 0]/P {} {} R>>",
            text(&format!("Chữ ký số {field_id}")),
            page_id.0,
            page_id.1
        ),
    ));
    const BR_HOLE: &str = "[0 ********** ********** **********]";
    let sig_body = format!(
        "<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/ByteRange{BR_HOLE}/Contents<{}>/M({})/Name{}/Reason{}/Location{}>>",
        "0".repeat(RESERVED * 2),
        pdf_date(info.time),
        text(&info.name),
        text(&info.reason),
        text(&info.location),
    );
    objects.push((sig_id, 0, sig_body));
    objects.sort_by_key(|(id, _, _)| *id);

    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets = Vec::with_capacity(objects.len());
    for (id, generation, body) in &objects {
        offsets.push((*id, *generation, out.len()));
        out.extend_from_slice(format!("{id} {generation} obj\n{body}\nendobj\n").as_bytes());
    }
    let xref_at = out.len();
    let mut xref = String::from("xref\n");
    for (id, generation, at) in &offsets {
        let _ = write!(xref, "{id} 1\n{at:010} {generation:05} n\r\n");
    }
    let mut trailer = format!(
        "trailer\n<</Size {}/Root {} {} R/Prev {prev}",
        field_id + 1,
        root_id.0,
        root_id.1
    );
    for key in [b"Info".as_slice(), b"ID"] {
        if let Ok(v) = doc.trailer.get(key) {
            write_name(&mut trailer, key);
            trailer.push(' ');
            write_obj(&mut trailer, v);
        }
    }
    let _ = write!(trailer, ">>\nstartxref\n{xref_at}\n%%EOF\n");
    out.extend_from_slice(xref.as_bytes());
    out.extend_from_slice(trailer.as_bytes());

    // Fill the byte range (same width as the hole), then the signature over it.
    let sig_at = offsets
        .iter()
        .find(|(id, _, _)| *id == sig_id)
        .map(|(_, _, at)| *at)
        .ok_or_else(|| bad(&"lost the signature object"))?;
    let find = |needle: &[u8], from: usize| {
        out[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    let br_at = find(BR_HOLE.as_bytes(), sig_at).ok_or_else(|| bad(&"no byte range"))?;
    let hole_start = find(b"/Contents<", sig_at).ok_or_else(|| bad(&"no contents"))? + 9;
    let hole_end = hole_start + RESERVED * 2 + 2;
    let range = format!(
        "[0 {:<10} {:<10} {:<10}]",
        hole_start,
        hole_end,
        out.len() - hole_end
    );
    if range.len() != BR_HOLE.len() {
        return Err(bad(&"file too large"));
    }
    out[br_at..br_at + range.len()].copy_from_slice(range.as_bytes());
    let mut h = Sha256::new();
    h.update(&out[..hole_start]);
    h.update(&out[hole_end..]);
    let signer = chain
        .first()
        .ok_or_else(|| SignError::Key("no certificate".into()))?;
    let signed = signed_attributes(signer, &h.finalize());
    Ok(Pending {
        pdf: out,
        hole_start,
        hole_end,
        signed,
        chain: chain.to_vec(),
    })
}

// ---------------------------------------------------------------------------------------------
// Verification

/// A minimal DER reader: (tag, content, rest).
fn read_tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *b.first()?;
    let first = *b.get(1)? as usize;
    let (len, head) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *b.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = head.checked_add(len)?;
    Some((tag, b.get(head..end)?, b.get(end..)?))
}

/// The whole element (tag + length + content) at the start of `b`, and the rest.
fn read_raw(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let (_, _, rest) = read_tlv(b)?;
    Some((&b[..b.len() - rest.len()], rest))
}

/// One DER element: tag, content, and the whole encoding.
type Element<'a> = (u8, &'a [u8], &'a [u8]);

fn children(mut b: &[u8]) -> Option<Vec<Element<'_>>> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let (raw, rest) = read_raw(b)?;
        let (tag, content, _) = read_tlv(raw)?;
        out.push((tag, content, raw));
        b = rest;
    }
    Some(out)
}

/// The first object identifier inside an AlgorithmIdentifier.
fn alg_oid(alg: &[u8]) -> Option<&[u8]> {
    let (tag, oid, _) = read_tlv(alg)?;
    (tag == 0x06).then_some(oid)
}

fn digest_with(oid: &[u8], parts: &[&[u8]]) -> Option<Vec<u8>> {
    let alg = if oid == OID_SHA256 {
        &ring::digest::SHA256
    } else if oid == OID_SHA384 {
        &ring::digest::SHA384
    } else if oid == OID_SHA512 {
        &ring::digest::SHA512
    } else {
        return None;
    };
    let mut c = ring::digest::Context::new(alg);
    for p in parts {
        c.update(p);
    }
    Some(c.finish().as_ref().to_vec())
}

/// ring's verification algorithm for a CMS signature algorithm (and the digest it used).
fn verify_alg(sig_oid: &[u8], digest_oid: &[u8]) -> Option<&'static dyn rs::VerificationAlgorithm> {
    let rsa = sig_oid == OID_RSA
        || sig_oid == OID_SHA256_RSA
        || sig_oid == OID_SHA384_RSA
        || sig_oid == OID_SHA512_RSA;
    let ec =
        sig_oid == OID_EC_PUBLIC_KEY || sig_oid == OID_ECDSA_SHA256 || sig_oid == OID_ECDSA_SHA384;
    match (rsa, ec) {
        (true, _) if digest_oid == OID_SHA256 => Some(&rs::RSA_PKCS1_2048_8192_SHA256),
        (true, _) if digest_oid == OID_SHA384 => Some(&rs::RSA_PKCS1_2048_8192_SHA384),
        (true, _) if digest_oid == OID_SHA512 => Some(&rs::RSA_PKCS1_2048_8192_SHA512),
        (_, true) if digest_oid == OID_SHA256 => Some(&rs::ECDSA_P256_SHA256_ASN1),
        (_, true) if digest_oid == OID_SHA384 => Some(&rs::ECDSA_P384_SHA384_ASN1),
        _ => None,
    }
}

/// Reads the trust roots from PEM text; certificates that do not parse are skipped.
pub fn roots_from_pem(pem: &[u8]) -> Vec<Vec<u8>> {
    x509_parser::pem::Pem::iter_from_buffer(pem)
        .filter_map(Result::ok)
        .filter(|p| p.label == "CERTIFICATE")
        .map(|p| p.contents)
        .filter(|der| X509Certificate::from_der(der).is_ok())
        .collect()
}

fn common_name(name: &x509_parser::x509::X509Name<'_>) -> String {
    name.iter_common_name()
        .next()
        .and_then(|a| a.as_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| name.to_string())
}

/// Parses `(D:YYYYMMDDHHmmSS…)`-style dates as (display text, unix seconds); the offset, when
/// given, is honoured.
fn parse_pdf_date(s: &str) -> Option<(String, i64)> {
    let d = s.strip_prefix("D:").unwrap_or(s);
    let num = |a: usize, b: usize| d.get(a..b).and_then(|x| x.parse::<i64>().ok());
    let (y, mo, da) = (num(0, 4)?, num(4, 6).unwrap_or(1), num(6, 8).unwrap_or(1));
    let (h, mi, se) = (
        num(8, 10).unwrap_or(0),
        num(10, 12).unwrap_or(0),
        num(12, 14).unwrap_or(0),
    );
    let offset = match d.get(14..15) {
        Some(sign @ ("+" | "-")) => {
            let oh = num(15, 17).unwrap_or(0);
            let om = d
                .get(18..20)
                .and_then(|x| x.parse::<i64>().ok())
                .unwrap_or(0);
            let v = oh * 3600 + om * 60;
            if sign == "-" {
                -v
            } else {
                v
            }
        }
        _ => 0,
    };
    let day = crate::domain::calendar::Day::from_ymd(y as i32, mo as u32, da as u32)?;
    let secs = day.0 as i64 * 86_400 + h * 3600 + mi * 60 + se - offset;
    Some((crate::domain::calendar::time_vn(secs), secs))
}

/// A PDF string value after `key` in `dict` (literal or hex, UTF-16BE or PDFDocEncoding).
fn dict_string(dict: &[u8], key: &[u8]) -> Option<String> {
    let at = dict.windows(key.len()).position(|w| w == key)? + key.len();
    let rest = &dict[at..];
    let rest = &rest[rest.iter().position(|b| !b.is_ascii_whitespace())?..];
    let bytes: Vec<u8> = match rest.first()? {
        b'(' => {
            let mut out = Vec::new();
            let mut depth = 0;
            let mut i = 1;
            while i < rest.len() {
                match rest[i] {
                    b'\\' => {
                        i += 1;
                        let c = *rest.get(i)?;
                        out.push(match c {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            other => other,
                        });
                    }
                    b'(' => {
                        depth += 1;
                        out.push(b'(');
                    }
                    b')' if depth == 0 => break,
                    b')' => {
                        depth -= 1;
                        out.push(b')');
                    }
                    c => out.push(c),
                }
                i += 1;
            }
            out
        }
        b'<' => {
            let end = rest.iter().position(|b| *b == b'>')?;
            let hex: Vec<u8> = rest[1..end]
                .iter()
                .copied()
                .filter(|b| b.is_ascii_hexdigit())
                .collect();
            hex.chunks(2)
                .map(|c| {
                    let s = std::str::from_utf8(c).unwrap_or("0");
                    u8::from_str_radix(&format!("{s:0<2}"), 16).unwrap_or(0)
                })
                .collect()
        }
        _ => return None,
    };
    Some(if bytes.starts_with(&[0xfe, 0xff]) {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        bytes.iter().map(|b| *b as char).collect()
    })
}

/// At most this many signatures are checked in one file: each check hashes the whole file, and
/// a crafted file could otherwise name thousands.
const MAX_SIGNATURES: usize = 16;

/// Every signature in `pdf` (up to [`MAX_SIGNATURES`]), checked against `roots` (DER
/// certificates). An empty list means the file has no signature (or is not a PDF).
pub fn verify_pdf(pdf: &[u8], roots: &[Vec<u8>], now: i64) -> Vec<SignatureReport> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = pdf[from..].windows(10).position(|w| w == b"/ByteRange") {
        if out.len() == MAX_SIGNATURES {
            break;
        }
        let at = from + p;
        from = at + 10;
        let Some(range) = byte_range(&pdf[at + 10..]) else {
            continue;
        };
        // The signature dictionary around it, for /M, /Reason (bounded to its object).
        let obj_start = pdf[..at]
            .windows(3)
            .rposition(|w| w == b"obj")
            .unwrap_or(at.saturating_sub(4096));
        let obj_end = pdf[at..]
            .windows(6)
            .position(|w| w == b"endobj")
            .map(|e| at + e)
            .unwrap_or(pdf.len());
        let (hole_start, hole_end) = (range[1], range[2]);
        let mut dict = pdf[obj_start..obj_end.max(obj_start)].to_vec();
        if (obj_start..obj_end).contains(&hole_start) && (hole_start..=obj_end).contains(&hole_end)
        {
            dict.drain(hole_start - obj_start..hole_end - obj_start);
        }
        out.push(check(pdf, range, &dict, roots, now));
    }
    out
}

fn byte_range(b: &[u8]) -> Option<[usize; 4]> {
    let open = b.iter().position(|c| *c == b'[')?;
    if open > 8 {
        return None;
    }
    let close = b.iter().position(|c| *c == b']')?;
    let nums: Vec<usize> = std::str::from_utf8(b.get(open + 1..close)?)
        .ok()?
        .split_whitespace()
        .map(|n| n.parse().ok())
        .collect::<Option<_>>()?;
    nums.try_into().ok()
}

fn check(pdf: &[u8], r: [usize; 4], dict: &[u8], roots: &[Vec<u8>], now: i64) -> SignatureReport {
    let time = dict_string(dict, b"/M").and_then(|m| parse_pdf_date(&m));
    let mut rep = SignatureReport {
        signer: String::new(),
        organisation: None,
        issuer: String::new(),
        signed_at: time.as_ref().map(|(s, _)| s.clone()),
        reason: dict_string(dict, b"/Reason"),
        intact: false,
        trusted: false,
        covers_whole_file: false,
        problem: None,
    };
    let fail = |mut rep: SignatureReport, why: &str| {
        rep.problem = Some(why.to_owned());
        rep
    };
    let [a, b, c, d] = r;
    let Some(end) = c.checked_add(d) else {
        return fail(rep, "byte range overflows");
    };
    if a != 0
        || b >= c
        || end > pdf.len()
        || pdf.get(b) != Some(&b'<')
        || pdf.get(c - 1) != Some(&b'>')
    {
        return fail(rep, "byte range does not fit the file");
    }
    // Everything outside the hole is covered only if the hole holds nothing but hex digits.
    if !pdf[b + 1..c - 1].iter().all(u8::is_ascii_hexdigit) {
        return fail(rep, "the signature hole holds more than the signature");
    }
    rep.covers_whole_file = end == pdf.len() || pdf[end..].iter().all(|b| b.is_ascii_whitespace());
    let hex = &pdf[b + 1..c - 1];
    let blob: Vec<u8> = hex
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap_or("00"), 16).unwrap_or(0))
        .collect();
    let Some((cms, _)) = read_raw(&blob) else {
        return fail(rep, "the signature is not DER");
    };
    match verify_cms(
        cms,
        &[&pdf[..b], &pdf[c..end]],
        roots,
        time.map(|t| t.1).unwrap_or(now),
        &mut rep,
    ) {
        Ok(()) => rep,
        Err(why) => fail(rep, why),
    }
}

fn verify_cms(
    cms: &[u8],
    signed: &[&[u8]],
    roots: &[Vec<u8>],
    at: i64,
    rep: &mut SignatureReport,
) -> Result<(), &'static str> {
    const BAD: &str = "the CMS structure is malformed";
    let (_, ci, _) = read_tlv(cms).ok_or(BAD)?;
    let parts = children(ci).ok_or(BAD)?;
    if parts.first().map(|p| p.1) != Some(OID_SIGNED_DATA) {
        return Err("not a CMS SignedData");
    }
    let (_, explicit, _) = parts.get(1).copied().ok_or(BAD)?;
    let (_, sd, _) = read_tlv(explicit).ok_or(BAD)?;
    let sd = children(sd).ok_or(BAD)?;
    let certs: Vec<&[u8]> = sd
        .iter()
        .find(|p| p.0 == 0xa0)
        .and_then(|p| children(p.1))
        .map(|c| c.into_iter().map(|x| x.2).collect())
        .unwrap_or_default();
    let signer_infos = sd.last().filter(|p| p.0 == 0x31).ok_or(BAD)?;
    let si = children(signer_infos.1).ok_or(BAD)?;
    let (_, si, _) = si.first().copied().ok_or("no signer")?;
    let si = children(si).ok_or(BAD)?;
    // version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature
    let sid = si.get(1).ok_or(BAD)?;
    let digest_oid = alg_oid(si.get(2).ok_or(BAD)?.1).ok_or(BAD)?;
    let attrs = si
        .get(3)
        .filter(|p| p.0 == 0xa0)
        .ok_or("no signed attributes")?;
    let sig_oid = alg_oid(si.get(4).ok_or(BAD)?.1).ok_or(BAD)?;
    let signature = si.get(5).filter(|p| p.0 == 0x04).ok_or(BAD)?.1;

    // The signer certificate, by issuer and serial number.
    let (issuer_raw, serial) = {
        let s = children(sid.1).ok_or(BAD)?;
        (s.first().ok_or(BAD)?.2, s.get(1).ok_or(BAD)?.1)
    };
    let signer = certs
        .iter()
        .filter_map(|der| X509Certificate::from_der(der).ok().map(|(_, c)| c))
        .find(|c| {
            c.tbs_certificate.issuer.as_raw() == issuer_raw
                && c.tbs_certificate.raw_serial() == serial
        })
        .ok_or("the signer certificate is not in the signature")?;
    rep.signer = common_name(signer.subject());
    rep.organisation = signer
        .subject()
        .iter_organization()
        .next()
        .and_then(|o| o.as_str().ok())
        .map(str::to_owned);
    rep.issuer = common_name(signer.issuer());

    // Integrity: the digest of the signed bytes is the message-digest attribute, and the
    // attributes carry the signer's signature.
    let digest = digest_with(digest_oid, signed).ok_or("unsupported digest algorithm")?;
    let mut message_digest = None;
    for (_, attr, _) in children(attrs.1).ok_or(BAD)? {
        let a = children(attr).ok_or(BAD)?;
        if a.first().map(|x| x.1) == Some(OID_MESSAGE_DIGEST) {
            let (_, v, _) = read_tlv(a.get(1).ok_or(BAD)?.1).ok_or(BAD)?;
            message_digest = Some(v);
        }
    }
    if message_digest != Some(digest.as_slice()) {
        return Err("the document was changed after signing");
    }
    let mut as_set = attrs.2.to_vec();
    as_set[0] = 0x31;
    let alg = verify_alg(sig_oid, digest_oid).ok_or("unsupported signature algorithm")?;
    rs::UnparsedPublicKey::new(alg, signer.public_key().subject_public_key.data.as_ref())
        .verify(&as_set, signature)
        .map_err(|_| "the signature does not match the signer's key")?;
    rep.intact = true;

    // Trust: walk issuers (from the signature's certificates) up to a configured root.
    let when = x509_parser::time::ASN1Time::from_timestamp(at).map_err(|_| BAD)?;
    let pool: Vec<X509Certificate<'_>> = certs
        .iter()
        .filter_map(|der| X509Certificate::from_der(der).ok().map(|(_, c)| c))
        .collect();
    let trusted: Vec<X509Certificate<'_>> = roots
        .iter()
        .filter_map(|der| X509Certificate::from_der(der).ok().map(|(_, c)| c))
        .collect();
    let mut current = signer;
    for _ in 0..8 {
        if !current.validity().is_valid_at(when) {
            return Err("a certificate was not valid at the signing time");
        }
        if let Some(root) = trusted.iter().find(|r| {
            r.subject().as_raw() == current.issuer().as_raw()
                && current.verify_signature(Some(r.public_key())).is_ok()
        }) {
            if !root.validity().is_valid_at(when) {
                return Err("the trust root was not valid at the signing time");
            }
            rep.trusted = true;
            return Ok(());
        }
        if trusted.iter().any(|r| r.as_ref() == current.as_ref()) {
            rep.trusted = true;
            return Ok(());
        }
        let Some(next) = pool.iter().find(|c| {
            c.subject().as_raw() == current.issuer().as_raw()
                && c.as_ref() != current.as_ref()
                && current.verify_signature(Some(c.public_key())).is_ok()
        }) else {
            return Err("the certificate chain does not reach a trusted root");
        };
        current = next.clone();
    }
    Err("the certificate chain is too long")
}
