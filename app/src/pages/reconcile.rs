//! The payment reconciliation page (P-3.6) for officers: the period's online payments of their
//! units with the lines to look into marked, and the CSV to match against the gateway's
//! statement. A GET form: works without JavaScript.
use leptos::prelude::*;
use leptos_meta::Title;

use super::account::{query, tr, BUTTON, INPUT, LINK};
use super::ErrorNotice;
use crate::components::table::DataTable;
use crate::domain::calendar::time_vn;
use crate::domain::dossier::vnd;
use crate::domain::reconcile::{status_label, Reconciliation};
use crate::i18n::Lang;
use crate::use_lang;

const TD: &str = "border border-slate-400 p-1 align-top";

#[component]
pub fn ReconciliationPage() -> impl IntoView {
    use crate::api::dossier::payment_reconciliation;
    let lang = use_lang();
    let title = tr(
        lang,
        "Đối soát thanh toán trực tuyến",
        "Online payment reconciliation",
    );
    let from = query("tu");
    let to = query("den");
    view! {
        <Title text=title/>
        <p class="mb-2"><a href="/can-bo" class=LINK>{tr(lang, "← Trang cán bộ", "← Officer workspace")}</a></p>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
            {move || Suspend::new(async move {
                let (f, t) = (from.get_untracked(), to.get_untracked());
                let result = payment_reconciliation(f.clone(), t.clone()).await;
                let (fv, tv) = match &result {
                    Ok(r) => (r.from.to_string(), r.to.to_string()),
                    Err(_) => (f, t),
                };
                let export = format!("tu={fv}&den={tv}");
                view! {
                    <form method="get" action="/can-bo/doi-soat-thanh-toan" class="mb-4 grid gap-2 sm:grid-cols-[auto_auto_auto] sm:items-end">
                        <div>
                            <label for="f-tu" class="block font-semibold">{tr(lang, "Từ ngày", "From")}</label>
                            <input id="f-tu" type="date" name="tu" value=fv class=INPUT/>
                        </div>
                        <div>
                            <label for="f-den" class="block font-semibold">{tr(lang, "Đến ngày", "To")}</label>
                            <input id="f-den" type="date" name="den" value=tv class=INPUT/>
                        </div>
                        <button type="submit" class=BUTTON>{tr(lang, "Xem", "Show")}</button>
                    </form>
                    {match result {
                        Ok(r) => view! { <Body r export lang/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }}
                }
            })}
        </Suspense>
    }
}

#[component]
fn Body(r: Reconciliation, export: String, lang: Lang) -> impl IntoView {
    let summary = match lang {
        Lang::Vi => format!(
            "{} giao dịch thành công, tổng {}; {} đang chờ; {} không thành công; {} cần kiểm tra.",
            r.paid_count,
            vnd(r.paid_sum),
            r.pending_count,
            r.failed_count,
            r.issue_count
        ),
        Lang::En => format!(
            "{} paid, {} in all; {} pending; {} failed; {} to look into.",
            r.paid_count,
            vnd(r.paid_sum),
            r.pending_count,
            r.failed_count,
            r.issue_count
        ),
    };
    view! {
        <p id="recon-summary" class="mb-2">{summary}</p>
        <p class="mb-4"><a href=format!("/can-bo/doi-soat-thanh-toan.csv?{export}") class=LINK download>{tr(lang, "Tải CSV để đối chiếu với sao kê của cổng thanh toán", "Download CSV to match against the gateway's statement")}</a></p>
        <h2 id="recon-h" class="text-xl font-bold mb-2">{tr(lang, "Giao dịch trong kỳ", "Payments of the period")}</h2>
        {if r.lines.is_empty() {
            view! { <p>{tr(lang, "Không có giao dịch nào trong kỳ.", "No payment in this period.")}</p> }.into_any()
        } else {
            view! {
                <DataTable labelled_by="recon-h" columns=vec![
                    tr(lang, "Mã giao dịch", "Reference"), tr(lang, "Hồ sơ", "Dossier"), tr(lang, "Số tiền", "Amount"),
                    tr(lang, "Trạng thái", "Status"), tr(lang, "Thời điểm", "Time"), tr(lang, "Cổng, ngân hàng", "Gateway, bank"),
                    tr(lang, "Cần kiểm tra", "To look into"),
                ]>
                    {r.lines.iter().map(|l| {
                        let issues: Vec<&'static str> = l.issues.iter().map(|i| i.label(lang)).collect();
                        view! { <tr>
                            <td class=TD><code>{l.txn_ref.clone()}</code></td>
                            <td class=TD><a href=format!("/can-bo/ho-so/{}", l.dossier_id) class=LINK>{l.dossier_code.clone()}</a><br/>{l.unit.clone()}</td>
                            <td class=format!("{TD} text-right")>{vnd(l.amount)}</td>
                            <td class=TD>{status_label(&l.status, lang)}</td>
                            <td class=TD>{time_vn(l.created_at)}{l.settled_at.map(|s| format!(" → {}", time_vn(s)))}</td>
                            <td class=TD>{format!("{} {} {}", l.gateway, l.bank_code, l.gateway_txn)}</td>
                            <td class=TD>{(!issues.is_empty()).then(|| view! { <strong>{issues.join("; ")}</strong> })}</td>
                        </tr> }
                    }).collect_view()}
                </DataTable>
            }.into_any()
        }}
    }
}
