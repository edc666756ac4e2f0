import { test, expect, type Page, type Browser, type TestInfo } from "@playwright/test";
import { open, hydrated, expectAccessible, totp } from "./helpers";

// The citizen journey of P-3.1 … P-3.7, P-5.2, P-7 against the real server, with JavaScript on
// and off. Each project files with its own ward, whose demo one-stop officer answers.

async function submit(page: Page, name: string | RegExp) {
  await page.getByRole("button", { name }).click();
  await page.waitForLoadState("load");
}

const byId = (page: Page, id: string) => page.locator(`[id="${id}"]`);

/** A small but complete PDF (catalog, page, text, cross-reference table): results are signed
 * (P-4), and signing reads the document's structure. `tag` is in a comment and on the page. */
function pdf(tag: string): Buffer {
  const text = `BT /F1 18 Tf 72 760 Td (${tag}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let out = `%PDF-1.4\n% ${tag}\n`;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}
const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de", "hex");

async function login(page: Page, info: TestInfo, email: string, password: string, next = "/dang-nhap") {
  await open(page, info, next);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Mật khẩu").fill(password);
  await submit(page, "Đăng nhập");
}

/**
 * The journey's citizen signs in with the national e-ID (P-1) on the OpenID provider's own page
 * (end2end/scripts/oidc-peer.mjs). Each project has its own e-ID test user, so the JS-on and
 * JS-off runs never share an account; the portal makes the account from the e-ID's claims.
 */
function citizen(info: TestInfo): { cid: string; password: string; phone: string } {
  return info.project.name === "js"
    ? { cid: "001096000111", password: "vneid thu nghiem 4", phone: "0905111222" }
    : { cid: "001096000222", password: "vneid thu nghiem 5", phone: "0905333444" };
}

async function vneid(page: Page, who: { cid: string; password: string }) {
  await page.getByRole("link", { name: "Đăng nhập bằng VNeID / tài khoản Cổng DVC quốc gia" }).click();
  await page.waitForLoadState("load");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Đăng nhập VNeID (mô phỏng)");
  await page.getByLabel("Số định danh cá nhân").fill(who.cid);
  await page.getByLabel("Mật khẩu").fill(who.password);
  await submit(page, "Đăng nhập");
}

/** A ward officer's first login (`who` is motcua, chuyenvien or lanhdao): new password, 2FA. */
async function officer(browser: Browser, info: TestInfo, who = "motcua"): Promise<Page> {
  const ctx = await browser.newContext({ javaScriptEnabled: info.project.name === "js", viewport: { width: 360, height: 740 } });
  const page = await ctx.newPage();
  const email = `${who}${info.project.name === "js" ? 1 : 2}@demo.dichvucong.vn`;
  await login(page, info, email, "mot cua thu nghiem Da Nang");
  await expect(page).toHaveURL(/\/tai-khoan\/mat-khau$/);
  const next = `${who} phường ${info.project.name} 2026`;
  await page.getByLabel("Mật khẩu hiện tại").fill("mot cua thu nghiem Da Nang");
  await page.getByLabel("Mật khẩu mới", { exact: true }).fill(next);
  await page.getByLabel("Nhập lại mật khẩu mới").fill(next);
  await submit(page, "Đổi mật khẩu");
  const secret = (await page.locator("#totp-secret").textContent())!.trim();
  await page.getByLabel("Mã 6 chữ số").fill(totp(secret));
  await submit(page, "Bật xác thực hai bước");
  await expect(page.locator("#recovery-codes li")).toHaveCount(10);
  return page;
}

/** Opens the dossier from the officer's inbox and takes one action. */
async function act(page: Page, info: TestInfo, code: string, button: string | RegExp) {
  await open(page, info, "/can-bo/ho-so");
  await page.getByRole("link", { name: code }).click();
  await submit(page, button);
  await expect(page.getByRole("status")).toContainText("Đã thực hiện");
}

test("citizen signs in with VNeID, files a birth registration online and follows it to a rated result", async ({ page, browser }, info) => {
  test.setTimeout(360_000);
  const nojs = info.project.name === "nojs";
  const who = citizen(info);

  // Find the procedure without diacritics and start from its page.
  await open(page, info, "/tim-kiem?q=dang+ky+khai+sinh");
  await page.getByRole("link", { name: "Thủ tục đăng ký khai sinh" }).first().click();
  await page.waitForLoadState("load");
  await hydrated(page, info);
  await page.getByRole("link", { name: "Nộp hồ sơ trực tuyến" }).click();
  await expect(page).toHaveURL(/\/dang-nhap\?next=/);
  // The chain starts here: sign-in with the national e-ID, which brings the citizen back
  // to where they were going.
  await vneid(page, who);
  await expect(page).toHaveURL(/\/ho-so\/moi\?thu-tuc=1\.001193$/);
  await expectAccessible(page, info);
  // Each project files with its own ward (its officer answers below).
  await page.getByRole("radio").nth(nojs ? 1 : 0).check();
  await submit(page, "Bắt đầu");
  await expect(page).toHaveURL(/\/ho-so\/\d+$/);
  const dossierUrl = new URL(page.url()).pathname;
  await expect(page.locator("main")).toContainText("Chưa xong");
  await expectAccessible(page, info);

  // The form, prefilled from the profile; one mistake first.
  await page.getByRole("link", { name: "Người yêu cầu" }).click();
  await expect(byId(page, "f-requester_phone")).toHaveValue(who.phone);
  await expectAccessible(page, info);
  await byId(page, "f-requester_address.province").selectOption("48");
  await submit(page, "Cập nhật danh sách xã, phường");
  await byId(page, "f-requester_address.commune").selectOption({ index: 1 });
  await byId(page, "f-requester_address.street").fill("25 Nguyễn Văn Linh");
  await page.getByRole("radio", { name: "Mẹ" }).check();
  await byId(page, "f-child_name").fill("Lê Minh Khang");
  await page.getByRole("radio", { name: "Nam", exact: true }).check();
  await byId(page, "f-child_birth").fill("2030-01-15");
  if (!nojs) {
    // The browser runs the server's rules (WASM) as the user leaves the field.
    await expect(page.locator("form[data-eform]")).toHaveAttribute("data-ready", "1", { timeout: 15_000 });
    await byId(page, "f-child_birth").blur();
    await expect(byId(page, "f-child_birth-live")).toContainText("không được sau ngày");
  }
  await byId(page, "f-child_birthplace").fill("Bệnh viện Phụ sản - Nhi Đà Nẵng");
  await byId(page, "f-child_hometown").fill("Đà Nẵng");
  await byId(page, "f-child_ethnicity").fill("Kinh");
  await byId(page, "f-child_nationality").selectOption("vn");
  await byId(page, "f-mother_name").fill("Lê Thị Hoa");
  await byId(page, "f-mother_birth").fill("1995-03-08");
  await byId(page, "f-mother_ethnicity").fill("Kinh");
  await byId(page, "f-mother_id").fill(who.cid);
  await byId(page, "f-mother_nationality").selectOption("vn");
  await page.getByRole("radio", { name: "Không" }).check();
  await page.getByRole("checkbox", { name: /Tôi cam đoan/ }).check();
  await submit(page, "Lưu và tiếp tục");
  const summary = page.locator("#error-summary");
  await expect(summary).toContainText("không được sau ngày");
  await expect(summary).toBeFocused();
  await expect(byId(page, "f-child_birth")).toHaveAttribute("aria-invalid", "true");
  await expect(byId(page, "f-child_name")).toHaveValue("Lê Minh Khang");
  await expectAccessible(page, info);
  await byId(page, "f-child_birth").fill("2026-11-20");
  await submit(page, "Lưu và tiếp tục");
  await expect(page).toHaveURL(/\/giay-to$/);
  await hydrated(page, info);
  await expectAccessible(page, info);

  // Two files into the birth-notice slot.
  const slot = page.locator("section", { has: page.getByRole("heading", { name: /Giấy chứng sinh/ }) });
  await slot.getByLabel("Chọn tệp để tải lên").setInputFiles({ name: "giay-chung-sinh.pdf", mimeType: "application/pdf", buffer: pdf("birth") });
  await slot.getByRole("button", { name: "Tải lên", exact: true }).click();
  await expect(page.getByRole("status")).toContainText("Đã tải tệp lên");
  const slot2 = page.locator("section", { has: page.getByRole("heading", { name: /Giấy chứng sinh/ }) });
  await slot2.getByLabel("Chọn tệp để tải lên").setInputFiles({ name: "anh-chup.png", mimeType: "image/png", buffer: PNG });
  await slot2.getByRole("button", { name: "Tải lên", exact: true }).click();
  await expect(page.getByRole("link", { name: "anh-chup.png" })).toBeVisible();
  await expect(page.getByRole("link", { name: "giay-chung-sinh.pdf" })).toBeVisible();

  // P-4: the applicant signs the PDF with their remote-signing certificate, confirms "on the
  // phone" (the CA simulator's control), and the dossier then holds the signed copy.
  await page.getByRole("button", { name: "Ký số: giay-chung-sinh.pdf" }).click();
  await page.waitForLoadState("load");
  await expect(page.getByRole("status")).toContainText("Đã gửi yêu cầu ký số");
  await expect(page.locator("main")).toContainText("Đang chờ bạn xác nhận trên ứng dụng ký số.");
  await expectAccessible(page, info);
  const ca = "http://127.0.0.1:2533";
  const tx = (await (await page.request.get(`${ca}/_peer/state`)).json()).transactions
    .find((t: { user: string; state: string }) => t.user === who.cid && t.state === "waiting");
  expect(tx, "the CA received the request for this citizen").toBeTruthy();
  expect((await page.request.post(`${ca}/_peer/confirm/${tx.id}`)).status()).toBe(204);
  await page.getByRole("button", { name: "Kiểm tra kết quả ký: giay-chung-sinh.pdf" }).click();
  await page.waitForLoadState("load");
  await expect(page.getByRole("status")).toContainText("Đã ký số tệp");
  await expect(page.locator("main")).toContainText("Đã ký số:");
  await expectAccessible(page, info);

  // P-3.5: the result is to come by post. A wrong phone number is refused with the reason;
  // the commune list follows the province (a plain form button, JS on or off).
  await open(page, info, dossierUrl);
  await page.getByRole("link", { name: "Nộp giấy tờ, nhận kết quả qua bưu chính" }).click();
  await expect(page).toHaveURL(/\/buu-chinh$/);
  await expectAccessible(page, info);
  await page.getByLabel("Nhận kết quả qua bưu điện").check();
  await page.getByLabel("Số điện thoại di động").fill("12345");
  await page.getByLabel("Tỉnh, thành phố").selectOption("48");
  await submit(page, "Cập nhật danh sách xã, phường");
  await page.getByLabel("Xã, phường, đặc khu").selectOption({ label: "Phường Hải Châu" });
  await page.getByLabel("Số nhà, đường, thôn, tổ dân phố").fill("24 Trần Phú");
  await submit(page, "Lưu lựa chọn");
  await expect(page.locator("#error-summary")).toContainText("số điện thoại di động");
  await expectAccessible(page, info);
  await page.getByLabel("Số điện thoại di động").fill(who.phone);
  await submit(page, "Lưu lựa chọn");
  await expect(page.getByRole("status")).toContainText("Đã lưu lựa chọn bưu chính");

  // Save the draft, then resume in another browser.
  await open(page, info, dossierUrl + "/bieu-mau");
  await submit(page, "Lưu nháp");
  await expect(page.getByRole("status").first()).toContainText("Đã lưu bản nháp");
  if (!nojs) {
    // Autosave: a change is saved in the background without pressing anything.
    await expect(page.locator("form[data-eform]")).toHaveAttribute("data-ready", "1", { timeout: 15_000 });
    await byId(page, "f-child_hometown").fill("Hội An, Đà Nẵng");
    await expect(page.getByText(/Đã tự động lưu lúc/)).toBeVisible({ timeout: 25_000 });
  }
  const other = await browser.newContext({ javaScriptEnabled: !nojs, viewport: { width: 360, height: 740 } });
  const p2 = await other.newPage();
  await open(p2, info, "/dang-nhap");
  await vneid(p2, who);
  await expect(p2).toHaveURL(/\/tai-khoan$/);
  await open(p2, info, "/ho-so");
  await expectAccessible(p2, info);
  await p2.getByRole("link", { name: "Thủ tục đăng ký khai sinh" }).click();
  await expect(p2).toHaveURL(new RegExp(dossierUrl + "$"));
  await expect(p2.locator("main")).not.toContainText("Chưa xong");
  if (!nojs) {
    await open(p2, info, dossierUrl + "/bieu-mau");
    await expect(byId(p2, "f-child_hometown")).toHaveValue("Hội An, Đà Nẵng");
    await open(p2, info, dossierUrl);
  }
  await submit(p2, "Nộp hồ sơ");
  await expect(p2.getByRole("status")).toContainText("Đã nộp hồ sơ thành công");
  const code = (await p2.getByRole("heading", { level: 1 }).textContent())!.trim();
  expect(code).toMatch(/^H48\.50\.\d\d-\d{6}-\d{4}$/);
  await expectAccessible(p2, info);

  // The receipt slip names the code.
  const slipUrl = await p2.getByRole("link", { name: /giấy tiếp nhận/ }).getAttribute("href");
  const slip = await p2.request.get(slipUrl!);
  expect(slip.headers()["content-type"]).toBe("application/pdf");
  const slipBytes = (await slip.body()).toString("latin1");
  const title = Buffer.from(`Giấy tiếp nhận hồ sơ ${code}`, "utf16le").swap16().toString("hex").toUpperCase();
  expect(slipBytes.startsWith("%PDF-")).toBe(true);
  expect(slipBytes).toContain(title);
  await other.close();

  // Anyone with the code and the phone number can follow it; the code alone shows nothing.
  const anon = await browser.newContext({ javaScriptEnabled: !nojs });
  const a = await anon.newPage();
  await open(a, info, "/tra-cuu-ho-so");
  await a.getByLabel("Mã hồ sơ").fill(code);
  await a.getByLabel(/Số điện thoại hoặc số định danh/).fill("0999000111");
  await submit(a, "Tra cứu");
  await expect(a.locator("#error-summary")).toContainText("Không tìm thấy hồ sơ");
  await a.getByLabel(/Số điện thoại hoặc số định danh/).fill(who.phone);
  await submit(a, "Tra cứu");
  await expect(a.locator("main")).toContainText("Mới đăng ký");
  await expect(a.locator("main")).not.toContainText("Lê Thị Hoa");
  await expectAccessible(a, info);
  await anon.close();

  // The ward's counter checks the dossier and asks for a supplement before accepting it.
  const o = await officer(browser, info);
  await open(o, info, "/can-bo/ho-so");
  await expectAccessible(o, info);
  await o.getByRole("link", { name: code }).click();
  await o.getByLabel(/Nội dung yêu cầu bổ sung/).fill("Bổ sung bản chụp mặt sau của Giấy chứng sinh.");
  await submit(o, "Yêu cầu bổ sung");
  await expect(o.getByRole("status")).toContainText("Đã thực hiện");
  await expectAccessible(o, info);

  // The citizen sees exactly what is asked and answers.
  await open(page, info, dossierUrl);
  await expect(page.locator("main")).toContainText("mặt sau của Giấy chứng sinh");
  await expectAccessible(page, info);
  await page.getByRole("link", { name: "Bổ sung giấy tờ" }).click();
  // The slot is full (two files at most): the blurry photo goes, the back side comes in.
  await page.getByRole("button", { name: "Xoá tệp anh-chup.png" }).click();
  await expect(page.getByRole("status")).toContainText("Đã xoá tệp");
  await expect(page.getByRole("link", { name: "anh-chup.png" })).toHaveCount(0);
  const again = page.locator("section", { has: page.getByRole("heading", { name: /Giấy chứng sinh/ }) });
  await again.getByLabel("Chọn tệp để tải lên").setInputFiles({ name: "mat-sau.pdf", mimeType: "application/pdf", buffer: pdf("back") });
  await again.getByRole("button", { name: "Tải lên", exact: true }).click();
  await expect(page.getByRole("status")).toContainText("Đã tải tệp lên");
  await open(page, info, dossierUrl);
  await submit(page, "Gửi bổ sung");
  await expect(page.getByRole("status")).toContainText("Đã gửi bổ sung");

  // Counter accepts (and prints the receipt) → leader assigns → specialist proposes → leader
  // approves → counter attaches the result and hands it over (B-c).
  // The counter accepts from the inbox's bulk form: tick, choose, apply (B-c).
  await open(o, info, "/can-bo/ho-so");
  await o.getByRole("checkbox", { name: `Chọn hồ sơ ${code}` }).check();
  await o.getByLabel("Thao tác", { exact: true }).selectOption("accept");
  await submit(o, "Thực hiện");
  await expect(o.getByRole("status")).toContainText("Đã tiếp nhận 1 hồ sơ");
  await expect(o.getByRole("link", { name: "In giấy tiếp nhận" })).toBeVisible();
  await expectAccessible(o, info);
  await o.getByRole("status").getByRole("link", { name: code }).click();
  await expect(o.locator("main")).toContainText("Đã tiếp nhận, chờ phân công");
  // Inter-agency transfer (B-m): the counter asks the city's justice department for its part.
  // The transfer is recorded and queued for the department's system.
  const lt = o.locator("section", { has: o.getByRole("heading", { name: "Liên thông với cơ quan khác" }) });
  await lt.getByLabel("Cơ quan nhận hồ sơ").selectOption({ label: "Sở Tư pháp thành phố Đà Nẵng" });
  await lt.getByLabel(/Nội dung đề nghị/).fill("Đề nghị xác minh thông tin hộ tịch.");
  await submit(o, "Gửi liên thông");
  await expect(o.getByRole("status")).toContainText("Đã thực hiện");
  await expect(lt).toContainText("Gửi Sở Tư pháp thành phố Đà Nẵng lúc");
  await expect(o.getByRole("button", { name: "Gửi liên thông" })).toHaveCount(0);
  await expectAccessible(o, info);
  const counterSlip = await o.request.get(new URL(o.url()).pathname + "/bien-nhan.pdf");
  expect(counterSlip.headers()["content-type"]).toBe("application/pdf");
  const leader = await officer(browser, info, "lanhdao");
  await open(leader, info, "/can-bo/ho-so");
  await leader.getByRole("link", { name: code }).click();
  // The ward's one specialist.
  await expect(leader.getByLabel("Phân công cho chuyên viên")).toContainText("Chuyên viên");
  await leader.getByLabel("Phân công cho chuyên viên").selectOption({ index: 0 });
  await submit(leader, "Phân công xử lý");
  await expect(leader.getByRole("status")).toContainText("Đã thực hiện");
  // The supervisor dashboard (B-c) shows the specialist's new load.
  await open(leader, info, "/can-bo");
  await leader.getByRole("link", { name: "Giám sát tiến độ giải quyết" }).click();
  await expect(leader.getByRole("heading", { level: 1 })).toHaveText("Giám sát tiến độ giải quyết hồ sơ");
  const load = leader.getByRole("region", { name: "Theo cán bộ được phân công" }).getByRole("row", { name: /Chuyên viên/ });
  await expect(load).toBeVisible();
  await expectAccessible(leader, info);
  const specialist = await officer(browser, info, "chuyenvien");
  await open(specialist, info, "/can-bo/ho-so");
  await expect(specialist.locator("main")).toContainText("Việc của tôi");
  // P-3.6: the specialist asks for the fee; the citizen pays on the gateway (the VNPay
  // simulator, a separate process) and the dossier moves on by itself.
  await open(specialist, info, "/can-bo/ho-so");
  await specialist.getByRole("link", { name: code }).click();
  await specialist.getByLabel("Số tiền phí, lệ phí phải nộp (đồng)").fill("25.000");
  await submit(specialist, "Yêu cầu nộp phí, lệ phí");
  await expect(specialist.getByRole("status")).toContainText("Đã thực hiện");
  await open(page, info, dossierUrl);
  await expect(page.getByRole("region", { name: "Phí, lệ phí" })).toContainText("25.000 đ");
  await expectAccessible(page, info);
  await submit(page, "Thanh toán trực tuyến qua VNPay");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Cổng thanh toán VNPAY (mô phỏng)");
  await expect(page.locator("main")).toContainText("Số tiền: 25000 VND");
  await page.getByRole("button", { name: "Thanh toán", exact: true }).click();
  await page.waitForLoadState("load");
  await expect(page.getByRole("region", { name: "Phí, lệ phí" }).getByRole("status")).toContainText("Thanh toán thành công");
  await expect(page.locator("main")).toContainText("thành công (mã giao dịch");
  // The electronic receipt of the fee (biên lai), named with the dossier code.
  const receiptHref = await page.getByRole("link", { name: "Tải biên lai (PDF)" }).getAttribute("href");
  const receipt = await page.request.get(receiptHref!);
  expect(receipt.headers()["content-type"]).toBe("application/pdf");
  const receiptTitle = Buffer.from(`Biên lai thu phí, lệ phí ${code}`, "utf16le").swap16().toString("hex").toUpperCase();
  expect((await receipt.body()).toString("latin1")).toContain(receiptTitle);
  await expectAccessible(page, info);
  await act(specialist, info, code, "Trình lãnh đạo phê duyệt");
  await expectAccessible(specialist, info);
  await specialist.context().close();
  await act(leader, info, code, "Phê duyệt");
  await leader.context().close();
  await open(o, info, "/can-bo/ho-so");
  await o.getByRole("link", { name: code }).click();
  await o.getByLabel("Tệp kết quả (PDF)").setInputFiles({ name: "trich-luc-khai-sinh.pdf", mimeType: "application/pdf", buffer: pdf("KET-QUA-KHAI-SINH") });
  await submit(o, "Đính kèm kết quả");
  await submit(o, "Xác nhận đã trả kết quả");
  await expect(o.locator("main")).toContainText("Đã trả kết quả");
  await expect(o.locator("main")).toContainText("Đúng hạn");
  // B-m: the National Public Service Portal (its simulator, a separate process) has the
  // dossier with the national status 10 and every processing step, pushed through the outbox.
  await expect
    .poll(async () => {
      const peer = await (await o.request.get("http://127.0.0.1:2527/_peer/state")).json();
      return [peer.dossiers[code]?.TrangThaiHoSo, (peer.progress[code] ?? []).length >= 6];
    }, { timeout: 30_000 })
    .toEqual(["10", true]);
  // B-đ: the photo the citizen replaced during the supplement is kept as an earlier version.
  await expect(o.locator("main")).toContainText("Phiên bản trước của giấy tờ (1)");
  // The unit's report counts it as processed on time and shows the 766 index (B-d).
  await open(o, info, "/can-bo/bao-cao?theo=thu-tuc");
  const row = o.getByRole("row", { name: /Thủ tục đăng ký khai sinh/ });
  await expect(row).toBeVisible();
  await expect(o.locator("main")).toContainText("Quyết định 766/QĐ-TTg");
  await expectAccessible(o, info);
  const csv = await o.request.get("/can-bo/bao-cao.csv?theo=thu-tuc");
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain("Thủ tục đăng ký khai sinh");
  // The tracking book (sổ theo dõi hồ sơ, B-l) of the month lists the dossier.
  const book = await o.request.get("/can-bo/so-theo-doi.csv");
  expect(book.status()).toBe(200);
  const lines = (await book.text()).split("\r\n");
  expect(lines[0]).toContain("Mã hồ sơ,Tên thủ tục hành chính");
  expect(lines.some((l) => l.includes(code) && l.includes("Đã trả kết quả"))).toBe(true);
  // The finished dossier goes to the unit's archive with its retention period (B-đ).
  await open(o, info, "/can-bo");
  await o.getByRole("link", { name: "Lưu trữ hồ sơ đã giải quyết" }).click();
  await expect(o.getByRole("heading", { level: 1 })).toHaveText("Lưu trữ hồ sơ");
  await expectAccessible(o, info);
  await o.getByRole("checkbox", { name: `Chọn hồ sơ ${code}` }).check();
  await submit(o, "Lưu trữ các hồ sơ đã chọn");
  await expect(o.getByRole("status")).toContainText("Đã lưu trữ 1 hồ sơ");
  await expect(o.getByRole("region", { name: /^Đã lưu trữ/ })).toContainText(code);
  await expectAccessible(o, info);
  // Counter intake (B-c): a walk-in applicant's dossier starts at the counter.
  await open(o, info, "/can-bo/tiep-nhan");
  await submit(o, "Tạo hồ sơ");
  await expect(o.locator("#error-summary")).toContainText("12 chữ số");
  await expectAccessible(o, info);
  // A ward procedure of 20 working days on the generic form (support for community production).
  await o.getByLabel("Mã thủ tục").fill("1.014208");
  await o.getByLabel("Họ và tên người nộp").fill("Phan Văn Quầy");
  await o.getByLabel("Số định danh cá nhân (CCCD)").fill("048095001234");
  await o.getByLabel("Số điện thoại (không bắt buộc)").fill("0905123456");
  await submit(o, "Tạo hồ sơ");
  await expect(o).toHaveURL(/\/ho-so\/\d+$/);
  const walkIn = new URL(o.url()).pathname;
  await expect(o.locator("main")).toContainText("Chưa xong");
  await expectAccessible(o, info);
  // The officer fills the form for the applicant and submits, which accepts it at the counter.
  await open(o, info, walkIn + "/bieu-mau");
  await expect(byId(o, "f-applicant_name")).toHaveValue("Phan Văn Quầy");
  await byId(o, "f-address.province").selectOption("48");
  await submit(o, "Cập nhật danh sách xã, phường");
  await byId(o, "f-address.commune").selectOption({ index: 1 });
  await byId(o, "f-address.street").fill("12 Lê Duẩn");
  await byId(o, "f-request").fill("Đề nghị hỗ trợ phát triển sản xuất cho tổ hợp tác rau sạch.");
  await o.getByRole("checkbox", { name: /Tôi cam đoan/ }).check();
  await submit(o, "Lưu và tiếp tục");
  await expect(o).toHaveURL(/\/giay-to$/);
  await open(o, info, walkIn);
  await submit(o, "Nộp hồ sơ");
  await expect(o).toHaveURL(/\/can-bo\/ho-so\/\d+/);
  await expect(o.locator("main")).toContainText("Phan Văn Quầy");
  const dueCell = o.locator("dt", { hasText: "Ngày hẹn trả kết quả" }).locator("xpath=following-sibling::dd[1]");
  const dueBefore = (await dueCell.textContent())!.trim();
  expect(dueBefore).toMatch(/^\d\d\/\d\d\/\d{4}$/);
  // B-i: the dossier will be late, so the counter issues the apology and new appointment slip
  // (Decree 61/2018: at least one working day before the due date, once only).
  await o.getByText("Phiếu xin lỗi và hẹn lại ngày trả kết quả", { exact: true }).click();
  const later = new Date(Date.now() + 60 * 86_400_000);
  while (later.getUTCDay() === 0 || later.getUTCDay() === 6) later.setUTCDate(later.getUTCDate() + 1);
  const iso = later.toISOString().slice(0, 10);
  await o.getByLabel("Ngày hẹn trả kết quả mới").fill(iso);
  await o.getByLabel("Lý do chậm trả kết quả").fill("Cần xác minh thực địa tại tổ hợp tác.");
  await submit(o, "Phát hành phiếu xin lỗi");
  await expect(o.getByRole("status")).toContainText("Đã thực hiện");
  const [y, m, d] = iso.split("-");
  await expect(dueCell).toHaveText(`${d}/${m}/${y} (đã hẹn lại; hẹn ban đầu ${dueBefore})`);
  await expect(o.getByRole("button", { name: "Phát hành phiếu xin lỗi" })).toHaveCount(0);
  const apology = await o.request.get(new URL(o.url()).pathname + "/phieu/phieu-xin-loi.pdf");
  expect(apology.status()).toBe(200);
  expect(apology.headers()["content-type"]).toBe("application/pdf");
  expect((await apology.body()).subarray(0, 5).toString()).toBe("%PDF-");
  await expect(o.getByRole("link", { name: "Phiếu xin lỗi và hẹn lại ngày trả kết quả" })).toBeVisible();
  await expectAccessible(o, info);
  // The walk-in applicant has no account: the apology reaches the phone by SMS (P-3.2), through
  // the gateway simulator.
  const walkInCode = (await o.getByRole("heading", { level: 1 }).textContent())!.trim();
  await expect
    .poll(async () => {
      const sms = await (await o.request.get("http://127.0.0.1:2529/_peer/state")).json();
      return sms.messages.filter((m: { phone: string; message: string }) =>
        m.phone === "84905123456" && m.message.startsWith(`Co quan xin loi vi ho so ${walkInCode} chua co ket qua dung hen`)).length;
    }, { timeout: 30_000 })
    .toBe(1);
  await o.context().close();

  // The citizen downloads the result (also in the data store) and rates the service.
  await open(page, info, dossierUrl);
  const resultHref = await page.getByRole("link", { name: /Tải kết quả/ }).getAttribute("href");
  const result = await page.request.get(resultHref!);
  expect((await result.body()).toString()).toContain("KET-QUA-KHAI-SINH");
  // P-3.5: handing the result over sent the delivery order to the post (its simulator); the
  // dossier shows the tracking number once the post has answered.
  await expect(async () => {
    await open(page, info, dossierUrl);
    await expect(page.locator("section[aria-labelledby=post-h]")).toContainText(/EB\d{9}VN/, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.locator("section[aria-labelledby=post-h]")).toContainText("24 Trần Phú");
  await expectAccessible(page, info);
  // P-4: the ward signed the result; the public verify page says the signature is valid.
  await open(page, info, "/xac-thuc-van-ban");
  await expectAccessible(page, info);
  await page.getByLabel("Tệp PDF cần kiểm tra (tối đa 20 MB)").setInputFiles({ name: "ket-qua.pdf", mimeType: "application/pdf", buffer: await result.body() });
  await submit(page, /^Kiểm tra$/);
  await expect(page.locator("#verify-result")).toContainText("Chữ ký số hợp lệ: văn bản không bị thay đổi sau khi ký.");
  await expect(page.locator("#verify-result")).toContainText("UBND Phường Hải Châu");
  await expectAccessible(page, info);
  await open(page, info, dossierUrl);
  for (const label of ["Tiếp cận thông tin về thủ tục", "Thủ tục và thành phần hồ sơ", "Thái độ của cán bộ", "Thời gian giải quyết", "Kết quả giải quyết"]) {
    await page.getByRole("group", { name: label }).getByRole("radio", { name: "Hài lòng", exact: true }).check();
  }
  await page.getByLabel("Góp ý (không bắt buộc)").fill("Nhanh chóng, không phải đi lại.");
  await expectAccessible(page, info);
  await submit(page, "Gửi đánh giá");
  await expect(page.getByRole("status")).toContainText("Cảm ơn bạn đã đánh giá");
  await expect(page.getByRole("button", { name: "Gửi đánh giá" })).toHaveCount(0);
  await open(page, info, "/kho-du-lieu");
  await expect(page.locator("main")).toContainText("Kết quả: Thủ tục đăng ký khai sinh");
  await expectAccessible(page, info);
  // The in-app notifications (P-3.2) list what happened to the dossier.
  await open(page, info, "/thong-bao");
  await expect(page.locator("main")).toContainText(code);
  await expectAccessible(page, info);
});
