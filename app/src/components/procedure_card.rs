//! One procedure in a list: name, code, field, level, time limit and fee at a glance.
use leptos::prelude::*;

use crate::domain::catalogue::ProcedureSummary;
use crate::i18n::Lang;
use crate::use_lang;

pub fn level_label(lang: Lang, service_level: Option<&str>, online: bool) -> &'static str {
    let t = lang.t();
    match (service_level, online) {
        (Some("full"), _) => t.level_full,
        (Some("partial"), _) => t.level_partial,
        (Some("offline"), _) | (None, false) => t.level_offline,
        _ => t.level_online,
    }
}

#[component]
pub fn ProcedureCard(p: ProcedureSummary) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let href = format!("/thu-tuc/{}", p.code);
    let level = level_label(lang, p.service_level.as_deref(), p.online);
    let time = p
        .time_limit_days
        .map(|d| format!("{}: {d} {}", t.time_limit, t.working_days));
    let fee = p.fee_free.map(|free| if free { t.free } else { t.has_fee });
    view! {
        <li class="border-b border-slate-200 py-3">
            <h3 class="text-base font-semibold">
                <a href=href class="text-blue-800 underline-offset-2 hover:underline">{p.name}</a>
            </h3>
            <p class="mt-1 text-sm text-slate-700">
                <span>{t.code}": " {p.code}</span>
                " · " <span>{p.field}</span>
                " · " <span>{p.agency}</span>
            </p>
            <p class="mt-1 flex flex-wrap gap-2 text-xs">
                <span class="rounded bg-emerald-100 px-2 py-0.5 text-emerald-900">{level}</span>
                {time.map(|s| view! { <span class="rounded bg-slate-100 px-2 py-0.5 text-slate-800">{s}</span> })}
                {fee.map(|s| view! { <span class="rounded bg-amber-100 px-2 py-0.5 text-amber-900">{s}</span> })}
            </p>
        </li>
    }
}
