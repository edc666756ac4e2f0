//! The postal channel (P-3.5): the applicant chooses that the post collects the paper
//! originals and/or delivers the result, with one address for both; the dossier page shows
//! each shipment's tracking number and the post's reports. Plain HTML forms: the commune list
//! follows the province through "Update the list of communes", with or without JavaScript.
use leptos::prelude::*;
use leptos_meta::Title;

use super::account::{tr, Csrf, ErrorSummary, WithForm, BUTTON, INPUT, LINK};
use super::ErrorNotice;
use crate::api::account::FormContext;
use crate::api::dossier::get_postal;
use crate::domain::calendar::time_vn;
use crate::domain::dossier::{shipment_status_label, PostalView, ShipmentView};
use crate::domain::form::FormEcho;
use crate::i18n::Lang;
use crate::use_lang;

fn kind_label(kind: &str, lang: Lang) -> &'static str {
    if kind == "papers" {
        tr(
            lang,
            "Bưu điện đến lấy giấy tờ bản gốc",
            "The post collects the paper originals",
        )
    } else {
        tr(
            lang,
            "Nhận kết quả qua bưu điện",
            "The result delivered by post",
        )
    }
}

#[component]
pub fn PostalPage() -> impl IntoView {
    let lang = use_lang();
    let id = super::dossier::param_id();
    view! {
        <WithForm render=move |c: FormContext| {
            let echo = c.echo.clone();
            let province = (!echo.values.is_empty()).then(|| echo.value("province"));
            let data = Resource::new(move || (), move |_| get_postal(id.get_untracked(), province.clone()));
            view! {
                <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
                    {
                        let c = c.clone();
                        move || {
                            let c = c.clone();
                            Suspend::new(async move {
                                match data.await {
                                    Ok(v) => view! { <PostalForm v c lang/> }.into_any(),
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
fn PostalForm(v: PostalView, c: FormContext, lang: Lang) -> impl IntoView {
    let title = tr(lang, "Bưu chính công ích", "Public postal service");
    let echo: FormEcho = c.echo.clone();
    let saved = v.papers.as_ref().or(v.result.as_ref()).cloned();
    // After a post the user's own input wins over what is stored.
    let value = |k: &str, stored: String| {
        if echo.values.is_empty() {
            stored
        } else {
            echo.value(k)
        }
    };
    let checked = |k: &str, stored: bool| {
        if echo.values.is_empty() {
            stored
        } else {
            echo.value(k) == "1"
        }
    };
    let name = value(
        "name",
        saved
            .as_ref()
            .map(|s| s.receiver_name.clone())
            .unwrap_or(v.default_name.clone()),
    );
    let phone = value(
        "phone",
        saved
            .as_ref()
            .map(|s| s.phone.clone())
            .unwrap_or(v.default_phone.clone()),
    );
    let province = value(
        "province",
        saved
            .as_ref()
            .map(|s| s.province_code.clone())
            .unwrap_or_default(),
    );
    let commune = value(
        "commune",
        saved
            .as_ref()
            .map(|s| s.commune_code.clone())
            .unwrap_or_default(),
    );
    let street = value(
        "street",
        saved.as_ref().map(|s| s.street.clone()).unwrap_or_default(),
    );
    let papers = checked("papers", v.papers.is_some());
    let result = checked("result", v.result.is_some());
    let err = |k: &str| {
        echo.error(k, lang)
            .map(|m| view! { <p id=format!("f-{k}-err") class="text-sm font-semibold text-red-800">{m}</p> })
    };
    let by = |k: &str| echo.error(k, lang).map(|_| format!("f-{k}-err"));
    let id = v.id;
    let open = v.papers_open || v.result_open;
    view! {
        <Title text=format!("{title} – {}", v.procedure_name)/>
        <p class="text-sm text-slate-700"><a href=format!("/ho-so/{id}") class=LINK>{tr(lang, "← Về hồ sơ", "← Back to the dossier")}</a></p>
        <h1 class="text-2xl font-bold mb-1">{title}</h1>
        <p class="mb-4">{v.procedure_name.clone()}</p>
        <p class="mb-4 max-w-prose">{tr(lang,
            "Bạn có thể nhờ bưu điện đến địa chỉ của bạn lấy giấy tờ bản gốc mang đến cơ quan, và nhận kết quả tại địa chỉ này thay vì đến bộ phận một cửa (Quyết định 45/2016/QĐ-TTg). Cước phí do bưu điện thu khi giao nhận.",
            "You can have the post collect the paper originals from your address and bring them to the agency, and receive the result at this address instead of at the one-stop counter (Decision 45/2016/QĐ-TTg). The post charges its fee on pick-up or delivery.")}</p>
        <ErrorSummary echo=echo.clone() lang/>
        {(!open).then(|| view! { <p class="mb-4 font-semibold">{tr(lang, "Không đổi được lựa chọn bưu chính của hồ sơ này nữa.", "The postal choice of this dossier can no longer change.")}</p> })}
        <form method="post" action=format!("/ho-so/{id}/buu-chinh") novalidate class="max-w-xl">
            <Csrf token=c.csrf.clone()/>
            <fieldset class="mb-4">
                <legend class="font-semibold">{tr(lang, "Chọn dịch vụ", "Choose the service")}</legend>
                {err("papers")}
                <div class="mt-2 flex items-start gap-2">
                    <input id="f-papers" type="checkbox" name="papers" value="1" checked=papers disabled=!v.papers_open class="mt-1 h-5 w-5" aria-describedby=by("papers")/>
                    <label for="f-papers">{kind_label("papers", lang)}</label>
                </div>
                {err("result")}
                <div class="mt-2 flex items-start gap-2">
                    <input id="f-result" type="checkbox" name="result" value="1" checked=result disabled=!v.result_open class="mt-1 h-5 w-5" aria-describedby=by("result")/>
                    <label for="f-result">{kind_label("result", lang)}</label>
                </div>
            </fieldset>
            // A closed leg's box is disabled and not posted: keep what it says.
            {(!v.papers_open && papers).then(|| view! { <input type="hidden" name="papers" value="1"/> })}
            {(!v.result_open && result).then(|| view! { <input type="hidden" name="result" value="1"/> })}
            <fieldset class="mb-4 rounded border border-slate-200 p-3">
                <legend class="font-semibold">{tr(lang, "Địa chỉ giao nhận", "Pick-up and delivery address")}</legend>
                <label for="f-name" class="mt-2 block">{tr(lang, "Họ tên người gửi, nhận", "Name of the person at this address")}</label>
                {err("name")}
                <input id="f-name" name="name" type="text" value=name class=INPUT autocomplete="name" aria-describedby=by("name")/>
                <label for="f-phone" class="mt-2 block">{tr(lang, "Số điện thoại di động", "Mobile number")}</label>
                {err("phone")}
                <input id="f-phone" name="phone" type="tel" value=phone class=INPUT autocomplete="tel" inputmode="tel" aria-describedby=by("phone")/>
                <label for="f-province" class="mt-2 block">{tr(lang, "Tỉnh, thành phố", "Province or city")}</label>
                {err("province")}
                <select id="f-province" name="province" class=INPUT autocomplete="address-level1" aria-describedby=by("province")>
                    <option value="">{tr(lang, "— Chọn —", "— Choose —")}</option>
                    {v.provinces.iter().map(|(code, n)| view! { <option value=code.clone() selected=*code == province>{n.clone()}</option> }).collect_view()}
                </select>
                <button type="submit" name="action" value="refresh" class="mt-2 text-blue-800 underline">{tr(lang, "Cập nhật danh sách xã, phường", "Update the list of communes")}</button>
                <label for="f-commune" class="mt-2 block">{tr(lang, "Xã, phường, đặc khu", "Commune or ward")}</label>
                {err("commune")}
                <select id="f-commune" name="commune" class=INPUT autocomplete="address-level2" aria-describedby=by("commune")>
                    <option value="">{if v.communes.is_empty() { tr(lang, "— Chọn tỉnh trước —", "— Choose the province first —") } else { tr(lang, "— Chọn —", "— Choose —") }}</option>
                    {v.communes.iter().map(|(code, n)| view! { <option value=code.clone() selected=*code == commune>{n.clone()}</option> }).collect_view()}
                </select>
                <label for="f-street" class="mt-2 block">{tr(lang, "Số nhà, đường, thôn, tổ dân phố", "House number, street, hamlet")}</label>
                {err("street")}
                <input id="f-street" name="street" type="text" value=street class=INPUT autocomplete="street-address" aria-describedby=by("street")/>
            </fieldset>
            <button type="submit" name="action" value="save" class=BUTTON disabled=!open>{tr(lang, "Lưu lựa chọn", "Save the choice")}</button>
        </form>
    }
}

/// The dossier's shipments on its page, for the applicant and the officer alike.
#[component]
pub fn Shipments(
    shipments: Vec<ShipmentView>,
    change: Option<String>,
    lang: Lang,
) -> impl IntoView {
    (!shipments.is_empty() || change.is_some()).then(|| view! {
        <section class="mb-6 rounded border border-slate-300 p-4" aria-labelledby="post-h">
            <h2 id="post-h" class="text-xl font-bold">{tr(lang, "Bưu chính công ích", "Public postal service")}</h2>
            {shipments.into_iter().map(|s| view! {
                <h3 class="mt-3 font-semibold">{kind_label(&s.kind, lang)}</h3>
                <dl class="grid gap-x-4 gap-y-1 sm:grid-cols-[max-content_1fr]">
                    <dt class="font-semibold">{tr(lang, "Trạng thái", "Status")}</dt>
                    <dd class="shipment-status">{shipment_status_label(&s.status, lang)}</dd>
                    <dt class="font-semibold">{tr(lang, "Mã bưu gửi", "Tracking number")}</dt>
                    <dd class="font-mono">{s.item_code.clone().unwrap_or_else(|| tr(lang, "Chưa có", "Not yet").into())}</dd>
                    <dt class="font-semibold">{tr(lang, "Địa chỉ", "Address")}</dt>
                    <dd>{format!("{} – {} – {}", s.receiver_name, s.phone, s.address)}</dd>
                </dl>
                {(!s.events.is_empty()).then(|| view! {
                    <ol class="mt-2 list-decimal pl-5">
                        {s.events.iter().map(|(at, status, note)| view! {
                            <li>{format!("{} — {}{}", time_vn(*at), shipment_status_label(status, lang),
                                note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default())}</li>
                        }).collect_view()}
                    </ol>
                })}
            }).collect_view()}
            {change.map(|href| view! { <p class="mt-3"><a href=href class=LINK>{tr(lang, "Chọn hoặc đổi dịch vụ bưu chính", "Choose or change the postal service")}</a></p> })}
        </section>
    })
}
