import { test, expect, type Page, type TestInfo } from "@playwright/test";
import { open, hydrated, expectAccessible, mailTo, totp } from "./helpers";

async function submit(page: Page, name: string | RegExp) {
  await page.getByRole("button", { name }).click();
  await page.waitForLoadState("load");
}

test("citizen registers, verifies the email, logs in, edits the profile and logs out", async ({ page }, info) => {
  const email = `dan.${info.project.name}.${Date.now()}@example.vn`;
  // The citizen ID must be unique per run as well.
  const cid = "048" + String(Date.now()).slice(-9);
  await open(page, info, "/dang-ky");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Đăng ký tài khoản");
  await expectAccessible(page, info);

  // First attempt with mistakes: the errors are listed and linked, the input kept.
  await page.getByLabel("Họ và tên").fill("Hoàng Thị Mai");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Số điện thoại").fill("0905 123 456");
  await page.getByLabel("Số định danh cá nhân (CCCD)").fill("12345");
  await page.getByLabel("Mật khẩu", { exact: true }).fill("password1234");
  await page.getByLabel("Nhập lại mật khẩu").fill("password1234");
  await submit(page, "Đăng ký");
  await hydrated(page, info);
  const summary = page.locator("#error-summary");
  await expect(summary).toContainText("12 chữ số");
  await expect(summary).toContainText("quá phổ biến");
  await expect(summary).toContainText("đồng ý");
  await expect(page.getByLabel("Họ và tên")).toHaveValue("Hoàng Thị Mai");
  await expect(page.getByLabel("Số định danh cá nhân (CCCD)")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page, info);

  await page.getByLabel("Số định danh cá nhân (CCCD)").fill(cid);
  const password = "sông Hàn xanh mát mùa hè";
  await page.getByLabel("Mật khẩu", { exact: true }).fill(password);
  await page.getByLabel("Nhập lại mật khẩu").fill(password);
  await page.getByRole("checkbox", { name: /Tôi đồng ý/ }).check();
  await submit(page, "Đăng ký");
  await expect(page).toHaveURL(/\/dang-ky\?ok=1$/);
  await expect(page.getByRole("status")).toContainText("Đã gửi thư");

  // The link from the email (over SMTP) activates the account.
  const mail = await mailTo(email);
  const link = mail.match(/http:\/\/\S+\/xac-thuc-email\?token=\S+/)?.[0];
  expect(link, "verification link in the mail").toBeTruthy();
  await open(page, info, new URL(link!).pathname + new URL(link!).search);
  await expectAccessible(page, info);
  await submit(page, "Xác nhận email");
  await expect(page).toHaveURL(/\/dang-nhap\?ok=verified$/);
  await expect(page.getByRole("status")).toContainText("Email đã được xác thực");
  await hydrated(page, info);
  await expectAccessible(page, info);

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Mật khẩu").fill(password);
  await submit(page, "Đăng nhập");
  await expect(page).toHaveURL(/\/tai-khoan$/);
  await hydrated(page, info);
  await expect(page.locator("#account-link")).toHaveText("Hoàng Thị Mai");
  await expect(page.locator("main")).toContainText("•••••••••" + cid.slice(-3));
  await expect(page.locator("main")).not.toContainText(cid);
  await expectAccessible(page, info);

  await page.getByLabel("Số điện thoại").fill("0236 3822 111");
  await submit(page, "Lưu");
  await expect(page).toHaveURL(/\/tai-khoan\?ok=saved$/);
  await expect(page.locator("main")).toContainText("02363822111");

  await open(page, info, "/tai-khoan/phien");
  await expect(page.locator("#session-list li")).toHaveCount(1);
  await expectAccessible(page, info);

  await open(page, info, "/tai-khoan");
  await page.locator("main").getByRole("button", { name: "Đăng xuất" }).click();
  await expect(page).toHaveURL(/\/dang-nhap\?ok=logged_out$/);
  await open(page, info, "/tai-khoan");
  await expect(page).toHaveURL(/\/dang-nhap\?next=/);
});

test("a citizen signs in with the national e-ID (VNeID) and signs out there too", async ({ page }, info) => {
  // P-1: the e-ID provider is a real OpenID provider (npm oidc-provider, a separate process).
  await open(page, info, "/dang-nhap");
  await expectAccessible(page, info);
  await page.getByRole("link", { name: "Đăng nhập bằng VNeID / tài khoản Cổng DVC quốc gia" }).click();
  await page.waitForLoadState("load");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Đăng nhập VNeID (mô phỏng)");
  await page.getByLabel("Số định danh cá nhân").fill("048095001234");
  await page.getByLabel("Mật khẩu").fill("sai mat khau");
  await submit(page, "Đăng nhập");
  await expect(page.getByRole("alert")).toContainText("không đúng");
  await page.getByLabel("Số định danh cá nhân").fill("048095001234");
  await page.getByLabel("Mật khẩu").fill("vneid thu nghiem 1");
  await submit(page, "Đăng nhập");
  // Back on the portal, signed in with the account made from the e-ID's claims.
  await expect(page).toHaveURL(/\/tai-khoan$/);
  await expect(page.locator("#account-link")).toHaveText("Trần Thị Định Danh");
  await expect(page.locator("main")).toContainText("dinhdanh@vneid.example.vn");
  await expectAccessible(page, info);
  // Logging out here ends the provider's session too (RP-initiated logout).
  await page.locator("main").getByRole("button", { name: "Đăng xuất" }).click();
  await page.waitForLoadState("load");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Đăng xuất VNeID (mô phỏng)");
  await submit(page, "Đăng xuất");
  await expect(page).toHaveURL(/\/dang-nhap\?ok=logged_out$/);
  await expect(page.getByRole("status")).toContainText("Bạn đã đăng xuất");
  await expectAccessible(page, info);
  await open(page, info, "/tai-khoan");
  await expect(page).toHaveURL(/\/dang-nhap\?next=/);
});

test("officer's first login: forced password change, 2FA enrolment, then the workspace", async ({ page }, info) => {
  // Some twenty pages with axe on each (login, 2FA, workspace, catalogue editor, holidays,
  // shared catalogues, integrations): more than the default minute on a loaded 2-core machine.
  test.setTimeout(180_000);
  // One demo officer per project, because the first login changes the account for good.
  const [email, initial, name] =
    info.project.name === "js"
      ? ["quantri@demo.dichvucong.vn", "quan tri thu nghiem Da Nang", "Quản trị hệ thống (demo)"]
      : ["canbo@demo.dichvucong.vn", "can bo thu nghiem Da Nang", "Cán bộ một cửa (demo)"];
  await open(page, info, "/dang-nhap");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Mật khẩu").fill(initial);
  await submit(page, "Đăng nhập");
  await expect(page).toHaveURL(/\/tai-khoan\/mat-khau$/);
  await hydrated(page, info);
  await expect(page.locator("main")).toContainText("lần đăng nhập đầu tiên");
  await expectAccessible(page, info);

  // Other pages stay closed until the login is complete.
  await open(page, info, "/can-bo");
  await expect(page).toHaveURL(/\/tai-khoan\/mat-khau$/);

  const next = `mật khẩu mới của ${info.project.name} năm 2026`;
  await page.getByLabel("Mật khẩu hiện tại").fill(initial);
  await page.getByLabel("Mật khẩu mới", { exact: true }).fill(next);
  await page.getByLabel("Nhập lại mật khẩu mới").fill(next);
  await submit(page, "Đổi mật khẩu");
  await expect(page).toHaveURL(/\/tai-khoan\/xac-thuc-hai-buoc$/);
  await hydrated(page, info);
  await expect(page.getByRole("img", { name: /Mã QR/ })).toBeVisible();
  await expectAccessible(page, info);

  const secret = (await page.locator("#totp-secret").textContent())!.trim();
  await page.getByLabel("Mã 6 chữ số").fill("000000" === totp(secret) ? "111111" : "000000");
  await submit(page, "Bật xác thực hai bước");
  await expect(page.locator("#error-summary")).toContainText("Mã không đúng");
  await hydrated(page, info);
  await page.getByLabel("Mã 6 chữ số").fill(totp(secret));
  await submit(page, "Bật xác thực hai bước");
  await expect(page.locator("#recovery-codes li")).toHaveCount(10);
  await expect(page.getByRole("status")).toContainText("Đã bật xác thực hai bước");
  await page.getByRole("link", { name: "Tiếp tục" }).click();
  await expect(page).toHaveURL(/\/can-bo$/);
  await hydrated(page, info);
  await expect(page.locator("#account-link")).toHaveText(name);
  await expect(page.locator("#my-roles")).toContainText(info.project.name === "js" ? "Quản trị hệ thống" : "Quản trị đơn vị");
  await expectAccessible(page, info);

  await page.getByRole("link", { name: "Quản lý cán bộ" }).click();
  await expect(page).toHaveURL(/\/quan-tri\/can-bo$/);
  await hydrated(page, info);
  await expect(page.locator("#officer-table")).toContainText(email);
  await expectAccessible(page, info);
  // P-3.6: the payment reconciliation and its CSV, reached from the officer home.
  await open(page, info, "/can-bo");
  await page.getByRole("link", { name: "Đối soát thanh toán trực tuyến" }).click();
  await expect(page).toHaveURL(/\/can-bo\/doi-soat-thanh-toan$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Đối soát thanh toán trực tuyến");
  await expect(page.locator("#recon-summary")).toContainText("giao dịch thành công");
  await expectAccessible(page, info);
  const csv = await page.request.get("/can-bo/doi-soat-thanh-toan.csv");
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain("Mã giao dịch,Mã hồ sơ");
  if (info.project.name === "js") {
    await open(page, info, "/quan-tri/nhat-ky?kiem_tra=1");
    await expect(page.locator("#chain-status")).toContainText("Chuỗi nhật ký nguyên vẹn");
    await expect(page.locator("#audit-table")).toContainText("account.totp_enrolled");
    await expectAccessible(page, info);
    await open(page, info, "/quan-tri/yeu-cau-xoa");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Yêu cầu xoá tài khoản");
    await expectAccessible(page, info);
    await catalogueManagement(page, info);
  } else {
    // A unit administrator staffs the unit but does not keep the catalogue (B-a).
    const res = await page.goto("/quan-tri/thu-tuc");
    expect(res?.status()).toBe(403);
    await expect(page.getByRole("alert")).toContainText("không có quyền");
    await expectAccessible(page, info);
  }
});

// B-a, B-e: the system administrator finds a procedure, creates a new one, is refused an
// invalid workflow with the flaw named, previews the e-form and workflow, publishes version 2
// (the portal shows it at once) and imports a holiday list: a bad file changes nothing.
async function catalogueManagement(page: Page, info: TestInfo) {
  await open(page, info, "/can-bo");
  await page.getByRole("link", { name: "Quản lý thủ tục hành chính, biểu mẫu và quy trình" }).click();
  await expect(page).toHaveURL(/\/quan-tri\/thu-tuc$/);
  await expectAccessible(page, info);
  await page.getByLabel("Tìm theo mã hoặc tên thủ tục").fill("khai sinh");
  await submit(page, /^Tìm$/);
  await expect(page.locator("table")).toContainText("1.001193");

  await page.getByLabel("Mã thủ tục").fill("DN.E2E.01");
  await page.getByLabel("Tên thủ tục", { exact: true }).fill("Cấp phép tổ chức lễ hội thử nghiệm");
  await page.getByLabel("Lĩnh vực").selectOption({ label: "Hộ tịch" });
  await page.getByLabel("Cơ quan ban hành").selectOption({ index: 1 });
  await submit(page, "Tạo thủ tục");
  await expect(page).toHaveURL(/\/quan-tri\/thu-tuc\/DN\.E2E\.01\?tao=1/);
  await expect(page.getByRole("status").first()).toContainText("Đã tạo thủ tục");
  await expectAccessible(page, info);

  // A state nobody can reach and that ends nothing: refused, the flaw named, the draft kept.
  const wfBox = page.getByLabel("Quy trình xử lý (JSON)");
  const wf = JSON.parse(await wfBox.inputValue());
  const good = JSON.stringify(wf, null, 2);
  wf.states.push({ ...wf.states[0], key: "treo", status: 4, actions: [] });
  await wfBox.fill(JSON.stringify(wf, null, 2));
  await page.getByLabel("Thành phần hồ sơ").fill("Đơn đề nghị | 01 bản chính\nPhương án tổ chức lễ hội | 01 bản chính");
  await submit(page, "Xuất bản phiên bản mới");
  await expect(page.getByRole("alert")).toContainText('Không thể đi tới bước "treo"');
  await expect(page.getByLabel("Thành phần hồ sơ")).toHaveValue(/Phương án tổ chức/);
  await expectAccessible(page, info);

  // Fixed, with an own e-form: the preview shows it as applicants will see it.
  await page.getByLabel("Quy trình xử lý (JSON)").fill(good);
  const form = {
    sections: [
      {
        id: "le-hoi",
        title: { vi: "Thông tin lễ hội", en: "The festival" },
        fields: [{ id: "ten", label: { vi: "Tên lễ hội", en: "Festival name" }, kind: "text", required: true }],
      },
    ],
  };
  await page.getByLabel("Thiết kế biểu mẫu điện tử (JSON)").fill(JSON.stringify(form, null, 2));
  await submit(page, "Kiểm tra và xem trước");
  await expect(page.getByRole("heading", { name: "Xem trước biểu mẫu" })).toBeVisible();
  await expect(page.getByLabel("Tên lễ hội")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Xem trước quy trình" })).toBeVisible();
  await expectAccessible(page, info);

  await submit(page, "Xuất bản phiên bản mới");
  await expect(page).toHaveURL(/xuat-ban=2/);
  await expect(page.getByRole("status").first()).toContainText("Đã xuất bản phiên bản 2");
  await page.goto("/thu-tuc/DN.E2E.01");
  await expect(page.locator("main")).toContainText("Phương án tổ chức lễ hội");

  // Holidays: one bad line → nothing imported and the line named; then a good file.
  await open(page, info, "/quan-tri/ngay-nghi");
  await expectAccessible(page, info);
  const csv = page.getByLabel("Hoặc dán nội dung CSV");
  await csv.fill("ngay,loai,ten\n2035-02-08,nghỉ,Tết Nguyên đán\n2035-13-01,nghỉ,Sai ngày");
  await submit(page, "Nhập danh mục");
  await expect(page.getByRole("alert")).toContainText("1 dòng lỗi");
  await expectAccessible(page, info);
  await page.getByLabel("Hoặc dán nội dung CSV").fill("ngay,loai,ten\n2035-02-08,nghỉ,Tết Nguyên đán\n2035-02-09,nghỉ,Tết Nguyên đán");
  await submit(page, "Nhập danh mục");
  await expect(page.getByRole("status").first()).toContainText("Đã nhập 2 ngày cho năm 2035");
  await page.goto("/quan-tri/ngay-nghi?nam=2035");
  await expect(page.locator("table")).toContainText("08/02/2035");

  // Shared catalogues: a field added from pasted CSV; a bad agency line refused and named.
  await open(page, info, "/can-bo");
  await page.getByRole("link", { name: /Danh mục dùng chung/ }).click();
  await page.getByRole("link", { name: "Lĩnh vực", exact: true }).click();
  await expect(page).toHaveURL(/loai=linh-vuc/);
  await expectAccessible(page, info);
  await page.getByLabel("Hoặc dán nội dung CSV").fill("ten\nHộ tịch\nLĩnh vực thử nghiệm E2E");
  await submit(page, "Nhập danh mục");
  await expect(page.getByRole("status").first()).toContainText("thêm 1");
  await expect(page.locator("table")).toContainText("Lĩnh vực thử nghiệm E2E");
  await open(page, info, "/quan-tri/danh-muc?loai=co-quan");
  await page.getByLabel("Hoặc dán nội dung CSV").fill(",H48.E2E,Cơ quan thử,club,,,,");
  await submit(page, "Nhập danh mục");
  await expect(page.getByRole("alert")).toContainText('Loại "club" không hợp lệ');
  await expectAccessible(page, info);
  // Document types: the national result codes are there and searchable.
  await page.getByRole("link", { name: "Loại giấy tờ, kết quả", exact: true }).click();
  await expect(page).toHaveURL(/loai=giay-to/);
  await page.getByLabel("Tìm theo mã hoặc tên").fill("KQ.G01.000023");
  await submit(page, /^Tìm$/);
  await expect(page.locator("table")).toContainText("Thẻ căn cước");
  await expectAccessible(page, info);
  // Integrations: the queue and the exchange log, reached from the officer home.
  await open(page, info, "/can-bo");
  await page.getByRole("link", { name: /Tích hợp, đồng bộ/ }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Tích hợp và nhật ký trao đổi dữ liệu");
  await expect(page.locator("main")).toContainText("Hàng đợi:");
  await expect(page.locator("main")).toContainText("NPSP: http://127.0.0.1:2527");
  // EMC-4: the connection information (Phụ lục VIII) and the reconciliation (EMC-5).
  await expect(page.locator("#emc-site")).toHaveText("12345");
  await expect(page.locator("#emc-reconciliation")).toContainText("30 ngày qua");
  await expectAccessible(page, info);
  // G-3: registering an API partner; without a name and a scope it is refused with both
  // reasons, then the secret is shown once and the partner is listed.
  await submit(page, "Đăng ký đối tác");
  await expect(page.getByRole("alert")).toContainText("Nhập tên hệ thống đối tác");
  await expect(page.getByRole("alert")).toContainText("Chọn ít nhất một quyền");
  await expectAccessible(page, info);
  await page.getByLabel("Tên hệ thống đối tác").fill("Hệ thống một cửa của Sở Tư pháp");
  await page.getByLabel(/dossier:read/).check();
  await submit(page, "Đăng ký đối tác");
  await expect(page.locator("#api-client-secret")).toHaveText(/^\S{40,}$/);
  await expect(page.locator("#api-client-id")).toHaveText(/^dvc_[0-9a-f]{16}$/);
  await expect(page.locator("section[aria-labelledby=h-api] table")).toContainText("Hệ thống một cửa của Sở Tư pháp");
  await expectAccessible(page, info);
  // The partners' documentation is linked from there.
  await page.getByRole("link", { name: "Tài liệu API" }).click();
  await expect(page).toHaveURL(/\/api\/docs$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("API");
  await expect(page.locator("main")).toContainText("/api/v1/dossiers/{code}");
  await expectAccessible(page, info);
}
