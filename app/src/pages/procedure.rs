//! Procedure detail (P-2.1, P-2.2, P-9.1): everything a citizen needs before applying.
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

use super::ErrorNotice;
use crate::api::catalogue::get_procedure;
use crate::components::procedure_card::level_label;
use crate::domain::catalogue::{format_vnd, Channel, ProcedureDetail};
use crate::i18n::Lang;
use crate::use_lang;

#[component]
pub fn ProcedurePage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let code = Memo::new(move |_| params.read().get("code").unwrap_or_default());
    let data = Resource::new(move || code.get(), get_procedure);
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Detail d lang/> }.into_any(),
                    Err(e) => view! { <Title text=t.not_found_title/><h1 class="text-2xl font-bold">{t.not_found_title}</h1><ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn channel_name(lang: Lang, c: &Channel) -> String {
    let t = lang.t();
    match c.channel.as_deref() {
        Some("online") => t.channel_online.to_owned(),
        Some("post") => t.channel_post.to_owned(),
        Some("counter") => t.channel_counter.to_owned(),
        Some(other) => other.to_owned(),
        None => t.not_stated.to_owned(),
    }
}

fn fee_text(lang: Lang, c: &Channel) -> String {
    let t = lang.t();
    match (c.fee_vnd, c.fee_label.as_deref()) {
        (Some(0), _) => t.free.to_owned(),
        (Some(n), _) => format_vnd(n),
        (None, Some(label)) => label.to_owned(),
        (None, None) => t.not_stated.to_owned(),
    }
}

fn or_not_stated(lang: Lang, v: Option<String>) -> String {
    v.unwrap_or_else(|| lang.t().not_stated.to_owned())
}

#[component]
fn Detail(d: ProcedureDetail, lang: Lang) -> impl IntoView {
    let t = lang.t();
    let s = d.summary.clone();
    let level = level_label(lang, s.service_level.as_deref(), s.online);
    let description = format!("{} – {}", s.name, s.field);
    view! {
        <Title text=s.name.clone()/>
        <Meta name="description" content=description/>
        <nav aria-label=t.breadcrumb class="text-sm">
            <ol class="flex flex-wrap gap-1">
                <li><a href="/" class="text-blue-800 underline">{t.nav_home}</a>" /"</li>
                <li><a href="/thu-tuc" class="text-blue-800 underline">{t.nav_catalogue}</a>" /"</li>
                <li aria-current="page">{s.code.clone()}</li>
            </ol>
        </nav>
        <h1 class="mt-2 text-2xl font-bold">{s.name.clone()}</h1>
        // P-3.1: start a dossier online (a plain link: the start page asks to log in first).
        {s.online.then(|| view! {
            <p class="mt-4">
                // rel=external: the start page is server-rendered, not a route of this app.
                <a href=format!("/ho-so/moi?thu-tuc={}", s.code) rel="external" class="inline-block rounded bg-[#8b1a1a] px-4 py-2 font-semibold text-white">
                    {if lang == Lang::Vi { "Nộp hồ sơ trực tuyến" } else { "Apply online" }}
                </a>
            </p>
        })}
        <section aria-labelledby="overview-h" class="mt-4">
            <h2 id="overview-h" class="text-xl font-bold">{t.overview}</h2>
            <dl class="mt-2 grid gap-x-4 gap-y-1 sm:grid-cols-[14rem_1fr]">
                <dt class="font-semibold">{t.code}</dt><dd>{s.code.clone()}</dd>
                <dt class="font-semibold">{t.field}</dt><dd>{s.field.clone()}</dd>
                <dt class="font-semibold">{t.agency}</dt><dd>{s.agency.clone()}</dd>
                <dt class="font-semibold">{t.implementation_level}</dt><dd>{or_not_stated(lang, d.level_text.clone())}</dd>
                <dt class="font-semibold">{t.service_level}</dt><dd>{level}</dd>
                <dt class="font-semibold">{t.implementing_agency}</dt><dd>{or_not_stated(lang, d.implementing_agency.clone())}</dd>
                <dt class="font-semibold">{t.competent_agency}</dt><dd>{or_not_stated(lang, d.competent_agency.clone())}</dd>
                <dt class="font-semibold">{t.audience}</dt><dd>{or_not_stated(lang, d.audience.clone())}</dd>
                <dt class="font-semibold">{t.kind}</dt><dd>{or_not_stated(lang, d.kind.clone())}</dd>
                <dt class="font-semibold">{t.decision}</dt><dd>{or_not_stated(lang, d.decision.clone())}</dd>
                {d.address.clone().map(|a| view! { <dt class="font-semibold">{t.address}</dt><dd>{a}</dd> })}
            </dl>
        </section>
        <section aria-labelledby="channels-h" class="mt-6">
            <h2 id="channels-h" class="text-xl font-bold">{t.channels}</h2>
            <ul class="mt-2 grid gap-3">
                {d.channels.iter().map(|c| view! {
                    <li class="rounded border border-slate-300 p-3">
                        <p class="font-semibold">{channel_name(lang, c)}</p>
                        <p>{t.time_limit}": " {or_not_stated(lang, c.time_raw.clone())}</p>
                        <p>{t.fee}": " {fee_text(lang, c)}</p>
                        {c.note.clone().map(|n| view! { <p class="text-sm text-slate-700">{n}</p> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <section aria-labelledby="steps-h" class="mt-6">
            <h2 id="steps-h" class="text-xl font-bold">{t.steps}</h2>
            <ol class="mt-2 list-decimal pl-6 grid gap-2">
                {d.steps.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}
            </ol>
        </section>
        <section aria-labelledby="docs-h" class="mt-6">
            <h2 id="docs-h" class="text-xl font-bold">{t.documents}</h2>
            <ol class="mt-2 list-decimal pl-6 grid gap-2" id="documents">
                {d.documents.iter().map(|doc| view! {
                    <li>
                        <span>{doc.name.clone()}</span>
                        {doc.quantity.clone().map(|q| view! { <span class="block text-sm text-slate-700">{t.quantity}": " {q}</span> })}
                        {doc.form.clone().map(|f| view! { <span class="block text-sm text-slate-700">{t.form}": " {f}</span> })}
                    </li>
                }).collect_view()}
            </ol>
        </section>
        <section aria-labelledby="result-h" class="mt-6">
            <h2 id="result-h" class="text-xl font-bold">{t.result}</h2>
            <p class="mt-2">
                {or_not_stated(lang, d.result_name.clone())}
                {d.result_code.clone().map(|c| format!(" ({c})"))}
            </p>
        </section>
        <section aria-labelledby="cond-h" class="mt-6">
            <h2 id="cond-h" class="text-xl font-bold">{t.conditions}</h2>
            <p class="mt-2 whitespace-pre-line">{or_not_stated(lang, d.conditions.clone())}</p>
        </section>
        <section aria-labelledby="legal-h" class="mt-6">
            <h2 id="legal-h" class="text-xl font-bold">{t.legal_basis}</h2>
            <ul class="mt-2 list-disc pl-6 grid gap-1">
                {d.legal_basis.iter().map(|l| view! {
                    <li>{l.title.clone()}{l.code.clone().map(|c| view! { " – " <strong>{c}</strong> })}</li>
                }).collect_view()}
            </ul>
        </section>
        {d.source_url.clone().map(|u| view! {
            <p class="mt-6 text-sm"><a href=u class="text-blue-800 underline" rel="external noopener">{t.source}</a></p>
        })}
    }
}
