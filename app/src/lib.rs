//! The Public Service Portal application: pages, server functions, domain rules and services.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use components::layout::{Footer, Header};
use i18n::Lang;
#[cfg(feature = "ssr")]
use pages::account::{
    AccountPage, AdminOfficersPage, AuditPage, ChangePasswordPage, DeletionRequestsPage,
    ForgotPasswordPage, LoginPage, OfficerHomePage, RegisterPage, ResetPasswordPage,
    SecondFactorPage, SessionsPage, TotpEnrolPage, VerifyEmailPage,
};
#[cfg(feature = "ssr")]
use pages::archive::ArchivePage;
#[cfg(feature = "ssr")]
use pages::dossier::{
    DataStorePage, DossierDocsPage, DossierFormPage, DossierPage, LookupPage, MyDossiersPage,
    NotificationsPage, StartDossierPage, VerifyDocumentPage,
};
#[cfg(feature = "ssr")]
use pages::editor::{
    HolidayAdminPage, ProcedureAdminPage, ProcedureEditorPage, SharedCataloguePage,
};
#[cfg(feature = "ssr")]
use pages::integrations::IntegrationsPage;
#[cfg(feature = "ssr")]
use pages::post::PostalPage;
#[cfg(feature = "ssr")]
use pages::reconcile::ReconciliationPage;
#[cfg(feature = "ssr")]
use pages::work::{
    IntakePage, OfficerDossierPage, OfficerDossiersPage, ReportPage, SupervisionPage,
};
use pages::{
    catalogue::{CataloguePage, SearchPage},
    home::HomePage,
    info::AccessibilityPage,
    not_found::NotFound,
    procedure::ProcedurePage,
};

/// The language of this response: the `lang` cookie on the server, the `<html lang>` the
/// server wrote when hydrating, so both sides render the same text.
pub fn detect_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|p| {
                p.headers
                    .get(http::header::COOKIE)
                    .and_then(|v| v.to_str().ok())
                    .map(Lang::from_cookie_header)
            })
            .unwrap_or_default()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| Lang::parse(&l))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Lang::default()
    }
}

/// Current language from context (provided by `App` and the shell).
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// The HTML document. Header and footer (L-1) are rendered on the server only, outside the
/// hydrated root: they hold no client state and work as plain links and a GET form.
pub fn shell(_options: LeptosOptions) -> impl IntoView {
    let lang = detect_lang();
    provide_context(lang);
    set_csp();
    let account_page = is_account_request();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#8b1a1a"/>
                <link rel="stylesheet" href="/pkg/portal.css"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                {(!account_page).then(|| view! { <HydrationLoader/> })}
                <EmcSnippet/>
                <MetaTags/>
            </head>
            <body class="min-h-screen flex flex-col bg-white text-slate-900">
                <a href="#main" class="skip-link">{lang.t().skip_to_content}</a>
                <Header/>
                {body()}
                <Footer/>
            </body>
        </html>
    }
}

/// Account and back-office pages (S-ACC): plain server-rendered forms. They are never hydrated,
/// so the browser downloads no WASM for them and the public pages' WASM does not carry their
/// code (PERF-4); every form there works with or without JavaScript.
pub fn is_account_path(path: &str) -> bool {
    [
        "/dang-nhap",
        "/dang-ky",
        "/xac-thuc-email",
        "/quen-mat-khau",
        "/dat-lai-mat-khau",
        "/tai-khoan",
        "/can-bo",
        "/quan-tri",
        "/ho-so",
        "/tra-cuu-ho-so",
        "/xac-thuc-van-ban",
        "/kho-du-lieu",
        "/thong-bao",
    ]
    .iter()
    .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

fn is_account_request() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().is_some_and(|p| is_account_path(p.uri.path()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// The page body: the hydrated public app, or the server-only account app.
fn body() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if is_account_request() {
        return view! { <div id="page" class="flex-1"><AccountApp/></div> }.into_any();
    }
    view! { <div id="app" class="flex-1"><App/></div> }.into_any()
}

/// S-ACC: a strict Content-Security-Policy with this response's nonce. Only scripts carrying
/// the nonce run (the loader below and Leptos' hydration data); they may load the WASM
/// (`strict-dynamic`, `wasm-unsafe-eval`); nothing may frame the portal.
fn set_csp() {
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        // P-3.6: the pay form's answer redirects to the payment gateway; P-1: the logout
        // form's answer redirects to the e-ID provider. A browser applies form-action to
        // those redirects too.
        let svc = use_context::<crate::server::Services>();
        let gateway: String = svc
            .iter()
            .flat_map(|s| {
                [
                    s.integrations.payment.as_ref().map(|g| g.origin()),
                    s.integrations.sso.as_ref().map(|o| o.origin()),
                ]
            })
            .flatten()
            .filter(|o| !o.is_empty() && !o.contains([';', ',', ' ', '\'', '"']))
            .map(|o| format!(" {o}"))
            .collect();
        // EMC-1: the tracker sends its hits as images or requests to its own origin.
        let emc: String = svc
            .iter()
            .filter_map(|s| s.integrations.emc.as_ref())
            .flat_map(|e| e.origins())
            .filter(|o| !o.is_empty() && !o.contains([';', ',', ' ', '\'', '"']))
            .map(|o| format!(" {o}"))
            .collect();
        let policy = format!(
            "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
             style-src 'self'; img-src 'self' data:{emc}; connect-src 'self'{emc}; font-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'{gateway}; frame-ancestors 'none'"
        );
        if let Ok(v) = http::HeaderValue::from_str(&policy) {
            res.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
        }
    }
}

/// EMC-1: the national monitoring system's tracking snippet, when a site id is configured,
/// with the page's CSP nonce (the tracker's own script then loads under 'strict-dynamic').
#[component]
fn EmcSnippet() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        let code = use_context::<crate::server::Services>()
            .and_then(|s| s.integrations.emc.as_ref().map(|e| e.snippet()));
        let nonce = leptos::nonce::use_nonce();
        code.map(|c| view! { <script nonce=nonce inner_html=c></script> })
    }
    #[cfg(not(feature = "ssr"))]
    {
        None::<()>
    }
}

/// Loads the WASM only after the page has loaded and the browser is idle, with no preload
/// hints: the server-rendered page is complete and usable first, and the ~230 KB download never
/// competes with it on a slow network (PERF-1..4). Leptos' own `HydrationScripts` preloads the
/// WASM at page start, which measured 1 s worse LCP in Lighthouse mobile.
#[component]
fn HydrationLoader() -> impl IntoView {
    // cargo-leptos names the file after `output-name`; a plain wasm-bindgen build adds `_bg`.
    let wasm = if option_env!("LEPTOS_OUTPUT_NAME").is_some() {
        "portal"
    } else {
        "portal_bg"
    };
    let script = format!(
        r#"(()=>{{const go=()=>import("/pkg/portal.js").then(m=>m.default({{module_or_path:"/pkg/{wasm}.wasm"}}).then(()=>m.hydrate()));const idle=()=>"requestIdleCallback" in window?requestIdleCallback(go,{{timeout:3000}}):setTimeout(go,1);if(document.readyState==="complete")idle();else addEventListener("load",idle,{{once:true}});}})()"#
    );
    view! { <script type="module" nonce=leptos::nonce::use_nonce() inner_html=script></script> }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(detect_lang());
    // Effects run only in the browser: tests wait for this marker before clicking.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Router>
            <main id="main" tabindex="-1" class="mx-auto w-full max-w-5xl px-4 py-6 focus:outline-none">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/thu-tuc") view=CataloguePage ssr=SsrMode::Async/>
                    <Route path=path!("/thu-tuc/:code") view=ProcedurePage ssr=SsrMode::Async/>
                    <Route path=path!("/tim-kiem") view=SearchPage ssr=SsrMode::Async/>
                    <Route path=path!("/ho-tro-tiep-can") view=AccessibilityPage/>
                </Routes>
            </main>
        </Router>
    }
}

/// Account and back-office routes, rendered on the server only (see [`is_account_path`]).
#[cfg(feature = "ssr")]
#[component]
pub fn AccountApp() -> impl IntoView {
    provide_meta_context();
    provide_context(detect_lang());
    view! {
        <Router>
            <main id="main" tabindex="-1" class="mx-auto w-full max-w-5xl px-4 py-6 focus:outline-none">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/dang-nhap") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/dang-nhap/ma-xac-thuc") view=SecondFactorPage ssr=SsrMode::Async/>
                    <Route path=path!("/dang-ky") view=RegisterPage ssr=SsrMode::Async/>
                    <Route path=path!("/xac-thuc-email") view=VerifyEmailPage ssr=SsrMode::Async/>
                    <Route path=path!("/quen-mat-khau") view=ForgotPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/dat-lai-mat-khau") view=ResetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/tai-khoan") view=AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/tai-khoan/mat-khau") view=ChangePasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/tai-khoan/xac-thuc-hai-buoc") view=TotpEnrolPage ssr=SsrMode::Async/>
                    <Route path=path!("/tai-khoan/phien") view=SessionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/can-bo") view=OfficerHomePage ssr=SsrMode::Async/>
                    <Route path=path!("/quan-tri/can-bo") view=AdminOfficersPage ssr=SsrMode::Async/>
                    <Route path=path!("/quan-tri/nhat-ky") view=AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/quan-tri/yeu-cau-xoa") view=DeletionRequestsPage ssr=SsrMode::Async/>
                    <Route path=path!("/quan-tri/thu-tuc") view=ProcedureAdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/quan-tri/thu-tuc/:code") view=ProcedureEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("/quan-tri/ngay-nghi") view=HolidayAdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/quan-tri/danh-muc") view=SharedCataloguePage ssr=SsrMode::Async/>
                    <Route path=path!("/quan-tri/tich-hop") view=IntegrationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/ho-so") view=MyDossiersPage ssr=SsrMode::Async/>
                    <Route path=path!("/ho-so/moi") view=StartDossierPage ssr=SsrMode::Async/>
                    <Route path=path!("/ho-so/:id") view=DossierPage ssr=SsrMode::Async/>
                    <Route path=path!("/ho-so/:id/bieu-mau") view=DossierFormPage ssr=SsrMode::Async/>
                    <Route path=path!("/ho-so/:id/giay-to") view=DossierDocsPage ssr=SsrMode::Async/>
                    <Route path=path!("/ho-so/:id/buu-chinh") view=PostalPage ssr=SsrMode::Async/>
                    <Route path=path!("/tra-cuu-ho-so") view=LookupPage ssr=SsrMode::Async/>
                    <Route path=path!("/xac-thuc-van-ban") view=VerifyDocumentPage ssr=SsrMode::Async/>
                    <Route path=path!("/kho-du-lieu") view=DataStorePage ssr=SsrMode::Async/>
                    <Route path=path!("/thong-bao") view=NotificationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/can-bo/ho-so") view=OfficerDossiersPage ssr=SsrMode::Async/>
                    <Route path=path!("/can-bo/ho-so/:id") view=OfficerDossierPage ssr=SsrMode::Async/>
                    <Route path=path!("/can-bo/bao-cao") view=ReportPage ssr=SsrMode::Async/>
                    <Route path=path!("/can-bo/doi-soat-thanh-toan") view=ReconciliationPage ssr=SsrMode::Async/>
                    <Route path=path!("/can-bo/giam-sat") view=SupervisionPage ssr=SsrMode::Async/>
                    <Route path=path!("/can-bo/tiep-nhan") view=IntakePage ssr=SsrMode::Async/>
                    <Route path=path!("/can-bo/luu-tru") view=ArchivePage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

/// Browser entry point, called by the `frontend` crate.
#[cfg(feature = "hydrate")]
pub fn hydrate_app() {
    use wasm_bindgen::JsCast;
    if let Some(root) = document().get_element_by_id("app") {
        let handle = leptos::mount::hydrate_from(root.unchecked_into(), App);
        handle.forget();
    }
}
