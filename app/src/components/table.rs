//! The bordered data table of the back-office pages (B-c, B-g): a keyboard-focusable region that
//! scrolls sideways on a 360 px screen (WCAG 1.4.10 reflow) so the page itself never does, named
//! by the heading (or its own caption) whose id it is given.
use leptos::prelude::*;

/// Header cells, also used for row headers (`<th scope="row">`).
pub const TH: &str = "border border-slate-400 p-1 text-left";
/// Data cells.
pub const TD: &str = "border border-slate-400 p-1";

#[component]
pub fn DataTable(
    /// Id of the heading that names the table, or of `caption` when one is given.
    #[prop(into)]
    labelled_by: String,
    /// Column headings, in order.
    columns: Vec<&'static str>,
    /// A caption naming the table, given `labelled_by` as its id.
    #[prop(optional, into)]
    caption: Option<String>,
    /// Extra classes on the scrolling region (spacing).
    #[prop(optional)]
    class: &'static str,
    /// The rows (`<tr>` elements).
    children: Children,
) -> impl IntoView {
    let caption = caption.map(|text| {
        view! { <caption id=labelled_by.clone() class="text-left font-semibold mb-1">{text}</caption> }
    });
    view! {
        <div class=format!("overflow-x-auto {class}") role="region" aria-labelledby=labelled_by tabindex="0">
            <table class="min-w-full border-collapse text-sm">
                {caption}
                <thead><tr>
                    {columns.into_iter().map(|c| view! { <th scope="col" class=TH>{c}</th> }).collect_view()}
                </tr></thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
