// Progressive enhancement of document uploads (P-3.4). Without this script each slot is a
// plain file form. With it: files can be dropped on a slot, several at once; each file is sent
// with a progress bar announced to screen readers; when the server refuses a file the form is
// posted the plain way so that its message appears exactly as without JavaScript.
const lang = document.documentElement.lang === "en" ? "en" : "vi";
const t = (vi, en) => (lang === "en" ? en : vi);

function send(form, file) {
  return new Promise((resolve) => {
    const data = new FormData(form);
    data.set("file", file, file.name);
    const xhr = new XMLHttpRequest();
    const bar = form.querySelector("progress") || document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.className = "mt-2 block w-full";
    bar.setAttribute("aria-label", t("Tiến độ tải lên ", "Upload progress ") + file.name);
    form.append(bar);
    const live = form.querySelector("[data-live]");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) {
        bar.value = Math.round((e.loaded / e.total) * 100);
        if (live) live.textContent = `${file.name}: ${bar.value}%`;
      }
    };
    xhr.onload = () => resolve(xhr.status === 200 && new URL(xhr.responseURL).search.includes("ok=uploaded"));
    xhr.onerror = () => resolve(false);
    xhr.open("POST", form.action);
    xhr.send(data);
  });
}

async function upload(form, files) {
  const input = form.querySelector("input[type=file]");
  for (const file of files) {
    const ok = await send(form, file);
    if (!ok) {
      // Let the server explain (type, size, name) on its own page.
      const dt = new DataTransfer();
      dt.items.add(file);
      input.files = dt.files;
      HTMLFormElement.prototype.submit.call(form);
      return;
    }
  }
  location.href = location.pathname + "?ok=uploaded";
}

for (const form of document.querySelectorAll("form[data-upload]")) {
  const zone = form.closest("section") || form;
  const live = document.createElement("p");
  live.setAttribute("data-live", "");
  live.setAttribute("aria-live", "polite");
  live.className = "text-sm";
  form.append(live);
  const hint = document.createElement("p");
  hint.className = "mt-1 text-sm text-slate-700";
  hint.textContent = t("Hoặc kéo thả tệp vào khung này (có thể nhiều tệp).", "Or drop files on this box (several at once).");
  form.querySelector("input[type=file]").insertAdjacentElement("afterend", hint);
  form.addEventListener("submit", (ev) => {
    const input = form.querySelector("input[type=file]");
    if (!input.files || !input.files.length) return;
    ev.preventDefault();
    upload(form, [...input.files]);
  });
  zone.addEventListener("dragover", (ev) => {
    ev.preventDefault();
    zone.classList.add("ring-4", "ring-blue-700");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("ring-4", "ring-blue-700"));
  zone.addEventListener("drop", (ev) => {
    ev.preventDefault();
    zone.classList.remove("ring-4", "ring-blue-700");
    if (ev.dataTransfer && ev.dataTransfer.files.length) upload(form, [...ev.dataTransfer.files]);
  });
}
