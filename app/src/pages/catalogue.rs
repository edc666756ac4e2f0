//! Catalogue (P-2.2) and search results (P-5.1): one view, filters as a plain GET form so they
//! work without JavaScript, pagination as links.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::ErrorNotice;
use crate::api::catalogue::list_procedures;
use crate::components::procedure_card::ProcedureCard;
use crate::domain::catalogue::{Audience, CatalogueQuery, CatalogueResult, LevelFilter};
use crate::i18n::Lang;
use crate::use_lang;

#[component]
pub fn CataloguePage() -> impl IntoView {
    view! { <CatalogueView search=false/> }
}

#[component]
pub fn SearchPage() -> impl IntoView {
    view! { <CatalogueView search=true/> }
}

fn level_name(lang: Lang, l: LevelFilter) -> &'static str {
    let t = lang.t();
    match l {
        LevelFilter::Full => t.level_full,
        LevelFilter::Partial => t.level_partial,
        LevelFilter::Online => t.level_online,
        LevelFilter::Offline => t.level_offline,
    }
}

fn audience_name(lang: Lang, a: Audience) -> &'static str {
    let t = lang.t();
    match a {
        Audience::Citizen => t.audience_citizen,
        Audience::Organisation => t.audience_org,
    }
}

#[component]
fn CatalogueView(search: bool) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let p = params.read();
        CatalogueQuery::from_lookup(|k| p.get(k))
    });
    let data = Resource::new(move || query.get(), list_procedures);
    let base = if search { "/tim-kiem" } else { "/thu-tuc" };
    let title = if search {
        t.search_title
    } else {
        t.catalogue_title
    };
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold">{title}</h1>
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let q = query.get_untracked();
                match data.await {
                    Ok(r) => view! { <Results r q base lang/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Results(r: CatalogueResult, q: CatalogueQuery, base: &'static str, lang: Lang) -> impl IntoView {
    let t = lang.t();
    let count_text = match &q.q {
        Some(text) => format!(
            "{} {} {} “{}”",
            r.total, t.results_count, t.results_for, text
        ),
        None => format!("{} {}", r.total, t.results_count),
    };
    let prev = (r.page > 1).then(|| format!("{base}?{}", q.to_query_string(r.page - 1)));
    let next = (r.page < r.pages).then(|| format!("{base}?{}", q.to_query_string(r.page + 1)));
    let empty = r.items.is_empty();
    view! {
        <details class="mt-4 rounded border border-slate-300 p-3" open=true>
            <summary class="cursor-pointer font-semibold">{t.filters}</summary>
            <form method="get" action=base class="mt-3 grid gap-3 sm:grid-cols-2">
                <div class="grid gap-1 sm:col-span-2">
                    <label for="f-q" class="text-sm font-medium">{t.keyword}</label>
                    <input id="f-q" name="q" type="search" maxlength="200" value=q.q.clone().unwrap_or_default()
                        class="rounded border border-slate-500 px-3 py-2"/>
                </div>
                <div class="grid gap-1">
                    <label for="f-field" class="text-sm font-medium">{t.field}</label>
                    <select id="f-field" name="linhvuc" class="rounded border border-slate-500 px-2 py-2 max-w-full">
                        <option value="">{t.any}</option>
                        {r.fields.iter().map(|f| view! {
                            <option value=f.id.to_string() selected=q.field == Some(f.id)>{format!("{} ({})", f.name, f.count)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="grid gap-1">
                    <label for="f-agency" class="text-sm font-medium">{t.agency}</label>
                    <select id="f-agency" name="coquan" class="rounded border border-slate-500 px-2 py-2 max-w-full">
                        <option value="">{t.any}</option>
                        {r.agencies.iter().map(|a| view! {
                            <option value=a.id.to_string() selected=q.agency == Some(a.id)>{format!("{} ({})", a.name, a.count)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="grid gap-1">
                    <label for="f-level" class="text-sm font-medium">{t.level}</label>
                    <select id="f-level" name="mucdo" class="rounded border border-slate-500 px-2 py-2">
                        <option value="">{t.any}</option>
                        {LevelFilter::ALL.into_iter().map(|l| view! {
                            <option value=l.slug() selected=q.level == Some(l)>{level_name(lang, l)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="grid gap-1">
                    <label for="f-audience" class="text-sm font-medium">{t.audience}</label>
                    <select id="f-audience" name="doituong" class="rounded border border-slate-500 px-2 py-2">
                        <option value="">{t.any}</option>
                        {Audience::ALL.into_iter().map(|a| view! {
                            <option value=a.slug() selected=q.audience == Some(a)>{audience_name(lang, a)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="flex items-center gap-4 sm:col-span-2">
                    <button type="submit" class="rounded bg-[#8b1a1a] px-5 py-2 font-semibold text-white">{t.apply}</button>
                    <a href=base class="text-blue-800 underline">{t.clear}</a>
                </div>
            </form>
        </details>
        <h2 class="mt-4 text-lg font-semibold" id="result-count">{count_text}</h2>
        {empty.then(|| view! { <p class="mt-2">{t.no_results}</p> })}
        <ul class="mt-2">
            {r.items.into_iter().map(|p| view! { <ProcedureCard p/> }).collect_view()}
        </ul>
        <nav aria-label=t.pagination class="mt-4 flex flex-wrap items-center gap-4">
            {prev.map(|h| view! { <a href=h rel="prev" class="text-blue-800 underline">{t.previous}</a> })}
            <span>{format!("{} {} {} {}", t.page, r.page, t.of, r.pages)}</span>
            {next.map(|h| view! { <a href=h rel="next" class="text-blue-800 underline">{t.next}</a> })}
        </nav>
    }
}
