// Progressive enhancement of e-forms (P-3.3): the server-rendered form works without this
// script; with it, each field is checked as the user leaves it, by the same Rust rules the
// server runs (compiled to WebAssembly), and "Save and continue" shows the error summary
// without a round trip. The server still validates everything on every post.
const form = document.querySelector("form[data-eform]");
const schemaEl = document.getElementById("eform-schema");
if (form && schemaEl) {
  const schema = schemaEl.textContent;
  const today = form.dataset.today;
  const lang = document.documentElement.lang === "en" ? "en" : "vi";
  import("/pkg/portal.js").then(async (m) => {
    await m.default({ module_or_path: form.dataset.wasm });
    const pairs = () => [...new FormData(form).entries()].filter(([k, v]) => typeof v === "string" && !k.startsWith("_") && k !== "action");
    const check = () => JSON.parse(m.validate_form(schema, JSON.stringify(pairs()), today));
    // Conditional fields follow the answer they depend on.
    const conditions = () => {
      const data = new FormData(form);
      for (const el of form.querySelectorAll("[data-if-field]")) {
        const v = data.get(el.dataset.ifField) ?? "";
        el.hidden = !el.dataset.ifAny.split("|").includes(String(v));
      }
    };
    form.addEventListener("change", conditions);
    conditions();
    // Tests (and curious users) can see that the live checks are active.
    form.dataset.ready = "1";
    const msg = (e) => (lang === "en" ? e.message_en : e.message_vi);
    const field = (name) => document.getElementById("f-" + name);
    // Inline message under one field, linked by aria-describedby; removed when fixed.
    const show = (name, errors) => {
      const input = field(name);
      if (!input) return;
      const id = "f-" + name + "-live";
      let p = document.getElementById(id);
      const text = errors.filter((e) => e.field === name).map(msg).join(" ");
      const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== id);
      if (text) {
        if (!p) {
          p = document.createElement("p");
          p.id = id;
          p.className = "text-sm font-semibold text-red-800";
          input.insertAdjacentElement("beforebegin", p);
        }
        p.textContent = text;
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", [...described, id].join(" "));
      } else {
        if (p) p.remove();
        if (!document.getElementById("f-" + name + "-err")) input.removeAttribute("aria-invalid");
        if (described.length) input.setAttribute("aria-describedby", described.join(" "));
        else input.removeAttribute("aria-describedby");
      }
    };
    form.addEventListener("focusout", (ev) => {
      const name = ev.target && ev.target.name;
      if (!name || name.startsWith("_")) return;
      // Only fields the user has touched: no error on an empty form.
      if (ev.target.value === "" && ev.target.type !== "checkbox") return;
      show(name, check());
    });
    // Autosave (P-3.1): ten seconds after the last change the draft is saved in the
    // background, and the page takes the new revision so the next save is not refused as
    // stale. A submit waits for a save in flight.
    let dirty = false;
    let timer = null;
    let inflight = null;
    const saved = document.createElement("p");
    saved.setAttribute("role", "status");
    saved.className = "mt-2 text-sm text-slate-700";
    form.append(saved);
    // Not `form.action`: the form's buttons are named "action", and a named control shadows
    // the property (it would return the button, not the URL).
    const target = form.getAttribute("action") || location.pathname;
    const autosave = () => {
      timer = null;
      if (!dirty || inflight) return;
      dirty = false;
      const body = new URLSearchParams();
      for (const [k, v] of new FormData(form)) if (typeof v === "string" && k !== "action") body.append(k, v);
      body.append("action", "save");
      inflight = fetch(target, { method: "POST", body, credentials: "same-origin" })
        .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
        .then((html) => {
          const m = html.match(/name="_revision" value="(\d+)"/);
          const rev = form.querySelector('input[name="_revision"]');
          if (m && rev) rev.value = m[1];
          const now = new Date();
          const hm = `${String(now.getHours()).padStart(2, "0")}:${String(now.getMinutes()).padStart(2, "0")}`;
          saved.textContent = (lang === "en" ? "Saved automatically at " : "Đã tự động lưu lúc ") + hm;
        })
        .catch(() => {
          dirty = true;
        })
        .finally(() => {
          inflight = null;
        });
    };
    const touched = () => {
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(autosave, Number(form.dataset.autosaveMs || 10000));
    };
    form.addEventListener("input", touched);
    form.addEventListener("change", touched);
    form.addEventListener("submit", (ev) => {
      clearTimeout(timer);
      timer = null;
      if (inflight) {
        ev.preventDefault();
        const by = ev.submitter;
        inflight.then(() => form.requestSubmit(by));
        return;
      }
      if (!ev.submitter || ev.submitter.value !== "continue") return;
      const errors = check();
      if (!errors.length) return;
      ev.preventDefault();
      document.querySelectorAll("[id$='-live']").forEach((p) => p.remove());
      for (const name of new Set(errors.map((e) => e.field))) show(name, errors);
      let box = document.getElementById("error-summary");
      if (!box) {
        box = document.createElement("div");
        box.id = "error-summary";
        box.setAttribute("role", "alert");
        box.tabIndex = -1;
        box.className = "mb-4 rounded border-2 border-red-700 bg-red-50 p-4 text-red-900";
        form.insertAdjacentElement("beforebegin", box);
      }
      box.replaceChildren();
      const h = document.createElement("h2");
      h.className = "font-bold";
      h.textContent = lang === "en" ? "There is a problem" : "Cần sửa trước khi gửi";
      const ul = document.createElement("ul");
      ul.className = "mt-2 list-disc pl-5";
      for (const e of errors) {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = "#f-" + e.field;
        a.className = "text-red-900 underline";
        a.textContent = msg(e);
        li.append(a);
        ul.append(li);
      }
      box.append(h, ul);
      box.focus();
    });
  }).catch(() => {});
}
