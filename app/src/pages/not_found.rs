use leptos::prelude::*;
use leptos_meta::Title;

use super::set_status;
use crate::use_lang;

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    let t = use_lang().t();
    view! {
        <Title text=t.not_found_title/>
        <h1 class="text-2xl font-bold">{t.not_found_title}</h1>
        <p class="mt-3">{t.not_found_body}</p>
        <p class="mt-4"><a href="/" class="text-blue-800 underline">{t.back_home}</a></p>
    }
}
