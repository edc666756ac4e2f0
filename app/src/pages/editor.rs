//! Catalogue management pages (B-a, B-e) for system administrators: the procedure list with
//! "create", the procedure editor (facts, document list, form designer with preview, workflow
//! editor with its graph checked, version history), and the holiday list with CSV import.
//! Plain HTML forms: everything works without JavaScript.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::account::{query, tr, Csrf, ErrorSummary, Field, Notice, WithForm, BUTTON, INPUT, LINK};
use super::dossier::{FormPreview, SECONDARY};
use super::ErrorNotice;
use crate::api::account::{format_time, FormContext};
use crate::api::editor::{get_editor_list, get_editor_view, get_holiday_view, get_shared_list};
use crate::components::table::{DataTable, TD, TH};
use crate::domain::editor::*;
use crate::domain::form::FormEcho;
use crate::domain::workflow::{Workflow, BACK};
use crate::i18n::Lang;
use crate::use_lang;

fn level_label(level: &str, lang: Lang) -> &'static str {
    Level::parse(level)
        .map(|l| match lang {
            Lang::Vi => l.label().0,
            Lang::En => l.label().1,
        })
        .unwrap_or("")
}

#[component]
pub fn ProcedureAdminPage() -> impl IntoView {
    let lang = use_lang();
    let title = tr(lang, "Quản lý thủ tục hành chính", "Manage procedures");
    let q = query("q");
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <WithForm render=move |c: FormContext| {
            let q = q.get_untracked();
            view! {
                <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
                    {move || {
                        let q = q.clone();
                        let c = c.clone();
                        Suspend::new(async move {
                            match get_editor_list(q.clone()).await {
                                Ok(list) => view! { <ProcedureList list q c lang/> }.into_any(),
                                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                            }
                        })
                    }}
                </Suspense>
            }
        }/>
    }
}

#[component]
fn ProcedureList(list: EditorList, q: String, c: FormContext, lang: Lang) -> impl IntoView {
    let e = c.echo.clone();
    let sel_field = e.value("field");
    let sel_agency = e.value("agency");
    let shown = list.rows.len();
    view! {
        <form method="get" action="/quan-tri/thu-tuc" role="search" class="mb-4 flex flex-wrap items-end gap-2">
            <div class="grow">
                <label for="q" class="block font-semibold">{tr(lang, "Tìm theo mã hoặc tên thủ tục", "Search by code or name")}</label>
                <input id="q" name="q" type="search" value=q class=INPUT/>
            </div>
            <button type="submit" class=BUTTON>{tr(lang, "Tìm", "Search")}</button>
        </form>
        <p class="mb-2" role="status">{match lang {
            Lang::Vi => format!("{} thủ tục, hiển thị {shown}.", list.total),
            Lang::En => format!("{} procedures, {shown} shown.", list.total),
        }}</p>
        <DataTable labelled_by="h-procs" columns=vec![tr(lang, "Mã", "Code"), tr(lang, "Tên thủ tục", "Name"), tr(lang, "Cơ quan", "Agency"), tr(lang, "Mức độ", "Level")] caption={tr(lang, "Thủ tục", "Procedures")} class="mb-8">
                    {list.rows.into_iter().map(|r| {
                        let href = format!("/quan-tri/thu-tuc/{}", crate::domain::text::urlencode(&r.code));
                        view! { <tr>
                            <td class=TD><a href=href class=LINK>{r.code.clone()}</a></td>
                            <td class=TD>{r.name}</td>
                            <td class=TD>{r.agency}</td>
                            <td class=TD>{level_label(&r.level, lang)}</td>
                        </tr> }
                    }).collect_view()}
        </DataTable>
        <section aria-labelledby="h-new" class="max-w-xl">
            <h2 id="h-new" class="text-xl font-bold mb-2">{tr(lang, "Tạo thủ tục mới", "Create a procedure")}</h2>
            <p class="mb-2 text-sm">{tr(lang,
                "Thủ tục mới bắt đầu với tờ khai chung và quy trình một cửa, chưa nộp trực tuyến; sau khi tạo, hãy bổ sung thành phần hồ sơ, biểu mẫu và quy trình rồi xuất bản.",
                "A new procedure starts with the general application form and the counter workflow, not yet online; after creating it, add its documents, form and workflow and publish.")}</p>
            <ErrorSummary echo=e.clone() lang/>
            <form method="post" action="/quan-tri/thu-tuc" novalidate>
                <Csrf token=c.csrf.clone()/>
                <Field name="code" label=tr(lang, "Mã thủ tục", "Procedure code") echo=e.clone() lang hint=tr(lang, "Mã trên Cơ sở dữ liệu quốc gia, ví dụ 1.001193", "The national database code, e.g. 1.001193")/>
                <Field name="name" label=tr(lang, "Tên thủ tục", "Procedure name") echo=e.clone() lang/>
                <div class="mb-4">
                    <label for="f-field" class="block font-semibold">{tr(lang, "Lĩnh vực", "Field")}</label>
                    {e.error("field", lang).map(|m| view! { <p id="f-field-err" class="text-sm font-semibold text-red-800">{m}</p> })}
                    <select id="f-field" name="field" class=INPUT aria-invalid=e.error("field", lang).map(|_| "true")
                        aria-describedby=e.error("field", lang).map(|_| "f-field-err")>
                        <option value="">{tr(lang, "— Chọn —", "— Choose —")}</option>
                        {list.fields.into_iter().map(|(id, name)| {
                            let sel = sel_field == id.to_string();
                            view! { <option value=id.to_string() selected=sel>{name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="mb-4">
                    <label for="f-agency" class="block font-semibold">{tr(lang, "Cơ quan ban hành", "Issuing agency")}</label>
                    {e.error("agency", lang).map(|m| view! { <p id="f-agency-err" class="text-sm font-semibold text-red-800">{m}</p> })}
                    <select id="f-agency" name="agency" class=INPUT aria-invalid=e.error("agency", lang).map(|_| "true")
                        aria-describedby=e.error("agency", lang).map(|_| "f-agency-err")>
                        <option value="">{tr(lang, "— Chọn —", "— Choose —")}</option>
                        {list.agencies.into_iter().map(|(id, name)| {
                            let sel = sel_agency == id.to_string();
                            view! { <option value=id.to_string() selected=sel>{name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class=BUTTON>{tr(lang, "Tạo thủ tục", "Create the procedure")}</button>
            </form>
        </section>
    }
}

#[component]
pub fn ProcedureEditorPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let code = params.read_untracked().get("code").unwrap_or_default();
    let created = !query("tao").get_untracked().is_empty();
    let published = query("xuat-ban").get_untracked();
    let title = tr(lang, "Sửa thủ tục", "Edit procedure");
    view! {
        <Title text=title/>
        <p class="mb-2"><a href="/quan-tri/thu-tuc" class=LINK>{tr(lang, "← Danh sách thủ tục", "← All procedures")}</a></p>
        <h1 class="text-2xl font-bold mb-4">{title}" "{code.clone()}</h1>
        {created.then(|| view! { <Notice text=tr(lang, "Đã tạo thủ tục (phiên bản 1).", "Procedure created (version 1).")/> })}
        {(!published.is_empty()).then(|| view! { <p role="status" class="mb-4 rounded border border-green-700 bg-green-50 p-3 text-green-900">{match lang {
            Lang::Vi => format!("Đã xuất bản phiên bản {published}. Hồ sơ nộp từ bây giờ theo phiên bản này; hồ sơ đã nộp giữ phiên bản cũ."),
            Lang::En => format!("Version {published} published. Dossiers filed from now on follow it; dossiers already filed keep their version."),
        }}</p> })}
        <WithForm render=move |c: FormContext| {
            let code = code.clone();
            view! {
                <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
                    {move || {
                        let code = code.clone();
                        let c = c.clone();
                        Suspend::new(async move {
                            match get_editor_view(code).await {
                                Ok(v) => view! { <Editor v c lang/> }.into_any(),
                                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                            }
                        })
                    }}
                </Suspense>
            }
        }/>
    }
}

/// A labelled textarea with its hint and error, like `Field`.
#[component]
fn Area(
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    value: String,
    echo: FormEcho,
    lang: Lang,
    rows: u32,
    #[prop(default = false)] code: bool,
) -> impl IntoView {
    let id = format!("f-{name}");
    let err = echo.error(name, lang);
    let hint_id = format!("{id}-hint");
    let err_id = err.as_ref().map(|_| format!("{id}-err"));
    let described = [Some(hint_id.clone()), err_id.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let class = if code {
        format!("{INPUT} font-mono text-sm")
    } else {
        INPUT.to_string()
    };
    view! {
        <div class="mb-4">
            <label for=id.clone() class="block font-semibold">{label}</label>
            <p id=hint_id class="text-sm text-slate-700">{hint}</p>
            {err.clone().map(|e| view! { <p id=err_id.clone() class="text-sm font-semibold text-red-800 whitespace-pre-line">{e}</p> })}
            <textarea id=id name=name rows=rows.to_string() class=class spellcheck=if code { "false" } else { "true" }
                aria-invalid=err.map(|_| "true") aria-describedby=described>{value}</textarea>
        </div>
    }
}

#[component]
fn Editor(v: EditorView, c: FormContext, lang: Lang) -> impl IntoView {
    let e = c.echo.clone();
    // After a preview or a refused publish the page shows what was posted, not the stored
    // version: the administrator's work is never lost.
    let posted = !e.values.is_empty();
    let t = if posted {
        DraftText::from_fields(|k| e.value(k))
    } else {
        v.text.clone()
    };
    let base = if posted && !e.value(F_BASE).is_empty() {
        e.value(F_BASE)
    } else {
        v.version.to_string()
    };
    let preview = e.extra.iter().any(|x| x == "preview") && e.done;
    let action = format!(
        "/quan-tri/thu-tuc/{}",
        crate::domain::text::urlencode(&v.code)
    );
    let level = t.level.clone();
    let fee = t.fee.clone();
    view! {
        <dl class="mb-4 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
            <dt class="font-semibold">{tr(lang, "Lĩnh vực", "Field")}</dt><dd>{v.field.clone()}</dd>
            <dt class="font-semibold">{tr(lang, "Cơ quan ban hành", "Issuing agency")}</dt><dd>{v.agency.clone()}</dd>
            <dt class="font-semibold">{tr(lang, "Phiên bản hiện hành", "Current version")}</dt><dd>{v.version}</dd>
        </dl>
        <ErrorSummary echo=e.clone() lang/>
        {preview.then(|| view! { <Notice text=tr(lang, "Bản nháp hợp lệ, chưa được xuất bản. Xem trước ở cuối trang.", "The draft is valid and not yet published. The preview is at the end of the page.")/> })}
        <form method="post" action=action novalidate class="mb-8">
            <Csrf token=c.csrf.clone()/>
            <input type="hidden" name=F_BASE value=base/>
            <Field name=F_NAME label=tr(lang, "Tên thủ tục", "Procedure name") echo=FormEcho { values: vec![(F_NAME.into(), t.name.clone())], ..e.clone() } lang/>
            <Field name=F_TIME label=tr(lang, "Thời hạn giải quyết (ngày làm việc)", "Time limit (working days)") echo=FormEcho { values: vec![(F_TIME.into(), t.time_limit.clone())], ..e.clone() } lang inputmode="numeric" required=false
                hint=tr(lang, "Để trống nếu văn bản không quy định thời hạn.", "Leave empty when the law sets no limit.")/>
            <Field name=F_RETENTION label=tr(lang, "Thời hạn bảo quản hồ sơ đã giải quyết (năm)", "Retention of finished dossiers (years)") echo=FormEcho { values: vec![(F_RETENTION.into(), t.retention.clone())], ..e.clone() } lang inputmode="numeric"
                hint=tr(lang, "Theo Thông tư 10/2022/TT-BNV; nhập 0 nếu bảo quản vĩnh viễn.", "Per Circular 10/2022/TT-BNV; 0 keeps them permanently.")/>
            <fieldset class="mb-4">
                <legend class="font-semibold">{tr(lang, "Phí, lệ phí", "Fees")}</legend>
                {e.error(F_FEE, lang).map(|m| view! { <p class="text-sm font-semibold text-red-800">{m}</p> })}
                {[("free", tr(lang, "Không thu phí, lệ phí", "No fee")), ("fee", tr(lang, "Có thu phí, lệ phí", "A fee is charged")), ("", tr(lang, "Chưa xác định", "Not stated"))]
                    .into_iter().map(|(val, label)| {
                        let id = format!("f-fee-{}", if val.is_empty() { "none" } else { val });
                        let checked = fee == val;
                        view! { <div><input type="radio" id=id.clone() name=F_FEE value=val checked=checked/>" "<label for=id>{label}</label></div> }
                    }).collect_view()}
            </fieldset>
            <div class="mb-4">
                <label for="f-p_level" class="block font-semibold">{tr(lang, "Mức độ dịch vụ công trực tuyến", "Online service level")}</label>
                {e.error(F_LEVEL, lang).map(|m| view! { <p id="f-p_level-err" class="text-sm font-semibold text-red-800">{m}</p> })}
                <select id="f-p_level" name=F_LEVEL class=INPUT>
                    {Level::ALL.into_iter().map(|l| {
                        let sel = level == l.as_str();
                        let label = match lang { Lang::Vi => l.label().0, Lang::En => l.label().1 };
                        view! { <option value=l.as_str() selected=sel>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <Area name=F_DOCS label=tr(lang, "Thành phần hồ sơ", "Required documents") value=t.documents.clone() echo=e.clone() lang rows=6
                hint=tr(lang, "Mỗi dòng một giấy tờ; số lượng sau dấu |, ví dụ: Tờ khai đăng ký khai sinh | 01 bản chính", "One document per line; the quantity after |, e.g. Birth registration form | 1 original")/>
            <Area name=F_FORM label=tr(lang, "Thiết kế biểu mẫu điện tử (JSON)", "E-form design (JSON)") value=t.form.clone() echo=e.clone() lang rows=16 code=true
                hint=tr(lang, "Các phần (sections) và trường (fields) của tờ khai; để trống để dùng tờ khai chung. Bấm \"Kiểm tra và xem trước\" để xem biểu mẫu như người nộp thấy.", "Sections and fields of the form; leave empty for the general application form. Press \"Check and preview\" to see the form as applicants will.")/>
            <Area name=F_WORKFLOW label=tr(lang, "Quy trình xử lý (JSON)", "Workflow (JSON)") value=t.workflow.clone() echo=e.clone() lang rows=16 code=true
                hint=tr(lang, "Các bước (states), thao tác (actions), vai trò (roles) và thời hạn từng bước (sla_hours, giờ làm việc). Quy trình không hợp lệ (bước không tới được, không có bước kết thúc) bị từ chối.", "States, actions, roles and each step's limit (sla_hours, working hours). An invalid graph (unreachable states, no end) is refused.")/>
            <div class="flex flex-wrap gap-3">
                <button type="submit" name="action" value="preview" class=SECONDARY>{tr(lang, "Kiểm tra và xem trước", "Check and preview")}</button>
                <button type="submit" name="action" value="publish" class=BUTTON>{tr(lang, "Xuất bản phiên bản mới", "Publish a new version")}</button>
            </div>
        </form>
        <div class="mb-8">
            <h2 id="h-versions" class="text-xl font-bold mb-2">{tr(lang, "Các phiên bản", "Versions")}</h2>
            <DataTable labelled_by="h-versions" columns=vec![tr(lang, "Phiên bản", "Version"), tr(lang, "Thời hạn (ngày)", "Limit (days)"), tr(lang, "Quy trình", "Workflow"), tr(lang, "Hồ sơ đã nộp theo phiên bản", "Dossiers filed under it")]>
                        {v.versions.iter().map(|r| view! { <tr>
                            <th scope="row" class=TH>{r.version}</th>
                            <td class=TD>{r.time_limit_days.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</td>
                            <td class=TD>{r.workflow.clone()}</td>
                            <td class=TD>{r.dossiers}</td>
                        </tr> }).collect_view()}
            </DataTable>
            {(!v.changes.is_empty()).then(|| view! {
                <h3 class="mt-4 font-bold">{tr(lang, "Lịch sử thay đổi", "Change history")}</h3>
                <ul class="list-disc pl-5">
                    {v.changes.iter().map(|ch| view! { <li>{format_time(ch.at)}": "{ch.summary.clone()}</li> }).collect_view()}
                </ul>
            })}
        </div>
        {preview.then(|| view! { <Preview t=t.clone() provinces=v.provinces.clone() lang/> })}
    }
}

/// What publishing would give: the form as applicants see it and the workflow as a table.
#[component]
fn Preview(t: DraftText, provinces: Vec<(String, String)>, lang: Lang) -> impl IntoView {
    let Ok(d) = check(&t) else {
        return ().into_any();
    };
    view! {
        <section aria-labelledby="h-preview" class="mb-8 rounded border-2 border-slate-400 p-4">
            <h2 id="h-preview" class="text-xl font-bold mb-2">{tr(lang, "Xem trước biểu mẫu", "Form preview")}</h2>
            {match d.form {
                Some(f) => view! { <FormPreview schema=f provinces lang/> }.into_any(),
                None => view! { <p>{tr(lang, "Dùng tờ khai chung: thông tin người nộp và một ô tải lên cho mỗi giấy tờ trong thành phần hồ sơ.", "The general application form: the applicant's details and one upload per required document.")}</p> }.into_any(),
            }}
        </section>
        <WorkflowTable w=d.workflow lang/>
    }
    .into_any()
}

#[component]
fn WorkflowTable(w: Workflow, lang: Lang) -> impl IntoView {
    let name = |key: &str| {
        w.state(key)
            .map(|s| match lang {
                Lang::Vi => s.name_vi.clone(),
                Lang::En => s.name_en.clone(),
            })
            .unwrap_or_else(|| {
                if key == BACK {
                    tr(lang, "(bước trước đó)", "(the previous step)").into()
                } else {
                    key.into()
                }
            })
    };
    let rows: Vec<_> = w
        .states
        .iter()
        .map(|s| {
            let actions = s
                .actions
                .iter()
                .map(|a| {
                    let (vi, en) = a.kind.label();
                    let who = if a.applicant {
                        tr(lang, "người nộp", "applicant").to_string()
                    } else {
                        a.roles
                            .iter()
                            .map(|r| r.label(lang == Lang::Vi))
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    format!(
                        "{} → {} ({who})",
                        if lang == Lang::Vi { vi } else { en },
                        name(&a.to)
                    )
                })
                .collect::<Vec<_>>();
            (
                match lang {
                    Lang::Vi => s.name_vi.clone(),
                    Lang::En => s.name_en.clone(),
                },
                s.status,
                s.sla_hours,
                actions,
            )
        })
        .collect();
    view! {
        <div class="mb-8">
            <h2 id="h-wf" class="text-xl font-bold mb-2">{tr(lang, "Xem trước quy trình", "Workflow preview")}</h2>
            <DataTable labelled_by="h-wf" columns=vec![tr(lang, "Bước", "State"), tr(lang, "Mã trạng thái quốc gia", "National status"), tr(lang, "Thời hạn bước (giờ làm việc)", "Step limit (working hours)"), tr(lang, "Thao tác → bước tiếp (ai thực hiện)", "Action → next state (who)")]>
                        {rows.into_iter().map(|(n, status, sla, actions)| view! { <tr>
                            <th scope="row" class=TH>{n}</th>
                            <td class=TD>{status}</td>
                            <td class=TD>{sla.map(|h| h.to_string()).unwrap_or_else(|| "—".into())}</td>
                            <td class=TD>{if actions.is_empty() {
                                view! { <span>{tr(lang, "Kết thúc", "End")}</span> }.into_any()
                            } else {
                                view! { <ul class="list-disc pl-5">{actions.into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}</ul> }.into_any()
                            }}</td>
                        </tr> }).collect_view()}
            </DataTable>
        </div>
    }
}

#[component]
pub fn HolidayAdminPage() -> impl IntoView {
    let lang = use_lang();
    let title = tr(
        lang,
        "Ngày nghỉ và ngày làm bù",
        "Holidays and make-up days",
    );
    let year = query("nam")
        .get_untracked()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| {
            crate::domain::calendar::Day::from_unix_vn(crate::server::auth::now())
                .to_string()
                .get(..4)
                .and_then(|y| y.parse().ok())
                .unwrap_or(2026)
        });
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <WithForm render=move |c: FormContext| view! {
            <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
                {move || {
                    let c = c.clone();
                    Suspend::new(async move {
                        match get_holiday_view(year).await {
                            Ok(h) => view! { <Holidays h c lang/> }.into_any(),
                            Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        }/>
    }
}

#[component]
fn Holidays(h: HolidayView, c: FormContext, lang: Lang) -> impl IntoView {
    let e = c.echo.clone();
    let report: Option<ImportReport> = e.extra.first().and_then(|x| serde_json::from_str(x).ok());
    let year = h.year;
    view! {
        <p class="mb-4">{tr(lang,
            "Hạn giải quyết hồ sơ được tính theo ngày làm việc từ danh mục này (Bộ luật Lao động 2019, Điều 112; thông báo nghỉ lễ hằng năm). Nhập tệp CSV của một năm sẽ thay toàn bộ danh mục của năm đó; tệp có dòng lỗi thì không thay đổi gì.",
            "Dossier deadlines count working days from this list (Labour Code 2019 art. 112; the yearly notice). Importing a year's CSV file replaces that year's whole list; a file with a bad line changes nothing.")}</p>
        {report.map(|r| {
            let years = r.years.iter().map(i32::to_string).collect::<Vec<_>>().join(", ");
            let done = match lang {
                Lang::Vi => format!("Đã nhập {} ngày cho năm {years} (thay {} ngày cũ).", r.imported, r.replaced),
                Lang::En => format!("Imported {} days for {years} (replacing {}).", r.imported, r.replaced),
            };
            view! { <ImportOutcome done bad=r.bad nested=false lang/> }
        })}
        <ErrorSummary echo=FormEcho { extra: vec![], ..e.clone() } lang/>
        <section aria-labelledby="h-import" class="mb-8 max-w-2xl">
            <h2 id="h-import" class="text-xl font-bold mb-2">{tr(lang, "Nhập danh mục từ tệp CSV", "Import from a CSV file")}</h2>
            <form method="post" action="/quan-tri/ngay-nghi" enctype="multipart/form-data" novalidate>
                <Csrf token=c.csrf.clone()/>
                <div class="mb-4">
                    <label for="f-file" class="block font-semibold">{tr(lang, "Tệp CSV", "CSV file")}</label>
                    <p id="f-file-hint" class="text-sm text-slate-700">{tr(lang,
                        "Ba cột: ngày (YYYY-MM-DD hoặc DD/MM/YYYY), loại (nghỉ hoặc làm bù), tên. Dòng đầu có thể là tiêu đề.",
                        "Three columns: date (YYYY-MM-DD or DD/MM/YYYY), kind (holiday or makeup), name. The first line may be a header.")}</p>
                    {e.error("file", lang).map(|m| view! { <p id="f-file-err" class="text-sm font-semibold text-red-800">{m}</p> })}
                    <input id="f-file" name="file" type="file" accept=".csv,text/csv" class=INPUT aria-describedby="f-file-hint"/>
                </div>
                <Area name="csv" label=tr(lang, "Hoặc dán nội dung CSV", "Or paste the CSV content") value=e.value("csv") echo=e.clone() lang rows=6 code=true
                    hint=tr(lang, "Ví dụ: 2027-02-05,nghỉ,Tết Nguyên đán", "For example: 2027-02-05,holiday,Lunar New Year")/>
                <button type="submit" class=BUTTON>{tr(lang, "Nhập danh mục", "Import")}</button>
            </form>
        </section>
        <section aria-labelledby="h-year">
            <h2 id="h-year" class="text-xl font-bold mb-2">{match lang {
                Lang::Vi => format!("Năm {year}"),
                Lang::En => format!("Year {year}"),
            }}</h2>
            <nav aria-label=tr(lang, "Chọn năm", "Choose a year") class="mb-2">
                <ul class="flex flex-wrap gap-3">
                    {h.years.iter().map(|y| {
                        let current = *y == year;
                        view! { <li><a href=format!("/quan-tri/ngay-nghi?nam={y}") class=LINK aria-current=current.then_some("page")>{*y}</a></li> }
                    }).collect_view()}
                </ul>
            </nav>
            {if h.rows.is_empty() {
                view! { <p>{tr(lang, "Chưa có ngày nghỉ nào cho năm này.", "No holidays for this year yet.")}</p> }.into_any()
            } else {
                view! {
                    <table class="border-collapse text-sm">
                        <thead><tr>
                            <th scope="col" class=TH>{tr(lang, "Ngày", "Date")}</th>
                            <th scope="col" class=TH>{tr(lang, "Loại", "Kind")}</th>
                            <th scope="col" class=TH>{tr(lang, "Tên", "Name")}</th>
                        </tr></thead>
                        <tbody>
                            {h.rows.into_iter().map(|r| view! { <tr>
                                <th scope="row" class=TH>{crate::domain::calendar::Day::parse_iso(&r.day).map(|d| d.vn()).unwrap_or(r.day.clone())}</th>
                                <td class=TD>{if r.kind == "makeup" { tr(lang, "Làm bù", "Make-up working day") } else { tr(lang, "Nghỉ", "Day off") }}</td>
                                <td class=TD>{r.name}</td>
                            </tr> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

/// Shared catalogues (B-e): one catalogue at a time (`?loai=`), searchable, exported and
/// imported as CSV in the same columns.
#[component]
pub fn SharedCataloguePage() -> impl IntoView {
    use crate::domain::shared::SharedCatalogue;
    let lang = use_lang();
    let title = tr(lang, "Danh mục điện tử dùng chung", "Shared catalogues");
    let cat =
        SharedCatalogue::parse(&query("loai").get_untracked()).unwrap_or(SharedCatalogue::Areas);
    let q = query("q").get_untracked();
    view! {
        <Title text=title/>
        <h1 class="text-2xl font-bold mb-4">{title}</h1>
        <nav aria-label=tr(lang, "Các danh mục", "Catalogues") class="mb-4">
            <ul class="flex flex-wrap gap-x-4 gap-y-2">
                {SharedCatalogue::ALL.into_iter().map(|c| {
                    let name = if lang == Lang::Vi { c.title().0 } else { c.title().1 };
                    view! { <li><a href=format!("/quan-tri/danh-muc?loai={}", c.slug()) class=LINK aria-current=(c == cat).then_some("page")>{name}</a></li> }
                }).collect_view()}
                <li><a href="/quan-tri/ngay-nghi" class=LINK>{tr(lang, "Ngày nghỉ, ngày làm bù", "Holidays")}</a></li>
            </ul>
        </nav>
        <WithForm render=move |c: FormContext| {
            let q = q.clone();
            view! {
                <Suspense fallback=move || view! { <p>{lang.t().loading}</p> }>
                    {move || {
                        let c = c.clone();
                        let q = q.clone();
                        Suspend::new(async move {
                            match get_shared_list(cat.slug().into(), q.clone()).await {
                                Ok(list) => view! { <SharedCatalogueView list q c lang/> }.into_any(),
                                Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                            }
                        })
                    }}
                </Suspense>
            }
        }/>
    }
}

#[component]
fn SharedCatalogueView(
    list: crate::domain::shared::SharedList,
    q: String,
    c: FormContext,
    lang: Lang,
) -> impl IntoView {
    use crate::domain::shared::SharedReport;
    let cat = list.catalogue;
    let e = c.echo.clone();
    let report: Option<SharedReport> = e.extra.first().and_then(|x| serde_json::from_str(x).ok());
    let name = if lang == Lang::Vi {
        cat.title().0
    } else {
        cat.title().1
    };
    let cols = cat.columns();
    let shown = list.rows.len();
    let action = format!("/quan-tri/danh-muc?loai={}", cat.slug());
    let header = cat.header();
    view! {
        <h2 class="text-xl font-bold mb-2">{name}</h2>
        {report.map(|r| {
            let done = match lang {
                Lang::Vi => format!("Đã nhập: thêm {}, cập nhật {}, không đổi {}.", r.added, r.updated, r.unchanged),
                Lang::En => format!("Imported: {} added, {} updated, {} unchanged.", r.added, r.updated, r.unchanged),
            };
            view! { <ImportOutcome done bad=r.bad nested=true lang/> }
        })}
        <ErrorSummary echo=FormEcho { extra: vec![], ..e.clone() } lang/>
        <form method="get" action="/quan-tri/danh-muc" role="search" class="mb-2 flex flex-wrap items-end gap-2">
            <input type="hidden" name="loai" value=cat.slug()/>
            <div class="grow">
                <label for="q" class="block font-semibold">{tr(lang, "Tìm theo mã hoặc tên", "Search by code or name")}</label>
                <input id="q" name="q" type="search" value=q class=INPUT/>
            </div>
            <button type="submit" class=BUTTON>{tr(lang, "Tìm", "Search")}</button>
        </form>
        <p class="mb-2" role="status">{match lang {
            Lang::Vi => format!("{} mục, hiển thị {shown}.", list.total),
            Lang::En => format!("{} entries, {shown} shown.", list.total),
        }}" "<a href=format!("/quan-tri/danh-muc/{}.csv", cat.slug()) class=LINK>{tr(lang, "Tải toàn bộ danh mục (CSV)", "Download the whole catalogue (CSV)")}</a></p>
        <div class="mb-8 max-h-[32rem] overflow-auto" role="region" aria-labelledby="h-entries" tabindex="0">
            <table class="min-w-full border-collapse text-sm">
                <caption id="h-entries" class="text-left font-semibold mb-1">{name}</caption>
                <thead><tr>
                    {cols.iter().map(|col| view! { <th scope="col" class=TH>{if lang == Lang::Vi { col.vi } else { col.en }}</th> }).collect_view()}
                </tr></thead>
                <tbody>
                    {list.rows.into_iter().map(|r| view! { <tr>
                        {r.into_iter().map(|cell| view! { <td class=TD>{cell}</td> }).collect_view()}
                    </tr> }).collect_view()}
                </tbody>
            </table>
        </div>
        <div class="mb-8 max-w-2xl">
            <h2 id="h-import" class="text-xl font-bold mb-2">{tr(lang, "Nhập từ tệp CSV", "Import from a CSV file")}</h2>
            <p class="mb-2">{tr(lang,
                "Mục có mã mới được thêm, mục có mã đã có được cập nhật; không mục nào bị xoá (hồ sơ và thủ tục đang tham chiếu). Tệp có dòng lỗi thì không thay đổi gì.",
                "Entries with new codes are added and existing codes updated; nothing is removed (dossiers and procedures refer to them). A file with a bad line changes nothing.")}</p>
            <form method="post" action=action enctype="multipart/form-data" novalidate>
                <Csrf token=c.csrf.clone()/>
                <div class="mb-4">
                    <label for="f-file" class="block font-semibold">{tr(lang, "Tệp CSV", "CSV file")}</label>
                    <p id="f-file-hint" class="text-sm text-slate-700">{match lang {
                        Lang::Vi => format!("Các cột: {}. Dòng đầu có thể là tiêu đề.", header),
                        Lang::En => format!("Columns: {}. The first line may be a header.", header),
                    }}</p>
                    {e.error("file", lang).map(|m| view! { <p id="f-file-err" class="text-sm font-semibold text-red-800">{m}</p> })}
                    <input id="f-file" name="file" type="file" accept=".csv,text/csv" class=INPUT aria-describedby="f-file-hint"/>
                </div>
                <Area name="csv" label=tr(lang, "Hoặc dán nội dung CSV", "Or paste the CSV content") value=e.value("csv") echo=e.clone() lang rows=6 code=true
                    hint=tr(lang, "Cùng các cột như tệp tải về.", "The same columns as the downloaded file.")/>
                <button type="submit" class=BUTTON>{tr(lang, "Nhập danh mục", "Import")}</button>
            </form>
        </div>
    }
}

/// What a CSV import did (B-e): the success line, or, when any line was bad and nothing was
/// imported, every bad line with its number and reason. `nested` when it sits under the page's
/// own h2 (the shared catalogue page), for a sound heading outline.
#[component]
fn ImportOutcome(done: String, bad: Vec<BadLine>, nested: bool, lang: Lang) -> impl IntoView {
    if bad.is_empty() {
        return view! {
            <p role="status" class="mb-4 rounded border border-green-700 bg-green-50 p-3 text-green-900">{done}</p>
        }
        .into_any();
    }
    let heading = match lang {
        Lang::Vi => format!(
            "Tệp có {} dòng lỗi; chưa nhập gì. Sửa các dòng sau rồi nhập lại:",
            bad.len()
        ),
        Lang::En => format!(
            "The file has {} bad lines; nothing was imported. Fix these lines and import again:",
            bad.len()
        ),
    };
    view! {
        <div role="alert" tabindex="-1" id="error-summary" autofocus class="mb-4 rounded border-2 border-red-700 bg-red-50 p-4 text-red-900">
            {if nested {
                view! { <h3 class="font-bold">{heading}</h3> }.into_any()
            } else {
                view! { <h2 class="font-bold">{heading}</h2> }.into_any()
            }}
            <table class="mt-2 border-collapse text-sm">
                <thead><tr>
                    <th scope="col" class=TH>{tr(lang, "Dòng", "Line")}</th>
                    <th scope="col" class=TH>{tr(lang, "Nội dung", "Content")}</th>
                    <th scope="col" class=TH>{tr(lang, "Lỗi", "Problem")}</th>
                </tr></thead>
                <tbody>
                    {bad.into_iter().map(|b| view! { <tr>
                        <th scope="row" class=TH>{b.line}</th>
                        <td class=TD><code>{b.text}</code></td>
                        <td class=TD>{if lang == Lang::Vi { b.vi } else { b.en }}</td>
                    </tr> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
