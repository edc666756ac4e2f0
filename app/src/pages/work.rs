//! The officer workspace (B-c, B-i, B-k): the inbox ordered by urgency and the dossier page
//! with the actions the workflow allows this officer now. Server-rendered plain HTML forms:
//! every action works without JavaScript; a refused action comes back with its message.
use leptos::prelude::*;
use leptos_meta::Title;

use super::account::{query, tr, Csrf, ErrorSummary, WithForm, BUTTON, INPUT, LINK};
use super::dossier::{
    day_vn, param_id, size_text, status_badge, time_vn, Messages, Note, Timeline, SECONDARY,
};
use super::ErrorNotice;
use crate::api::account::FormContext;
use crate::domain::calendar::Urgency;
use crate::domain::dossier::{round_label, Status};
use crate::domain::eform::Kind;
use crate::domain::workflow::{ActionKind, BulkOutcome, InboxRow, TransferView, WorkView};
use crate::i18n::Lang;
use crate::use_lang;

fn file_kind(kind: &str, lang: Lang) -> &'static str {
    match kind {
        "result" => tr(lang, "kết quả", "result"),
        "message" => tr(lang, "đính kèm tin nhắn", "message attachment"),
        "lienthong" => tr(
            lang,
            "kết quả từ cơ quan liên thông",
            "from the other agency",
        ),
        _ => tr(lang, "thành phần hồ sơ", "dossier document"),
    }
}

/// One inter-agency transfer, as a sentence (B-m).
fn transfer_text(t: &TransferView, lang: Lang) -> String {
    let sent = match lang {
        Lang::Vi => format!("Gửi {} lúc {}", t.peer, time_vn(t.sent_at)),
        Lang::En => format!("Sent to {} at {}", t.peer, time_vn(t.sent_at)),
    };
    let state = match (t.outcome, t.outcome_at, t.delivered_at) {
        (Some(s), Some(at), _) => {
            let note = t
                .outcome_note
                .clone()
                .map(|n| format!(" {n}"))
                .unwrap_or_default();
            match lang {
                Lang::Vi => format!("trả lời lúc {}: {}.{note}", time_vn(at), s.label(lang)),
                Lang::En => format!("answered at {}: {}.{note}", time_vn(at), s.label(lang)),
            }
        }
        (_, _, Some(_)) => tr(
            lang,
            "đã nhận hồ sơ, đang chờ kết quả.",
            "received it; waiting for the answer.",
        )
        .into(),
        _ => tr(
            lang,
            "đang gửi (hệ thống tự gửi lại nếu cơ quan nhận chưa sẵn sàng).",
            "sending (retried until the agency's system takes it).",
        )
        .into(),
    };
    format!("{sent}; {state}")
}

fn urgency_badge(u: Option<Urgency>, lang: Lang) -> Option<impl IntoView> {
    let (vi, en, colour) = match u? {
        Urgency::Overdue => (
            "Quá hạn",
            "Overdue",
            "bg-red-50 text-red-900 border-red-700",
        ),
        Urgency::DueToday => (
            "Đến hạn hôm nay",
            "Due today",
            "bg-amber-50 text-amber-900 border-amber-700",
        ),
        Urgency::DueSoon => (
            "Sắp đến hạn",
            "Due soon",
            "bg-amber-50 text-amber-900 border-amber-700",
        ),
        Urgency::OnTrack => return None,
    };
    Some(
        view! { <span class=format!("inline-block rounded border px-2 py-0.5 text-sm font-semibold {colour}")>{tr(lang, vi, en)}</span> },
    )
}

fn pick<'a>(lang: Lang, vi: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::Vi {
        vi
    } else {
        en
    }
}

#[component]
pub fn OfficerDossiersPage() -> impl IntoView {
    let lang = use_lang();
    let title = tr(lang, "Hồ sơ cần xử lý", "Dossiers to handle");
    let q = query("q");
    let status = query("trang-thai");
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <form method="get" action="/can-bo/ho-so" role="search" class="mb-4 grid gap-2 sm:grid-cols-[1fr_auto_auto] sm:items-end">
            <div>
                <label for="f-q" class="block font-semibold">{tr(lang, "Tìm theo mã hồ sơ, người nộp hoặc thủ tục", "Search by code, applicant or procedure")}</label>
                <input id="f-q" type="search" name="q" value=q.get_untracked() class=INPUT accesskey="s"/>
            </div>
            <div>
                <label for="f-status" class="block font-semibold">{tr(lang, "Trạng thái", "Status")}</label>
                <select id="f-status" name="trang-thai" class=INPUT>
                    <option value="">{tr(lang, "Đang giải quyết", "Being handled")}</option>
                    <option value="tat-ca" selected=status.get_untracked() == "tat-ca">{tr(lang, "Tất cả", "All")}</option>
                    {Status::ALL.into_iter().filter(|s| *s != Status::Draft).map(|s| {
                        let v = s.code().to_string();
                        let selected = status.get_untracked() == v;
                        view! { <option value=v selected=selected>{s.label(lang)}</option> }
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class=BUTTON>{tr(lang, "Lọc", "Filter")}</button>
        </form>
        <WithForm render=move |c: FormContext| view! {
            <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
                {
                    let c = c.clone();
                    move || {
                        let c = c.clone();
                        Suspend::new(async move { inbox_view(c, lang, q.get_untracked(), status.get_untracked()).await })
                    }
                }
            </Suspense>
        }/>
    }
}

async fn inbox_view(c: FormContext, lang: Lang, q: String, status: String) -> AnyView {
    use crate::api::dossier::{officer_bulk_assignees, officer_inbox};
    let rows = match officer_inbox(q.clone(), status.clone()).await {
        Ok(rows) => rows,
        Err(e) => return view! { <ErrorNotice error=e/> }.into_any(),
    };
    let assignees = officer_bulk_assignees().await.unwrap_or_default();
    let outcome: Option<BulkOutcome> = c
        .echo
        .done
        .then(|| {
            c.echo
                .extra
                .first()
                .and_then(|x| serde_json::from_str(x).ok())
        })
        .flatten();
    let (mine, rest): (Vec<InboxRow>, Vec<InboxRow>) = rows.into_iter().partition(|r| r.can_act);
    let can_accept = mine.iter().any(|r| r.bulk.contains(&ActionKind::Accept));
    let can_assign =
        !assignees.is_empty() && mine.iter().any(|r| r.bulk.contains(&ActionKind::Assign));
    let bulk_any = can_accept || can_assign;
    // The bulk form posts back to this page with the same filters, so the list it shows
    // afterwards is the one the officer was working through.
    let mut back = Vec::new();
    if !q.is_empty() {
        back.push(format!("q={}", crate::domain::text::urlencode(&q)));
    }
    if !status.is_empty() {
        back.push(format!(
            "trang-thai={}",
            crate::domain::text::urlencode(&status)
        ));
    }
    let action = if back.is_empty() {
        "/can-bo/ho-so".to_string()
    } else {
        format!("/can-bo/ho-so?{}", back.join("&"))
    };
    let picked = |k: &str| {
        c.echo
            .values
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let picked_action = picked("bulk_action");
    let picked_assignee = picked("bulk_assignee");
    let empty = mine.is_empty() && rest.is_empty();
    view! {
        {outcome.map(|o| view! { <BulkResult o lang/> })}
        <ErrorSummary echo=c.echo.clone() lang/>
        {empty.then(|| view! { <p>{tr(lang, "Không có hồ sơ nào.", "No dossiers.")}</p> })}
        {(!empty).then(|| view! {
            <section aria-labelledby="todo-h" class="mb-6">
                <h2 id="todo-h" class="text-xl font-bold mb-2">{format!("{} ({})", tr(lang, "Cần xử lý", "To act on"), mine.len())}</h2>
                {if bulk_any {
                    view! {
                        <form method="post" action=action>
                            <Csrf token=c.csrf.clone()/>
                            <fieldset class="mb-3 rounded border border-slate-400 p-3">
                                <legend class="px-1 font-semibold">{tr(lang, "Xử lý hàng loạt các hồ sơ đã đánh dấu", "Act on the ticked dossiers")}</legend>
                                <div class="grid gap-2 sm:grid-cols-[auto_1fr_auto] sm:items-end">
                                    <div>
                                        <label for="f-bulk_action" class="block font-semibold">{tr(lang, "Thao tác", "Action")}</label>
                                        <select id="f-bulk_action" name="bulk_action" class=INPUT>
                                            {can_accept.then(|| view! { <option value="accept" selected=picked_action == "accept">{tr(lang, "Tiếp nhận", "Accept")}</option> })}
                                            {can_assign.then(|| view! { <option value="assign" selected=picked_action == "assign">{tr(lang, "Phân công", "Assign")}</option> })}
                                        </select>
                                    </div>
                                    {can_assign.then(|| view! {
                                        <div>
                                            <label for="f-bulk_assignee" class="block font-semibold">{tr(lang, "Chuyên viên (khi phân công)", "Specialist (to assign)")}</label>
                                            <select id="f-bulk_assignee" name="bulk_assignee" class=INPUT>
                                                {assignees.iter().map(|(i, n)| {
                                                    let v = i.to_string();
                                                    let sel = picked_assignee == v;
                                                    view! { <option value=v selected=sel>{n.clone()}</option> }
                                                }).collect_view()}
                                            </select>
                                        </div>
                                    })}
                                    <button type="submit" name="action" value="bulk" class=BUTTON>{tr(lang, "Thực hiện", "Apply")}</button>
                                </div>
                            </fieldset>
                            <InboxList rows=mine lang select=true/>
                        </form>
                    }.into_any()
                } else {
                    view! { <InboxList rows=mine lang select=false/> }.into_any()
                }}
            </section>
            <section aria-labelledby="rest-h">
                <h2 id="rest-h" class="text-xl font-bold mb-2">{format!("{} ({})", tr(lang, "Hồ sơ khác của đơn vị", "Other dossiers of the unit"), rest.len())}</h2>
                <InboxList rows=rest lang select=false/>
            </section>
        })}
    }
    .into_any()
}

/// What a bulk action did, announced on arrival: the dossiers done (with their receipts after
/// an intake) and each one refused with its reason.
#[component]
fn BulkResult(o: BulkOutcome, lang: Lang) -> impl IntoView {
    let (vi, en) = match o.kind {
        Some(ActionKind::Assign) => ("Đã phân công", "Assigned"),
        _ => ("Đã tiếp nhận", "Accepted"),
    };
    let accepted = o.kind == Some(ActionKind::Accept);
    view! {
        <div role="status" class="mb-4 rounded border-2 border-green-700 bg-green-50 p-4 text-green-900">
            <p class="font-bold">{format!("{} {} {}", tr(lang, vi, en), o.done.len(), tr(lang, "hồ sơ.", "dossier(s)."))}</p>
            {(!o.done.is_empty()).then(|| view! {
                <ul class="mt-1 list-disc pl-5">
                    {o.done.iter().map(|(id, code)| view! {
                        <li><a href=format!("/can-bo/ho-so/{id}") class=LINK>{code.clone()}</a>
                            {accepted.then(|| view! {
                                {" · "}<a href=format!("/can-bo/ho-so/{id}/bien-nhan.pdf") class=LINK>{tr(lang, "In giấy tiếp nhận", "Print the receipt")}</a>
                            })}
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </div>
        {(!o.failed.is_empty()).then(|| view! {
            <div role="alert" class="mb-4 rounded border-2 border-red-700 bg-red-50 p-4 text-red-900">
                <p class="font-bold">{format!("{} {}", o.failed.len(), tr(lang, "hồ sơ không thực hiện được:", "dossier(s) could not be processed:"))}</p>
                <ul class="mt-1 list-disc pl-5">
                    {o.failed.iter().map(|(code, vi, en)| view! { <li><span class="font-mono">{code.clone()}</span>{": "}{pick(lang, vi, en).to_string()}</li> }).collect_view()}
                </ul>
            </div>
        })}
    }
}

#[component]
fn InboxList(rows: Vec<InboxRow>, lang: Lang, select: bool) -> impl IntoView {
    view! {
        <ul class="grid gap-2">
            {rows.into_iter().map(|r| {
                let tick = (select && !r.bulk.is_empty()).then(|| {
                    let id = format!("chon-{}", r.id);
                    view! {
                        <input type="checkbox" id=id.clone() name=id.clone() value="1" class="h-5 w-5"/>
                        <label for=id class="sr-only">{format!("{} {}", tr(lang, "Chọn hồ sơ", "Select dossier"), r.code)}</label>
                    }
                });
                view! {
                <li class="rounded border border-slate-300 p-3">
                    <p class="flex flex-wrap items-center gap-2">
                        {tick}
                        <a href=format!("/can-bo/ho-so/{}", r.id) class="font-mono text-blue-800 underline">{r.code.clone()}</a>
                        {urgency_badge(r.urgency, lang)}
                        {r.mine.then(|| view! { <span class="text-sm font-semibold">{tr(lang, "Việc của tôi", "Mine")}</span> })}
                    </p>
                    <p>{r.procedure_name.clone()}</p>
                    <p class="text-sm">{tr(lang, "Người nộp: ", "Applicant: ")}{r.applicant_name.clone()}</p>
                    <p class="text-sm">{status_badge(r.status, lang)}{" "}{pick(lang, &r.state_vi, &r.state_en).to_string()}
                        {day_vn(&r.due_date).map(|d| view! { <span>{tr(lang, " · Hẹn trả: ", " · Due: ")}{d}</span> })}
                        {r.step_overdue.then(|| view! { <span class="font-semibold text-red-900">{tr(lang, " · Bước này đã quá hạn", " · This step is late")}</span> })}
                        {r.assignee_name.clone().map(|n| view! { <span>{tr(lang, " · Cán bộ: ", " · Officer: ")}{n}</span> })}
                    </p>
                </li>
            }}).collect_view()}
        </ul>
    }
}

#[component]
pub fn OfficerDossierPage() -> impl IntoView {
    use crate::api::dossier::officer_dossier;
    let lang = use_lang();
    let id = param_id();
    let ok = query("ok");
    view! {
        <WithForm render=move |c: FormContext| view! {
            <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
                {
                    let c = c.clone();
                    move || {
                        let c = c.clone();
                        Suspend::new(async move {
                            match officer_dossier(id.get_untracked()).await {
                                Ok(w) => view! { <OfficerDossier w c lang ok=ok.get_untracked()/> }.into_any(),
                                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                            }
                        })
                    }
                }
            </Suspense>
        }/>
    }
}

/// The dossier's online payments and their refunds (P-3.6); a one-stop officer or leader may
/// pay back a fee the rules allow (`payment::refund_allowed`).
#[component]
fn Fees(d: crate::domain::dossier::DossierView, csrf: String, lang: Lang) -> impl IntoView {
    use crate::domain::dossier::vnd;
    let refundable: Vec<_> = d
        .payments
        .iter()
        .filter(|p| p.refundable)
        .cloned()
        .collect();
    let line = move |p: &crate::domain::dossier::PaymentView| {
        let outcome = match p.status.as_str() {
            "paid" => tr(lang, "đã thanh toán", "paid"),
            "failed" => tr(lang, "không thành công", "failed"),
            _ => tr(lang, "chưa có kết quả", "no result yet"),
        };
        let txn = p
            .gateway_txn
            .as_ref()
            .map(|t| format!(" ({} {t})", tr(lang, "mã giao dịch", "transaction")))
            .unwrap_or_default();
        format!(
            "{} — {} — {outcome}{txn}",
            time_vn(p.created_at),
            vnd(p.amount)
        )
    };
    view! {
        <section class="mb-6 rounded border border-slate-400 p-4" aria-labelledby="fee-h">
            <h2 id="fee-h" class="text-xl font-bold mb-2">{tr(lang, "Phí, lệ phí đã nộp trực tuyến", "Fees paid online")}</h2>
            <ul class="list-disc pl-5">
                {d.payments.iter().map(|p| view! {
                    <li>{line(p)}{p.refund_text(lang).map(|t| view! { <br/><strong>{t}</strong> })}</li>
                }).collect_view()}
            </ul>
            {(!refundable.is_empty()).then(|| view! {
                <form method="post" action=format!("/can-bo/ho-so/{}", d.id) class="mt-3">
                    <Csrf token=csrf.clone()/>
                    <label for="f-payment" class="block font-semibold">{tr(lang, "Khoản phí hoàn trả cho người nộp", "Fee to pay back")}</label>
                    <select id="f-payment" name="payment" class=INPUT>
                        {refundable.iter().map(|p| view! { <option value=p.id.to_string()>{line(p)}</option> }).collect_view()}
                    </select>
                    <label for="f-refund_reason" class="mt-2 block font-semibold">{tr(lang, "Lý do hoàn trả phí", "Reason for the refund")}</label>
                    <textarea id="f-refund_reason" name="refund_reason" rows="2" class=INPUT></textarea>
                    <button type="submit" name="action" value="refund" class=format!("mt-2 {SECONDARY}")>{tr(lang, "Hoàn trả phí", "Refund the fee")}</button>
                </form>
            })}
        </section>
    }
}

#[component]
fn OfficerDossier(w: WorkView, c: FormContext, lang: Lang, ok: String) -> impl IntoView {
    let d = w.dossier.clone();
    let id = d.id;
    let title = d.code.clone().unwrap_or_default();
    let action = format!("/can-bo/ho-so/{id}");
    let revision = d.revision.to_string();
    let field_rows: Vec<(String, String)> = d
        .schema
        .fields()
        .filter(|f| f.kind != Kind::Group)
        .flat_map(|f| {
            f.keys()
                .into_iter()
                .filter_map(|k| {
                    d.values
                        .get(&k)
                        .map(|v| (format!("{} ({k})", f.label.get(lang)), v.clone()))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let happened = |a: &str| d.events.iter().any(|e| e.action == a);
    let mut slips = vec![(
        "phieu-kiem-soat",
        "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        "Processing control slip",
    )];
    if happened("request_supplement") {
        slips.push((
            "phieu-yeu-cau-bo-sung",
            "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            "Supplement request slip",
        ));
    }
    if happened("refuse") {
        slips.push((
            "phieu-tu-choi",
            "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            "Refusal slip",
        ));
    }
    if happened("apology") {
        slips.push((
            "phieu-xin-loi",
            "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
            "Apology and new appointment slip",
        ));
    }
    let has_actions = !w.actions.is_empty() || w.can_attach_result || w.can_apologise;
    view! {
        <Title text=title.clone()/>
        <p class="text-sm"><a href="/can-bo/ho-so" class=LINK>{tr(lang, "← Danh sách hồ sơ", "← All dossiers")}</a></p>
        <h1 class="text-2xl font-bold mb-1 font-mono">{title}</h1>
        <p class="mb-1">{d.procedure_name.clone()}</p>
        <p class="mb-1 flex flex-wrap items-center gap-2">{status_badge(d.status, lang)}
            <span>{pick(lang, &w.state_vi, &w.state_en).to_string()}</span>
            {urgency_badge(w.urgency, lang)}
            {w.paused.then(|| view! { <span class="text-sm font-semibold">{tr(lang, "Tạm dừng tính thời hạn", "Clock paused")}</span> })}
        </p>
        <dl class="mb-4 grid gap-x-4 gap-y-1 sm:grid-cols-[max-content_1fr]">
            <dt class="font-semibold">{tr(lang, "Người nộp", "Applicant")}</dt><dd>{d.applicant_name.clone()}</dd>
            <dt class="font-semibold">{tr(lang, "Đơn vị đang giữ hồ sơ", "Held by")}</dt><dd>{w.holding_unit.clone()}</dd>
            <dt class="font-semibold">{tr(lang, "Cán bộ xử lý", "Officer")}</dt><dd>{w.assignee_name.clone().unwrap_or_else(|| tr(lang, "Chưa phân công", "Not assigned").into())}</dd>
            <dt class="font-semibold">{tr(lang, "Ngày hẹn trả kết quả", "Due date")}</dt>
            <dd>{day_vn(&d.due_date).unwrap_or_else(|| "—".into())}
                {day_vn(&w.first_due_date).map(|f| view! { <span>{tr(lang, " (đã hẹn lại; hẹn ban đầu ", " (reset; first ")}{f}{")"}</span> })}</dd>
            {w.step_due_at.map(|t| view! {
                <dt class="font-semibold">{tr(lang, "Hạn của bước này", "This step is due")}</dt><dd>{time_vn(t)}</dd>
            })}
            {w.on_time.map(|on| view! {
                <dt class="font-semibold">{tr(lang, "Kết quả giải quyết", "Outcome")}</dt>
                <dd>{if on { tr(lang, "Đúng hạn", "On time") } else { tr(lang, "Trễ hạn", "Late") }}</dd>
            })}
        </dl>
        {(!ok.is_empty()).then(|| {
            let text = match ok.as_str() {
                "sign_sent" => tr(lang,
                    "Đã gửi kết quả tới dịch vụ ký số từ xa. Người ký của cơ quan xác nhận trên ứng dụng ký số, rồi bấm “Kiểm tra kết quả ký”.",
                    "The result was sent to the remote-signing service. The agency's signer confirms in the signing app; then press “Check the signature”."),
                "sign_waiting" => tr(lang,
                    "Chưa có xác nhận trên ứng dụng ký số. Kết quả chưa được đính kèm.",
                    "Not confirmed in the signing app yet. The result is not attached yet."),
                "signed" => tr(lang, "Kết quả đã được ký số và đính kèm.", "The result is signed and attached."),
                "refund" => tr(lang,
                    "Đã gửi yêu cầu hoàn trả phí tới cổng thanh toán. Kết quả hiện ở mục “Phí, lệ phí đã nộp trực tuyến”.",
                    "The refund was sent to the payment gateway. Its outcome shows under “Fees paid online”."),
                _ => tr(lang, "Đã thực hiện.", "Done."),
            };
            view! { <Note text=text.to_string()/> }
        })}
        <ErrorSummary echo=c.echo.clone() lang/>
        {has_actions.then(|| view! {
            <section class="mb-6 rounded border border-slate-400 p-4" aria-labelledby="act-h">
                <h2 id="act-h" class="text-xl font-bold mb-2">{tr(lang, "Xử lý", "Actions")}</h2>
                {w.actions.iter().map(|a| {
                    let key = a.kind.as_str();
                    let (vi, en) = a.kind.label();
                    let (nvi, nen) = a.kind.note_label();
                    let note_id = format!("f-note-{key}");
                    let primary = matches!(a.kind, ActionKind::Accept | ActionKind::Approve | ActionKind::Propose | ActionKind::ReturnResult | ActionKind::Assign | ActionKind::Pay);
                    view! {
                        <form method="post" action=action.clone() class="mb-4">
                            <Csrf token=c.csrf.clone()/>
                            <input type="hidden" name="revision" value=revision.clone()/>
                            {a.note.then(|| view! {
                                <label for=note_id.clone() class="block font-semibold">{tr(lang, nvi, nen)}</label>
                                <textarea id=note_id.clone() name="note" rows="3" class=INPUT></textarea>
                            })}
                            {(a.kind == ActionKind::Assign).then(|| view! {
                                <label for="f-assignee" class="block font-semibold">{tr(lang, "Phân công cho chuyên viên", "Assign to")}</label>
                                <select id="f-assignee" name="assignee" class=INPUT>
                                    {w.assignees.iter().map(|(i, n)| view! { <option value=i.to_string()>{n.clone()}</option> }).collect_view()}
                                </select>
                            })}
                            {(a.kind == ActionKind::RequestPayment).then(|| view! {
                                <label for="f-amount" class="block font-semibold">{tr(lang, "Số tiền phí, lệ phí phải nộp (đồng)", "Fee to pay (đồng)")}</label>
                                <input id="f-amount" name="amount" inputmode="numeric" autocomplete="off" class=INPUT/>
                            })}
                            {(a.kind == ActionKind::Transfer).then(|| view! {
                                <label for="f-unit" class="block font-semibold">{tr(lang, "Đơn vị thẩm định", "Appraising unit")}</label>
                                <select id="f-unit" name="unit" class=INPUT>
                                    {w.units.iter().map(|(i, n)| view! { <option value=i.to_string()>{n.clone()}</option> }).collect_view()}
                                </select>
                            })}
                            <button type="submit" name="action" value=key class=if primary { format!("mt-2 {BUTTON}") } else { format!("mt-2 {SECONDARY}") }>{tr(lang, vi, en)}</button>
                        </form>
                    }
                }).collect_view()}
                {w.result_signing.clone().map(|name| view! {
                    <form method="post" action=format!("/can-bo/ho-so/{id}/ket-qua") class="mb-4">
                        <Csrf token=c.csrf.clone()/>
                        <p id="f-result" class="font-semibold">{format!("{} {name} {}",
                            tr(lang, "Kết quả", "The result"),
                            tr(lang, "đang chờ người ký của cơ quan xác nhận trên ứng dụng ký số.", "is waiting for the agency's signer to confirm in the signing app."))}</p>
                        <button type="submit" name="action" value="sign_check" class=format!("mt-2 {BUTTON}")>{tr(lang, "Kiểm tra kết quả ký", "Check the signature")}</button>
                    </form>
                })}
                {(w.can_attach_result && w.result_signing.is_none()).then(|| view! {
                    <form method="post" action=format!("/can-bo/ho-so/{id}/ket-qua") enctype="multipart/form-data" class="mb-4">
                        <Csrf token=c.csrf.clone()/>
                        <label for="f-result" class="block font-semibold">{tr(lang, "Tệp kết quả (PDF)", "Result file (PDF)")}</label>
                        <input id="f-result" type="file" name="file" accept="application/pdf,image/jpeg,image/png" class="mt-1 block w-full"/>
                        <button type="submit" class=format!("mt-2 {BUTTON}")>{tr(lang, "Đính kèm kết quả", "Attach the result")}</button>
                    </form>
                })}
                {w.can_apologise.then(|| view! {
                    <details class="mb-2">
                        <summary class="cursor-pointer font-semibold underline">{tr(lang, "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "Apology and new appointment slip")}</summary>
                        <form method="post" action=action.clone() class="mt-2">
                            <Csrf token=c.csrf.clone()/>
                            <input type="hidden" name="revision" value=revision.clone()/>
                            <p id="apology-hint" class="text-sm">{tr(lang, "Phát hành chậm nhất 01 ngày làm việc trước hạn trả kết quả; chỉ được hẹn lại một lần (Nghị định 61/2018/NĐ-CP).", "Issue it at least one working day before the due date; the date can be reset once only (Decree 61/2018).")}</p>
                            <label for="f-new-due" class="block font-semibold">{tr(lang, "Ngày hẹn trả kết quả mới", "New due date")}</label>
                            <input id="f-new-due" type="date" name="new_due" aria-describedby="apology-hint" class=INPUT/>
                            <label for="f-apology-reason" class="mt-2 block font-semibold">{tr(lang, "Lý do chậm trả kết quả", "Reason for the delay")}</label>
                            <textarea id="f-apology-reason" name="reason" rows="2" class=INPUT></textarea>
                            <button type="submit" name="action" value="apology" class=format!("mt-2 {SECONDARY}")>{tr(lang, "Phát hành phiếu xin lỗi", "Issue the apology slip")}</button>
                        </form>
                    </details>
                })}
            </section>
        })}
        {(!d.payments.is_empty()).then(|| view! { <Fees d=d.clone() csrf=c.csrf.clone() lang/> })}
        {(!w.transfers.is_empty() || !w.lienthong_targets.is_empty()).then(|| view! {
            <section class="mb-6 rounded border border-slate-400 p-4" aria-labelledby="lt-h">
                <h2 id="lt-h" class="text-xl font-bold mb-2">{tr(lang, "Liên thông với cơ quan khác", "Inter-agency transfer")}</h2>
                {(!w.transfers.is_empty()).then(|| view! {
                    <ul class="mb-2 list-disc pl-5">
                        {w.transfers.iter().map(|t| view! { <li>{transfer_text(t, lang)}</li> }).collect_view()}
                    </ul>
                })}
                {(!w.lienthong_targets.is_empty()).then(|| view! {
                    <form method="post" action=action.clone()>
                        <Csrf token=c.csrf.clone()/>
                        <input type="hidden" name="revision" value=revision.clone()/>
                        <label for="f-peer" class="block font-semibold">{tr(lang, "Cơ quan nhận hồ sơ", "Receiving agency")}</label>
                        <select id="f-peer" name="peer" class=INPUT>
                            {w.lienthong_targets.iter().map(|(i, n)| view! { <option value=i.to_string()>{n.clone()}</option> }).collect_view()}
                        </select>
                        <label for="f-lt-note" class="mt-2 block font-semibold">{tr(lang, "Nội dung đề nghị (không bắt buộc)", "What you ask of them (optional)")}</label>
                        <textarea id="f-lt-note" name="lt_note" rows="2" class=INPUT></textarea>
                        <button type="submit" name="action" value="lienthong" class=format!("mt-2 {SECONDARY}")>{tr(lang, "Gửi liên thông", "Send to the agency")}</button>
                    </form>
                })}
            </section>
        })}
        <section class="mb-6" aria-labelledby="print-h">
            <h2 id="print-h" class="text-xl font-bold mb-2">{tr(lang, "Phiếu in (PDF)", "Printable slips (PDF)")}</h2>
            <ul class="list-disc pl-5">
                <li><a href=format!("{action}/bien-nhan.pdf") class=LINK>{tr(lang, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Receipt and appointment slip")}</a></li>
                {slips.into_iter().map(|(file, vi, en)| view! {
                    <li><a href=format!("{action}/phieu/{file}.pdf") class=LINK>{tr(lang, vi, en)}</a></li>
                }).collect_view()}
            </ul>
        </section>
        <h2 class="text-xl font-bold mb-2">{tr(lang, "Tờ khai", "Form")}</h2>
        <dl class="mb-6 grid gap-x-4 gap-y-1 sm:grid-cols-[max-content_1fr]">
            {field_rows.into_iter().map(|(k, v)| view! { <dt class="font-semibold">{k}</dt><dd>{v}</dd> }).collect_view()}
        </dl>
        <h2 class="text-xl font-bold mb-2">{tr(lang, "Tệp", "Files")}</h2>
        <ul class="mb-6 list-disc pl-5">
            {d.files.iter().map(|f| view! {
                <li><a href=format!("/can-bo/ho-so/{id}/tep/{}", f.id) class=LINK>{f.file_name.clone()}</a>
                    <span class="text-sm">{format!(" ({}, {})", file_kind(&f.kind, lang), size_text(f.size))}</span>
                    {round_label(f.version, lang).map(|r| view! { <span class="text-sm">{format!(" — {r}")}</span> })}
                    {f.digitised.then(|| view! { " "<span class="inline-block rounded border border-slate-500 px-1 text-xs font-semibold">{tr(lang, "Bản số hoá từ giấy tờ", "Digitised from paper")}</span> })}
                </li>
            }).collect_view()}
        </ul>
        {(!d.history.is_empty()).then(|| view! {
            <details class="mb-6">
                <summary class="cursor-pointer font-semibold">{match lang {
                    Lang::Vi => format!("Phiên bản trước của giấy tờ ({})", d.history.len()),
                    Lang::En => format!("Earlier versions of documents ({})", d.history.len()),
                }}</summary>
                <ul class="mt-2 list-disc pl-5">
                    {d.history.iter().map(|f| view! {
                        <li><a href=format!("/can-bo/ho-so/{id}/tep/{}", f.id) class=LINK>{f.file_name.clone()}</a>
                            <span class="text-sm">{format!(" — {}, {} {}",
                                round_label(f.version, lang).unwrap_or_else(|| tr(lang, "nộp cùng hồ sơ", "filed with the application").into()),
                                tr(lang, "được thay hoặc gỡ ngày", "replaced or removed on"), f.superseded_at.map(time_vn).unwrap_or_default())}</span></li>
                    }).collect_view()}
                </ul>
            </details>
        })}
        {d.archived_at.map(|at| view! {
            <p class="mb-6 rounded border border-slate-500 bg-slate-50 p-3">{match lang {
                Lang::Vi => format!("Hồ sơ đã được lưu trữ ngày {}; bảo quản {}.", time_vn(at),
                    day_vn(&d.retain_until).map(|x| format!("đến {x}")).unwrap_or_else(|| "vĩnh viễn".into())),
                Lang::En => format!("Archived on {}; kept {}.", time_vn(at),
                    day_vn(&d.retain_until).map(|x| format!("until {x}")).unwrap_or_else(|| "permanently".into())),
            }}</p>
        })}
        <super::post::Shipments shipments=d.shipments.clone() change=None lang/>
        <Messages d=d.clone() csrf=c.csrf.clone() action=action.clone() lang/>
        <h2 class="text-xl font-bold mb-2">{tr(lang, "Tiến trình", "History")}</h2>
        <Timeline events=d.events.clone() lang/>
    }
}

/// Reports and the Decision 766 index (B-d): a period, a grouping, the table, the index with an
/// accessible chart (its numbers are also in the table beside it), CSV and XLSX exports.
#[component]
pub fn ReportPage() -> impl IntoView {
    use crate::api::dossier::officer_report;
    let lang = use_lang();
    let title = tr(lang, "Báo cáo thống kê", "Reports");
    let from = query("tu");
    let to = query("den");
    let by = query("theo");
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
            {move || Suspend::new(async move {
                let (f, t, b) = (from.get_untracked(), to.get_untracked(), by.get_untracked());
                let result = officer_report(f.clone(), t.clone(), b.clone()).await;
                let (fv, tv) = match &result {
                    Ok(r) => (r.from.to_string(), r.to.to_string()),
                    Err(_) => (f.clone(), t.clone()),
                };
                let export = format!("tu={fv}&den={tv}&theo={}", if b.is_empty() { "don-vi" } else { b.as_str() });
                view! {
                    <form method="get" action="/can-bo/bao-cao" class="mb-4 grid gap-2 sm:grid-cols-[auto_auto_auto_auto] sm:items-end">
                        <div>
                            <label for="f-tu" class="block font-semibold">{tr(lang, "Từ ngày", "From")}</label>
                            <input id="f-tu" type="date" name="tu" value=fv class=INPUT/>
                        </div>
                        <div>
                            <label for="f-den" class="block font-semibold">{tr(lang, "Đến ngày", "To")}</label>
                            <input id="f-den" type="date" name="den" value=tv class=INPUT/>
                        </div>
                        <div>
                            <label for="f-theo" class="block font-semibold">{tr(lang, "Theo", "By")}</label>
                            <select id="f-theo" name="theo" class=INPUT>
                                {[("don-vi", "Đơn vị", "Unit"), ("thu-tuc", "Thủ tục", "Procedure"), ("can-bo", "Cán bộ xử lý", "Officer")].into_iter().map(|(v, vi, en)| {
                                    let selected = b == v;
                                    view! { <option value=v selected=selected>{tr(lang, vi, en)}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        <button type="submit" class=BUTTON>{tr(lang, "Xem báo cáo", "Show")}</button>
                    </form>
                    {match result {
                        Ok(r) => view! { <ReportBody r export lang/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }}
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReportBody(r: crate::domain::report::Report, export: String, lang: Lang) -> impl IntoView {
    use crate::domain::report::{columns, GroupBy};
    let heads = columns(&r.total);
    let first = match r.by {
        GroupBy::Unit => tr(lang, "Đơn vị", "Unit"),
        GroupBy::Procedure => tr(lang, "Thủ tục", "Procedure"),
        GroupBy::Officer => tr(lang, "Cán bộ", "Officer"),
    };
    let total = r.index.total();
    let groups: Vec<(String, f64, Option<f64>)> = r
        .index
        .groups
        .iter()
        .map(|g| {
            (
                pick(lang, &g.name_vi, &g.name_en).to_string(),
                g.weight,
                g.points(),
            )
        })
        .collect();
    let fmt = |x: Option<f64>| {
        x.map(|v| format!("{v:.1}"))
            .unwrap_or_else(|| tr(lang, "chưa có dữ liệu", "no data").into())
    };
    // The chart: one bar per group, its length the share of the group's points.
    let bar_w = 220.0;
    let chart_h = 28 * groups.len() + 8;
    view! {
        <p class="mb-2"><a href=format!("/can-bo/bao-cao.csv?{export}") class=LINK download>{tr(lang, "Tải CSV", "Download CSV")}</a>
            {" · "}<a href=format!("/can-bo/bao-cao.xlsx?{export}") class=LINK download>{tr(lang, "Tải Excel (XLSX)", "Download Excel (XLSX)")}</a></p>
        <p class="mb-2">{tr(lang, "Sổ theo dõi hồ sơ của kỳ này: ", "Tracking book of this period: ")}
            <a href=format!("/can-bo/so-theo-doi.csv?{export}") class=LINK download>{tr(lang, "CSV", "CSV")}</a>
            {" · "}<a href=format!("/can-bo/so-theo-doi.xlsx?{export}") class=LINK download>{tr(lang, "Excel (XLSX)", "Excel (XLSX)")}</a></p>
        <h2 id="table-h" class="text-xl font-bold mb-2">{tr(lang, "Tình hình giải quyết hồ sơ", "Dossier handling")}</h2>
        <div class="mb-6 overflow-x-auto" role="region" aria-labelledby="table-h" tabindex="0">
            <table class="min-w-full border-collapse text-sm">
                <thead><tr>
                    <th scope="col" class="border border-slate-400 p-1 text-left">{first}</th>
                    {heads.iter().map(|(vi, en, _)| view! { <th scope="col" class="border border-slate-400 p-1 text-left">{tr(lang, vi, en)}</th> }).collect_view()}
                </tr></thead>
                <tbody>
                    {r.rows.iter().map(|row| view! {
                        <tr>
                            <th scope="row" class="border border-slate-400 p-1 text-left font-normal">{row.name.clone()}</th>
                            {columns(&row.counts).into_iter().map(|(_, _, v)| view! { <td class="border border-slate-400 p-1 text-right">{v}</td> }).collect_view()}
                        </tr>
                    }).collect_view()}
                    <tr class="font-bold">
                        <th scope="row" class="border border-slate-400 p-1 text-left">{tr(lang, "Tổng cộng", "Total")}</th>
                        {heads.iter().map(|(_, _, v)| view! { <td class="border border-slate-400 p-1 text-right">{v.clone()}</td> }).collect_view()}
                    </tr>
                </tbody>
            </table>
        </div>
        <h2 id="idx-h" class="text-xl font-bold mb-2">{tr(lang, "Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)", "Citizen and business service index (Decision 766/QĐ-TTg)")}</h2>
        <p class="mb-2 text-lg">{tr(lang, "Tổng điểm: ", "Total: ")}<strong>{fmt(total)}</strong>{" / 100"}</p>
        <svg role="img" aria-labelledby="chart-t chart-d" width="100%" height=chart_h.to_string() viewBox=format!("0 0 360 {chart_h}") class="mb-4 max-w-xl">
            <title id="chart-t">{tr(lang, "Điểm theo nhóm chỉ số", "Points by group")}</title>
            <desc id="chart-d">{groups.iter().map(|(n, w, p)| format!("{n}: {} / {w}. ", fmt(*p))).collect::<String>()}</desc>
            {groups.iter().enumerate().map(|(i, (n, w, p))| {
                let y = 8 + i * 28;
                let len = p.map(|p| p / w * bar_w).unwrap_or(0.0);
                view! {
                    <g>
                        <rect x="130" y=y.to_string() width=format!("{bar_w}") height="18" fill="#e2e8f0"/>
                        <rect x="130" y=y.to_string() width=format!("{len:.1}") height="18" fill="#1e40af"/>
                        <text x="0" y=(y + 13).to_string() font-size="11" fill="#0f172a">{n.chars().take(22).collect::<String>()}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
        <div class="mb-6 overflow-x-auto" role="region" aria-labelledby="idx-h" tabindex="0">
            <table class="min-w-full border-collapse text-sm">
                <thead><tr>
                    <th scope="col" class="border border-slate-400 p-1 text-left">{tr(lang, "Chỉ số", "Indicator")}</th>
                    <th scope="col" class="border border-slate-400 p-1 text-right">{tr(lang, "Đạt / Tổng", "Met / Total")}</th>
                    <th scope="col" class="border border-slate-400 p-1 text-right">{tr(lang, "Điểm", "Points")}</th>
                </tr></thead>
                <tbody>
                    {r.index.groups.iter().map(|g| view! {
                        <tr class="bg-slate-100 font-semibold">
                            <th scope="row" class="border border-slate-400 p-1 text-left">{pick(lang, &g.name_vi, &g.name_en).to_string()}</th>
                            <td class="border border-slate-400 p-1"></td>
                            <td class="border border-slate-400 p-1 text-right">{format!("{} / {}", fmt(g.points()), g.weight)}</td>
                        </tr>
                        {g.indicators.iter().map(|i| view! {
                            <tr>
                                <th scope="row" class="border border-slate-400 p-1 text-left font-normal">{format!("{} {}", i.key, pick(lang, &i.name_vi, &i.name_en))}</th>
                                <td class="border border-slate-400 p-1 text-right">{format!("{} / {}", i.numerator, i.denominator)}</td>
                                <td class="border border-slate-400 p-1 text-right">{format!("{} / {}", fmt(i.points()), i.weight)}</td>
                            </tr>
                        }).collect_view()}
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Counter intake (B-c): the one-stop officer starts a dossier for a walk-in applicant, then
/// fills the form and uploads the scanned papers on the usual dossier pages and submits; the
/// dossier is accepted at once and the receipt prints from the workspace.
#[component]
pub fn IntakePage() -> impl IntoView {
    use super::account::Field;
    let lang = use_lang();
    let title = tr(lang, "Tiếp nhận hồ sơ trực tiếp", "Counter intake");
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <WithForm render=move |c: FormContext| {
            let key = match c.echo.value("key") {
                k if k.is_empty() => crate::server::auth::crypto::random_token(),
                k => k,
            };
            view! {
                <p class="mb-4">{tr(lang,
                    "Nhập thủ tục và thông tin người nộp; bước sau là tờ khai và bản quét giấy tờ. Khi nộp, hồ sơ được tiếp nhận ngay và in được giấy tiếp nhận.",
                    "Enter the procedure and the applicant; next come the form and the scanned papers. On submission the dossier is accepted at once and the receipt can be printed.")}</p>
                <ErrorSummary echo=c.echo.clone() lang/>
                <form method="post" action="/can-bo/tiep-nhan" novalidate class="max-w-xl">
                    <Csrf token=c.csrf.clone()/>
                    <input type="hidden" name="key" value=key/>
                    <Field name="procedure" label=tr(lang, "Mã thủ tục", "Procedure code") echo=c.echo.clone() lang hint=tr(lang, "Ví dụ: 1.001193 (đăng ký khai sinh)", "For example 1.001193 (birth registration)")/>
                    <Field name="full_name" label=tr(lang, "Họ và tên người nộp", "Applicant's full name") echo=c.echo.clone() lang/>
                    <Field name="citizen_id" label=tr(lang, "Số định danh cá nhân (CCCD)", "Personal ID number") echo=c.echo.clone() lang inputmode="numeric"/>
                    <Field name="phone" label=tr(lang, "Số điện thoại (không bắt buộc)", "Phone (optional)") echo=c.echo.clone() lang kind="tel" required=false/>
                    <Field name="email" label=tr(lang, "Email (không bắt buộc)", "Email (optional)") echo=c.echo.clone() lang kind="email" required=false/>
                    <button type="submit" class=BUTTON>{tr(lang, "Tạo hồ sơ", "Create the dossier")}</button>
                </form>
            }
        }/>
    }
}

/// The supervisor dashboard (B-c): where the work of the supervised units stands now — load
/// and lateness per unit and per officer, the late dossiers by name — and the last 30 days'
/// throughput. Tables with row and column headers; every number is text, nothing only colour.
#[component]
pub fn SupervisionPage() -> impl IntoView {
    use crate::api::dossier::officer_supervision;
    let lang = use_lang();
    let title = tr(
        lang,
        "Giám sát tiến độ giải quyết hồ sơ",
        "Supervision dashboard",
    );
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
            {move || Suspend::new(async move {
                match officer_supervision().await {
                    Ok(s) => view! { <Supervision s lang/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

const TH: &str = "border border-slate-400 p-1 text-left";
const TD: &str = "border border-slate-400 p-1 text-right";

fn late_class(n: u32) -> String {
    if n > 0 {
        format!("{TD} font-bold text-red-900")
    } else {
        TD.to_string()
    }
}

#[component]
fn LoadTable(
    rows: Vec<crate::domain::workflow::Load>,
    lang: Lang,
    id: &'static str,
    caption: &'static str,
    first: &'static str,
    units: bool,
) -> impl IntoView {
    let empty = rows.is_empty();
    view! {
        <h2 id=id class="text-xl font-bold mb-2">{caption}</h2>
        {if empty {
            view! { <p class="mb-6">{tr(lang, "Không có hồ sơ đang giải quyết.", "No dossiers being handled.")}</p> }.into_any()
        } else {
            view! {
                <div class="mb-6 overflow-x-auto" role="region" aria-labelledby=id tabindex="0">
                    <table class="min-w-full border-collapse text-sm">
                        <thead><tr>
                            <th scope="col" class=TH>{first}</th>
                            <th scope="col" class=TH>{tr(lang, "Đang giải quyết", "Open")}</th>
                            <th scope="col" class=TH>{tr(lang, "Quá hạn", "Overdue")}</th>
                            <th scope="col" class=TH>{tr(lang, "Sắp đến hạn", "Due soon")}</th>
                            <th scope="col" class=TH>{tr(lang, "Bước quá hạn", "Step late")}</th>
                            <th scope="col" class=TH>{tr(lang, "Tạm dừng (chờ bổ sung, nộp phí)", "Paused (supplement, payment)")}</th>
                            {units.then(|| view! { <th scope="col" class=TH>{tr(lang, "Chưa phân công", "Not assigned")}</th> })}
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|l| view! {
                                <tr>
                                    <th scope="row" class=format!("{TH} font-normal")>{l.name}</th>
                                    <td class=TD>{l.open}</td>
                                    <td class=late_class(l.overdue)>{l.overdue}</td>
                                    <td class=TD>{l.due_soon}</td>
                                    <td class=TD>{l.step_overdue}</td>
                                    <td class=TD>{l.paused}</td>
                                    {units.then(|| view! { <td class=TD>{l.unassigned}</td> })}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

#[component]
fn Supervision(s: crate::domain::workflow::Supervision, lang: Lang) -> impl IntoView {
    let r = s.recent.clone();
    let finished = r.on_time + r.late;
    let on_time_rate = (finished > 0).then(|| {
        format!(
            "{:.1} %",
            f64::from(r.on_time) * 100.0 / f64::from(finished)
        )
    });
    let avg_days = (r.processed > 0).then(|| {
        format!(
            "{:.1}",
            f64::from(r.working_days_sum) / f64::from(r.processed)
        )
    });
    let from = s.period.0.clone();
    let to = s.period.1.clone();
    let report = format!("/can-bo/bao-cao?tu={from}&den={to}&theo=can-bo");
    let late_title = format!(
        "{} ({})",
        tr(lang, "Hồ sơ quá hạn", "Overdue dossiers"),
        s.overdue.len() as u32 + s.overdue_more
    );
    view! {
        <section aria-labelledby="recent-h" class="mb-6">
            <h2 id="recent-h" class="text-xl font-bold mb-2">{format!("{} {} – {}", tr(lang, "30 ngày qua:", "Last 30 days:"), day_vn(&Some(from.clone())).unwrap_or_default(), day_vn(&Some(to.clone())).unwrap_or_default())}</h2>
            <dl class="grid grid-cols-2 gap-2 sm:grid-cols-4">
                <div class="rounded border border-slate-300 p-2"><dt class="text-sm">{tr(lang, "Tiếp nhận", "Received")}</dt><dd class="text-2xl font-bold">{r.received}</dd></div>
                <div class="rounded border border-slate-300 p-2"><dt class="text-sm">{tr(lang, "Đã giải quyết", "Processed")}</dt><dd class="text-2xl font-bold">{r.processed}</dd></div>
                <div class="rounded border border-slate-300 p-2"><dt class="text-sm">{tr(lang, "Đúng hạn", "On time")}</dt><dd class="text-2xl font-bold">{on_time_rate.unwrap_or_else(|| "—".into())}</dd></div>
                <div class="rounded border border-slate-300 p-2"><dt class="text-sm">{tr(lang, "Số ngày làm việc trung bình", "Average working days")}</dt><dd class="text-2xl font-bold">{avg_days.unwrap_or_else(|| "—".into())}</dd></div>
            </dl>
            <p class="mt-2"><a href=report class=LINK>{tr(lang, "Xem báo cáo chi tiết theo cán bộ", "Full report by officer")}</a></p>
        </section>
        <LoadTable rows=s.units lang id="units-h" caption=tr(lang, "Theo đơn vị", "By unit") first=tr(lang, "Đơn vị", "Unit") units=true/>
        <LoadTable rows=s.officers lang id="officers-h" caption=tr(lang, "Theo cán bộ được phân công", "By assigned officer") first=tr(lang, "Cán bộ", "Officer") units=false/>
        <section aria-labelledby="late-h">
            <h2 id="late-h" class="text-xl font-bold mb-2">{late_title}</h2>
            {if s.overdue.is_empty() {
                view! { <p>{tr(lang, "Không có hồ sơ quá hạn.", "No overdue dossiers.")}</p> }.into_any()
            } else {
                view! {
                    <ul class="grid gap-2">
                        {s.overdue.into_iter().map(|l| view! {
                            <li class="rounded border border-red-700 p-3">
                                <p><a href=format!("/can-bo/ho-so/{}", l.id) class="font-mono text-blue-800 underline">{l.code}</a>
                                    <span class="font-semibold text-red-900">{format!(" · {} {}", tr(lang, "Quá hạn", "Late by"), l.days_late)}{tr(lang, " ngày làm việc", " working day(s)")}</span></p>
                                <p>{l.procedure_name}</p>
                                <p class="text-sm">{l.unit_name}{tr(lang, " · Hẹn trả: ", " · Due: ")}{day_vn(&Some(l.due_date)).unwrap_or_default()}
                                    {tr(lang, " · Cán bộ: ", " · Officer: ")}{l.assignee_name.unwrap_or_else(|| tr(lang, "chưa phân công", "not assigned").into())}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                    {(s.overdue_more > 0).then(|| view! { <p class="mt-2">{format!("{} {}", tr(lang, "Và", "And"), s.overdue_more)}{tr(lang, " hồ sơ quá hạn khác.", " more overdue dossiers.")}</p> })}
                }.into_any()
            }}
        </section>
    }
}
