//! Header and footer of every portal page (L-1): identity, navigation, search, language switch,
//! login link; agency, address, hotline, accessibility statement.
use leptos::prelude::*;

use crate::domain::catalogue::PortalInfo;
use crate::use_lang;

fn portal() -> PortalInfo {
    #[cfg(feature = "ssr")]
    if let Some(s) = use_context::<crate::server::Services>() {
        return s.portal.clone();
    }
    PortalInfo {
        name: String::new(),
        agency: String::new(),
        address: String::new(),
        hotline: String::new(),
        email: String::new(),
    }
}

#[component]
pub fn Header() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let info = portal();
    let switch = format!("/ngon-ngu?lang={}", lang.other().code());
    view! {
        <header class="bg-[#8b1a1a] text-white">
            <div class="mx-auto max-w-5xl px-4 py-3 flex flex-wrap items-center gap-3 justify-between">
                <a href="/" class="flex items-center gap-2 font-bold text-lg leading-tight text-white no-underline">
                    <img src="/emblem.svg" alt="" width="36" height="36" class="shrink-0"/>
                    <span>{info.name}</span>
                </a>
                <div class="flex items-center gap-3 text-sm">
                    <a href=switch rel="external" class="text-white underline" lang=lang.other().code()>
                        {t.switch_language}
                    </a>
                    <AccountLinks/>
                </div>
            </div>
            <nav aria-label=t.nav_label class="bg-[#6e1414]">
                <div class="mx-auto max-w-5xl px-4 py-2 flex flex-wrap items-center gap-x-5 gap-y-2">
                    <ul class="flex gap-5 text-sm font-medium">
                        <li><a href="/" class="text-white">{t.nav_home}</a></li>
                        <li><a href="/thu-tuc" class="text-white">{t.nav_catalogue}</a></li>
                        // P-5.2: the public dossier lookup, reachable from every page.
                        <li><a href="/tra-cuu-ho-so" class="text-white">{if use_lang() == crate::i18n::Lang::Vi { "Tra cứu hồ sơ" } else { "Look up a dossier" }}</a></li>
                        // P-4: check a signed result.
                        <li><a href="/xac-thuc-van-ban" class="text-white">{if use_lang() == crate::i18n::Lang::Vi { "Xác thực văn bản" } else { "Verify a document" }}</a></li>
                    </ul>
                    <form method="get" action="/tim-kiem" role="search" aria-label=t.nav_search class="flex flex-1 min-w-[14rem] gap-2">
                        <label for="header-q" class="sr-only">{t.search_label}</label>
                        <input id="header-q" name="q" type="search" maxlength="200"
                            placeholder=t.search_placeholder
                            class="w-full rounded px-3 py-1.5 text-slate-900 bg-white"/>
                        <button type="submit" class="rounded bg-amber-300 px-3 py-1.5 text-sm font-semibold text-slate-900">
                            {t.search_button}
                        </button>
                    </form>
                </div>
            </nav>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    let t = use_lang().t();
    let info = portal();
    view! {
        <footer class="mt-8 border-t border-slate-300 bg-slate-100 text-sm text-slate-800">
            <div class="mx-auto max-w-5xl px-4 py-6 grid gap-2">
                <p class="font-semibold">{info.agency}</p>
                <p>{t.footer_address}": " {info.address}</p>
                <p>
                    {t.footer_hotline}": "
                    <a href=format!("tel:{}", info.hotline.replace(' ', "")) class="text-blue-800 underline">{info.hotline.clone()}</a>
                    " · " {t.footer_email}": "
                    <a href=format!("mailto:{}", info.email) class="text-blue-800 underline">{info.email.clone()}</a>
                </p>
                <p><a href="/ho-tro-tiep-can" class="text-blue-800 underline">{t.accessibility}</a></p>
                <p class="text-slate-700">{t.data_note}</p>
            </div>
        </footer>
    }
}

/// Login link, or the signed-in user's account link and logout button (server-rendered only).
#[component]
fn AccountLinks() -> impl IntoView {
    let t = use_lang().t();
    #[cfg(feature = "ssr")]
    if let Some(u) = crate::server::auth::current_user() {
        let csrf = crate::server::auth::csrf_token();
        let vi = use_lang() == crate::i18n::Lang::Vi;
        let home = if u.is_officer() {
            "/can-bo"
        } else {
            "/tai-khoan"
        };
        return view! {
            <a href=home class="text-white underline" id="account-link">{u.full_name.clone()}</a>
            <form method="post" action="/dang-xuat">
                <input type="hidden" name="_csrf" value=csrf/>
                <button type="submit" class="rounded bg-white px-3 py-1.5 font-semibold text-[#8b1a1a]">
                    {if vi { "Đăng xuất" } else { "Log out" }}
                </button>
            </form>
        }
        .into_any();
    }
    view! {
        <a href="/dang-nhap" class="rounded bg-white px-3 py-1.5 font-semibold text-[#8b1a1a]">
            {t.login}
        </a>
    }
    .into_any()
}
