//! Integrations (B-m, EMC-2) for system administrators: which adapters this instance delivers
//! through, the outbox queue (messages waiting after a failure, dead messages with a retry
//! button) and the log of every message exchanged, searchable by dossier code. Plain HTML
//! forms: works without JavaScript.
use leptos::prelude::*;
use leptos_meta::Title;

use super::account::{query, tr, Csrf, ErrorSummary, WithForm, BUTTON, INPUT, LINK};
use super::dossier::{time_vn, Note};
use super::ErrorNotice;
use crate::api::account::FormContext;
use crate::api::editor::get_integrations;
use crate::components::table::DataTable;
use crate::domain::integration::{ApiClientRow, EmcView, MessageRow, OutboxView, API_SCOPES};
use crate::i18n::Lang;
use crate::use_lang;

const TD: &str = "border border-slate-400 p-1 align-top";

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let lang = use_lang();
    let title = tr(
        lang,
        "Tích hợp và nhật ký trao đổi dữ liệu",
        "Integrations and exchange log",
    );
    let q = query("q").get_untracked();
    let retried = query("thu-lai").get_untracked();
    let resent = query("emc-gui-lai").get_untracked();
    let disabled = query("api-tat").get_untracked();
    view! {
        <Title text=title/>
        <p class="mb-2"><a href="/can-bo" class=LINK>{tr(lang, "← Trang cán bộ", "← Officer workspace")}</a></p>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        {(!resent.is_empty()).then(|| view! { <Note text=match lang {
            Lang::Vi => format!("Đã đưa {resent} hồ sơ vào hàng đợi gửi lại cho EMC."),
            Lang::En => format!("{resent} dossiers queued to be sent to EMC again."),
        }/> })}
        {(!disabled.is_empty()).then(|| view! { <Note text=match lang {
            Lang::Vi => format!("Đã khoá đối tác số {disabled}: mã truy cập và đăng ký webhook của đối tác đã bị huỷ."),
            Lang::En => format!("Partner {disabled} disabled: its tokens and webhook subscriptions are revoked."),
        }/> })}
        {(!retried.is_empty()).then(|| view! { <Note text=match lang {
            Lang::Vi => format!("Đã đưa thông điệp số {retried} trở lại hàng đợi."),
            Lang::En => format!("Message {retried} is back in the queue."),
        }/> })}
        <WithForm render=move |c: FormContext| {
            let q = q.clone();
            view! {
                <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
                    {move || {
                        let (c, q) = (c.clone(), q.clone());
                        Suspend::new(async move {
                            match get_integrations(q).await {
                                Ok(v) => view! { <Integrations v c lang/> }.into_any(),
                                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                            }
                        })
                    }}
                </Suspense>
            }
        }/>
    }
}

fn status_text(s: &str, lang: Lang) -> &'static str {
    match s {
        "pending" => tr(lang, "Đang chờ gửi", "Waiting"),
        "delivered" => tr(lang, "Đã gửi", "Delivered"),
        _ => tr(lang, "Gửi không thành công", "Failed for good"),
    }
}

#[component]
fn Queue(
    rows: Vec<MessageRow>,
    heading: &'static str,
    id: &'static str,
    csrf: Option<String>,
    lang: Lang,
) -> impl IntoView {
    view! {
        <div class="mb-8">
            <h2 id=id class="text-xl font-bold mb-2">{heading}</h2>
            {if rows.is_empty() {
                view! { <p>{tr(lang, "Không có.", "None.")}</p> }.into_any()
            } else {
                view! {
                    <DataTable labelled_by=id columns=vec![tr(lang, "Số", "No."), tr(lang, "Nội dung", "Message"), tr(lang, "Trạng thái", "Status"), tr(lang, "Số lần gửi", "Attempts"), tr(lang, "Lỗi gần nhất", "Last error"), tr(lang, "Thao tác", "Action")]>
                                {rows.into_iter().map(|m| {
                                    let csrf = csrf.clone();
                                    let label = match lang {
                                        Lang::Vi => format!("Gửi lại thông điệp {}", m.id),
                                        Lang::En => format!("Retry message {}", m.id),
                                    };
                                    view! { <tr>
                                        <td class=TD>{m.id}</td>
                                        <td class=TD><code>{m.key.clone()}</code><br/>{time_vn(m.created_at)}</td>
                                        <td class=TD>{status_text(&m.status, lang)}
                                            {(m.status == "pending").then(|| view! { <br/>{tr(lang, "Lần tới: ", "Next: ")}{time_vn(m.next_at)} })}</td>
                                        <td class=TD>{m.attempts}</td>
                                        <td class=TD>{m.last_error.clone()}</td>
                                        <td class=TD>{csrf.map(|token| view! {
                                            <form method="post" action="/quan-tri/tich-hop">
                                                <Csrf token=token/>
                                                <input type="hidden" name="thu_lai" value=m.id.to_string()/>
                                                <button type="submit" class=BUTTON aria-label=label>{tr(lang, "Gửi lại", "Retry")}</button>
                                            </form>
                                        })}</td>
                                    </tr> }
                                }).collect_view()}
                    </DataTable>
                }.into_any()
            }}
        </div>
    }
}

/// EMC-4: the connection information form (Phụ lục VIII, Decision 766's monitoring system),
/// the exports of EMC-3 and the reconciliation of EMC-5 with its re-send button.
#[component]
fn EmcSection(e: EmcView, csrf: String, lang: Lang) -> impl IntoView {
    let r = e.reconciliation;
    let missing = r.missing.len();
    view! {
        <section class="mb-6" aria-labelledby="h-emc">
            <h2 id="h-emc" class="text-xl font-bold mb-2">{tr(lang, "Hệ thống giám sát, đánh giá (EMC)", "Monitoring and evaluation system (EMC)")}</h2>
            <h3 class="font-bold">{tr(lang, "Thông tin kết nối (Phụ lục VIII)", "Connection information (Appendix VIII)")}</h3>
            <dl class="mb-3 grid gap-x-4 gap-y-1 sm:grid-cols-[max-content_1fr]">
                <dt class="font-semibold">{tr(lang, "Tên hệ thống", "System name")}</dt><dd>{e.system_name}</dd>
                <dt class="font-semibold">{tr(lang, "Địa chỉ truy cập", "Address")}</dt><dd>{e.url}</dd>
                <dt class="font-semibold">{tr(lang, "Mã định danh trang (site id)", "Site id")}</dt><dd id="emc-site">{e.site_id}</dd>
                <dt class="font-semibold">{tr(lang, "Mã nhúng theo dõi", "Tracking code")}</dt>
                <dd>{tr(lang, "Đã gắn trên mọi trang của Cổng, gửi về ", "On every page of the portal, reporting to ")}{e.tracker_url}</dd>
                <dt class="font-semibold">{tr(lang, "Đồng bộ hồ sơ", "Dossier push")}</dt>
                <dd>{e.push_url.unwrap_or_else(|| tr(lang, "Chưa cấu hình", "Not configured").to_string())}</dd>
                <dt class="font-semibold">{tr(lang, "Đầu mối kỹ thuật", "Technical contact")}</dt><dd>{e.contact}</dd>
            </dl>
            <p class="mb-3">{tr(lang, "Dữ liệu cung cấp cho EMC: ", "Data for EMC: ")}
                <a href="/quan-tri/emc/tai-khoan.csv" class=LINK>{tr(lang, "danh sách tài khoản (CSV)", "user accounts (CSV)")}</a>{", "}
                <a href="/quan-tri/emc/thu-tuc.csv" class=LINK>{tr(lang, "danh mục thủ tục, dịch vụ (CSV)", "procedures and services (CSV)")}</a></p>
            <h3 class="font-bold">{tr(lang, "Đối soát dữ liệu", "Reconciliation")}</h3>
            <p id="emc-reconciliation">{match lang {
                Lang::Vi => format!("{} ngày qua: {} hồ sơ; {} đã gửi đủ, {} đang chờ gửi, {} chưa gửi hoặc gửi lỗi.", r.days, r.dossiers, r.up_to_date, r.in_flight, missing),
                Lang::En => format!("Last {} days: {} dossiers; {} up to date, {} waiting, {} never sent or failed.", r.days, r.dossiers, r.up_to_date, r.in_flight, missing),
            }}</p>
            {(missing > 0).then(|| view! {
                <p class="text-sm">{tr(lang, "Chưa gửi: ", "Not sent: ")}{r.missing.iter().take(20).map(|(_, c)| c.clone()).collect::<Vec<_>>().join(", ")}{(missing > 20).then_some(" …")}</p>
                <form method="post" action="/quan-tri/tich-hop" class="mt-2">
                    <Csrf token=csrf.clone()/>
                    <input type="hidden" name="emc" value="gui-lai"/>
                    <button type="submit" class=BUTTON>{tr(lang, "Gửi lại phần chênh lệch", "Re-send the difference")}</button>
                </form>
            })}
        </section>
    }
}

#[component]
fn Integrations(v: OutboxView, c: FormContext, lang: Lang) -> impl IntoView {
    let OutboxView {
        configured,
        pending,
        delivered,
        dead,
        dead_rows,
        waiting,
        log,
        q,
        emc,
        api_clients,
    } = v;
    let csrf = c.csrf.clone();
    view! {
        <ErrorSummary echo=c.echo.clone() lang/>
        <div class="mb-6">
            <h2 class="text-xl font-bold mb-2">{tr(lang, "Kết nối", "Connections")}</h2>
            {if configured.is_empty() {
                view! { <p>{tr(lang,
                    "Máy chủ này chưa cấu hình kết nối nào (xem mục cấu hình trong README: PORTAL_NPSP_URL…).",
                    "This server has no connection configured (see the configuration in the README: PORTAL_NPSP_URL…).")}</p> }.into_any()
            } else {
                view! { <ul class="list-disc pl-6">{configured.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul> }.into_any()
            }}
            <p class="mt-2">{match lang {
                Lang::Vi => format!("Hàng đợi: {pending} đang chờ, {delivered} đã gửi, {dead} gửi không thành công."),
                Lang::En => format!("Queue: {pending} waiting, {delivered} delivered, {dead} failed for good."),
            }}</p>
        </div>
        {emc.map(|e| view! { <EmcSection e csrf=csrf.clone() lang/> })}
        <ApiClients rows=api_clients c=c.clone() lang/>
        <Queue rows=dead_rows heading=tr(lang, "Thông điệp gửi không thành công", "Messages that failed for good") id="h-dead" csrf=Some(c.csrf.clone()) lang/>
        <Queue rows=waiting heading=tr(lang, "Thông điệp chờ gửi lại sau lỗi", "Messages waiting to be retried") id="h-waiting" csrf=None lang/>
        <div>
            <h2 id="h-log" class="text-xl font-bold mb-2">{tr(lang, "Nhật ký trao đổi dữ liệu", "Exchange log")}</h2>
            <p class="mb-2 text-sm">{tr(lang,
                "Mọi thông điệp gửi và nhận được lưu ít nhất một năm; thông tin cá nhân được che.",
                "Every message sent and received is kept at least a year; personal data is masked.")}</p>
            <form method="get" action="/quan-tri/tich-hop" class="mb-3 flex flex-wrap gap-3 items-end">
                <div>
                    <label for="q" class="block font-semibold">{tr(lang, "Mã hồ sơ", "Dossier code")}</label>
                    <input id="q" name="q" type="search" value=q class=INPUT/>
                </div>
                <button type="submit" class=BUTTON>{tr(lang, "Lọc nhật ký", "Filter the log")}</button>
            </form>
            {if log.is_empty() {
                view! { <p>{tr(lang, "Chưa có thông điệp nào.", "No message yet.")}</p> }.into_any()
            } else {
                view! {
                    <DataTable labelled_by="h-log" columns=vec![tr(lang, "Thời điểm", "Time"), tr(lang, "Hệ thống", "System"), tr(lang, "Nghiệp vụ", "Operation"), tr(lang, "Mã hồ sơ", "Dossier"), tr(lang, "Kết quả", "Outcome"), tr(lang, "Nội dung", "Content")]>
                                {log.into_iter().map(|l| {
                                    let outcome = format!(
                                        "{} {} · {} ms",
                                        if l.ok { tr(lang, "Thành công", "OK") } else { tr(lang, "Lỗi", "Error") },
                                        l.http_status.map(|s| format!("(HTTP {s})")).unwrap_or_default(),
                                        l.duration_ms
                                    );
                                    view! { <tr>
                                        <td class=TD>{time_vn(l.at)}</td>
                                        <td class=TD>{format!("{} ({})", l.system, if l.direction == "in" { tr(lang, "nhận", "in") } else { tr(lang, "gửi", "out") })}</td>
                                        <td class=TD>{l.operation.clone()}</td>
                                        <td class=TD>{l.subject.clone()}</td>
                                        <td class=TD>{outcome}</td>
                                        <td class=TD><details><summary>{tr(lang, "Xem", "Show")}</summary>
                                            <p class="font-semibold">{tr(lang, "Gửi", "Request")}</p>
                                            <pre class="whitespace-pre-wrap break-all max-w-xl">{l.request.clone()}</pre>
                                            <p class="font-semibold">{tr(lang, "Nhận", "Response")}</p>
                                            <pre class="whitespace-pre-wrap break-all max-w-xl">{l.response.clone()}</pre>
                                        </details></td>
                                    </tr> }
                                }).collect_view()}
                    </DataTable>
                }.into_any()
            }}
        </div>
    }
}

/// G-3: partner systems of the public API. Registering one shows its secret once, in the
/// answer to the form; disabling revokes its tokens and webhooks at once.
#[component]
fn ApiClients(rows: Vec<ApiClientRow>, c: FormContext, lang: Lang) -> impl IntoView {
    let e = c.echo.clone();
    let token = c.csrf.clone();
    let checked = |scope: &str| {
        !e.value(&format!("scope_{}", scope.replace(':', "_")))
            .is_empty()
    };
    let scopes_label = move |s: &str| {
        API_SCOPES
            .iter()
            .find(|x| x.0 == s)
            .map(|x| if lang == Lang::Vi { x.1 } else { x.2 })
            .unwrap_or("")
    };
    view! {
        <section class="mb-8" aria-labelledby="h-api">
            <h2 id="h-api" class="text-xl font-bold mb-2">{tr(lang, "Đối tác dùng API", "Partners of the API")}</h2>
            <p class="mb-2">{tr(lang,
                "Hệ thống đối tác lấy mã truy cập bằng mã đối tác và mật khẩu bí mật (OAuth 2.0 client credentials), rồi tra cứu hồ sơ và đăng ký nhận sự kiện. ",
                "Partner systems get a token with their client id and secret (OAuth 2.0 client credentials), then read dossiers and subscribe to events. ")}
                <a href="/api/docs" class=LINK>{tr(lang, "Tài liệu API", "API documentation")}</a></p>
            {c.echo.done.then(|| view! {
                <div role="status" class="mb-4 rounded border border-green-700 bg-green-50 p-3 text-green-900">
                    <p>{tr(lang, "Đã đăng ký đối tác. Mã đối tác (client_id): ", "Partner registered. Client id: ")}<code id="api-client-id" class="font-mono">{c.echo.extra.first().cloned()}</code></p>
                    <p>{tr(lang, "Mật khẩu bí mật (client_secret), chỉ hiển thị lần này; hãy chuyển cho đối tác qua kênh an toàn: ", "Client secret, shown only now; hand it to the partner over a safe channel: ")}
                        <code id="api-client-secret" class="font-mono break-all">{c.echo.extra.get(1).cloned()}</code></p>
                </div>
            })}
            {if rows.is_empty() {
                view! { <p class="mb-3">{tr(lang, "Chưa có đối tác nào.", "No partner yet.")}</p> }.into_any()
            } else {
                view! {
                    <DataTable labelled_by="api-clients-cap" caption=tr(lang, "Đối tác đã đăng ký", "Registered partners") columns=vec![tr(lang, "Đối tác", "Partner"), tr(lang, "Mã đối tác", "Client id"), tr(lang, "Quyền", "Scopes"), tr(lang, "Phạm vi", "Reach"), tr(lang, "Giới hạn", "Limit"), tr(lang, "Trạng thái", "Status"), tr(lang, "Thao tác", "Action")]>
                        {rows.into_iter().map(|r| {
                            let label = match lang {
                                Lang::Vi => format!("Khoá đối tác {}", r.name),
                                Lang::En => format!("Disable partner {}", r.name),
                            };
                            let csrf = c.csrf.clone();
                            view! { <tr>
                                <td class=TD>{r.name.clone()}<br/>{time_vn(r.created_at)}</td>
                                <td class=TD><code>{r.client_id.clone()}</code></td>
                                <td class=TD><ul>{r.scopes.iter().map(|s| view! { <li><code>{s.clone()}</code>{": "}{scopes_label(s)}</li> }).collect_view()}</ul></td>
                                <td class=TD>{r.agency.clone().unwrap_or_else(|| tr(lang, "Mọi đơn vị", "Every unit").to_string())}</td>
                                <td class=TD>{match lang { Lang::Vi => format!("{}/phút; {} webhook", r.rate_per_minute, r.webhooks), Lang::En => format!("{}/minute; {} webhooks", r.rate_per_minute, r.webhooks) }}</td>
                                <td class=TD>{match r.disabled_at {
                                    Some(t) => format!("{} {}", tr(lang, "Đã khoá", "Disabled"), time_vn(t)),
                                    None => tr(lang, "Đang hoạt động", "Active").to_string(),
                                }}</td>
                                <td class=TD>{r.disabled_at.is_none().then(|| view! {
                                    <form method="post" action="/quan-tri/tich-hop">
                                        <Csrf token=csrf/>
                                        <input type="hidden" name="api_tat" value=r.id.to_string()/>
                                        <button type="submit" class=BUTTON aria-label=label>{tr(lang, "Khoá", "Disable")}</button>
                                    </form>
                                })}</td>
                            </tr> }
                        }).collect_view()}
                    </DataTable>
                }.into_any()
            }}
            <h3 id="h-api-new" class="font-bold mt-4 mb-2">{tr(lang, "Đăng ký đối tác mới", "Register a partner")}</h3>
            <form method="post" action="/quan-tri/tich-hop" novalidate class="max-w-xl grid gap-3" aria-labelledby="h-api-new">
                <Csrf token=token/>
                <input type="hidden" name="api" value="tao"/>
                <div>
                    <label for="api_name" class="block font-semibold">{tr(lang, "Tên hệ thống đối tác", "Partner system's name")}</label>
                    <input id="api_name" name="api_name" type="text" maxlength="120" value=e.value("api_name") class=INPUT/>
                </div>
                <fieldset id="api_scopes">
                    <legend class="font-semibold">{tr(lang, "Quyền", "Scopes")}</legend>
                    {API_SCOPES.iter().map(|(s, vi, en)| {
                        let id = format!("scope_{}", s.replace(':', "_"));
                        view! { <div class="flex gap-2 items-start">
                            <input id=id.clone() name=id.clone() type="checkbox" value="1" checked=checked(s)/>
                            <label for=id><code>{*s}</code>{": "}{if lang == Lang::Vi { *vi } else { *en }}</label>
                        </div> }
                    }).collect_view()}
                </fieldset>
                <div>
                    <label for="api_agency" class="block font-semibold">{tr(lang, "Giới hạn trong đơn vị (mã định danh, để trống: mọi đơn vị)", "Limit to a unit (identifier; empty: every unit)")}</label>
                    <input id="api_agency" name="api_agency" type="text" maxlength="40" value=e.value("api_agency") class=INPUT/>
                </div>
                <div>
                    <label for="api_rate" class="block font-semibold">{tr(lang, "Số lần gọi tối đa mỗi phút (để trống: 120)", "Most calls per minute (empty: 120)")}</label>
                    <input id="api_rate" name="api_rate" type="text" inputmode="numeric" maxlength="5" value=e.value("api_rate") class=INPUT/>
                </div>
                <div><button type="submit" class=BUTTON>{tr(lang, "Đăng ký đối tác", "Register the partner")}</button></div>
            </form>
        </section>
    }
}
