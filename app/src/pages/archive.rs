//! The unit's archive (B-đ): finished dossiers waiting to be archived, with a tick box each
//! and one button, and the archive with each dossier's retention date; the ones past it are
//! marked for appraisal. Plain HTML forms: works without JavaScript.
use leptos::prelude::*;
use leptos_meta::Title;

use super::account::{query, tr, Csrf, ErrorSummary, WithForm, BUTTON, LINK};
use super::dossier::{day_vn, status_badge, time_vn, Note, SECONDARY};
use super::ErrorNotice;
use crate::api::account::FormContext;
use crate::api::dossier::get_archive_view;
use crate::components::table::{DataTable, TD};
use crate::domain::dossier::{ArchiveRow, ArchiveView};
use crate::i18n::Lang;
use crate::use_lang;

#[component]
pub fn ArchivePage() -> impl IntoView {
    let lang = use_lang();
    let title = tr(lang, "Lưu trữ hồ sơ", "Dossier archive");
    let expired = query("het-han").get_untracked() == "1";
    let done = query("ok").get_untracked();
    view! {
        <Title text=title/>
        <p class="mb-2"><a href="/can-bo" class=LINK>{tr(lang, "← Trang cán bộ", "← Officer workspace")}</a></p>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        {(!done.is_empty()).then(|| view! { <Note text=match lang {
            Lang::Vi => format!("Đã lưu trữ {done} hồ sơ."),
            Lang::En => format!("{done} dossiers archived."),
        }/> })}
        <WithForm render=move |c: FormContext| view! {
            <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
                {move || {
                    let c = c.clone();
                    Suspend::new(async move {
                        match get_archive_view(expired).await {
                            Ok(v) => view! { <Archive v c expired lang/> }.into_any(),
                            Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        }/>
    }
}

fn retention_text(r: &ArchiveRow, lang: Lang) -> String {
    match (&r.archived_at, day_vn(&r.retain_until)) {
        (None, _) => String::new(),
        (Some(_), Some(d)) => d,
        (Some(_), None) => tr(lang, "Vĩnh viễn", "Permanent").into(),
    }
}

#[component]
fn Archive(v: ArchiveView, c: FormContext, expired: bool, lang: Lang) -> impl IntoView {
    let pending_shown = v.pending.len() as u64;
    view! {
        <p class="mb-4">{tr(lang,
            "Hồ sơ đã giải quyết xong (đã trả kết quả, từ chối, dừng hoặc rút) được nộp vào lưu trữ với thời hạn bảo quản của thủ tục. Hồ sơ hết thời hạn bảo quản được liệt kê để thẩm định; hệ thống không tự huỷ hồ sơ.",
            "Finished dossiers (returned, refused, stopped or withdrawn) go to the archive with the procedure's retention period. Dossiers past it are listed for appraisal; the system never destroys them by itself.")}</p>
        <ErrorSummary echo=c.echo.clone() lang/>
        <div class="mb-8">
            <h2 id="h-pending" class="text-xl font-bold mb-2">{match lang {
                Lang::Vi => format!("Chờ lưu trữ ({})", v.pending_total),
                Lang::En => format!("Waiting to be archived ({})", v.pending_total),
            }}</h2>
            {if v.pending.is_empty() {
                view! { <p>{tr(lang, "Không có hồ sơ nào chờ lưu trữ.", "No dossier is waiting to be archived.")}</p> }.into_any()
            } else {
                view! {
                    {(v.pending_total > pending_shown).then(|| view! { <p class="mb-2 text-sm">{match lang {
                        Lang::Vi => format!("Hiển thị {pending_shown} hồ sơ mới nhất."),
                        Lang::En => format!("The newest {pending_shown} are shown."),
                    }}</p> })}
                    <form method="post" action="/can-bo/luu-tru">
                        <Csrf token=c.csrf.clone()/>
                        <DataTable labelled_by="h-pending" columns=vec![tr(lang, "Chọn", "Select"), tr(lang, "Mã hồ sơ", "Code"), tr(lang, "Thủ tục", "Procedure"), tr(lang, "Trạng thái", "Status"), tr(lang, "Hoàn thành", "Finished")] class="mb-3">
                                    {v.pending.into_iter().map(|r| {
                                        let code = r.code.clone().unwrap_or_default();
                                        let box_id = format!("chon-{}", r.id);
                                        view! { <tr>
                                            <td class=TD><input type="checkbox" id=box_id.clone() name=box_id.clone() value="1" class="h-5 w-5"/>
                                                <label for=box_id class="sr-only">{format!("{} {code}", tr(lang, "Chọn hồ sơ", "Select dossier"))}</label></td>
                                            <td class=TD><a href=format!("/can-bo/ho-so/{}", r.id) class=LINK>{code}</a></td>
                                            <td class=TD>{r.procedure_name}</td>
                                            <td class=TD>{status_badge(r.status, lang)}</td>
                                            <td class=TD>{r.finished_at.map(time_vn)}</td>
                                        </tr> }
                                    }).collect_view()}
                        </DataTable>
                        <button type="submit" class=BUTTON>{tr(lang, "Lưu trữ các hồ sơ đã chọn", "Archive the selected dossiers")}</button>
                    </form>
                }.into_any()
            }}
        </div>
        <div>
            <h2 id="h-archived" class="text-xl font-bold mb-2">{match lang {
                Lang::Vi => format!("Đã lưu trữ ({}), hết thời hạn bảo quản: {}", v.archived_total, v.expired_total),
                Lang::En => format!("Archived ({}), past retention: {}", v.archived_total, v.expired_total),
            }}</h2>
            <p class="mb-2">{if expired {
                view! { <a href="/can-bo/luu-tru" class=LINK>{tr(lang, "Xem toàn bộ hồ sơ lưu trữ", "Show the whole archive")}</a> }.into_any()
            } else {
                view! { <a href="/can-bo/luu-tru?het-han=1" class=SECONDARY.replace("px-4 py-2", "inline-block px-3 py-1")>{tr(lang, "Chỉ xem hồ sơ hết thời hạn bảo quản", "Only dossiers past retention")}</a> }.into_any()
            }}</p>
            {if v.archived.is_empty() {
                view! { <p>{tr(lang, "Chưa có hồ sơ nào.", "None yet.")}</p> }.into_any()
            } else {
                view! {
                    <DataTable labelled_by="h-archived" columns=vec![tr(lang, "Mã hồ sơ", "Code"), tr(lang, "Thủ tục", "Procedure"), tr(lang, "Ngày lưu trữ", "Archived"), tr(lang, "Bảo quản đến", "Keep until")]>
                                {v.archived.into_iter().map(|r| {
                                    let keep = retention_text(&r, lang);
                                    view! { <tr>
                                        <td class=TD><a href=format!("/can-bo/ho-so/{}", r.id) class=LINK>{r.code.clone()}</a></td>
                                        <td class=TD>{r.procedure_name.clone()}</td>
                                        <td class=TD>{r.archived_at.map(time_vn)}</td>
                                        <td class=TD>{keep}{r.expired.then(|| view! { " "<strong class="text-red-800">{tr(lang, "(hết hạn, chờ thẩm định)", "(expired, awaiting appraisal)")}</strong> })}</td>
                                    </tr> }
                                }).collect_view()}
                    </DataTable>
                }.into_any()
            }}
        </div>
    }
}
