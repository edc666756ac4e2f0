//! VNPay, version 2.1.0 (P-3.6; spec/protocols.md §2.4): the browser is sent to the gateway
//! with the order's `vnp_*` parameters signed; the gateway sends the result back twice with
//! the same signed parameters: to the return address in the browser (shown only) and to the
//! IPN address server to server (the one that counts), which answers `{RspCode, Message}`.
//!
//! Signature: all `vnp_*` parameters except `vnp_SecureHash` and `vnp_SecureHashType`, sorted
//! by name, written `name=value` with values form-encoded (space as `+`, as PHP's `urlencode`
//! and Java's `URLEncoder` do), joined by `&`, HMAC-SHA512 with the merchant's hash secret, in
//! hex. Version 2.1.0 sends no `vnp_SecureHashType`.
use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use sha2::Sha512;

use super::payment::{Callback, CallbackError, Gateway, Order};

pub const VERSION: &str = "2.1.0";

/// Where this merchant's VNPay is and its keys; from `PORTAL_VNPAY_*`.
#[derive(Clone, Debug)]
pub struct VnpayConfig {
    /// The payment page, e.g. `https://sandbox.vnpayment.vn/paymentv2/vpcpay.html`.
    pub pay_url: String,
    /// `vnp_TmnCode`: 8 letters and digits.
    pub tmn_code: String,
    pub hash_secret: String,
}

impl VnpayConfig {
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let Some(pay_url) = env("PORTAL_VNPAY_URL") else {
            return Ok(None);
        };
        let need = |k: &str| env(k).ok_or_else(|| format!("{k} must be set with PORTAL_VNPAY_URL"));
        Ok(Some(Self {
            pay_url,
            tmn_code: need("PORTAL_VNPAY_TMN_CODE")?,
            hash_secret: need("PORTAL_VNPAY_HASH_SECRET")?,
        }))
    }
}

/// Form encoding as VNPay's reference code does it: letters, digits and `-_.` kept, space as
/// `+`, every other byte `%XX`.
pub fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The signed text: sorted `vnp_*` parameters without the hash fields.
pub fn hash_data(params: &BTreeMap<String, String>) -> String {
    params
        .iter()
        .filter(|(k, v)| {
            k.starts_with("vnp_")
                && *k != "vnp_SecureHash"
                && *k != "vnp_SecureHashType"
                && !v.is_empty()
        })
        .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn mac(secret: &str) -> Hmac<Sha512> {
    // HMAC takes a key of any length.
    Hmac::<Sha512>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!())
}

/// `vnp_SecureHash` of the parameters, lower-case hex.
pub fn sign(secret: &str, params: &BTreeMap<String, String>) -> String {
    let mut m = mac(secret);
    m.update(hash_data(params).as_bytes());
    m.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `vnp_SecureHash` signs the other parameters (constant time; hex in either case).
pub fn verify(secret: &str, params: &BTreeMap<String, String>) -> bool {
    let Some(given) = params.get("vnp_SecureHash") else {
        return false;
    };
    let Some(bytes) = (0..given.len())
        .step_by(2)
        .map(|i| {
            given
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    let mut m = mac(secret);
    m.update(hash_data(params).as_bytes());
    m.verify_slice(&bytes).is_ok()
}

pub struct Vnpay {
    pub cfg: VnpayConfig,
}

impl Vnpay {
    /// The payment page address with the signed order.
    pub fn url_for(&self, o: &Order) -> String {
        let mut p = BTreeMap::new();
        let mut put = |k: &str, v: String| {
            p.insert(k.to_owned(), v);
        };
        put("vnp_Version", VERSION.into());
        put("vnp_Command", "pay".into());
        put("vnp_TmnCode", self.cfg.tmn_code.clone());
        // VNPay counts in hundredths of a đồng.
        put("vnp_Amount", (o.amount * 100).to_string());
        put("vnp_CurrCode", "VND".into());
        put("vnp_TxnRef", o.txn_ref.clone());
        put("vnp_OrderInfo", o.info.clone());
        put("vnp_OrderType", "other".into());
        put("vnp_Locale", if o.english { "en" } else { "vn" }.into());
        put("vnp_ReturnUrl", o.return_url.clone());
        put("vnp_IpAddr", o.ip.clone());
        put("vnp_CreateDate", super::npsp::portal_time(o.created_at));
        put(
            "vnp_ExpireDate",
            super::npsp::portal_time(o.created_at + 15 * 60),
        );
        let hash = sign(&self.cfg.hash_secret, &p);
        format!(
            "{}?{}&vnp_SecureHash={hash}",
            self.cfg.pay_url,
            hash_data(&p)
        )
    }
}

impl Gateway for Vnpay {
    fn name(&self) -> &'static str {
        "vnpay"
    }

    fn label(&self) -> (&'static str, &'static str) {
        ("VNPay", "VNPay")
    }

    fn pay_url<'a>(
        &'a self,
        _svc: &'a super::Services,
        o: &'a Order,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, String>> + Send + 'a>>
    {
        let url = self.url_for(o);
        Box::pin(async move { Ok(url) })
    }

    fn read_callback(&self, params: &BTreeMap<String, String>) -> Result<Callback, CallbackError> {
        if !verify(&self.cfg.hash_secret, params) {
            return Err(CallbackError::Signature);
        }
        let get = |k: &str| params.get(k).cloned().unwrap_or_default();
        if get("vnp_TmnCode") != self.cfg.tmn_code {
            return Err(CallbackError::Signature);
        }
        let hundredths: i64 = get("vnp_Amount")
            .parse()
            .map_err(|_| CallbackError::Amount)?;
        if hundredths % 100 != 0 {
            return Err(CallbackError::Amount);
        }
        Ok(Callback {
            txn_ref: get("vnp_TxnRef"),
            amount: hundredths / 100,
            // Both codes must say success (VNPay's integration guide).
            success: get("vnp_ResponseCode") == "00" && get("vnp_TransactionStatus") == "00",
            response_code: get("vnp_ResponseCode"),
            gateway_txn: get("vnp_TransactionNo"),
            bank_code: get("vnp_BankCode"),
            pay_date: get("vnp_PayDate"),
        })
    }

    fn origin(&self) -> String {
        super::payment::origin_of(&self.cfg.pay_url)
    }

    fn ipn_reply(&self, code: &str, _params: &BTreeMap<String, String>) -> String {
        let message = match code {
            "00" => "Confirm Success",
            "01" => "Order not found",
            "02" => "Order already confirmed",
            "04" => "Invalid amount",
            "97" => "Invalid signature",
            _ => "Unknown error",
        };
        serde_json::json!({ "RspCode": code, "Message": message }).to_string()
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
    fn the_signed_text_is_sorted_and_form_encoded() {
        let p = params(&[
            ("vnp_TxnRef", "HS-1"),
            ("vnp_Amount", "5000000"),
            ("vnp_OrderInfo", "Nộp phí hồ sơ H48 01"),
            ("vnp_SecureHash", "x"),
            ("other", "ignored"),
        ]);
        assert_eq!(
            hash_data(&p),
            "vnp_Amount=5000000&vnp_OrderInfo=N%E1%BB%99p+ph%C3%AD+h%E1%BB%93+s%C6%A1+H48+01&vnp_TxnRef=HS-1"
        );
        // Computed independently (Python: urllib.parse.quote_plus, hmac, hashlib.sha512).
        assert_eq!(
            sign("BI MAT", &p),
            "f35ebb2fc567308ca39b7cc5ddf73439fcf119b98d2ef6fb05d1be8f5e75f33d953d495547e10cadf04207b7be584c918906f566481e36052f9b71ba131add26"
        );
    }

    #[test]
    fn the_form_may_go_to_the_gateway_origin() {
        use crate::server::payment::origin_of;
        assert_eq!(
            origin_of("https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"),
            "https://sandbox.vnpayment.vn"
        );
        assert_eq!(
            origin_of("http://127.0.0.1:2528/paymentv2/vpcpay.html?x=1"),
            "http://127.0.0.1:2528"
        );
    }

    #[test]
    fn a_signature_verifies_and_any_change_breaks_it() {
        let mut p = params(&[
            ("vnp_TxnRef", "HS-1"),
            ("vnp_Amount", "5000000"),
            ("vnp_ResponseCode", "00"),
        ]);
        let h = sign("BI MAT", &p);
        assert_eq!(h.len(), 128);
        p.insert("vnp_SecureHash".into(), h.to_uppercase());
        assert!(verify("BI MAT", &p), "upper-case hex is accepted");
        assert!(!verify("KHAC", &p));
        p.insert("vnp_Amount".into(), "100".into());
        assert!(!verify("BI MAT", &p));
        p.insert("vnp_SecureHash".into(), "zz".into());
        assert!(!verify("BI MAT", &p));
    }
}
