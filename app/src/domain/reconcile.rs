//! The payment reconciliation (đối soát thanh toán, P-3.6): every online payment of a period
//! beside what the dossier says, with the lines a finance officer must look into marked, so
//! that the gateway's settlement statement can be matched line by line.
use serde::{Deserialize, Serialize};

use super::calendar::Day;
use crate::i18n::Lang;

/// How long a payment may stay pending before its notification is considered missing: VNPay
/// lets a payer take 15 minutes, and its IPN follows within seconds.
pub const STALE_SECS: i64 = 30 * 60;

/// Why a line needs a look.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Issue {
    /// Paid at the gateway but the dossier still waits for the payment.
    NotRecorded,
    /// Paid an amount other than the fee the agency asked for.
    Amount,
    /// A second successful payment for the same dossier: one is to be refunded.
    Duplicate,
    /// Still pending long after the payer left: the gateway's notification never came.
    NoNotice,
}

impl Issue {
    pub fn code(self) -> &'static str {
        match self {
            Self::NotRecorded => "chua-ghi-nhan",
            Self::Amount => "sai-so-tien",
            Self::Duplicate => "trung-lap",
            Self::NoNotice => "thieu-thong-bao",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::NotRecorded, Lang::Vi) => "Đã thu nhưng hồ sơ chưa ghi nhận",
            (Self::NotRecorded, Lang::En) => "Paid but not recorded on the dossier",
            (Self::Amount, Lang::Vi) => "Số tiền khác mức phí yêu cầu",
            (Self::Amount, Lang::En) => "Amount differs from the fee asked",
            (Self::Duplicate, Lang::Vi) => "Thu trùng cho cùng hồ sơ (cần hoàn tiền)",
            (Self::Duplicate, Lang::En) => "Paid twice for one dossier (refund due)",
            (Self::NoNotice, Lang::Vi) => "Chưa nhận thông báo của cổng thanh toán",
            (Self::NoNotice, Lang::En) => "No notification from the gateway",
        }
    }
}

/// One payment attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub txn_ref: String,
    pub dossier_id: i32,
    pub dossier_code: String,
    pub unit: String,
    pub gateway: String,
    /// Đồng.
    pub amount: i64,
    /// pending | paid | failed
    pub status: String,
    pub created_at: i64,
    pub settled_at: Option<i64>,
    pub gateway_txn: String,
    pub bank_code: String,
    pub response_code: String,
    pub issues: Vec<Issue>,
}

/// The period's payments and their totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    pub from: Day,
    pub to: Day,
    pub lines: Vec<Line>,
    pub paid_count: u32,
    /// Đồng.
    pub paid_sum: i64,
    pub pending_count: u32,
    pub failed_count: u32,
    pub issue_count: u32,
}

/// What a payment status is called.
pub fn status_label(status: &str, lang: Lang) -> &'static str {
    match (status, lang) {
        ("paid", Lang::Vi) => "Đã thanh toán",
        ("paid", Lang::En) => "Paid",
        ("pending", Lang::Vi) => "Đang chờ",
        ("pending", Lang::En) => "Pending",
        (_, Lang::Vi) => "Không thành công",
        (_, Lang::En) => "Failed",
    }
}

/// Marks the lines to look into. `fee` and `waiting` are the dossier's asked fee and whether
/// it still waits for payment, by dossier id; `now` decides what is stale.
pub fn mark(
    lines: &mut [Line],
    fee: impl Fn(i32) -> Option<i64>,
    waiting: impl Fn(i32) -> bool,
    now: i64,
) {
    let mut paid_seen: Vec<i32> = Vec::new();
    // Oldest first, so the second payment is the one marked a duplicate.
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by_key(|&i| (lines[i].created_at, lines[i].txn_ref.clone()));
    for i in order {
        let l = &mut lines[i];
        l.issues.clear();
        match l.status.as_str() {
            "paid" => {
                if waiting(l.dossier_id) {
                    l.issues.push(Issue::NotRecorded);
                }
                if fee(l.dossier_id).is_some_and(|f| f != l.amount) {
                    l.issues.push(Issue::Amount);
                }
                if paid_seen.contains(&l.dossier_id) {
                    l.issues.push(Issue::Duplicate);
                } else {
                    paid_seen.push(l.dossier_id);
                }
            }
            "pending" if now - l.created_at > STALE_SECS => l.issues.push(Issue::NoNotice),
            _ => {}
        }
    }
}

/// The totals of `lines`.
pub fn totals(from: Day, to: Day, lines: Vec<Line>) -> Reconciliation {
    let count = |s: &str| lines.iter().filter(|l| l.status == s).count() as u32;
    Reconciliation {
        from,
        to,
        paid_count: count("paid"),
        paid_sum: lines
            .iter()
            .filter(|l| l.status == "paid")
            .map(|l| l.amount)
            .sum(),
        pending_count: count("pending"),
        failed_count: count("failed"),
        issue_count: lines.iter().filter(|l| !l.issues.is_empty()).count() as u32,
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(txn: &str, dossier: i32, amount: i64, status: &str, at: i64) -> Line {
        Line {
            txn_ref: txn.into(),
            dossier_id: dossier,
            dossier_code: format!("H48-{dossier}"),
            unit: "Phường".into(),
            gateway: "vnpay".into(),
            amount,
            status: status.into(),
            created_at: at,
            settled_at: None,
            gateway_txn: String::new(),
            bank_code: String::new(),
            response_code: String::new(),
            issues: Vec::new(),
        }
    }

    #[test]
    fn marks_what_needs_a_look() {
        let now = 10_000;
        let mut lines = vec![
            line("a", 1, 50_000, "paid", 100),
            line("b", 1, 50_000, "paid", 200),
            line("c", 2, 40_000, "paid", 300),
            line("d", 3, 30_000, "paid", 400),
            line("e", 4, 30_000, "pending", now - STALE_SECS - 1),
            line("f", 5, 30_000, "pending", now - 60),
            line("g", 6, 30_000, "failed", 500),
        ];
        mark(
            &mut lines,
            |d| match d {
                1 | 2 => Some(50_000),
                _ => None,
            },
            |d| d == 3,
            now,
        );
        let issues: Vec<Vec<Issue>> = lines.iter().map(|l| l.issues.clone()).collect();
        assert_eq!(
            issues,
            [
                vec![],
                vec![Issue::Duplicate],
                vec![Issue::Amount],
                vec![Issue::NotRecorded],
                vec![Issue::NoNotice],
                vec![],
                vec![],
            ]
        );
        let r = totals(Day(0), Day(1), lines);
        assert_eq!(
            (
                r.paid_count,
                r.paid_sum,
                r.pending_count,
                r.failed_count,
                r.issue_count
            ),
            (4, 170_000, 2, 1, 4)
        );
    }
}
