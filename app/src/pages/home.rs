use leptos::prelude::*;
use leptos_meta::Title;

use super::ErrorNotice;
use crate::api::catalogue::get_home;
use crate::components::procedure_card::ProcedureCard;
use crate::use_lang;

#[component]
pub fn HomePage() -> impl IntoView {
    let t = use_lang().t();
    let data = Resource::new(|| (), |_| get_home());
    view! {
        <Title text=t.home_title/>
        <section class="rounded-lg bg-amber-50 p-5">
            <h1 class="text-2xl font-bold text-slate-900">{t.home_title}</h1>
            <p class="mt-2 text-slate-800">{t.home_lead}</p>
            <form method="get" action="/tim-kiem" role="search" aria-label=t.search_label class="mt-4 flex flex-col gap-2 sm:flex-row">
                <label for="home-q" class="sr-only">{t.search_label}</label>
                <input id="home-q" name="q" type="search" maxlength="200" placeholder=t.search_placeholder
                    class="w-full rounded border border-slate-500 px-3 py-2 text-lg"/>
                <button type="submit" class="rounded bg-[#8b1a1a] px-5 py-2 font-semibold text-white">{t.search_button}</button>
            </form>
        </section>
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! {
                        <p class="mt-4 text-slate-800">
                            <strong>{d.total}</strong>" " {t.stats_total}" · "
                            <strong>{d.online}</strong>" " {t.stats_online}
                        </p>
                        <section class="mt-6" aria-labelledby="featured-h">
                            <h2 id="featured-h" class="text-xl font-bold">{t.featured}</h2>
                            <ul>
                                {d.featured.into_iter().map(|p| view! { <ProcedureCard p/> }).collect_view()}
                            </ul>
                        </section>
                        <section class="mt-6" aria-labelledby="fields-h">
                            <h2 id="fields-h" class="text-xl font-bold">{t.fields}</h2>
                            <ul class="mt-2 grid gap-2 sm:grid-cols-2">
                                {d.fields.into_iter().map(|f| view! {
                                    <li>
                                        <a href=format!("/thu-tuc?linhvuc={}", f.id) class="text-blue-800 underline">{f.name}</a>
                                        " (" {f.count} ")"
                                    </li>
                                }).collect_view()}
                            </ul>
                            <p class="mt-4"><a href="/thu-tuc" class="font-semibold text-blue-800 underline">{t.all_procedures}</a></p>
                        </section>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
