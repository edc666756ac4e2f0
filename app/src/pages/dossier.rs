//! The citizen's dossier pages (P-3.1 … P-3.4, P-5.2, P-10.2): start, task list, e-form,
//! documents, submission receipt, my dossiers, public lookup and the data store. Server-rendered
//! plain HTML forms, so every step works without JavaScript; errors come back on the same page
//! with the input kept and the error summary focused.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::account::{query, tr, Csrf, ErrorSummary, WithForm, BUTTON, INPUT, LINK};
use super::ErrorNotice;
use crate::api::account::FormContext;
use crate::api::dossier::{get_dossier, get_start_info, my_dossiers, my_store, StartInfo};
use crate::domain::calendar::Day;
use crate::domain::dossier::{action_label, DossierView, PublicStatus, Status};
use crate::domain::eform::{Field, FormSchema, Kind, Values};
use crate::domain::form::FormEcho;
use crate::domain::integration::SignatureReport;
use crate::i18n::Lang;
use crate::use_lang;

pub(crate) const SECONDARY: &str =
    "rounded border-2 border-[#8b1a1a] px-4 py-2 font-semibold text-[#8b1a1a] bg-white";

pub(crate) fn param_id() -> Memo<i32> {
    let p = use_params_map();
    Memo::new(move |_| p.read().get("id").and_then(|v| v.parse().ok()).unwrap_or(0))
}

pub(crate) fn day_vn(iso: &Option<String>) -> Option<String> {
    iso.as_deref().and_then(Day::parse_iso).map(Day::vn)
}

pub use crate::domain::calendar::time_vn;

pub(crate) fn status_badge(s: Status, lang: Lang) -> impl IntoView {
    let colour = match s {
        Status::Draft => "bg-slate-100 text-slate-900 border-slate-500",
        Status::SupplementRequested | Status::PaymentRequested => {
            "bg-amber-50 text-amber-900 border-amber-700"
        }
        Status::Refused | Status::Stopped => "bg-red-50 text-red-900 border-red-700",
        Status::Processed | Status::Returned => "bg-green-50 text-green-900 border-green-700",
        _ => "bg-blue-50 text-blue-900 border-blue-700",
    };
    view! { <span class=format!("inline-block rounded border px-2 py-0.5 text-sm font-semibold {colour}")>{s.label(lang)}</span> }
}

#[component]
pub(crate) fn Note(text: String) -> impl IntoView {
    view! { <p role="status" class="mb-4 rounded border border-green-700 bg-green-50 p-3 text-green-900">{text}</p> }
}

/// Loads a dossier and the form context, then renders `render`.
#[component]
fn WithDossier<F, V>(render: F) -> impl IntoView
where
    F: Fn(DossierView, FormContext) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let lang = use_lang();
    let id = param_id();
    let data = move || get_dossier(id.get_untracked());
    view! {
        <WithForm render=move |c: FormContext| {
            let render = render.clone();
            view! {
                <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
                    {
                        let render = render.clone();
                        let c = c.clone();
                        move || {
                            let render = render.clone();
                            let c = c.clone();
                            Suspend::new(async move {
                                match data().await {
                                    Ok(d) => render(d, c).into_any(),
                                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                                }
                            })
                        }
                    }
                </Suspense>
            }
        }/>
    }
}

#[component]
pub fn MyDossiersPage() -> impl IntoView {
    let lang = use_lang();
    let status = query("trang-thai");
    let list = move || my_dossiers(status.get_untracked().parse::<i32>().ok());
    let title = tr(lang, "Hồ sơ của tôi", "My dossiers");
    let filters = [
        None,
        Some(Status::Draft),
        Some(Status::Submitted),
        Some(Status::InProcess),
        Some(Status::SupplementRequested),
        Some(Status::Returned),
    ];
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <nav aria-label=tr(lang, "Lọc theo trạng thái", "Filter by status") class="mb-4">
            <ul class="flex flex-wrap gap-2">
                {filters.into_iter().map(|f| {
                    let value = f.map(|s| s.code().to_string()).unwrap_or_default();
                    let href = if value.is_empty() { "/ho-so".to_string() } else { format!("/ho-so?trang-thai={value}") };
                    let label = f.map(|s| s.label(lang)).unwrap_or(tr(lang, "Tất cả", "All"));
                    let current = move || (status.get() == value).then_some("page");
                    view! { <li><a href=href aria-current=current class="inline-block rounded border border-slate-500 px-3 py-1 aria-[current=page]:bg-slate-900 aria-[current=page]:text-white">{label}</a></li> }
                }).collect_view()}
            </ul>
        </nav>
        <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
            {move || Suspend::new(async move {
                match list().await {
                    Ok(rows) if rows.is_empty() => view! {
                        <p>{tr(lang, "Chưa có hồ sơ nào. ", "No dossiers yet. ")}
                            <a href="/thu-tuc" class=LINK>{tr(lang, "Tìm thủ tục để nộp hồ sơ", "Find a procedure to apply for")}</a></p>
                    }.into_any(),
                    Ok(rows) => view! {
                        <ul class="grid gap-3">
                            {rows.into_iter().map(|r| view! {
                                <li class="rounded border border-slate-300 p-3">
                                    <a href=format!("/ho-so/{}", r.id) class="font-semibold text-blue-800 underline">{r.procedure_name.clone()}</a>
                                    <p class="mt-1 text-sm">
                                        {r.code.clone().map(|c| view! { <span class="mr-2 font-mono">{c}</span> })}
                                        {status_badge(r.status, lang)}
                                    </p>
                                    <p class="mt-1 text-sm text-slate-700">
                                        {tr(lang, "Cập nhật: ", "Updated: ")}{time_vn(r.updated_at)}
                                        {day_vn(&r.due_date).map(|d| view! { <span>{tr(lang, " · Hẹn trả: ", " · Due: ")}{d}</span> })}
                                    </p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn StartDossierPage() -> impl IntoView {
    let lang = use_lang();
    let code = query("thu-tuc");
    let info = move || get_start_info(code.get_untracked());
    let title = tr(lang, "Nộp hồ sơ trực tuyến", "Apply online");
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <WithForm render=move |c: FormContext| view! {
            <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
                {
                    let c = c.clone();
                    move || {
                        let c = c.clone();
                        Suspend::new(async move {
                            match info().await {
                                Ok(i) => view! { <StartForm info=i c lang/> }.into_any(),
                                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                            }
                        })
                    }
                }
            </Suspense>
        }/>
    }
}

#[component]
fn StartForm(info: StartInfo, c: FormContext, lang: Lang) -> impl IntoView {
    let e = c.echo.clone();
    let chosen = e.value("agency_id");
    let single = info.units.len() == 1;
    view! {
        <ErrorSummary echo=e.clone() lang/>
        <p class="mb-2 text-lg font-semibold">{info.name.clone()}</p>
        <p class="mb-4 text-sm text-slate-700">{tr(lang, "Mã thủ tục: ", "Procedure code: ")}{info.code.clone()}
            {info.time_limit_days.map(|d| format!("{} {d} {}", tr(lang, " · Thời hạn giải quyết:", " · Time limit:"), tr(lang, "ngày làm việc", "working days")))}</p>
        {if !info.online {
            view! { <p class="rounded border border-amber-700 bg-amber-50 p-3">{tr(lang, "Thủ tục này chưa được cung cấp trực tuyến.", "This procedure is not offered online.")}</p> }.into_any()
        } else if info.units.is_empty() {
            view! { <p class="rounded border border-amber-700 bg-amber-50 p-3">{tr(lang, "Chưa có cơ quan nào trên Cổng này tiếp nhận thủ tục này trực tuyến.", "No agency on this portal receives this procedure online yet.")}</p> }.into_any()
        } else {
            view! {
                <form method="post" action="/ho-so/moi" class="max-w-xl">
                    <Csrf token=c.csrf.clone()/>
                    <input type="hidden" name="procedure" value=info.code.clone()/>
                    <input type="hidden" name="key" value=info.key.clone()/>
                    <fieldset class="mb-4" id="f-agency_id">
                        <legend class="font-semibold">{tr(lang, "Nơi nộp hồ sơ", "Where to apply")}</legend>
                        {e.error("agency_id", lang).map(|m| view! { <p class="text-sm font-semibold text-red-800">{m}</p> })}
                        {info.units.iter().map(|(id, name)| {
                            let checked = single || chosen == id.to_string();
                            view! {
                                <label class="mt-2 flex gap-2 items-start">
                                    <input type="radio" name="agency_id" value=id.to_string() checked=checked class="mt-1"/>
                                    <span>{name.clone()}</span>
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                    <p class="mb-4 text-sm text-slate-700">{tr(lang,
                        "Hồ sơ được lưu nháp trên máy chủ: bạn có thể dừng lại và làm tiếp trên thiết bị khác.",
                        "Your dossier is saved as a draft on the server: you can stop and continue on another device.")}</p>
                    <button type="submit" class=BUTTON>{tr(lang, "Bắt đầu", "Start")}</button>
                </form>
            }.into_any()
        }}
    }
}

#[component]
pub fn DossierPage() -> impl IntoView {
    let lang = use_lang();
    let ok = query("ok");
    view! {
        <WithDossier render=move |d: DossierView, c: FormContext| {
            let title = d.code.clone().unwrap_or_else(|| tr(lang, "Hồ sơ nháp", "Draft dossier").to_string());
            let notice = match ok.get_untracked().as_str() {
                "submitted" => Some(tr(lang, "Đã nộp hồ sơ thành công. Chúng tôi đã gửi email xác nhận.", "Your dossier has been submitted. A confirmation email is on its way.")),
                "supplemented" => Some(tr(lang, "Đã gửi bổ sung. Cơ quan tiếp tục xử lý hồ sơ.", "Supplement sent. The agency continues with your dossier.")),
                "withdrawn" => Some(tr(lang, "Đã gửi yêu cầu rút hồ sơ.", "Your request to withdraw has been sent.")),
                "rated" => Some(tr(lang, "Cảm ơn bạn đã đánh giá.", "Thank you for your rating.")),
                "message" => Some(tr(lang, "Đã gửi tin nhắn.", "Message sent.")),
                "saved" => Some(tr(lang, "Đã lưu.", "Saved.")),
                "postal" => Some(tr(lang, "Đã lưu lựa chọn bưu chính.", "Your postal choice is saved.")),
                _ => None,
            };
            view! {
                <Title text=title.clone()/>
                <p class="text-sm text-slate-700">{d.procedure_name.clone()}</p>
                <h1 class="text-2xl font-bold mb-2">{title}</h1>
                <p class="mb-4">{status_badge(d.status, lang)}</p>
                {notice.map(|n| view! { <Note text=n.to_string()/> })}
                <ErrorSummary echo=c.echo.clone() lang/>
                {if d.status == Status::Draft {
                    view! { <DraftOverview d=d.clone() c=c.clone() lang/> }.into_any()
                } else {
                    view! {
                        <AfterSubmission d=d.clone() c=c.clone() lang/>
                        <super::post::Shipments shipments=d.shipments.clone() change=postal_change(&d) lang/>
                        <SubmittedOverview d=d.clone() lang/>
                        <Messages d=d.clone() csrf=c.csrf.clone() action=format!("/ho-so/{}", d.id) lang/>
                        <Withdraw d=d.clone() csrf=c.csrf.clone() lang/>
                    }.into_any()
                }}
            }
        }/>
    }
}

/// Where the applicant can still choose to receive the result by post (P-3.5), if anywhere.
fn postal_change(d: &DossierView) -> Option<String> {
    let ended = matches!(
        d.status,
        Status::Refused | Status::Stopped | Status::Returned | Status::WithdrawalRequested
    );
    let sent = d
        .shipments
        .iter()
        .any(|s| s.kind == "result" && s.status != "chosen");
    (d.postal_offered && !ended && !sent).then(|| format!("/ho-so/{}/buu-chinh", d.id))
}

#[component]
fn DraftOverview(d: DossierView, c: FormContext, lang: Lang) -> impl IntoView {
    let id = d.id;
    let ready = d.problems.is_empty();
    view! {
        <p class="mb-2">{tr(lang, "Cơ quan tiếp nhận: ", "Receiving agency: ")}{d.agency_name.clone()}</p>
        {d.expires_at.map(|e| view! { <p class="mb-4 text-sm text-slate-700">{tr(lang, "Bản nháp được giữ đến ", "The draft is kept until ")}{Day::from_unix_vn(e).vn()}</p> })}
        <h2 class="text-xl font-bold mt-4 mb-2">{tr(lang, "Các bước cần hoàn thành", "What you need to do")}</h2>
        <ol class="mb-6 divide-y divide-slate-300 border-y border-slate-300">
            {d.tasks.iter().map(|t| {
                let title = if lang == Lang::Vi { t.title_vi.clone() } else { t.title_en.clone() };
                view! {
                    <li class="flex flex-wrap justify-between gap-2 py-3">
                        <a href=t.href.clone() class=LINK>{title}</a>
                        <strong class=if t.done { "text-green-800" } else { "text-slate-800" }>
                            {if t.done { tr(lang, "Đã xong", "Completed") } else if !t.required { tr(lang, "Không bắt buộc", "Optional") } else { tr(lang, "Chưa xong", "Not yet completed") }}
                        </strong>
                    </li>
                }
            }).collect_view()}
        </ol>
        <h2 class="text-xl font-bold mb-2">{tr(lang, "Kiểm tra và nộp", "Check and submit")}</h2>
        {(!ready).then(|| view! {
            <div class="mb-4 rounded border border-amber-700 bg-amber-50 p-3">
                <p class="font-semibold">{tr(lang, "Còn thiếu trước khi nộp:", "Still missing before you can submit:")}</p>
                <ul class="mt-1 list-disc pl-5">
                    {d.problems.iter().take(20).map(|p| view! { <li>{if lang == Lang::Vi { p.message_vi.clone() } else { p.message_en.clone() }}</li> }).collect_view()}
                </ul>
            </div>
        })}
        <form method="post" action=format!("/ho-so/{id}") class="mb-4">
            <Csrf token=c.csrf.clone()/>
            <input type="hidden" name="key" value=d.submit_key.clone()/>
            <button type="submit" name="action" value="submit" class=BUTTON>{tr(lang, "Nộp hồ sơ", "Submit")}</button>
        </form>
        <details class="mt-6">
            <summary class="cursor-pointer text-red-800 underline">{tr(lang, "Xoá bản nháp", "Delete the draft")}</summary>
            <form method="post" action=format!("/ho-so/{id}") class="mt-2">
                <Csrf token=c.csrf.clone()/>
                <p class="mb-2">{tr(lang, "Bản nháp và các tệp đã tải lên sẽ bị xoá vĩnh viễn.", "The draft and its uploaded files will be deleted permanently.")}</p>
                <button type="submit" name="action" value="delete" class=SECONDARY>{tr(lang, "Xoá vĩnh viễn", "Delete permanently")}</button>
            </form>
        </details>
    }
}

#[component]
fn SubmittedOverview(d: DossierView, lang: Lang) -> impl IntoView {
    let id = d.id;
    let files: Vec<_> = d
        .files
        .iter()
        .filter(|f| f.kind == "input")
        .cloned()
        .collect();
    view! {
        <dl class="mb-6 grid gap-x-4 gap-y-1 sm:grid-cols-[max-content_1fr]">
            <dt class="font-semibold">{tr(lang, "Mã hồ sơ", "Dossier code")}</dt><dd class="font-mono">{d.code.clone()}</dd>
            <dt class="font-semibold">{tr(lang, "Thủ tục", "Procedure")}</dt><dd>{d.procedure_name.clone()}</dd>
            <dt class="font-semibold">{tr(lang, "Cơ quan tiếp nhận", "Receiving agency")}</dt><dd>{d.agency_name.clone()}</dd>
            <dt class="font-semibold">{tr(lang, "Ngày nộp", "Submitted")}</dt><dd>{d.submitted_at.map(time_vn)}</dd>
            <dt class="font-semibold">{tr(lang, "Ngày hẹn trả kết quả", "Result due")}</dt>
            <dd>{day_vn(&d.due_date).unwrap_or_else(|| tr(lang, "Theo quy định của thủ tục", "As the procedure provides").into())}</dd>
        </dl>
        <p class="mb-6"><a href=format!("/ho-so/{id}/bien-nhan.pdf") class=LINK>{tr(lang, "Tải giấy tiếp nhận hồ sơ và hẹn trả kết quả (PDF)", "Download the receipt and appointment slip (PDF)")}</a></p>
        <h2 class="text-xl font-bold mb-2">{tr(lang, "Giấy tờ đã nộp", "Documents submitted")}</h2>
        {if files.is_empty() {
            view! { <p class="mb-6">{tr(lang, "Không có tệp đính kèm.", "No files attached.")}</p> }.into_any()
        } else {
            view! {
                <ul class="mb-6 list-disc pl-5">
                    {files.into_iter().map(|f| view! {
                        <li><a href=format!("/ho-so/{id}/tep/{}", f.id) class=LINK>{f.file_name.clone()}</a>
                            <span class="text-sm text-slate-700">{format!(" ({})", size_text(f.size))}</span>
                            {crate::domain::dossier::round_label(f.version, lang).map(|r| view! { <span class="text-sm text-slate-700">{format!(" — {r}")}</span> })}
                            {f.digitised.then(|| view! { <span class="text-sm text-slate-700">{tr(lang, " — bản số hoá tại quầy", " — digitised at the counter")}</span> })}</li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        <h2 class="text-xl font-bold mb-2">{tr(lang, "Tiến trình xử lý", "Progress")}</h2>
        <Timeline events=d.events.clone() lang/>
    }
}

/// The fee asked for and the online payments (P-3.6): pay through the gateway while the
/// dossier waits for payment; every attempt listed with its outcome.
#[component]
fn Payment(d: DossierView, csrf: String, lang: Lang) -> impl IntoView {
    use crate::domain::dossier::vnd;
    let id = d.id;
    let back = query("thanh-toan").get_untracked();
    let waiting = d.status == Status::PaymentRequested;
    view! {
        <section class="mb-6 rounded border-2 border-amber-700 bg-amber-50 p-4" aria-labelledby="pay-h">
            <h2 id="pay-h" class="text-xl font-bold">{tr(lang, "Phí, lệ phí", "Fees")}</h2>
            {match back.as_str() {
                "paid" => Some(view! { <p role="status" class="mt-2 font-semibold">{tr(lang, "Thanh toán thành công. Hồ sơ tiếp tục được xử lý.", "Payment received. The dossier is being processed again.")}</p> }.into_any()),
                "pending" => Some(view! { <p role="status" class="mt-2 font-semibold">{tr(lang, "Đang chờ cổng thanh toán xác nhận; tải lại trang sau ít phút.", "Waiting for the gateway's confirmation; reload the page in a few minutes.")}</p> }.into_any()),
                "failed" => Some(view! { <p role="alert" class="mt-2 font-semibold">{tr(lang, "Thanh toán không thành công hoặc đã huỷ. Bạn có thể thanh toán lại.", "The payment failed or was cancelled. You can pay again.")}</p> }.into_any()),
                _ => None,
            }}
            {(waiting).then(|| view! {
                <p class="mt-2">{tr(lang, "Cơ quan đề nghị nộp: ", "The agency asks you to pay: ")}<strong>{d.fee_due.map(vnd).unwrap_or_default()}</strong></p>
                {if d.online_payment {
                    view! {
                        <form method="post" action=format!("/ho-so/{id}/thanh-toan") class="mt-3">
                            <Csrf token=csrf.clone()/>
                            <button type="submit" class=BUTTON>{match lang {
                                Lang::Vi => format!("Thanh toán trực tuyến qua {}", d.payment_via.0),
                                Lang::En => format!("Pay online with {}", d.payment_via.1),
                            }}</button>
                        </form>
                    }.into_any()
                } else {
                    view! { <p class="mt-2">{tr(lang, "Vui lòng nộp tại bộ phận một cửa.", "Please pay at the one-stop counter.")}</p> }.into_any()
                }}
            })}
            {(!d.payments.is_empty()).then(|| view! {
                <h3 class="mt-3 font-semibold">{tr(lang, "Các lần thanh toán trực tuyến", "Online payments")}</h3>
                <ul class="list-disc pl-5">
                    {d.payments.iter().map(|p| {
                        let outcome = match p.status.as_str() {
                            "paid" => tr(lang, "thành công", "paid"),
                            "failed" => tr(lang, "không thành công", "failed"),
                            _ => tr(lang, "chưa có kết quả", "no result yet"),
                        };
                        let receipt = (p.status == "paid").then(|| view! {
                            " — "<a href=format!("/ho-so/{id}/bien-lai/{}.pdf", p.id) class=LINK>{tr(lang, "Tải biên lai (PDF)", "Download the receipt (PDF)")}</a>
                        });
                        view! { <li>{format!("{} — {} — {}{}", time_vn(p.created_at), vnd(p.amount), outcome,
                            p.gateway_txn.as_ref().map(|t| format!(" ({} {t})", tr(lang, "mã giao dịch", "transaction"))).unwrap_or_default())}{receipt}
                            {p.refund_text(lang).map(|t| view! { <br/><strong>{t}</strong> })}</li> }
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}

/// What the applicant must or may do now: answer a supplement request, download the result,
/// rate the service.
#[component]
fn AfterSubmission(d: DossierView, c: FormContext, lang: Lang) -> impl IntoView {
    let id = d.id;
    let results: Vec<_> = d
        .files
        .iter()
        .filter(|f| f.kind == "result")
        .cloned()
        .collect();
    let supplement = (d.status == Status::SupplementRequested).then(|| view! {
        <section class="mb-6 rounded border-2 border-amber-700 bg-amber-50 p-4" aria-labelledby="supp-h">
            <h2 id="supp-h" class="text-xl font-bold">{tr(lang, "Cơ quan yêu cầu bổ sung hồ sơ", "The agency asks for more")}</h2>
            <p class="mt-2 whitespace-pre-line">{d.supplement_request.clone()}</p>
            <ul class="mt-3 list-disc pl-5">
                <li><a href=format!("/ho-so/{id}/bieu-mau") class=LINK>{tr(lang, "Sửa tờ khai", "Edit the form")}</a></li>
                <li><a href=format!("/ho-so/{id}/giay-to") class=LINK>{tr(lang, "Bổ sung giấy tờ", "Add documents")}</a></li>
            </ul>
            <form method="post" action=format!("/ho-so/{id}") class="mt-3">
                <Csrf token=c.csrf.clone()/>
                <button type="submit" name="action" value="supplement" class=BUTTON>{tr(lang, "Gửi bổ sung", "Send the supplement")}</button>
            </form>
        </section>
    });
    let result = (!results.is_empty()).then(|| view! {
        <section class="mb-6 rounded border-2 border-green-700 bg-green-50 p-4" aria-labelledby="result-h">
            <h2 id="result-h" class="text-xl font-bold">{tr(lang, "Kết quả giải quyết", "Result")}</h2>
            <ul class="mt-2 list-disc pl-5">
                {results.into_iter().map(|f| view! {
                    <li><a href=format!("/ho-so/{id}/tep/{}", f.id) class=LINK>{format!("{} {}", tr(lang, "Tải kết quả:", "Download the result:"), f.file_name)}</a></li>
                }).collect_view()}
            </ul>
            <p class="mt-2 text-sm">{tr(lang, "Kết quả cũng được lưu trong ", "The result is also kept in ")}<a href="/kho-du-lieu" class=LINK>{tr(lang, "kho dữ liệu của bạn", "your data store")}</a>.</p>
        </section>
    });
    let rating = (d.status == Status::Returned && !d.rated)
        .then(|| view! { <RatingForm id echo=c.echo.clone() csrf=c.csrf.clone() lang/> });
    let payment = (d.status == Status::PaymentRequested || !d.payments.is_empty())
        .then(|| view! { <Payment d=d.clone() csrf=c.csrf.clone() lang/> });
    view! { {payment} {supplement} {result} {rating} }
}

#[component]
fn RatingForm(id: i32, echo: FormEcho, csrf: String, lang: Lang) -> impl IntoView {
    use crate::domain::dossier::RATING_CRITERIA;
    let levels = [
        ("1", "Rất không hài lòng", "Very dissatisfied"),
        ("2", "Không hài lòng", "Dissatisfied"),
        ("3", "Bình thường", "Neutral"),
        ("4", "Hài lòng", "Satisfied"),
        ("5", "Rất hài lòng", "Very satisfied"),
    ];
    view! {
        <section class="mb-6 rounded border border-slate-400 p-4" aria-labelledby="rate-h">
            <h2 id="rate-h" class="text-xl font-bold">{tr(lang, "Đánh giá mức độ hài lòng", "Rate the service")}</h2>
            <form method="post" action=format!("/ho-so/{id}") class="mt-2">
                <Csrf token=csrf/>
                {RATING_CRITERIA.iter().map(|(key, vi, en)| {
                    let name = format!("r-{key}");
                    let current = echo.value(&name);
                    let err = echo.error(&name, lang);
                    view! {
                        <fieldset id=format!("f-{name}") class="mb-3">
                            <legend class="font-semibold">{if lang == Lang::Vi { *vi } else { *en }}</legend>
                            {err.map(|e| view! { <p class="text-sm font-semibold text-red-800">{e}</p> })}
                            <div class="flex flex-wrap gap-x-4">
                                {levels.iter().map(|(v, lvi, len)| view! {
                                    <label class="flex gap-1 items-center">
                                        <input type="radio" name=name.clone() value=*v checked=current == *v/>
                                        <span>{if lang == Lang::Vi { *lvi } else { *len }}</span>
                                    </label>
                                }).collect_view()}
                            </div>
                        </fieldset>
                    }
                }).collect_view()}
                <label for="f-comment" class="block font-semibold">{tr(lang, "Góp ý (không bắt buộc)", "Comments (optional)")}</label>
                <textarea id="f-comment" name="comment" rows="3" class=INPUT>{echo.value("comment")}</textarea>
                <button type="submit" name="action" value="rate" class=format!("mt-3 {BUTTON}")>{tr(lang, "Gửi đánh giá", "Send the rating")}</button>
            </form>
        </section>
    }
}

/// The message thread with the agency (P-3.2).
#[component]
pub fn Messages(d: DossierView, csrf: String, action: String, lang: Lang) -> impl IntoView {
    view! {
        <section class="mb-6" aria-labelledby="msg-h">
            <h2 id="msg-h" class="text-xl font-bold mb-2">{tr(lang, "Trao đổi với cơ quan", "Messages with the agency")}</h2>
            {d.messages.is_empty().then(|| view! { <p class="mb-2">{tr(lang, "Chưa có tin nhắn.", "No messages yet.")}</p> })}
            <ol class="mb-3 grid gap-2">
                {d.messages.iter().map(|m| view! {
                    <li class=if m.from_officer { "rounded border border-blue-700 bg-blue-50 p-2" } else { "rounded border border-slate-400 p-2" }>
                        <p class="text-sm font-semibold">{if m.from_officer { tr(lang, "Cán bộ", "Officer") } else { tr(lang, "Người nộp", "Applicant") }}{" · "}{time_vn(m.at)}</p>
                        <p class="whitespace-pre-line">{m.body.clone()}</p>
                        {(!m.attachments.is_empty()).then(|| view! {
                            <ul class="mt-1 list-disc pl-5">
                                {m.attachments.iter().map(|(fid, name)| view! {
                                    <li><a href=format!("{action}/tep/{fid}") class=LINK>{format!("{} {name}", tr(lang, "Tệp đính kèm:", "Attachment:"))}</a></li>
                                }).collect_view()}
                            </ul>
                        })}
                    </li>
                }).collect_view()}
            </ol>
            <form method="post" action=format!("{action}/tin-nhan") enctype="multipart/form-data">
                <Csrf token=csrf/>
                <label for="f-body" class="block font-semibold">{tr(lang, "Tin nhắn mới", "New message")}</label>
                <textarea id="f-body" name="body" rows="3" class=INPUT></textarea>
                <label for="f-attachment" class="mt-2 block font-semibold">{tr(lang, "Tệp đính kèm (không bắt buộc; PDF, JPEG, PNG)", "Attachment (optional; PDF, JPEG, PNG)")}</label>
                <input id="f-attachment" type="file" name="file" accept="application/pdf,image/jpeg,image/png" class="mt-1 block w-full"/>
                <button type="submit" class=format!("mt-2 {SECONDARY}")>{tr(lang, "Gửi tin nhắn", "Send")}</button>
            </form>
        </section>
    }
}

#[component]
fn Withdraw(d: DossierView, csrf: String, lang: Lang) -> impl IntoView {
    let id = d.id;
    d.status.can_withdraw().then(|| view! {
        <details class="mb-6">
            <summary class="cursor-pointer text-red-800 underline">{tr(lang, "Yêu cầu rút hồ sơ", "Ask to withdraw the dossier")}</summary>
            <form method="post" action=format!("/ho-so/{id}") class="mt-2">
                <Csrf token=csrf/>
                <label for="f-reason" class="block font-semibold">{tr(lang, "Lý do rút hồ sơ", "Reason")}</label>
                <textarea id="f-reason" name="reason" rows="2" class=INPUT></textarea>
                <button type="submit" name="action" value="withdraw" class=format!("mt-2 {SECONDARY}")>{tr(lang, "Gửi yêu cầu rút", "Send the request")}</button>
            </form>
        </details>
    })
}

#[component]
pub(crate) fn Timeline(
    events: Vec<crate::domain::dossier::EventView>,
    lang: Lang,
) -> impl IntoView {
    view! {
        <ol class="mb-6 border-l-2 border-slate-400 pl-4">
            {events.into_iter().map(|e| view! {
                <li class="mb-3">
                    <p class="text-sm text-slate-700">{time_vn(e.at)}</p>
                    <p class="font-semibold">{action_label(&e.action, lang)}
                        {e.to.map(|s| view! { <span class="font-normal">{" — "}{s.label(lang)}</span> })}</p>
                    {e.note.map(|n| view! { <p>{n}</p> })}
                </li>
            }).collect_view()}
        </ol>
    }
}

pub fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

// ---------------------------------------------------------------------------------------------
// The e-form (P-3.3)

#[component]
pub fn DossierFormPage() -> impl IntoView {
    let lang = use_lang();
    let ok = query("ok");
    view! {
        <WithDossier render=move |d: DossierView, c: FormContext| {
            let title = tr(lang, "Tờ khai", "Application form");
            let echo = c.echo.clone();
            // After a failed post the user's own input wins over what is stored.
            let values: Values = if echo.values.is_empty() {
                d.values.clone()
            } else {
                echo.values.iter().cloned().collect()
            };
            let editable = matches!(d.status, Status::Draft | Status::SupplementRequested);
            view! {
                <Title text=format!("{title} – {}", d.procedure_name)/>
                <p class="text-sm text-slate-700"><a href=format!("/ho-so/{}", d.id) class=LINK>{tr(lang, "← Về hồ sơ", "← Back to the dossier")}</a></p>
                <h1 class="text-2xl font-bold mb-1">{title}</h1>
                <p class="mb-4">{d.procedure_name.clone()}</p>
                {(ok.get_untracked() == "saved").then(|| view! { <Note text=tr(lang, "Đã lưu bản nháp.", "Draft saved.").to_string()/> })}
                <ErrorSummary echo=echo.clone() lang/>
                {if editable {
                    view! { <EForm d=d.clone() values echo csrf=c.csrf.clone() lang/> }.into_any()
                } else {
                    view! { <p>{tr(lang, "Hồ sơ đã nộp; tờ khai không sửa được nữa.", "The dossier has been submitted; the form can no longer be changed.")}</p> }.into_any()
                }}
            }
        }/>
    }
}

#[component]
fn EForm(
    d: DossierView,
    values: Values,
    echo: FormEcho,
    csrf: String,
    lang: Lang,
) -> impl IntoView {
    let schema = d.schema.clone();
    let schema_json = serde_json::to_string(&schema).unwrap_or_default();
    let ctx = FieldCtx {
        values,
        echo,
        lang,
        provinces: d.provinces.clone(),
        communes: d.communes.clone(),
    };
    view! {
        <p class="mb-4 text-sm text-slate-700">{tr(lang, "Các mục có dấu * là bắt buộc.", "Items marked * are required.")}</p>
        <form method="post" action=format!("/ho-so/{}/bieu-mau", d.id) novalidate data-eform="1"
            data-today=today_iso() data-wasm=wasm_path()>
            <Csrf token=csrf/>
            <input type="hidden" name="_revision" value=d.revision.to_string()/>
            {schema.sections.iter().map(|s| view! {
                <fieldset id=format!("s-{}", s.id) class="mb-6 rounded border border-slate-300 p-4">
                    <legend class="px-1 text-lg font-bold">{s.title.get(lang).to_string()}</legend>
                    {s.fields.iter().map(|f| render_field(&schema, f, &ctx)).collect_view()}
                </fieldset>
            }).collect_view()}
            <div class="flex flex-wrap gap-3">
                <button type="submit" name="action" value="continue" class=BUTTON>{tr(lang, "Lưu và tiếp tục", "Save and continue")}</button>
                <button type="submit" name="action" value="save" class=SECONDARY>{tr(lang, "Lưu nháp", "Save draft")}</button>
            </div>
        </form>
        // The schema for the in-browser checks (public/eform.js); `<` is escaped so that no
        // label can close the element.
        <script type="application/json" id="eform-schema" inner_html=schema_json.replace('<', "\\u003c")></script>
        <script type="module" src="/eform.js" nonce=leptos::nonce::use_nonce()></script>
    }
}

/// The form as applicants will see it, for the form designer's preview (B-e): the filing
/// page's own rendering, placed outside any form so nothing of it is posted.
#[component]
pub(crate) fn FormPreview(
    schema: FormSchema,
    provinces: Vec<(String, String)>,
    lang: Lang,
) -> impl IntoView {
    let ctx = FieldCtx {
        values: Values::default(),
        echo: FormEcho::default(),
        lang,
        provinces,
        communes: Vec::new(),
    };
    view! {
        {schema.sections.iter().map(|s| view! {
            <fieldset class="mb-6 rounded border border-slate-300 p-4">
                <legend class="px-1 text-lg font-bold">{s.title.get(lang).to_string()}</legend>
                {s.fields.iter().map(|f| render_field(&schema, f, &ctx)).collect_view()}
            </fieldset>
        }).collect_view()}
    }
}

fn today_iso() -> String {
    crate::domain::calendar::Day::from_unix_vn(crate::server::auth::now()).to_string()
}

/// The WASM file as cargo-leptos names it (see the hydration loader in `lib.rs`).
fn wasm_path() -> &'static str {
    if option_env!("LEPTOS_OUTPUT_NAME").is_some() {
        "/pkg/portal.wasm"
    } else {
        "/pkg/portal_bg.wasm"
    }
}

struct FieldCtx {
    values: Values,
    echo: FormEcho,
    lang: Lang,
    provinces: Vec<(String, String)>,
    communes: Vec<(String, Vec<(String, String)>)>,
}

impl FieldCtx {
    fn value(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    fn error(&self, k: &str) -> Option<String> {
        self.echo.error(k, self.lang)
    }
}

fn label_text(f: &Field, lang: Lang) -> String {
    let l = f.label.get(lang);
    if f.required {
        format!("{l} *")
    } else {
        l.to_string()
    }
}

/// Hint, condition and error lines under a label, with the ids `aria-describedby` needs.
fn described(
    key: &str,
    f: &Field,
    schema: &FormSchema,
    ctx: &FieldCtx,
) -> (impl IntoView, Option<String>, bool) {
    let lang = ctx.lang;
    let hint = f.hint.as_ref().map(|h| h.get(lang).to_string());
    let cond = f.visible_if.as_ref().map(|c| {
        let parent = schema
            .field(&c.field)
            .map(|p| {
                let chosen: Vec<String> = p
                    .options
                    .iter()
                    .filter(|o| c.any_of.contains(&o.value))
                    .map(|o| o.label.get(lang).to_string())
                    .collect();
                format!("{} = {}", p.label.get(lang), chosen.join(" / "))
            })
            .unwrap_or_default();
        format!("{}{parent}", tr(lang, "Chỉ điền khi: ", "Only when: "))
    });
    let err = ctx.error(key);
    let id = format!("f-{key}");
    let mut ids = Vec::new();
    if hint.is_some() || cond.is_some() {
        ids.push(format!("{id}-hint"));
    }
    if err.is_some() {
        ids.push(format!("{id}-err"));
    }
    let invalid = err.is_some();
    let v = view! {
        {(hint.is_some() || cond.is_some()).then(|| view! {
            <p id=format!("{id}-hint") class="text-sm text-slate-700">{cond.clone()}{cond.as_ref().and(hint.as_ref()).map(|_| " · ")}{hint.clone()}</p>
        })}
        {err.map(|e| view! { <p id=format!("{id}-err") class="text-sm font-semibold text-red-800">{e}</p> })}
    };
    ((v), (!ids.is_empty()).then(|| ids.join(" ")), invalid)
}

fn input_type(k: Kind) -> (&'static str, Option<&'static str>, Option<&'static str>) {
    // (type, inputmode, autocomplete)
    match k {
        Kind::Email => ("email", None, Some("email")),
        Kind::Phone => ("tel", None, Some("tel")),
        Kind::Date => ("date", None, None),
        Kind::Number | Kind::Money | Kind::CitizenId | Kind::TaxCode => {
            ("text", Some("numeric"), None)
        }
        _ => ("text", None, None),
    }
}

fn render_field(schema: &FormSchema, f: &Field, ctx: &FieldCtx) -> AnyView {
    let inner = render_field_inner(schema, f, ctx);
    // Conditional fields: shown to everyone without JavaScript (with an "only when" hint);
    // eform.js hides them while their condition is not met.
    match &f.visible_if {
        Some(c) => view! {
            <div data-if-field=c.field.clone() data-if-any=c.any_of.join("|")>{inner}</div>
        }
        .into_any(),
        None => inner,
    }
}

fn render_field_inner(schema: &FormSchema, f: &Field, ctx: &FieldCtx) -> AnyView {
    let lang = ctx.lang;
    match f.kind {
        Kind::Address => render_address(schema, f, ctx),
        Kind::Group => render_group(schema, f, ctx),
        Kind::Radio => {
            let (desc, by, _) = described(&f.id, f, schema, ctx);
            let current = ctx.value(&f.id);
            view! {
                <fieldset id=format!("f-{}", f.id) class="mb-4" aria-describedby=by>
                    <legend class="font-semibold">{label_text(f, lang)}</legend>
                    {desc}
                    {f.options.iter().map(|o| view! {
                        <label class="mt-1 flex gap-2 items-start">
                            <input type="radio" name=f.id.clone() value=o.value.clone() checked=current == o.value class="mt-1"/>
                            <span>{o.label.get(lang).to_string()}</span>
                        </label>
                    }).collect_view()}
                </fieldset>
            }
            .into_any()
        }
        Kind::Checkbox => {
            let (desc, by, invalid) = described(&f.id, f, schema, ctx);
            view! {
                <div class="mb-4">
                    {desc}
                    <label class="flex gap-2 items-start">
                        <input id=format!("f-{}", f.id) type="checkbox" name=f.id.clone() value="1" checked=ctx.value(&f.id) == "1" class="mt-1"
                            aria-describedby=by aria-invalid=invalid.then_some("true")/>
                        <span>{label_text(f, lang)}</span>
                    </label>
                </div>
            }
            .into_any()
        }
        _ => render_simple(schema, f, &f.id, ctx, label_text(f, lang)),
    }
}

fn render_simple(
    schema: &FormSchema,
    f: &Field,
    key: &str,
    ctx: &FieldCtx,
    label: String,
) -> AnyView {
    let lang = ctx.lang;
    let (desc, by, invalid) = described(key, f, schema, ctx);
    let id = format!("f-{key}");
    let value = ctx.value(key);
    let control = match f.kind {
        Kind::LongText => view! {
            <textarea id=id.clone() name=key.to_string() rows="4" class=INPUT aria-describedby=by aria-invalid=invalid.then_some("true")>{value}</textarea>
        }
        .into_any(),
        Kind::Select => view! {
            <select id=id.clone() name=key.to_string() class=INPUT aria-describedby=by aria-invalid=invalid.then_some("true")>
                <option value="">{tr(lang, "— Chọn —", "— Choose —")}</option>
                {f.options.iter().map(|o| view! { <option value=o.value.clone() selected=value == o.value>{o.label.get(lang).to_string()}</option> }).collect_view()}
            </select>
        }
        .into_any(),
        k => {
            let (ty, mode, auto) = input_type(k);
            view! {
                <input id=id.clone() name=key.to_string() type=ty value=value class=INPUT inputmode=mode autocomplete=auto
                    aria-describedby=by aria-invalid=invalid.then_some("true")/>
            }
            .into_any()
        }
    };
    view! {
        <div class="mb-4">
            <label for=id class="block font-semibold">{label}</label>
            {desc}
            {control}
        </div>
    }
    .into_any()
}

fn render_address(schema: &FormSchema, f: &Field, ctx: &FieldCtx) -> AnyView {
    let lang = ctx.lang;
    let (pk, ck, sk) = (
        format!("{}.province", f.id),
        format!("{}.commune", f.id),
        format!("{}.street", f.id),
    );
    let province = ctx.value(&pk);
    let commune = ctx.value(&ck);
    let communes = ctx
        .communes
        .iter()
        .find(|(p, _)| *p == province)
        .map(|(_, c)| c.clone())
        .unwrap_or_default();
    let (desc, _, _) = described(&f.id, f, schema, ctx);
    let err = |k: &str| {
        ctx.error(k).map(|e| view! { <p id=format!("f-{k}-err") class="text-sm font-semibold text-red-800">{e}</p> })
    };
    let by = |k: &str| ctx.error(k).map(|_| format!("f-{k}-err"));
    view! {
        <fieldset class="mb-4 rounded border border-slate-200 p-3">
            <legend class="font-semibold">{label_text(f, lang)}</legend>
            {desc}
            <label for=format!("f-{pk}") class="mt-2 block">{tr(lang, "Tỉnh, thành phố", "Province or city")}</label>
            {err(&pk)}
            <select id=format!("f-{pk}") name=pk.clone() class=INPUT aria-describedby=by(&pk) autocomplete="address-level1">
                <option value="">{tr(lang, "— Chọn —", "— Choose —")}</option>
                {ctx.provinces.iter().map(|(c, n)| view! { <option value=c.clone() selected=*c == province>{n.clone()}</option> }).collect_view()}
            </select>
            <button type="submit" name="action" value="refresh" class="mt-2 text-blue-800 underline">{tr(lang, "Cập nhật danh sách xã, phường", "Update the list of communes")}</button>
            <label for=format!("f-{ck}") class="mt-2 block">{tr(lang, "Xã, phường, đặc khu", "Commune or ward")}</label>
            {err(&ck)}
            <select id=format!("f-{ck}") name=ck.clone() class=INPUT aria-describedby=by(&ck) autocomplete="address-level2">
                <option value="">{if communes.is_empty() { tr(lang, "— Chọn tỉnh trước —", "— Choose the province first —") } else { tr(lang, "— Chọn —", "— Choose —") }}</option>
                {communes.iter().map(|(c, n)| view! { <option value=c.clone() selected=*c == commune>{n.clone()}</option> }).collect_view()}
            </select>
            <label for=format!("f-{sk}") class="mt-2 block">{tr(lang, "Số nhà, đường, thôn, tổ dân phố", "House number, street, hamlet")}</label>
            {err(&sk)}
            <input id=format!("f-{sk}") name=sk.clone() type="text" value=ctx.value(&sk) class=INPUT aria-describedby=by(&sk) autocomplete="street-address"/>
        </fieldset>
    }
    .into_any()
}

fn render_group(schema: &FormSchema, f: &Field, ctx: &FieldCtx) -> AnyView {
    let lang = ctx.lang;
    let rows = FormSchema::row_count(f, &ctx.values);
    let (desc, _, _) = described(&f.id, f, schema, ctx);
    view! {
        <fieldset class="mb-4 rounded border border-slate-200 p-3">
            <legend class="font-semibold">{label_text(f, lang)}</legend>
            {desc}
            <input type="hidden" name=format!("{}.rows", f.id) value=rows.to_string()/>
            {(0..rows).map(|i| view! {
                <fieldset class="mt-2 border-t border-slate-200 pt-2">
                    <legend class="text-sm font-semibold">{format!("{} {}", tr(lang, "Dòng", "Row"), i + 1)}</legend>
                    {f.columns.iter().map(|c| {
                        let key = format!("{}.{i}.{}", f.id, c.id);
                        let label = format!("{} ({} {})", label_text(c, lang), tr(lang, "dòng", "row"), i + 1);
                        render_simple(schema, c, &key, ctx, label)
                    }).collect_view()}
                </fieldset>
            }).collect_view()}
            <button type="submit" name="action" value=format!("add:{}", f.id) class="mt-2 text-blue-800 underline">{tr(lang, "+ Thêm dòng", "+ Add a row")}</button>
        </fieldset>
    }
    .into_any()
}

// ---------------------------------------------------------------------------------------------
// Documents (P-3.4, P-10.2)

#[component]
pub fn DossierDocsPage() -> impl IntoView {
    let lang = use_lang();
    let ok = query("ok");
    let store = || my_store(String::new());
    view! {
        <WithDossier render=move |d: DossierView, c: FormContext| {
            let title = tr(lang, "Giấy tờ đính kèm", "Documents");
            let id = d.id;
            let editable = matches!(d.status, Status::Draft | Status::SupplementRequested);
            let sign_ca = d.remote_sign.clone();
            let policy = d.schema.files.clone();
            let types: Vec<&str> = policy.types.iter().map(|t| t.mime()).collect();
            let accept = types.join(",");
            let notice = match ok.get_untracked().as_str() {
                "uploaded" => Some(tr(lang, "Đã tải tệp lên.", "File uploaded.")),
                "removed" => Some(tr(lang, "Đã xoá tệp.", "File removed.")),
                "sign_sent" => Some(tr(lang,
                    "Đã gửi yêu cầu ký số. Hãy mở ứng dụng ký số trên điện thoại để xác nhận, rồi bấm “Kiểm tra kết quả ký”.",
                    "The signing request was sent. Open the signing app on your phone to confirm, then press “Check the signature”.")),
                "sign_waiting" => Some(tr(lang,
                    "Chưa có xác nhận trên ứng dụng ký số. Hãy xác nhận trên điện thoại rồi bấm “Kiểm tra kết quả ký” lần nữa.",
                    "Not confirmed in the signing app yet. Confirm on your phone, then press “Check the signature” again.")),
                "signed" => Some(tr(lang, "Đã ký số tệp. Hồ sơ giờ giữ bản đã ký.", "The file is signed. The dossier now holds the signed copy.")),
                _ => None,
            };
            view! {
                <Title text=format!("{title} – {}", d.procedure_name)/>
                <p class="text-sm text-slate-700"><a href=format!("/ho-so/{id}") class=LINK>{tr(lang, "← Về hồ sơ", "← Back to the dossier")}</a></p>
                <h1 class="text-2xl font-bold mb-1">{title}</h1>
                <p class="mb-4">{d.procedure_name.clone()}</p>
                {notice.map(|n| view! { <Note text=n.to_string()/> })}
                <ErrorSummary echo=c.echo.clone() lang/>
                <p class="mb-4 text-sm text-slate-700">{format!("{} {} MB {} {} MB.",
                    tr(lang, "Nhận tệp PDF, JPEG, PNG; mỗi tệp tối đa", "PDF, JPEG and PNG files; at most"), policy.max_file_mb,
                    tr(lang, "mỗi tệp, tổng hồ sơ tối đa", "each, a dossier at most"), policy.max_total_mb)}</p>
                {d.schema.documents.is_empty().then(|| view! { <p>{tr(lang, "Thủ tục này không yêu cầu tệp đính kèm.", "This procedure needs no attachments.")}</p> })}
                // P-4: applicants may sign their PDFs with a remote-signing certificate.
                {d.remote_sign.clone().filter(|_| editable).map(|ca| view! {
                    <p id="f-sign" class="mb-4 text-sm text-slate-700">{format!("{} {ca}{}",
                        tr(lang, "Bạn có thể ký số tệp PDF bằng chứng thư số ký từ xa của mình tại", "You can sign your PDF files with your remote-signing certificate at"),
                        tr(lang, ": bấm “Ký số” rồi xác nhận trên ứng dụng trong điện thoại.", ": press “Sign”, then confirm in the app on your phone."))}</p>
                })}
                {(d.submitted_at.is_some() && editable).then(|| view! { <p class="mb-4 text-sm text-slate-700">{tr(lang,
                    "Hồ sơ đã nộp: tệp bạn xoá hoặc thay vẫn được lưu là phiên bản trước trong hồ sơ.",
                    "This dossier was submitted: files you remove or replace are kept as earlier versions in its record.")}</p> })}
                {d.schema.documents.iter().map(|s| {
                    let files: Vec<_> = d.files.iter().filter(|f| f.slot == s.id && f.kind == "input").cloned().collect();
                    let slot_err = c.echo.error(&format!("doc-{}", s.id), lang);
                    let input_id = format!("f-doc-{}", s.id);
                    let store_items = store;
                    let slot_id = s.id.clone();
                    let csrf = c.csrf.clone();
                    view! {
                        <section class="mb-6 rounded border border-slate-300 p-4" aria-labelledby=format!("h-{}", s.id)>
                            <h2 id=format!("h-{}", s.id) class="font-bold">{s.name.get(lang).to_string()}{s.required.then_some(" *")}</h2>
                            {files.is_empty().then(|| view! { <p class="text-sm text-slate-700">{tr(lang, "Chưa có tệp.", "No file yet.")}</p> })}
                            <ul class="mt-2 grid gap-2">
                                {files.into_iter().map(|f| view! {
                                    <li class="flex flex-wrap items-center gap-3">
                                        // Images preview in place; PDFs open in the browser's viewer.
                                        {f.content_type.starts_with("image/").then(|| view! {
                                            <img src=format!("/ho-so/{id}/tep/{}", f.id) alt="" class="h-16 w-16 rounded border border-slate-300 object-cover" loading="lazy"/>
                                        })}
                                        <a href=format!("/ho-so/{id}/tep/{}", f.id) class=LINK target="_blank" rel="noopener">{f.file_name.clone()}</a>
                                        <span class="text-sm text-slate-700">{size_text(f.size)}</span>
                                        {f.signed_by.clone().map(|by| view! {
                                            <span class="text-sm font-semibold text-green-800">{format!("{} {by}", tr(lang, "Đã ký số:", "Signed by"))}</span>
                                        })}
                                        {(editable && sign_ca.is_some() && f.content_type == "application/pdf").then(|| {
                                            let (action, label) = if f.signing {
                                                ("sign_check", tr(lang, "Kiểm tra kết quả ký", "Check the signature"))
                                            } else {
                                                ("sign", tr(lang, "Ký số", "Sign"))
                                            };
                                            view! {
                                                {f.signing.then(|| view! { <span class="text-sm text-slate-700">{tr(lang, "Đang chờ bạn xác nhận trên ứng dụng ký số.", "Waiting for you to confirm in the signing app.")}</span> })}
                                                <form method="post" action=format!("/ho-so/{id}/giay-to") class="inline">
                                                    <Csrf token=c.csrf.clone()/>
                                                    <input type="hidden" name="file_id" value=f.id.to_string()/>
                                                    <button type="submit" name="action" value=action class="text-blue-800 underline"
                                                        aria-label=format!("{label}: {}", f.file_name)>{label}</button>
                                                </form>
                                            }
                                        })}
                                        {editable.then(|| view! {
                                            <form method="post" action=format!("/ho-so/{id}/giay-to") class="inline">
                                                <Csrf token=c.csrf.clone()/>
                                                <input type="hidden" name="file_id" value=f.id.to_string()/>
                                                <button type="submit" name="action" value="remove" class="text-red-800 underline"
                                                    aria-label=format!("{} {}", tr(lang, "Xoá tệp", "Remove file"), f.file_name)>{tr(lang, "Xoá", "Remove")}</button>
                                            </form>
                                        })}
                                    </li>
                                }).collect_view()}
                            </ul>
                            {editable.then(|| view! {
                                <form method="post" action=format!("/ho-so/{id}/giay-to") enctype="multipart/form-data" class="mt-3" data-upload="1">
                                    <Csrf token=csrf.clone()/>
                                    <input type="hidden" name="slot" value=slot_id.clone()/>
                                    <label for=input_id.clone() class="block font-semibold">{tr(lang, "Chọn tệp để tải lên", "Choose a file to upload")}</label>
                                    {slot_err.clone().map(|e| view! { <p id=format!("{input_id}-err") class="text-sm font-semibold text-red-800">{e}</p> })}
                                    <input id=input_id.clone() type="file" name="file" accept=accept.clone() class="mt-1 block w-full"
                                        aria-describedby=slot_err.as_ref().map(|_| format!("{input_id}-err"))/>
                                    <label class="mt-2 flex gap-2 items-start">
                                        <input type="checkbox" name="keep" value="1" checked=true class="mt-1"/>
                                        <span>{tr(lang, "Lưu vào kho dữ liệu của tôi để dùng lại", "Keep in my data store for reuse")}</span>
                                    </label>
                                    <button type="submit" class=format!("mt-2 {SECONDARY}")>{tr(lang, "Tải lên", "Upload")}</button>
                                </form>
                                <Suspense fallback=|| ()>
                                    {
                                        let slot_id = slot_id.clone();
                                        let csrf = csrf.clone();
                                        move || {
                                            let slot_id = slot_id.clone();
                                            let csrf = csrf.clone();
                                            Suspend::new(async move {
                                                let items = store_items().await.unwrap_or_default();
                                                (!items.is_empty()).then(|| view! {
                                                    <form method="post" action=format!("/ho-so/{id}/giay-to") class="mt-3">
                                                        <Csrf token=csrf/>
                                                        <input type="hidden" name="slot" value=slot_id.clone()/>
                                                        <label for=format!("store-{slot_id}") class="block font-semibold">{tr(lang, "Hoặc dùng giấy tờ trong kho dữ liệu", "Or use a document from your data store")}</label>
                                                        <select id=format!("store-{slot_id}") name="item_id" class=INPUT>
                                                            {items.into_iter().map(|i| view! { <option value=i.id.to_string()>{format!("{} ({})", i.title, size_text(i.size))}</option> }).collect_view()}
                                                        </select>
                                                        <button type="submit" name="action" value="from_store" class=format!("mt-2 {SECONDARY}")>{tr(lang, "Dùng giấy tờ này", "Use this document")}</button>
                                                    </form>
                                                })
                                            })
                                        }
                                    }
                                </Suspense>
                            })}
                        </section>
                    }
                }).collect_view()}
                <p><a href=format!("/ho-so/{id}") class=BUTTON>{tr(lang, "Tiếp tục", "Continue")}</a></p>
                {editable.then(|| view! { <script type="module" src="/upload.js" nonce=leptos::nonce::use_nonce()></script> })}
            }
        }/>
    }
}

// ---------------------------------------------------------------------------------------------
// Public lookup (P-5.2) and the data store (P-10.2)

#[component]
pub fn LookupPage() -> impl IntoView {
    let lang = use_lang();
    let code = query("ma");
    let title = tr(lang, "Tra cứu hồ sơ", "Look up a dossier");
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <WithForm render=move |c: FormContext| {
            let e = c.echo.clone();
            let found: Option<PublicStatus> = e.extra.first().and_then(|j| serde_json::from_str(j).ok());
            let code_value = if e.values.is_empty() { code.get_untracked() } else { e.value("ma") };
            view! {
                <ErrorSummary echo=e.clone() lang/>
                {found.map(|s| view! { <LookupResult s lang/> })}
                <form method="post" action="/tra-cuu-ho-so" novalidate class="max-w-md">
                    <Csrf token=c.csrf.clone()/>
                    <div class="mb-4">
                        <label for="f-ma" class="block font-semibold">{tr(lang, "Mã hồ sơ", "Dossier code")}</label>
                        <p id="f-ma-hint" class="text-sm text-slate-700">{tr(lang, "In trên giấy tiếp nhận, ví dụ H48.01-261201-0001", "Printed on the receipt, e.g. H48.01-261201-0001")}</p>
                        {e.error("ma", lang).map(|m| view! { <p id="f-ma-err" class="text-sm font-semibold text-red-800">{m}</p> })}
                        <input id="f-ma" name="ma" type="text" value=code_value class=INPUT autocomplete="off"
                            aria-describedby=if e.error("ma", lang).is_some() { "f-ma-hint f-ma-err" } else { "f-ma-hint" }/>
                    </div>
                    <div class="mb-4">
                        <label for="f-so" class="block font-semibold">{tr(lang, "Số điện thoại hoặc số định danh cá nhân của người nộp", "The applicant's phone number or personal ID number")}</label>
                        <p id="f-so-hint" class="text-sm text-slate-700">{tr(lang, "Để bảo vệ thông tin cá nhân, chỉ người biết cả hai mới xem được tình trạng hồ sơ.", "To protect personal data, only someone who knows both can see the status.")}</p>
                        <input id="f-so" name="so" type="text" inputmode="numeric" class=INPUT autocomplete="off" aria-describedby="f-so-hint"/>
                    </div>
                    <button type="submit" class=BUTTON>{tr(lang, "Tra cứu", "Look up")}</button>
                </form>
            }
        }/>
    }
}

#[component]
fn LookupResult(s: PublicStatus, lang: Lang) -> impl IntoView {
    view! {
        <section class="mb-6 rounded border-2 border-green-700 p-4" aria-labelledby="lookup-h" role="status">
            <h2 id="lookup-h" class="text-xl font-bold">{s.code.clone()}</h2>
            <p class="mb-2">{status_badge(s.status, lang)}</p>
            <dl class="mb-4 grid gap-x-4 gap-y-1 sm:grid-cols-[max-content_1fr]">
                <dt class="font-semibold">{tr(lang, "Thủ tục", "Procedure")}</dt><dd>{s.procedure_name.clone()}</dd>
                <dt class="font-semibold">{tr(lang, "Cơ quan tiếp nhận", "Receiving agency")}</dt><dd>{s.agency_name.clone()}</dd>
                <dt class="font-semibold">{tr(lang, "Ngày nộp", "Submitted")}</dt><dd>{s.submitted_at.map(time_vn)}</dd>
                <dt class="font-semibold">{tr(lang, "Ngày hẹn trả kết quả", "Result due")}</dt><dd>{day_vn(&s.due_date)}</dd>
            </dl>
            <Timeline events=s.events.clone() lang/>
        </section>
    }
}

/// P-4: anyone can check the signatures of a PDF (a result they received, or one shown to
/// them): integrity, signer, and whether the signer chains to a trusted root.
#[component]
pub fn VerifyDocumentPage() -> impl IntoView {
    let lang = use_lang();
    let title = tr(
        lang,
        "Xác thực văn bản điện tử",
        "Verify an electronic document",
    );
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <p class="mb-4 max-w-prose">{tr(lang,
            "Kiểm tra chữ ký số trong tệp PDF (kết quả giải quyết thủ tục hành chính, văn bản có ký số): tệp có bị sửa sau khi ký không, ai ký, và chứng thư số có do tổ chức cung cấp dịch vụ tin cậy cấp không. Tệp chỉ được đọc để kiểm tra, không được lưu lại.",
            "Check the digital signatures in a PDF (a procedure's result or any signed document): whether it was changed after signing, who signed, and whether the certificate comes from a trusted provider. The file is only read for the check and is not kept.")}</p>
        <WithForm render=move |c: FormContext| {
            let e = c.echo.clone();
            let reports: Option<Vec<SignatureReport>> = e.extra.first().and_then(|j| serde_json::from_str(j).ok());
            let err = e.error("file", lang);
            view! {
                <ErrorSummary echo=FormEcho { extra: vec![], ..e.clone() } lang/>
                {reports.map(|r| view! { <VerifyResult reports=r lang/> })}
                <form method="post" action="/xac-thuc-van-ban" enctype="multipart/form-data" class="max-w-md">
                    <Csrf token=c.csrf.clone()/>
                    <label for="f-file" class="block font-semibold">{tr(lang, "Tệp PDF cần kiểm tra (tối đa 20 MB)", "PDF file to check (at most 20 MB)")}</label>
                    {err.clone().map(|m| view! { <p id="f-file-err" class="text-sm font-semibold text-red-800">{m}</p> })}
                    <input id="f-file" type="file" name="file" accept="application/pdf" class="mt-1 block w-full"
                        aria-describedby=err.map(|_| "f-file-err")/>
                    <button type="submit" class=format!("mt-3 {BUTTON}")>{tr(lang, "Kiểm tra", "Check")}</button>
                </form>
            }
        }/>
    }
}

#[component]
fn VerifyResult(reports: Vec<SignatureReport>, lang: Lang) -> impl IntoView {
    let all_valid = !reports.is_empty()
        && reports.iter().all(|r| r.valid())
        && reports.iter().any(|r| r.covers_whole_file);
    let (border, headline) = if reports.is_empty() {
        (
            "border-slate-600",
            tr(
                lang,
                "Tệp này không có chữ ký số.",
                "This file has no digital signature.",
            ),
        )
    } else if all_valid {
        (
            "border-green-700",
            tr(
                lang,
                "Chữ ký số hợp lệ: văn bản không bị thay đổi sau khi ký.",
                "Valid signature: the document has not been changed since it was signed.",
            ),
        )
    } else {
        ("border-red-800", tr(lang, "Chữ ký số KHÔNG hợp lệ hoặc không được tin cậy: không dùng văn bản này làm căn cứ.", "The signature is NOT valid or not trusted: do not rely on this document."))
    };
    let yes_no = move |ok: bool,
                       yes: &'static str,
                       no: &'static str,
                       yes_en: &'static str,
                       no_en: &'static str| {
        if ok {
            tr(lang, yes, yes_en)
        } else {
            tr(lang, no, no_en)
        }
    };
    view! {
        <section id="verify-result" class=format!("mb-6 rounded border-2 {border} p-4") aria-labelledby="verify-h" role="status">
            <h2 id="verify-h" class="text-xl font-bold">{headline}</h2>
            {reports.into_iter().enumerate().map(|(i, r)| view! {
                <h3 class="mt-4 font-bold">{format!("{} {}", tr(lang, "Chữ ký", "Signature"), i + 1)}</h3>
                <dl class="grid gap-x-4 gap-y-1 sm:grid-cols-[max-content_1fr]">
                    <dt class="font-semibold">{tr(lang, "Người ký", "Signed by")}</dt>
                    <dd>{r.signer.clone()}{r.organisation.clone().map(|o| format!(" ({o})"))}</dd>
                    <dt class="font-semibold">{tr(lang, "Tổ chức cấp chứng thư", "Certificate issued by")}</dt><dd>{r.issuer.clone()}</dd>
                    <dt class="font-semibold">{tr(lang, "Thời điểm ký (theo người ký)", "Signing time (as claimed)")}</dt><dd>{r.signed_at.clone()}</dd>
                    <dt class="font-semibold">{tr(lang, "Lý do", "Reason")}</dt><dd>{r.reason.clone()}</dd>
                    <dt class="font-semibold">{tr(lang, "Toàn vẹn", "Integrity")}</dt>
                    <dd>{yes_no(r.intact, "Nội dung đã ký không bị thay đổi", "Nội dung đã bị thay đổi hoặc chữ ký sai", "The signed content is unchanged", "The content was changed or the signature is wrong")}</dd>
                    <dt class="font-semibold">{tr(lang, "Chứng thư số", "Certificate")}</dt>
                    <dd>{yes_no(r.trusted, "Được tin cậy (chuỗi chứng thư đến tổ chức gốc tin cậy)", "Không được tin cậy hoặc không còn hiệu lực khi ký", "Trusted (chains to a trusted root)", "Not trusted, or not valid when signed")}</dd>
                    <dt class="font-semibold">{tr(lang, "Phạm vi", "Coverage")}</dt>
                    <dd>{yes_no(r.covers_whole_file, "Chữ ký bao trùm toàn bộ tệp", "Tệp đã được bổ sung nội dung sau chữ ký này", "The signature covers the whole file", "Content was added to the file after this signature")}</dd>
                </dl>
            }).collect_view()}
        </section>
    }
}

#[component]
pub fn DataStorePage() -> impl IntoView {
    let lang = use_lang();
    let q = query("q");
    let items = move || my_store(q.get_untracked());
    let ok = query("ok");
    let title = tr(lang, "Kho dữ liệu của tôi", "My data store");
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <p class="mb-4">{tr(lang, "Giấy tờ bạn đã tải lên và kết quả đã nhận. Dùng lại khi nộp hồ sơ mới, không cần tải lên lần nữa (Nghị định 45/2020/NĐ-CP).",
            "Documents you uploaded and results you received. Reuse them in new dossiers without uploading again (Decree 45/2020).")}</p>
        <form method="get" action="/kho-du-lieu" role="search" class="mb-4 flex flex-wrap gap-2 items-end">
            <div>
                <label for="store-q" class="block font-semibold">{tr(lang, "Tìm theo tên", "Search by name")}</label>
                <input id="store-q" name="q" type="search" value=move || q.get() class=INPUT/>
            </div>
            <button type="submit" class=SECONDARY>{tr(lang, "Tìm", "Search")}</button>
        </form>
        {(ok.get_untracked() == "deleted").then(|| view! { <Note text=tr(lang, "Đã xoá khỏi kho.", "Deleted from the store.").to_string()/> })}
        <WithForm render=move |c: FormContext| {
            let csrf = c.csrf.clone();
            view! {
        <ErrorSummary echo=c.echo.clone() lang/>
        <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
            {
            let csrf = csrf.clone();
            move || { let csrf = csrf.clone(); Suspend::new(async move {
                match items().await {
                    Ok(list) if list.is_empty() => view! { <p>{tr(lang, "Kho chưa có giấy tờ nào.", "Your store is empty.")}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="grid gap-2">
                            {list.into_iter().map(|i| view! {
                                <li class="rounded border border-slate-300 p-3">
                                    <a href=format!("/kho-du-lieu/{}", i.id) class=LINK target="_blank" rel="noopener">{i.title.clone()}</a>
                                    <p class="text-sm text-slate-700">{format!("{} · {} · {}", size_text(i.size),
                                        if i.source == "result" { tr(lang, "Kết quả", "Result") } else { tr(lang, "Tải lên", "Uploaded") },
                                        time_vn(i.created_at))}</p>
                                    <form method="post" action=format!("/kho-du-lieu/{}", i.id) class="mt-1">
                                        <Csrf token=csrf.clone()/>
                                        <button type="submit" class="text-red-800 underline"
                                            aria-label=format!("{} {}", tr(lang, "Xoá khỏi kho", "Delete from the store"), i.title)>{tr(lang, "Xoá khỏi kho", "Delete from the store")}</button>
                                    </form>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
            }
        </Suspense>
            }
        }/>
    }
}

// ---------------------------------------------------------------------------------------------
// Notifications (P-3.2)

#[component]
pub fn NotificationsPage() -> impl IntoView {
    use crate::api::dossier::my_notifications;
    let lang = use_lang();
    let title = tr(lang, "Thông báo", "Notifications");
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
            {move || Suspend::new(async move {
                match my_notifications().await {
                    Ok(list) if list.is_empty() => view! { <p>{tr(lang, "Chưa có thông báo.", "No notifications.")}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="grid gap-2">
                            {list.into_iter().map(|n| view! {
                                <li class=if n.unread { "rounded border-2 border-blue-700 p-3" } else { "rounded border border-slate-300 p-3" }>
                                    <p class="text-sm text-slate-700">{time_vn(n.at)}{n.unread.then(|| tr(lang, " · Mới", " · New"))}</p>
                                    <a href=n.link.clone() class=LINK>{if lang == Lang::Vi { n.text_vi.clone() } else { n.text_en.clone() }}</a>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
