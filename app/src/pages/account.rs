//! Account pages (P-10.1, S-ACC, S-PD, B-g, P-10.3): registration, email verification, login
//! with second factor, password reset and change, profile, sessions, personal data, officer
//! administration and the audit log. Every form is a plain HTML POST that works without
//! JavaScript; errors come back on the same page with the input kept (FormEcho).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::ErrorNotice;
use crate::api::account::{
    format_time, get_admin_officers, get_audit_view, get_deletion_requests, get_form_context,
    get_totp_setup, my_account, my_sessions, FormContext,
};
use crate::domain::account::{AccountKind, Permission, Stage};
use crate::domain::form::FormEcho;
use crate::i18n::Lang;
use crate::use_lang;

pub(crate) fn tr(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

pub(crate) const INPUT: &str =
    "mt-1 block w-full rounded border border-slate-500 px-3 py-2 text-base";
pub(crate) const BUTTON: &str = "rounded bg-[#8b1a1a] px-4 py-2 font-semibold text-white";
pub(crate) const LINK: &str = "text-blue-800 underline";

pub(crate) fn query(name: &'static str) -> Memo<String> {
    let q = use_query_map();
    Memo::new(move |_| q.read().get(name).unwrap_or_default())
}

/// Loads the form context (CSRF token, echo of a failed post) and renders `render` with it.
#[component]
pub(crate) fn WithForm<F, V>(render: F) -> impl IntoView
where
    F: Fn(FormContext) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let lang = use_lang();
    // Server-only pages are never hydrated, so their data is fetched in place rather than
    // through a Resource, which would also serialise it into the page for a client that never
    // comes.
    let ctx = get_form_context;
    view! {
        <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    let c = ctx().await.unwrap_or_default();
                    render(c).into_any()
                })
            }}
        </Suspense>
    }
}

#[component]
pub(crate) fn Csrf(token: String) -> impl IntoView {
    view! { <input type="hidden" name="_csrf" value=token/> }
}

/// Errors listed at the top with links to their fields (GOV.UK/USWDS pattern), announced by
/// screen readers on arrival.
#[component]
pub(crate) fn ErrorSummary(echo: FormEcho, lang: Lang) -> impl IntoView {
    let general = echo.general(lang);
    let fields = echo.errors.clone();
    let any = general.is_some() || !fields.is_empty();
    any.then(|| {
        view! {
            <div role="alert" class="mb-4 rounded border-2 border-red-700 bg-red-50 p-4 text-red-900" tabindex="-1" id="error-summary" autofocus>
                <h2 class="font-bold">{tr(lang, "Cần sửa trước khi gửi", "There is a problem")}</h2>
                {general.map(|g| view! { <p class="mt-1">{g}</p> })}
                <ul class="mt-2 list-disc pl-5">
                    {fields.into_iter().map(|e| {
                        let msg = if lang == Lang::Vi { e.message_vi } else { e.message_en };
                        view! { <li><a href=format!("#f-{}", e.field) class="text-red-900 underline">{msg}</a></li> }
                    }).collect_view()}
                </ul>
            </div>
        }
    })
}

#[component]
pub(crate) fn Field(
    name: &'static str,
    label: &'static str,
    echo: FormEcho,
    lang: Lang,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(default = true)] required: bool,
) -> impl IntoView {
    let id = format!("f-{name}");
    let err = echo.error(name, lang);
    let hint_id = hint.map(|_| format!("{id}-hint"));
    let err_id = err.as_ref().map(|_| format!("{id}-err"));
    let described = [hint_id.clone(), err_id.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let value = if kind == "password" {
        String::new()
    } else {
        echo.value(name)
    };
    view! {
        <div class="mb-4">
            <label for=id.clone() class="block font-semibold">{label}</label>
            {hint.map(|h| view! { <p id=hint_id.clone() class="text-sm text-slate-700">{h}</p> })}
            {err.map(|e| view! { <p id=err_id.clone() class="text-sm font-semibold text-red-800">{e}</p> })}
            <input id=id name=name type=kind value=value class=INPUT
                autocomplete=autocomplete inputmode=inputmode required=required
                aria-invalid=echo.error(name, lang).map(|_| "true")
                aria-describedby=(!described.is_empty()).then_some(described)/>
        </div>
    }
}

#[component]
pub(crate) fn Notice(text: &'static str) -> impl IntoView {
    view! { <p role="status" class="mb-4 rounded border border-green-700 bg-green-50 p-3 text-green-900">{text}</p> }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let lang = use_lang();
    let ok = query("ok");
    let title = tr(lang, "Đăng ký tài khoản", "Create an account");
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <Show when=move || ok.get() == "1" fallback=move || view! { <RegisterForm lang/> }>
            <Notice text=tr(lang,
                "Đã gửi thư. Hãy mở liên kết trong email để kích hoạt tài khoản (hiệu lực 24 giờ). Nếu không thấy, hãy xem cả thư mục thư rác.",
                "Message sent. Open the link in the email to activate your account (valid 24 hours). If you cannot find it, check your spam folder.")/>
            <p><a href="/dang-nhap" class=LINK>{tr(lang, "Đến trang đăng nhập", "Go to login")}</a></p>
        </Show>
    }
}

#[component]
fn RegisterForm(lang: Lang) -> impl IntoView {
    view! {
        <WithForm render=move |c: FormContext| {
            let e = c.echo.clone();
            let org = e.value("kind") == "organisation";
            view! {
                <ErrorSummary echo=e.clone() lang/>
                <form method="post" action="/dang-ky" novalidate class="max-w-xl">
                    <Csrf token=c.csrf.clone()/>
                    <fieldset class="mb-4">
                        <legend class="font-semibold">{tr(lang, "Bạn đăng ký với tư cách", "You are registering as")}</legend>
                        <label class="mr-6"><input type="radio" name="kind" value="citizen" checked=!org/>" "{tr(lang, "Công dân", "Citizen")}</label>
                        <label><input type="radio" name="kind" value="organisation" checked=org/>" "{tr(lang, "Tổ chức, doanh nghiệp", "Organisation or business")}</label>
                    </fieldset>
                    <Field name="full_name" label=tr(lang, "Họ và tên", "Full name") echo=e.clone() lang autocomplete="name"/>
                    <Field name="email" label="Email" kind="email" echo=e.clone() lang autocomplete="email"/>
                    <Field name="phone" label=tr(lang, "Số điện thoại", "Phone number") kind="tel" echo=e.clone() lang autocomplete="tel"/>
                    <Field name="citizen_id" label=tr(lang, "Số định danh cá nhân (CCCD)", "Personal ID number (CCCD)")
                        hint=tr(lang, "12 chữ số trên thẻ căn cước. Được mã hoá khi lưu.", "12 digits on your ID card. Stored encrypted.")
                        inputmode="numeric" echo=e.clone() lang/>
                    <Field name="organisation_name" label=tr(lang, "Tên tổ chức (chỉ khi đăng ký cho tổ chức)", "Organisation name (organisations only)")
                        required=false echo=e.clone() lang autocomplete="organization"/>
                    <Field name="tax_code" label=tr(lang, "Mã số thuế (chỉ khi đăng ký cho tổ chức)", "Tax code (organisations only)")
                        required=false inputmode="numeric" echo=e.clone() lang/>
                    <Field name="password" label=tr(lang, "Mật khẩu", "Password") kind="password" autocomplete="new-password"
                        hint=tr(lang, "Ít nhất 12 ký tự. Một câu ngắn dễ nhớ là lựa chọn tốt; không dùng mật khẩu phổ biến.", "At least 12 characters. A short sentence is a good choice; common passwords are refused.")
                        echo=e.clone() lang/>
                    <Field name="password_confirm" label=tr(lang, "Nhập lại mật khẩu", "Repeat the password") kind="password" autocomplete="new-password" echo=e.clone() lang/>
                    <div class="mb-4">
                        {e.error("consent", lang).map(|m| view! { <p id="f-consent-err" class="text-sm font-semibold text-red-800">{m}</p> })}
                        <label class="flex gap-2 items-start">
                            <input id="f-consent" type="checkbox" name="consent" value="yes" class="mt-1"
                                aria-describedby="consent-text"/>
                            <span>{tr(lang, "Tôi đồng ý cho Cổng xử lý dữ liệu cá nhân của tôi để giải quyết thủ tục hành chính.", "I agree that the portal processes my personal data to handle administrative procedures.")}</span>
                        </label>
                        <p id="consent-text" class="mt-1 text-sm text-slate-700">{tr(lang,
                            "Mục đích: tiếp nhận, giải quyết và trả kết quả thủ tục hành chính; liên hệ với bạn về hồ sơ. Dữ liệu được lưu theo thời hạn pháp luật quy định; bạn có thể tải về hoặc yêu cầu xoá tài khoản bất cứ lúc nào (Nghị định 13/2023/NĐ-CP). Phiên bản 2026-11.",
                            "Purpose: receiving, handling and returning administrative procedures; contacting you about your dossiers. Data is kept for the periods the law requires; you can download it or ask for the account to be deleted at any time (Decree 13/2023). Version 2026-11.")}</p>
                    </div>
                    <button type="submit" class=BUTTON>{tr(lang, "Đăng ký", "Register")}</button>
                </form>
                <p class="mt-4">{tr(lang, "Đã có tài khoản? ", "Already registered? ")}<a href="/dang-nhap" class=LINK>{tr(lang, "Đăng nhập", "Log in")}</a></p>
            }
        }/>
    }
}

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let lang = use_lang();
    let token = query("token");
    let title = tr(lang, "Xác thực email", "Verify your email");
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <WithForm render=move |c: FormContext| view! {
            <ErrorSummary echo=c.echo.clone() lang/>
            <p class="mb-4">{tr(lang, "Bấm nút dưới đây để xác nhận địa chỉ email và kích hoạt tài khoản.", "Press the button to confirm your email address and activate your account.")}</p>
            <form method="post" action="/xac-thuc-email">
                <Csrf token=c.csrf.clone()/>
                <input type="hidden" name="token" value=move || token.get()/>
                <button type="submit" class=BUTTON>{tr(lang, "Xác nhận email", "Confirm email")}</button>
            </form>
        }/>
    }
}

/// Why a sign-in with the national e-ID did not finish (`?sso=`, P-1).
fn sso_refusal(code: &str, lang: Lang) -> Option<&'static str> {
    Some(match code {
        "huy" => tr(
            lang,
            "Bạn đã huỷ đăng nhập bằng VNeID.",
            "You cancelled signing in with VNeID.",
        ),
        "het-han" => tr(
            lang,
            "Phiên đăng nhập bằng VNeID đã hết hạn hoặc không hợp lệ. Hãy thử lại.",
            "The VNeID sign-in expired or is not valid. Try again.",
        ),
        "can-bo" => tr(
            lang,
            "Tài khoản cán bộ đăng nhập bằng email, mật khẩu và mã xác thực hai bước.",
            "Officer accounts sign in with email, password and two-step verification.",
        ),
        "khoa" => tr(
            lang,
            "Tài khoản đã bị vô hiệu hoá. Hãy liên hệ Cổng.",
            "This account has been disabled. Contact the portal.",
        ),
        "loi" => tr(
            lang,
            "Không đăng nhập được bằng VNeID lúc này. Hãy thử lại sau hoặc đăng nhập bằng email.",
            "Signing in with VNeID failed. Try again later or sign in with your email.",
        ),
        _ => return None,
    })
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = use_lang();
    let ok = query("ok");
    let next = query("next");
    let sso = query("sso");
    let title = lang.t().login_title;
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        {move || match ok.get().as_str() {
            "verified" => Some(view! { <Notice text=tr(lang, "Email đã được xác thực. Bạn có thể đăng nhập.", "Your email is verified. You can log in now.")/> }),
            "logged_out" => Some(view! { <Notice text=tr(lang, "Bạn đã đăng xuất.", "You have logged out.")/> }),
            "reset" => Some(view! { <Notice text=tr(lang, "Mật khẩu đã được đặt lại. Hãy đăng nhập bằng mật khẩu mới.", "Your password has been reset. Log in with the new password.")/> }),
            _ => None,
        }}
        {move || sso_refusal(&sso.get(), lang).map(|text| view! {
            <div role="alert" class="mb-4 border-l-4 border-red-800 bg-red-50 p-3 font-semibold text-red-900">{text}</div>
        })}
        <WithForm render=move |c: FormContext| {
            let e = c.echo.clone();
            let start = format!("/dang-nhap/vneid?next={}", crate::domain::text::urlencode(&next.get_untracked()));
            view! {
                {c.sso.then(|| view! {
                    <section aria-labelledby="sso-h" class="mb-6 max-w-md">
                        <h2 id="sso-h" class="sr-only">{tr(lang, "Đăng nhập bằng định danh điện tử", "Sign in with the national e-ID")}</h2>
                        <a href=start.clone() rel="external" class="block rounded bg-[#8b1a1a] px-4 py-3 text-center font-semibold text-white underline-offset-2 hover:underline focus:outline focus:outline-4 focus:outline-offset-2 focus:outline-black">
                            {tr(lang, "Đăng nhập bằng VNeID / tài khoản Cổng DVC quốc gia", "Sign in with VNeID / the National Public Service Portal account")}
                        </a>
                        <p class="mt-2 text-sm text-slate-700">{tr(lang,
                            "Lần đầu đăng nhập, Cổng tạo tài khoản từ họ tên, số định danh, email và số điện thoại do VNeID cung cấp; bằng việc đăng nhập, bạn đồng ý cho Cổng xử lý các dữ liệu này để giải quyết thủ tục hành chính (Nghị định 13/2023/NĐ-CP).",
                            "The first time, the portal creates your account from the name, ID number, email and phone VNeID provides; by signing in you agree that the portal processes them to handle administrative procedures (Decree 13/2023).")}</p>
                        <p class="mt-4 font-semibold">{tr(lang, "Hoặc đăng nhập bằng email:", "Or sign in with your email:")}</p>
                    </section>
                })}
                <ErrorSummary echo=e.clone() lang/>
                <form method="post" action="/dang-nhap" novalidate class="max-w-md">
                    <Csrf token=c.csrf.clone()/>
                    <input type="hidden" name="next" value=move || next.get()/>
                    <Field name="email" label="Email" kind="email" autocomplete="username" echo=e.clone() lang/>
                    <Field name="password" label=tr(lang, "Mật khẩu", "Password") kind="password" autocomplete="current-password" echo=e.clone() lang/>
                    <button type="submit" class=BUTTON>{tr(lang, "Đăng nhập", "Log in")}</button>
                </form>
                <ul class="mt-4 grid gap-2">
                    <li><a href="/quen-mat-khau" class=LINK>{tr(lang, "Quên mật khẩu?", "Forgot your password?")}</a></li>
                    <li><a href="/dang-ky" class=LINK>{tr(lang, "Đăng ký tài khoản mới", "Create an account")}</a></li>
                </ul>
            }
        }/>
    }
}

#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let lang = use_lang();
    let title = tr(lang, "Mã xác thực hai bước", "Two-step verification code");
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <WithForm render=move |c: FormContext| {
            let e = c.echo.clone();
            view! {
                <ErrorSummary echo=e.clone() lang/>
                <form method="post" action="/dang-nhap/ma-xac-thuc" novalidate class="max-w-md">
                    <Csrf token=c.csrf.clone()/>
                    <Field name="code" label=tr(lang, "Mã 6 chữ số", "6-digit code") autocomplete="one-time-code" inputmode="numeric"
                        hint=tr(lang, "Mở ứng dụng xác thực trên điện thoại và nhập mã đang hiển thị, hoặc nhập một mã khôi phục.", "Open your authenticator app and enter the code shown, or enter a recovery code.")
                        echo=e.clone() lang/>
                    <button type="submit" class=BUTTON>{tr(lang, "Xác nhận", "Confirm")}</button>
                </form>
            }
        }/>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let lang = use_lang();
    let ok = query("ok");
    let title = tr(lang, "Quên mật khẩu", "Forgot password");
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <Show when=move || ok.get() == "1" fallback=move || view! {
            <WithForm render=move |c: FormContext| {
                let e = c.echo.clone();
                view! {
                    <ErrorSummary echo=e.clone() lang/>
                    <form method="post" action="/quen-mat-khau" novalidate class="max-w-md">
                        <Csrf token=c.csrf.clone()/>
                        <Field name="email" label="Email" kind="email" autocomplete="email" echo=e.clone() lang/>
                        <button type="submit" class=BUTTON>{tr(lang, "Gửi liên kết đặt lại", "Send reset link")}</button>
                    </form>
                }
            }/>
        }>
            <Notice text=tr(lang, "Nếu email này có tài khoản, chúng tôi đã gửi liên kết đặt lại mật khẩu (hiệu lực 30 phút).", "If this email has an account, we have sent a password reset link (valid 30 minutes).")/>
        </Show>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let lang = use_lang();
    let token = query("token");
    let title = tr(lang, "Đặt mật khẩu mới", "Set a new password");
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <WithForm render=move |c: FormContext| {
            let e = c.echo.clone();
            view! {
                <ErrorSummary echo=e.clone() lang/>
                <form method="post" action="/dat-lai-mat-khau" novalidate class="max-w-md">
                    <Csrf token=c.csrf.clone()/>
                    <input type="hidden" name="token" value=move || token.get()/>
                    <Field name="new_password" label=tr(lang, "Mật khẩu mới", "New password") kind="password" autocomplete="new-password"
                        hint=tr(lang, "Ít nhất 12 ký tự.", "At least 12 characters.") echo=e.clone() lang/>
                    <Field name="password_confirm" label=tr(lang, "Nhập lại mật khẩu mới", "Repeat the new password") kind="password" autocomplete="new-password" echo=e.clone() lang/>
                    <button type="submit" class=BUTTON>{tr(lang, "Đặt mật khẩu", "Set password")}</button>
                </form>
            }
        }/>
    }
}

#[component]
fn LogoutButton(csrf: String, lang: Lang) -> impl IntoView {
    view! {
        <form method="post" action="/dang-xuat" class="inline">
            <Csrf token=csrf/>
            <button type="submit" class="rounded border border-slate-600 px-4 py-2 font-semibold">{tr(lang, "Đăng xuất", "Log out")}</button>
        </form>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = use_lang();
    let ok = query("ok");
    let title = tr(lang, "Tài khoản của tôi", "My account");
    let data = Resource::new(|| (), |_| my_account());
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        {move || match ok.get().as_str() {
            "saved" => Some(view! { <Notice text=tr(lang, "Đã lưu thông tin liên hệ.", "Contact details saved.")/> }),
            "password" => Some(view! { <Notice text=tr(lang, "Đã đổi mật khẩu. Các phiên đăng nhập khác đã được đăng xuất.", "Password changed. Your other sessions have been logged out.")/> }),
            "deletion" => Some(view! { <Notice text=tr(lang, "Đã ghi nhận yêu cầu xoá tài khoản; quản trị viên sẽ xử lý và báo cho bạn qua email.", "Your deletion request is recorded; an administrator will handle it and tell you by email.")/> }),
            _ => None,
        }}
        <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(a) => view! { <AccountBody a lang/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AccountBody(a: crate::api::account::AccountView, lang: Lang) -> impl IntoView {
    let p = a.profile;
    let officer = a.principal.is_officer();
    let kind = match p.kind {
        AccountKind::Citizen => tr(lang, "Công dân", "Citizen"),
        AccountKind::Organisation => tr(lang, "Tổ chức", "Organisation"),
        AccountKind::Officer => tr(lang, "Cán bộ", "Officer"),
    };
    let not_set = tr(lang, "Chưa có", "Not set");
    let orgs = p.organisations.clone();
    let reps = p.representatives.clone();
    view! {
        {(!officer).then(|| view! {
            <nav aria-label=tr(lang, "Dịch vụ của tôi", "My services") class="mb-6">
                <ul class="flex flex-wrap gap-3">
                    <li><a href="/ho-so" class=LINK>{tr(lang, "Hồ sơ của tôi", "My dossiers")}</a></li>
                    <li><a href="/kho-du-lieu" class=LINK>{tr(lang, "Kho dữ liệu", "Data store")}</a></li>
                    <li><a href="/thong-bao" class=LINK>{tr(lang, "Thông báo", "Notifications")}</a></li>
                    <li><a href="/tra-cuu-ho-so" class=LINK>{tr(lang, "Tra cứu hồ sơ", "Look up a dossier")}</a></li>
                </ul>
            </nav>
        })}
        <section aria-labelledby="h-profile" class="mb-6">
            <h2 id="h-profile" class="text-xl font-bold mb-2">{tr(lang, "Thông tin cá nhân", "Personal details")}</h2>
            <dl class="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
                <dt class="font-semibold">{tr(lang, "Họ và tên", "Full name")}</dt><dd>{p.full_name.clone()}</dd>
                <dt class="font-semibold">{tr(lang, "Loại tài khoản", "Account type")}</dt><dd>{kind}</dd>
                <dt class="font-semibold">"Email"</dt><dd>{p.email.clone()}</dd>
                <dt class="font-semibold">{tr(lang, "Điện thoại", "Phone")}</dt><dd>{p.phone.clone().unwrap_or_else(|| not_set.into())}</dd>
                <dt class="font-semibold">{tr(lang, "Số định danh", "ID number")}</dt><dd>{p.citizen_id_masked.clone().unwrap_or_else(|| not_set.into())}</dd>
                <dt class="font-semibold">{tr(lang, "Xác thực hai bước", "Two-step verification")}</dt>
                <dd>{if p.totp_enabled { tr(lang, "Đang bật", "On") } else { tr(lang, "Chưa bật", "Off") }}</dd>
            </dl>
        </section>
        {(!orgs.is_empty()).then(|| view! {
            <section aria-labelledby="h-orgs" class="mb-6">
                <h2 id="h-orgs" class="text-xl font-bold mb-2">{tr(lang, "Tổ chức liên kết", "Linked organisations")}</h2>
                <ul class="list-disc pl-5">
                    {orgs.into_iter().map(|o| view! { <li>{o.name}" — "{tr(lang, "MST", "Tax code")}" "{o.tax_code}" ("{o.relation}")"</li> }).collect_view()}
                </ul>
                {(!reps.is_empty()).then(|| view! {
                    <h3 class="font-semibold mt-2">{tr(lang, "Người được uỷ quyền", "Authorised representatives")}</h3>
                    <ul class="list-disc pl-5">{reps.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
                })}
            </section>
        })}
        <WithForm render=move |c: FormContext| {
            let e = c.echo.clone();
            let deletion_pending = p.deletion_pending;
            view! {
                <ErrorSummary echo=e.clone() lang/>
                <section aria-labelledby="h-contact" class="mb-6">
                    <h2 id="h-contact" class="text-xl font-bold mb-2">{tr(lang, "Thông tin liên hệ", "Contact details")}</h2>
                    <form method="post" action="/tai-khoan" novalidate class="max-w-md">
                        <Csrf token=c.csrf.clone()/>
                        <input type="hidden" name="action" value="contact"/>
                        <Field name="phone" label=tr(lang, "Số điện thoại", "Phone number") kind="tel" autocomplete="tel" echo=e.clone() lang/>
                        <button type="submit" class=BUTTON>{tr(lang, "Lưu", "Save")}</button>
                    </form>
                </section>
                <section aria-labelledby="h-security" class="mb-6">
                    <h2 id="h-security" class="text-xl font-bold mb-2">{tr(lang, "Bảo mật", "Security")}</h2>
                    <ul class="grid gap-2">
                        <li><a href="/tai-khoan/mat-khau" class=LINK>{tr(lang, "Đổi mật khẩu", "Change password")}</a></li>
                        <li><a href="/tai-khoan/xac-thuc-hai-buoc" class=LINK>{tr(lang, "Xác thực hai bước", "Two-step verification")}</a></li>
                        <li><a href="/tai-khoan/phien" class=LINK>{tr(lang, "Các phiên đăng nhập", "My sessions")}</a></li>
                        {officer.then(|| view! { <li><a href="/can-bo" class=LINK>{tr(lang, "Trang cán bộ", "Officer workspace")}</a></li> })}
                    </ul>
                </section>
                <section aria-labelledby="h-data" class="mb-6">
                    <h2 id="h-data" class="text-xl font-bold mb-2">{tr(lang, "Dữ liệu cá nhân", "Personal data")}</h2>
                    <p class="mb-2"><a href="/tai-khoan/du-lieu.json" class=LINK rel="external" download="du-lieu-ca-nhan.json">{tr(lang, "Tải về toàn bộ dữ liệu của tôi (JSON)", "Download all my data (JSON)")}</a></p>
                    {if deletion_pending {
                        view! { <p>{tr(lang, "Yêu cầu xoá tài khoản đang chờ xử lý.", "Your deletion request is pending.")}</p> }.into_any()
                    } else {
                        view! {
                            <form method="post" action="/tai-khoan" class="max-w-md">
                                <Csrf token=c.csrf.clone()/>
                                <input type="hidden" name="action" value="delete"/>
                                <label for="f-reason" class="block font-semibold">{tr(lang, "Lý do yêu cầu xoá tài khoản (không bắt buộc)", "Why you want the account deleted (optional)")}</label>
                                <textarea id="f-reason" name="reason" rows="2" class=INPUT></textarea>
                                <button type="submit" class="mt-2 rounded border border-red-800 px-4 py-2 font-semibold text-red-800">{tr(lang, "Yêu cầu xoá tài khoản", "Request account deletion")}</button>
                            </form>
                        }.into_any()
                    }}
                </section>
                <LogoutButton csrf=c.csrf.clone() lang/>
            }
        }/>
    }
}

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let lang = use_lang();
    let title = tr(lang, "Đổi mật khẩu", "Change password");
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <WithForm render=move |c: FormContext| {
            let e = c.echo.clone();
            let forced = c.user.as_ref().is_some_and(|u| u.stage == Stage::ChangePassword);
            view! {
                {forced.then(|| view! { <p class="mb-4 rounded border border-amber-700 bg-amber-50 p-3">{tr(lang, "Đây là lần đăng nhập đầu tiên: bạn cần đổi mật khẩu do quản trị viên cấp trước khi tiếp tục.", "This is your first login: change the password your administrator gave you before continuing.")}</p> })}
                <ErrorSummary echo=e.clone() lang/>
                <form method="post" action="/tai-khoan/mat-khau" novalidate class="max-w-md">
                    <Csrf token=c.csrf.clone()/>
                    <Field name="current_password" label=tr(lang, "Mật khẩu hiện tại", "Current password") kind="password" autocomplete="current-password" echo=e.clone() lang/>
                    <Field name="new_password" label=tr(lang, "Mật khẩu mới", "New password") kind="password" autocomplete="new-password"
                        hint=tr(lang, "Ít nhất 12 ký tự; khác mật khẩu hiện tại.", "At least 12 characters; different from the current one.") echo=e.clone() lang/>
                    <Field name="password_confirm" label=tr(lang, "Nhập lại mật khẩu mới", "Repeat the new password") kind="password" autocomplete="new-password" echo=e.clone() lang/>
                    <button type="submit" class=BUTTON>{tr(lang, "Đổi mật khẩu", "Change password")}</button>
                </form>
            }
        }/>
    }
}

#[component]
pub fn TotpEnrolPage() -> impl IntoView {
    let lang = use_lang();
    let title = tr(lang, "Xác thực hai bước", "Two-step verification");
    let setup = Resource::new(|| (), |_| get_totp_setup());
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <WithForm render=move |c: FormContext| {
            if c.echo.done {
                let officer = c.user.as_ref().is_some_and(|u| u.is_officer());
                return view! {
                    <Notice text=tr(lang, "Đã bật xác thực hai bước.", "Two-step verification is on.")/>
                    <h2 class="text-xl font-bold mb-2">{tr(lang, "Mã khôi phục", "Recovery codes")}</h2>
                    <p class="mb-2">{tr(lang, "Lưu các mã sau ở nơi an toàn. Mỗi mã dùng được một lần khi bạn không có điện thoại. Chúng chỉ hiển thị lần này.", "Keep these codes somewhere safe. Each works once when you do not have your phone. They are shown only now.")}</p>
                    <ul id="recovery-codes" class="mb-4 grid grid-cols-2 gap-1 font-mono max-w-xs">
                        {c.echo.extra.clone().into_iter().map(|code| view! { <li>{code}</li> }).collect_view()}
                    </ul>
                    <a href=if officer { "/can-bo" } else { "/tai-khoan" } class=BUTTON>{tr(lang, "Tiếp tục", "Continue")}</a>
                }.into_any();
            }
            let e = c.echo.clone();
            let csrf = c.csrf.clone();
            view! {
                <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
                    {
                        let e = e.clone();
                        let csrf = csrf.clone();
                        move || {
                            let e = e.clone();
                            let csrf = csrf.clone();
                            Suspend::new(async move {
                                match setup.await {
                                    Ok(s) if s.enabled => view! { <p>{tr(lang, "Xác thực hai bước đang bật cho tài khoản này.", "Two-step verification is on for this account.")}</p> }.into_any(),
                                    Ok(s) => view! {
                                        <ErrorSummary echo=e.clone() lang/>
                                        <ol class="list-decimal pl-5 mb-4 grid gap-2">
                                            <li>{tr(lang, "Cài một ứng dụng xác thực (Google Authenticator, Microsoft Authenticator, FreeOTP…).", "Install an authenticator app (Google Authenticator, Microsoft Authenticator, FreeOTP…).")}</li>
                                            <li>{tr(lang, "Quét mã QR, hoặc nhập khoá sau vào ứng dụng:", "Scan the QR code, or type this key into the app:")}
                                                " "<code id="totp-secret" class="font-mono break-all">{s.secret.clone()}</code></li>
                                            <li>{tr(lang, "Nhập mã 6 chữ số ứng dụng hiển thị.", "Enter the 6-digit code the app shows.")}</li>
                                        </ol>
                                        <div role="img" aria-label=tr(lang, "Mã QR chứa khoá xác thực hai bước", "QR code holding the two-step verification key") class="mb-4 w-52 bg-white" inner_html=s.qr_svg.clone()></div>
                                        <form method="post" action="/tai-khoan/xac-thuc-hai-buoc" novalidate class="max-w-md">
                                            <Csrf token=csrf.clone()/>
                                            <Field name="code" label=tr(lang, "Mã 6 chữ số", "6-digit code") autocomplete="one-time-code" inputmode="numeric" echo=e.clone() lang/>
                                            <button type="submit" class=BUTTON>{tr(lang, "Bật xác thực hai bước", "Turn on two-step verification")}</button>
                                        </form>
                                    }.into_any(),
                                    Err(err) => view! { <ErrorNotice error=err/> }.into_any(),
                                }
                            })
                        }
                    }
                </Suspense>
            }.into_any()
        }/>
    }
}

#[component]
pub fn SessionsPage() -> impl IntoView {
    let lang = use_lang();
    let ok = query("ok");
    let title = tr(lang, "Các phiên đăng nhập", "My sessions");
    let rows = Resource::new(|| (), |_| my_sessions());
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <Show when=move || ok.get() == "1">
            <Notice text=tr(lang, "Đã đăng xuất các phiên khác.", "Other sessions have been logged out.")/>
        </Show>
        <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Ok(list) => view! {
                        <ul class="grid gap-3 mb-4" id="session-list">
                            {list.into_iter().map(|s| view! {
                                <li class="rounded border border-slate-400 p-3">
                                    <p class="font-semibold">{s.user_agent.clone().unwrap_or_else(|| "—".into())}
                                        {s.current.then(|| view! { " "<span class="rounded bg-green-100 px-2 text-green-900">{tr(lang, "Phiên này", "This session")}</span> })}</p>
                                    <p class="text-sm">{tr(lang, "Bắt đầu: ", "Started: ")}{s.created_at.clone()}" · "{tr(lang, "Gần nhất: ", "Last active: ")}{s.last_seen_at.clone()}" · IP "{s.ip.clone().unwrap_or_default()}</p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
        <WithForm render=move |c: FormContext| view! {
            <ErrorSummary echo=c.echo.clone() lang/>
            <form method="post" action="/tai-khoan/phien">
                <Csrf token=c.csrf.clone()/>
                <button type="submit" class=BUTTON>{tr(lang, "Đăng xuất tất cả phiên khác", "Log out all other sessions")}</button>
            </form>
        }/>
    }
}

#[component]
pub fn OfficerHomePage() -> impl IntoView {
    let lang = use_lang();
    let title = tr(lang, "Trang cán bộ", "Officer workspace");
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <WithForm render=move |c: FormContext| {
            let Some(u) = c.user.clone() else {
                return view! { <ErrorNotice error=crate::error::AppError::Unauthorized/> }.into_any();
            };
            let admin = !u.units_for(Permission::ManageOfficers).is_empty() || u.is_system_admin();
            let supervisor = u.is_system_admin()
                || u.roles.iter().any(|g| matches!(g.role, crate::domain::account::Role::UnitLeader | crate::domain::account::Role::AgencyAdmin));
            let audit = u.can(Permission::ViewAudit, None);
            let archivist = u.is_system_admin() || !u.units_for(Permission::Archive).is_empty();
            view! {
                <p class="mb-4">{tr(lang, "Xin chào, ", "Hello, ")}<strong>{u.full_name.clone()}</strong></p>
                <h2 class="text-xl font-bold mb-2">{tr(lang, "Vai trò", "Roles")}</h2>
                <ul class="list-disc pl-5 mb-4" id="my-roles">
                    {u.roles.iter().map(|g| view! {
                        <li>{g.role.label(lang == Lang::Vi)}{g.agency_name.clone().map(|n| format!(" — {n}"))}</li>
                    }).collect_view()}
                </ul>
                <ul class="grid gap-2 mb-4">
                    <li><a href="/can-bo/ho-so" class=LINK>{tr(lang, "Hồ sơ của đơn vị", "Dossiers of my unit")}</a></li>
                    <li><a href="/can-bo/tiep-nhan" class=LINK>{tr(lang, "Tiếp nhận hồ sơ trực tiếp tại quầy", "Counter intake for a walk-in applicant")}</a></li>
                    <li><a href="/can-bo/bao-cao" class=LINK>{tr(lang, "Báo cáo thống kê và Bộ chỉ số 766", "Reports and the 766 index")}</a></li>
                    <li><a href="/can-bo/doi-soat-thanh-toan" class=LINK>{tr(lang, "Đối soát thanh toán trực tuyến", "Online payment reconciliation")}</a></li>
                    {archivist.then(|| view! { <li><a href="/can-bo/luu-tru" class=LINK>{tr(lang, "Lưu trữ hồ sơ đã giải quyết", "Archive of finished dossiers")}</a></li> })}
                    {supervisor.then(|| view! { <li><a href="/can-bo/giam-sat" class=LINK>{tr(lang, "Giám sát tiến độ giải quyết", "Supervision dashboard")}</a></li> })}
                    {admin.then(|| view! { <li><a href="/quan-tri/can-bo" class=LINK>{tr(lang, "Quản lý cán bộ", "Manage officers")}</a></li> })}
                    {audit.then(|| view! {
                        <li><a href="/quan-tri/nhat-ky" class=LINK>{tr(lang, "Nhật ký hệ thống và thống kê truy cập", "Audit log and access statistics")}</a></li>
                        <li><a href="/quan-tri/yeu-cau-xoa" class=LINK>{tr(lang, "Yêu cầu xoá tài khoản", "Account deletion requests")}</a></li>
                        <li><a href="/quan-tri/thu-tuc" class=LINK>{tr(lang, "Quản lý thủ tục hành chính, biểu mẫu và quy trình", "Procedures, forms and workflows")}</a></li>
                        <li><a href="/quan-tri/ngay-nghi" class=LINK>{tr(lang, "Danh mục ngày nghỉ, ngày làm bù", "Holidays and make-up days")}</a></li>
                        <li><a href="/quan-tri/danh-muc" class=LINK>{tr(lang, "Danh mục dùng chung: đơn vị hành chính, cơ quan, lĩnh vực, giấy tờ", "Shared catalogues: administrative units, agencies, fields, document types")}</a></li>
                        <li><a href="/quan-tri/tich-hop" class=LINK>{tr(lang, "Tích hợp, đồng bộ và nhật ký trao đổi dữ liệu", "Integrations, sync queue and exchange log")}</a></li>
                    })}
                    <li><a href="/tai-khoan" class=LINK>{tr(lang, "Tài khoản của tôi", "My account")}</a></li>
                </ul>
                <p class="text-slate-700">{tr(lang, "Hộp hồ sơ cần xử lý sẽ xuất hiện tại đây.", "Your dossier inbox will appear here.")}</p>
            }.into_any()
        }/>
    }
}

#[component]
pub fn AdminOfficersPage() -> impl IntoView {
    let lang = use_lang();
    let title = tr(lang, "Quản lý cán bộ", "Manage officers");
    let data = Resource::new(|| (), |_| get_admin_officers());
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <AdminOfficersBody d lang/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AdminOfficersBody(d: crate::api::account::AdminOfficers, lang: Lang) -> impl IntoView {
    view! {
        <WithForm render=move |c: FormContext| {
            let e = c.echo.clone();
            let d = d.clone();
            let selected_unit = e.value("agency_id");
            let selected_role = e.value("role");
            view! {
                {c.echo.done.then(|| view! {
                    <div role="status" class="mb-4 rounded border border-green-700 bg-green-50 p-3 text-green-900">
                        <p>{tr(lang, "Đã tạo tài khoản cán bộ ", "Officer account created: ")}<strong>{c.echo.extra.first().cloned()}</strong></p>
                        <p>{tr(lang, "Mật khẩu ban đầu (chỉ hiển thị lần này; cán bộ phải đổi khi đăng nhập lần đầu): ", "Initial password (shown only now; the officer must change it at first login): ")}
                            <code id="initial-password" class="font-mono">{c.echo.extra.get(1).cloned()}</code></p>
                    </div>
                })}
                <ErrorSummary echo=e.clone() lang/>
                <section aria-labelledby="h-new" class="mb-6">
                    <h2 id="h-new" class="text-xl font-bold mb-2">{tr(lang, "Tạo tài khoản cán bộ", "Create an officer account")}</h2>
                    <form method="post" action="/quan-tri/can-bo" novalidate class="max-w-xl">
                        <Csrf token=c.csrf.clone()/>
                        <Field name="full_name" label=tr(lang, "Họ và tên", "Full name") echo=e.clone() lang/>
                        <Field name="email" label=tr(lang, "Email công vụ", "Work email") kind="email" echo=e.clone() lang/>
                        <div class="mb-4">
                            <label for="f-agency_id" class="block font-semibold">{tr(lang, "Đơn vị", "Unit")}</label>
                            <select id="f-agency_id" name="agency_id" class=INPUT>
                                {d.units.iter().map(|(id, name)| {
                                    let sel = selected_unit == id.to_string();
                                    view! { <option value=id.to_string() selected=sel>{name.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="mb-4">
                            <label for="f-role" class="block font-semibold">{tr(lang, "Vai trò", "Role")}</label>
                            <select id="f-role" name="role" class=INPUT>
                                {d.roles.iter().map(|r| {
                                    let sel = selected_role == r.as_str();
                                    view! { <option value=r.as_str() selected=sel>{r.label(lang == Lang::Vi)}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        <button type="submit" class=BUTTON>{tr(lang, "Tạo tài khoản", "Create account")}</button>
                    </form>
                </section>
                <section aria-labelledby="h-list">
                    <h2 id="h-list" class="text-xl font-bold mb-2">{tr(lang, "Cán bộ", "Officers")}</h2>
                    // Wide tables scroll sideways on a phone; the region takes focus so keyboard users can scroll it.
                    <div class="overflow-x-auto" tabindex="0" role="region" aria-label=tr(lang, "Bảng cán bộ, cuộn ngang được", "Officer table, scrolls sideways")>
                    <table class="w-full text-left text-sm" id="officer-table">
                        <thead><tr>
                            <th scope="col" class="p-2">{tr(lang, "Họ tên", "Name")}</th>
                            <th scope="col" class="p-2">"Email"</th>
                            <th scope="col" class="p-2">{tr(lang, "Vai trò", "Role")}</th>
                            <th scope="col" class="p-2">{tr(lang, "Đơn vị", "Unit")}</th>
                            <th scope="col" class="p-2">{tr(lang, "Trạng thái", "Status")}</th>
                        </tr></thead>
                        <tbody>
                            {d.rows.iter().map(|r| {
                                let csrf = c.csrf.clone();
                                view! {
                                    <tr class="border-t border-slate-300">
                                        <td class="p-2">{r.full_name.clone()}</td>
                                        <td class="p-2">{r.email.clone()}</td>
                                        <td class="p-2">{r.role.label(lang == Lang::Vi)}</td>
                                        <td class="p-2">{r.agency.clone()}</td>
                                        <td class="p-2">{if r.active {
                                            view! {
                                                <form method="post" action="/quan-tri/can-bo">
                                                    <Csrf token=csrf/>
                                                    <input type="hidden" name="action" value="disable"/>
                                                    <input type="hidden" name="user_id" value=r.id.to_string()/>
                                                    <button type="submit" class="underline text-red-800" aria-label=format!("{} {}", tr(lang, "Vô hiệu hoá", "Disable"), r.email)>{tr(lang, "Vô hiệu hoá", "Disable")}</button>
                                                </form>
                                            }.into_any()
                                        } else {
                                            view! { <span>{tr(lang, "Đã vô hiệu hoá", "Disabled")}</span> }.into_any()
                                        }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    </div>
                </section>
            }
        }/>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let lang = use_lang();
    let title = tr(lang, "Nhật ký hệ thống", "Audit log");
    let action = query("hanh_dong");
    let actor = query("nguoi");
    let verify = query("kiem_tra");
    let data = Resource::new(
        move || (action.get(), actor.get(), verify.get() == "1"),
        |(a, u, v)| get_audit_view(a, u, v),
    );
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <form method="get" action="/quan-tri/nhat-ky" class="mb-4 flex flex-wrap gap-3 items-end">
            <div><label for="q-action" class="block font-semibold">{tr(lang, "Hành động (bắt đầu bằng)", "Action (starts with)")}</label>
                <input id="q-action" name="hanh_dong" class=INPUT value=move || action.get()/></div>
            <div><label for="q-actor" class="block font-semibold">{tr(lang, "Mã người dùng", "User id")}</label>
                <input id="q-actor" name="nguoi" class=INPUT inputmode="numeric" value=move || actor.get()/></div>
            <label class="flex gap-2 items-center"><input type="checkbox" name="kiem_tra" value="1" checked=move || verify.get() == "1"/>{tr(lang, "Kiểm tra chuỗi băm", "Verify the hash chain")}</label>
            <button type="submit" class=BUTTON>{tr(lang, "Tìm", "Search")}</button>
        </form>
        <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! {
                        {v.verification.map(|(n, broken)| match broken {
                            None => view! { <p role="status" id="chain-status" class="mb-4 rounded border border-green-700 bg-green-50 p-3 text-green-900">{format!("{} {n} {}", tr(lang, "Chuỗi nhật ký nguyên vẹn:", "Chain intact:"), tr(lang, "bản ghi đã kiểm tra.", "records checked."))}</p> }.into_any(),
                            Some(id) => view! { <p role="alert" id="chain-status" class="mb-4 rounded border-2 border-red-700 bg-red-50 p-3 text-red-900">{format!("{} #{id}", tr(lang, "Chuỗi nhật ký bị phá vỡ tại bản ghi", "Chain broken at record"))}</p> }.into_any(),
                        })}
                        <h2 class="text-xl font-bold mb-2">{tr(lang, "Thống kê truy cập", "Access statistics")}</h2>
                        <table class="mb-6 text-sm" id="stats-table">
                            <thead><tr><th scope="col" class="p-2 text-left">{tr(lang, "Ngày", "Day")}</th><th scope="col" class="p-2 text-right">{tr(lang, "Lượt xem trang", "Page views")}</th><th scope="col" class="p-2 text-right">{tr(lang, "Đăng nhập", "Logins")}</th></tr></thead>
                            <tbody>{v.stats.into_iter().map(|(d, visits, logins)| view! { <tr class="border-t border-slate-300"><td class="p-2">{d}</td><td class="p-2 text-right">{visits}</td><td class="p-2 text-right">{logins}</td></tr> }).collect_view()}</tbody>
                        </table>
                        <h2 id="h-records" class="text-xl font-bold mb-2">{tr(lang, "Bản ghi gần nhất", "Latest records")}</h2>
                        <div class="overflow-x-auto" tabindex="0" role="region" aria-label=tr(lang, "Bảng nhật ký, cuộn ngang được", "Audit table, scrolls sideways")>
                        <table class="w-full text-left text-sm" id="audit-table">
                            <thead><tr>
                                <th scope="col" class="p-2">"#"</th>
                                <th scope="col" class="p-2">{tr(lang, "Thời điểm (UTC)", "Time (UTC)")}</th>
                                <th scope="col" class="p-2">{tr(lang, "Người thực hiện", "Actor")}</th>
                                <th scope="col" class="p-2">{tr(lang, "Hành động", "Action")}</th>
                                <th scope="col" class="p-2">{tr(lang, "Đối tượng", "Object")}</th>
                                <th scope="col" class="p-2">"IP"</th>
                            </tr></thead>
                            <tbody>{v.rows.into_iter().map(|r| view! {
                                <tr class="border-t border-slate-300">
                                    <td class="p-2">{r.id}</td><td class="p-2">{r.at}</td><td class="p-2">{r.actor.unwrap_or_default()}</td>
                                    <td class="p-2">{r.action}</td><td class="p-2">{r.object.unwrap_or_default()}</td><td class="p-2">{r.ip.unwrap_or_default()}</td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn DeletionRequestsPage() -> impl IntoView {
    let lang = use_lang();
    let ok = query("ok");
    let title = tr(lang, "Yêu cầu xoá tài khoản", "Account deletion requests");
    let rows = Resource::new(|| (), |_| get_deletion_requests());
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <Show when=move || ok.get() == "1">
            <Notice text=tr(lang, "Đã xử lý yêu cầu.", "The request has been handled.")/>
        </Show>
        <p class="mb-4">{tr(lang, "Chấp nhận sẽ ẩn danh hoá tài khoản (xoá email, điện thoại, số định danh, mật khẩu, xác thực hai bước, liên kết tổ chức) và kết thúc mọi phiên; hồ sơ thủ tục và nhật ký được giữ theo luật.", "Accepting anonymises the account (email, phone, ID number, password, 2FA and organisation links are removed) and ends every session; dossiers and the audit log are kept as the law requires.")}</p>
        <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Ok(list) if list.is_empty() => view! { <p id="deletion-empty">{tr(lang, "Không có yêu cầu nào đang chờ.", "No pending requests.")}</p> }.into_any(),
                    Ok(list) => view! {
                        <WithForm render=move |c: FormContext| {
                            let list = list.clone();
                            view! {
                                <ErrorSummary echo=c.echo.clone() lang/>
                                <ul class="grid gap-3" id="deletion-list">
                                    {list.into_iter().map(|r| {
                                        let csrf = c.csrf.clone();
                                        view! {
                                            <li class="rounded border border-slate-400 p-3">
                                                <p class="font-semibold">{r.full_name.clone()}" — "{r.email.clone()}</p>
                                                <p class="text-sm">{tr(lang, "Gửi lúc: ", "Requested: ")}{format_time(r.requested_at)}</p>
                                                {r.reason.clone().filter(|x| !x.is_empty()).map(|x| view! { <p class="text-sm">{tr(lang, "Lý do: ", "Reason: ")}{x}</p> })}
                                                <form method="post" action="/quan-tri/yeu-cau-xoa" class="mt-2 flex gap-3">
                                                    <Csrf token=csrf/>
                                                    <input type="hidden" name="request_id" value=r.id.to_string()/>
                                                    <button type="submit" name="decision" value="approve" class=BUTTON>{tr(lang, "Xoá tài khoản", "Delete account")}</button>
                                                    <button type="submit" name="decision" value="refuse" class="rounded border border-slate-600 px-4 py-2 font-semibold">{tr(lang, "Từ chối", "Refuse")}</button>
                                                </form>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }
                        }/>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
