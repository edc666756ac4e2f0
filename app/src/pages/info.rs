use leptos::prelude::*;
use leptos_meta::Title;

use crate::use_lang;

#[component]
pub fn AccessibilityPage() -> impl IntoView {
    let t = use_lang().t();
    view! {
        <Title text=t.accessibility/>
        <h1 class="text-2xl font-bold">{t.accessibility}</h1>
        <p class="mt-3 max-w-prose">{t.accessibility_body}</p>
    }
}
