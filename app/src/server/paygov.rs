//! The NPSP payment platform (PayGov, "Thanh toán qua Cổng DVC quốc gia"; P-3.6;
//! spec/protocols.md §2.2), the DvcPayment message set v1.0.6 as public implementations use it:
//! - **INIT**, server to server: the order with its bill (`ThongTinBienLai`) is POSTed as JSON;
//!   the reply `{error_code: "0", message: "<JSON with UrlThanhToan>"}` gives the page the
//!   citizen is sent to;
//! - **confirm**: the platform POSTs the result as JSON to `/thanh-toan/paygov/ipn`
//!   (`LoaiBanTin, MaLoi, MaDoiTac, MaThamChieu, SoTien, MaTienTe, MaGiaoDich, MaNganHang,
//!   ThoiGianGD, ThongTinGiaoDich, MaXacThuc`); `MaLoi` `00` is paid. The reply echoes the
//!   reference with our `MaLoi` (00 confirmed, 01 unknown order, 02 already confirmed, 04
//!   wrong amount, 97 bad checksum, 99 other).
//!
//! `MaXacThuc` is the SHA-256 (not an HMAC) in lower-case hex of the message's fields in a
//! fixed order joined by `|`, followed by `|` and the shared secret.
//!
//! Where the public code says nothing, this is our documented shape, kept simple to change: the
//! reply's `MaXacThuc` covers `MaLoi|MaDoiTac|MaThamChieu|ThoiGianGD`; the browser comes back to
//! the return address (sent as `UrlTraVe` in INIT, or registered with the platform) with the
//! confirm fields in the query, which only show the result (the server-to-server confirm
//! decides).
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::payment::{Callback, CallbackError, Gateway, Order};
use super::Services;

pub const VERSION: &str = "1.0.6";

/// The fields `MaXacThuc` covers, in order, per message.
pub const INIT_FIELDS: [&str; 14] = [
    "LoaiBanTin",
    "PhienBan",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "LoaiHinhThanhToan",
    "MaKenhThanhToan",
    "MaThietBi",
    "NgonNgu",
    "MaTienTe",
    "MaNganHang",
    "ThongTinGiaoDich",
    "ThoiGianGD",
    "Ip",
];
pub const CONFIRM_FIELDS: [&str; 10] = [
    "LoaiBanTin",
    "MaLoi",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "MaTienTe",
    "MaGiaoDich",
    "MaNganHang",
    "ThoiGianGD",
    "ThongTinGiaoDich",
];
pub const REPLY_FIELDS: [&str; 4] = ["MaLoi", "MaDoiTac", "MaThamChieu", "ThoiGianGD"];
/// QUERY (an order's state) and GET_BILL share this hash string.
pub const QUERY_FIELDS: [&str; 5] = [
    "LoaiBanTin",
    "PhienBan",
    "MaDoiTac",
    "MaThamChieu",
    "ThoiGianGD",
];

/// From `PORTAL_PAYGOV_*`.
#[derive(Clone, Debug)]
pub struct PaygovConfig {
    /// The INIT address.
    pub url: String,
    /// `MaDoiTac`: the agency's partner code on the platform.
    pub partner: String,
    pub secret: String,
    /// Sent as `Authorization: Bearer` when the platform issued one.
    pub token: Option<String>,
    /// Where the payment pages are (the CSP lets the pay form go there); by default the
    /// origin of `url`.
    pub pay_origin: Option<String>,
    /// Where QUERY goes; by default `url` (one endpoint for every message type).
    pub query_url: Option<String>,
}

impl PaygovConfig {
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let Some(url) = env("PORTAL_PAYGOV_URL") else {
            return Ok(None);
        };
        let need =
            |k: &str| env(k).ok_or_else(|| format!("{k} must be set with PORTAL_PAYGOV_URL"));
        Ok(Some(Self {
            url,
            partner: need("PORTAL_PAYGOV_PARTNER")?,
            secret: need("PORTAL_PAYGOV_SECRET")?,
            token: env("PORTAL_PAYGOV_TOKEN"),
            pay_origin: env("PORTAL_PAYGOV_PAY_ORIGIN"),
            query_url: env("PORTAL_PAYGOV_QUERY_URL"),
        }))
    }
}

/// A field as text: strings as they are, numbers written out, absent as empty.
pub fn field(v: &BTreeMap<String, String>, k: &str) -> String {
    v.get(k).cloned().unwrap_or_default()
}

/// `MaXacThuc` of `fields` of `v`.
pub fn checksum(v: &BTreeMap<String, String>, fields: &[&str], secret: &str) -> String {
    let mut text = fields
        .iter()
        .map(|k| field(v, k))
        .collect::<Vec<_>>()
        .join("|");
    text.push('|');
    text.push_str(secret);
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `MaXacThuc` matches (constant time; hex in either case).
pub fn verify(v: &BTreeMap<String, String>, fields: &[&str], secret: &str) -> bool {
    let given = field(v, "MaXacThuc").to_ascii_lowercase();
    super::auth::crypto::constant_time_eq(given.as_bytes(), checksum(v, fields, secret).as_bytes())
}

/// A flat JSON object as text fields (what the confirm handler reads).
pub fn flatten(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| {
                    let s = match v {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        _ => return None,
                    };
                    Some((k.clone(), s))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `ThongTinBienLai`, the bill of order `o` (spec/protocols.md §2.3): a fee (`MaDichVu` 2).
pub fn bill_json(o: &Order) -> Value {
    json!({
        "MaDichVu": "2",
        "MaHoSo": o.bill.dossier_code,
        "MaTTHC": o.bill.procedure_code,
        "TenTTHC": o.bill.procedure_name,
        "MaDVC": o.bill.procedure_code,
        "TenDVC": o.bill.procedure_name,
        "MaDonVi": o.bill.unit_code,
        "TenDonVi": o.bill.unit_name,
        "HoTenNguoiNop": o.bill.payer_name,
        "NoiDungThanhToan": o.info,
        "PhiLePhi": [{
            "LoaiPhiLePhi": "1",
            "MaPhiLePhi": o.bill.procedure_code,
            "TenPhiLePhi": format!("Phí, lệ phí {}", o.bill.procedure_name),
            "SoTien": o.amount,
        }],
        "DSKhoanNop": [{ "NoiDung": o.info, "SoTien": o.amount }],
    })
}

/// B-m, P-3.6: the NPSP asks what a dossier must pay (`dptracuuthanhtoanhs`, spec/protocols.md
/// §2.3), for dossiers filed there whose applicant pays on the NPSP's payment platform. The
/// answer keeps OpenCPS's shape so the NPSP's client needs nothing new:
/// - `error_code` "1": a fee is due; `message` is the bill (`ThongTinBienLai`) with `SoTien`,
///   `MaTraCuuTT` (the dossier code and `yyyyMMddHHmmss`), `transaction_id` (the same) and
///   `client_id` (our partner code). The platform's confirm names `MaTraCuuTT` as its
///   `MaThamChieu`, and settles the bill like any PayGov order; a bill pulled again is the same
///   open bill, not a new one.
/// - "0": nothing to pay (not waiting for a fee, or paid);
/// - "-1": no such dossier within the caller's units, or no PayGov configured here.
pub async fn npsp_bill(
    svc: &Services,
    caller: &super::api::Caller,
    code: &str,
) -> Result<Value, super::api::ApiError> {
    use entity::{dossier, payment};
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
    let no = |m: &str| json!({ "error_code": "-1", "message": m });
    let code = code.trim();
    if code.is_empty() || code.len() > 60 {
        return Ok(no("Thiếu hoặc sai mã hồ sơ (MaHoSo)."));
    }
    let Some(gw) = svc
        .integrations
        .payment
        .as_deref()
        .filter(|g| g.name() == "paygov")
    else {
        return Ok(no(
            "Cơ quan chưa kết nối Nền tảng thanh toán của Cổng DVC quốc gia.",
        ));
    };
    let Some(d) = dossier::Entity::find()
        .filter(dossier::Column::Code.eq(code))
        .one(&svc.db)
        .await?
    else {
        return Ok(no("Không tìm thấy hồ sơ."));
    };
    if !super::api::reaches(&svc.db, caller.agency_id, d.agency_id).await? {
        return Ok(no("Không tìm thấy hồ sơ."));
    }
    let fee = match (
        crate::domain::dossier::Status::from_code(d.status),
        d.fee_due,
    ) {
        (Some(crate::domain::dossier::Status::PaymentRequested), Some(f)) if f > 0 => f,
        _ => {
            return Ok(json!({
                "error_code": "0",
                "message": "Hồ sơ không có khoản phí cần thanh toán.",
            }))
        }
    };
    let (bill, info) = super::payment::bill_of(svc, &d).await?;
    let t = super::auth::now();
    let txn = svc.db.begin().await?;
    super::write_lock(&txn).await?;
    // The open bill of this amount, or a new one.
    let open = payment::Entity::find()
        .filter(payment::Column::DossierId.eq(d.id))
        .filter(payment::Column::Gateway.eq(gw.name()))
        .filter(payment::Column::PayerId.is_null())
        .filter(payment::Column::Status.eq(super::payment::PENDING))
        .filter(payment::Column::Amount.eq(fee))
        .one(&txn)
        .await?;
    let (reference, created_at) = match open {
        Some(p) => (p.txn_ref, p.created_at),
        None => {
            let reference = format!("{code}{}", super::npsp::portal_time(t));
            payment::ActiveModel {
                dossier_id: Set(d.id),
                payer_id: Set(None),
                gateway: Set(gw.name().into()),
                txn_ref: Set(reference.clone()),
                amount: Set(fee),
                status: Set(super::payment::PENDING.into()),
                created_at: Set(t),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            (reference, t)
        }
    };
    txn.commit().await?;
    let order = Order {
        txn_ref: reference.clone(),
        amount: fee,
        info,
        created_at,
        ip: String::new(),
        return_url: String::new(),
        english: false,
        bill,
    };
    let mut message = bill_json(&order);
    message["SoTien"] = json!(fee);
    message["MaTraCuuTT"] = json!(reference);
    message["transaction_id"] = json!(reference);
    message["client_id"] = json!(gw.merchant());
    Ok(json!({ "error_code": "1", "message": message }))
}

pub struct Paygov {
    pub cfg: PaygovConfig,
    http: reqwest::Client,
}

impl Paygov {
    pub fn new(cfg: PaygovConfig) -> Result<Self, String> {
        Ok(Self {
            cfg,
            http: super::npsp::http_client(std::time::Duration::from_secs(20))?,
        })
    }

    /// The INIT message for `o`.
    pub fn init_message(&self, o: &Order) -> Value {
        let mut v = BTreeMap::new();
        let mut put = |k: &str, s: String| {
            v.insert(k.to_owned(), s);
        };
        put("LoaiBanTin", "INIT".into());
        put("PhienBan", VERSION.into());
        put("MaDoiTac", self.cfg.partner.clone());
        put("MaThamChieu", o.txn_ref.clone());
        put("SoTien", o.amount.to_string());
        put("LoaiHinhThanhToan", "PAY".into());
        put("MaKenhThanhToan", "1".into());
        put("MaThietBi", "1".into());
        put("NgonNgu", if o.english { "en-US" } else { "vi-VN" }.into());
        put("MaTienTe", "VND".into());
        put("MaNganHang", "PAYMENT".into());
        put("ThongTinGiaoDich", o.info.clone());
        put("ThoiGianGD", super::npsp::portal_time(o.created_at));
        put("Ip", o.ip.clone());
        let mac = checksum(&v, &INIT_FIELDS, &self.cfg.secret);
        let mut msg: serde_json::Map<String, Value> =
            v.into_iter().map(|(k, s)| (k, Value::String(s))).collect();
        msg.insert("MaXacThuc".into(), Value::String(mac));
        msg.insert("UrlTraVe".into(), Value::String(o.return_url.clone()));
        // The bill (biên lai) the platform issues: a fee (MaDichVu 2) of the dossier.
        msg.insert("ThongTinBienLai".into(), bill_json(o));
        Value::Object(msg)
    }

    async fn init(&self, svc: &Services, o: &Order) -> Result<String, String> {
        let body = self.init_message(o).to_string();
        let mut req = self.http.post(&self.cfg.url);
        if let Some(t) = &self.cfg.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let mut url = None;
        super::outbox::post_logged(
            svc,
            ("paygov", "INIT", Some(&o.txn_ref)),
            req,
            body,
            |status, text| {
                let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
                let inner: Value = v["message"]
                    .as_str()
                    .and_then(|m| serde_json::from_str(m).ok())
                    .unwrap_or(Value::Null);
                let found = inner["UrlThanhToan"]
                    .as_str()
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
                match (status.is_success(), v["error_code"].as_str(), found) {
                    (true, Some("0"), Some(u)) => {
                        url = Some(u.to_owned());
                        Ok(())
                    }
                    _ => Err(format!(
                        "paygov INIT refused: HTTP {status}, error_code {}",
                        v["error_code"]
                    )),
                }
            },
        )
        .await?;
        url.ok_or_else(|| "paygov INIT: no UrlThanhToan".into())
    }
}

impl Paygov {
    /// QUERY for one order. The answer's `message` carries the order's confirm fields, signed
    /// as the confirm is, once it is final; `error_code` `01` is an unknown order and `02` one
    /// still open (the public notes do not show the answer: our documented shape).
    async fn query_order(
        &self,
        svc: &Services,
        order: &entity::payment::Model,
    ) -> Result<Option<Callback>, String> {
        let t = super::auth::now();
        let mut v = BTreeMap::new();
        v.insert("LoaiBanTin".to_owned(), "QUERY".to_owned());
        v.insert("PhienBan".to_owned(), VERSION.to_owned());
        v.insert("MaDoiTac".to_owned(), self.cfg.partner.clone());
        v.insert("MaThamChieu".to_owned(), order.txn_ref.clone());
        v.insert("ThoiGianGD".to_owned(), super::npsp::portal_time(t));
        let mac = checksum(&v, &QUERY_FIELDS, &self.cfg.secret);
        v.insert("MaXacThuc".to_owned(), mac);
        let url = self.cfg.query_url.as_deref().unwrap_or(&self.cfg.url);
        let mut req = self.http.post(url);
        if let Some(tok) = &self.cfg.token {
            req = req.header("authorization", format!("Bearer {tok}"));
        }
        let mut answer = String::new();
        super::outbox::post_logged(
            svc,
            ("paygov", "QUERY", Some(&order.txn_ref)),
            req,
            serde_json::to_string(&v).unwrap_or_default(),
            |status, text| {
                answer = text.to_owned();
                if status.is_success() {
                    Ok(())
                } else {
                    Err(format!("paygov QUERY: HTTP {status}"))
                }
            },
        )
        .await?;
        let a: Value = serde_json::from_str(&answer).map_err(|_| "paygov QUERY: not JSON")?;
        match a["error_code"].as_str() {
            Some("0") => {}
            Some("01") if t - order.created_at > super::payment::UNKNOWN_AFTER => {
                return Ok(Some(Callback {
                    txn_ref: order.txn_ref.clone(),
                    amount: order.amount,
                    success: false,
                    response_code: "01".into(),
                    gateway_txn: String::new(),
                    bank_code: String::new(),
                    pay_date: String::new(),
                }))
            }
            Some("01") | Some("02") => return Ok(None),
            other => return Err(format!("paygov QUERY: error_code {other:?}")),
        }
        let inner: Value = a["message"]
            .as_str()
            .and_then(|m| serde_json::from_str(m).ok())
            .ok_or("paygov QUERY: no order in the answer")?;
        self.read_callback(&flatten(&inner))
            .map(Some)
            .map_err(|e| format!("paygov QUERY: answer refused ({e:?})"))
    }
}

impl Gateway for Paygov {
    fn name(&self) -> &'static str {
        "paygov"
    }

    fn merchant(&self) -> &str {
        &self.cfg.partner
    }

    fn label(&self) -> (&'static str, &'static str) {
        (
            "Nền tảng thanh toán Cổng DVC quốc gia",
            "the National Public Service Portal's payment platform",
        )
    }

    fn pay_url<'a>(
        &'a self,
        svc: &'a Services,
        o: &'a Order,
    ) -> Pin<Box<dyn Future<Output = Result<String, String>> + Send + 'a>> {
        Box::pin(self.init(svc, o))
    }

    fn read_callback(&self, params: &BTreeMap<String, String>) -> Result<Callback, CallbackError> {
        if !verify(params, &CONFIRM_FIELDS, &self.cfg.secret)
            || field(params, "MaDoiTac") != self.cfg.partner
        {
            return Err(CallbackError::Signature);
        }
        let amount: i64 = field(params, "SoTien")
            .parse()
            .map_err(|_| CallbackError::Amount)?;
        if field(params, "MaTienTe") != "VND" {
            return Err(CallbackError::Amount);
        }
        Ok(Callback {
            txn_ref: field(params, "MaThamChieu"),
            amount,
            success: field(params, "MaLoi") == "00",
            response_code: field(params, "MaLoi"),
            gateway_txn: field(params, "MaGiaoDich"),
            bank_code: field(params, "MaNganHang"),
            pay_date: field(params, "ThoiGianGD"),
        })
    }

    fn query<'a>(
        &'a self,
        svc: &'a Services,
        order: &'a entity::payment::Model,
    ) -> Pin<Box<dyn Future<Output = Result<Option<Callback>, String>> + Send + 'a>> {
        Box::pin(self.query_order(svc, order))
    }

    fn ipn_reply(&self, code: &str, params: &BTreeMap<String, String>) -> String {
        let message = match code {
            "00" => "Xác nhận thành công",
            "01" => "Không tìm thấy giao dịch",
            "02" => "Giao dịch đã được xác nhận trước đó",
            "04" => "Số tiền không khớp",
            "97" => "Sai mã xác thực",
            _ => "Lỗi khác",
        };
        let mut v = BTreeMap::new();
        v.insert("MaLoi".to_owned(), code.to_owned());
        v.insert("MaDoiTac".to_owned(), self.cfg.partner.clone());
        v.insert("MaThamChieu".to_owned(), field(params, "MaThamChieu"));
        v.insert(
            "ThoiGianGD".to_owned(),
            super::npsp::portal_time(super::auth::now()),
        );
        let mac = checksum(&v, &REPLY_FIELDS, &self.cfg.secret);
        json!({
            "LoaiBanTin": "CONFIRM",
            "MaLoi": code,
            "MoTaLoi": message,
            "MaDoiTac": v["MaDoiTac"],
            "MaThamChieu": v["MaThamChieu"],
            "ThoiGianGD": v["ThoiGianGD"],
            "TrangThaiGD": if code == "00" || code == "02" { "1" } else { "0" },
            "MaXacThuc": mac,
        })
        .to_string()
    }

    fn origin(&self) -> String {
        self.cfg
            .pay_origin
            .clone()
            .unwrap_or_else(|| super::payment::origin_of(&self.cfg.url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn checksum_is_sha256_of_the_fields_in_order_then_the_secret() {
        let v = params(&[("MaLoi", "00"), ("MaDoiTac", "P1"), ("MaThamChieu", "R")]);
        // sha256("00|P1|R||k"): ThoiGianGD absent counts as empty.
        let want: String = Sha256::digest(b"00|P1|R||k")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(checksum(&v, &REPLY_FIELDS, "k"), want);
        let mut signed = v.clone();
        signed.insert("MaXacThuc".into(), want.to_uppercase());
        assert!(verify(&signed, &REPLY_FIELDS, "k"));
        assert!(!verify(&signed, &REPLY_FIELDS, "other"));
        signed.insert("MaThamChieu".into(), "R2".into());
        assert!(!verify(&signed, &REPLY_FIELDS, "k"));
    }

    #[test]
    fn confirm_json_is_read_as_text() {
        let v = json!({ "SoTien": 50000, "MaLoi": "00", "x": [1], "y": null });
        let f = flatten(&v);
        assert_eq!(f.get("SoTien").map(String::as_str), Some("50000"));
        assert_eq!(f.len(), 2);
    }
}
