import { test, expect } from "@playwright/test";
import { open, hydrated, expectAccessible } from "./helpers";

test("search without diacritics finds the procedure", async ({ page }, info) => {
  await open(page, info, "/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Dịch vụ công trực tuyến");
  await expectAccessible(page, info);
  const box = page.locator("#home-q");
  await box.fill("dang ky khai sinh");
  await box.press("Enter");
  await expect(page).toHaveURL(/\/tim-kiem\?q=dang\+ky\+khai\+sinh/);
  await hydrated(page, info);
  const first = page.locator("#main ul li h3 a").first();
  await expect(first).toHaveText("Thủ tục đăng ký khai sinh");
  await expect(page.locator("#result-count")).toContainText("cho từ khóa “dang ky khai sinh”");
  await expectAccessible(page, info);
  await first.click();
  await expect(page).toHaveURL(/\/thu-tuc\/1\.001193$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Thủ tục đăng ký khai sinh");
});

test("search by code and with a typo", async ({ page }, info) => {
  await open(page, info, "/tim-kiem?q=1.004222");
  await expect(page.locator("#main ul li h3 a").first()).toHaveText("Đăng ký thường trú");
  await open(page, info, "/tim-kiem?q=" + encodeURIComponent("đăng ki kết hôn"));
  await expect(page.locator("#main ul li h3 a").first()).toHaveText("Thủ tục đăng ký kết hôn");
});

test("catalogue filters and pagination", async ({ page }, info) => {
  await open(page, info, "/thu-tuc");
  // 2,849 seeded procedures; the catalogue-management test running beside this one may have
  // created one more by now.
  await expect(page.locator("#result-count")).toHaveText(/^28(49|50) thủ tục$/);
  const all = (await page.locator("#result-count").textContent()) ?? "";
  await expectAccessible(page, info);
  await page.getByLabel("Lĩnh vực").selectOption({ label: "Hộ tịch (" + (await fieldCount(page, "Hộ tịch")) + ")" });
  await page.getByLabel("Đối tượng").selectOption("ca-nhan");
  await page.getByRole("button", { name: "Lọc" }).click();
  await expect(page).toHaveURL(/linhvuc=\d+.*doituong=ca-nhan/);
  await hydrated(page, info);
  const count = page.locator("#result-count");
  await expect(count).not.toHaveText(all);
  const fields = await page.locator("#main ul li p").filter({ hasText: "Mã thủ tục" }).allTextContents();
  expect(fields.length).toBeGreaterThan(0);
  for (const f of fields) expect(f).toContain("Hộ tịch");
  await page.getByRole("link", { name: "Trang sau" }).click();
  await expect(page.getByText(/^Trang 2 trên \d+$/)).toBeVisible();
  await expect(page).toHaveURL(/trang=2/);
  await expectAccessible(page, info);
});

async function fieldCount(page: import("@playwright/test").Page, name: string) {
  const text = await page.locator("#f-field option", { hasText: name + " (" }).first().textContent();
  return text?.match(/\((\d+)\)$/)?.[1];
}

test("procedure page shows documents, fee and time limit", async ({ page }, info) => {
  await open(page, info, "/thu-tuc/1.004222");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Đăng ký thường trú");
  await expect(page.getByRole("heading", { name: "Thành phần hồ sơ" })).toBeVisible();
  expect(await page.locator("#documents li").count()).toBeGreaterThan(0);
  await expect(page.getByText("Phí, lệ phí: 10.000 đồng")).toBeVisible();
  await expect(page.getByText("Thời hạn giải quyết: 7 Ngày làm việc").first()).toBeVisible();
  await expect(page.getByRole("heading", { name: "Căn cứ pháp lý" })).toBeVisible();
  await expectAccessible(page, info);
});

test("language switch", async ({ page }, info) => {
  await open(page, info, "/thu-tuc/1.001193");
  await page.getByRole("link", { name: "English" }).click();
  await expect(page).toHaveURL(/\/thu-tuc\/1\.001193$/);
  await hydrated(page, info);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { name: "Required documents" })).toBeVisible();
  await expectAccessible(page, info);
  await page.getByRole("link", { name: "Tiếng Việt" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "vi");
  await expect(page.getByRole("heading", { name: "Thành phần hồ sơ" })).toBeVisible();
});

test("unknown page is a 404 with a way home", async ({ page }, info) => {
  const res = await open(page, info, "/trang-khong-ton-tai");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Không tìm thấy trang");
  await expectAccessible(page, info);
  const missing = await open(page, info, "/thu-tuc/9.999999");
  expect(missing?.status()).toBe(404);
  await expectAccessible(page, info);
});

test("information pages and keyboard skip link", async ({ page }, info) => {
  for (const url of ["/ho-tro-tiep-can", "/dang-nhap"]) {
    await open(page, info, url);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectAccessible(page, info);
  }
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Chuyển đến nội dung chính" })).toBeFocused();
});

// EMC-1: the monitoring system's tracker runs under the page's CSP and reports the page view;
// without JavaScript the page is the same and nothing is reported.
test("the EMC tracker reports page views", async ({ page }, info) => {
  const mark = `emc-${info.project.name}-${Date.now()}`;
  await open(page, info, `/thu-tuc?${mark}=1`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  const views = async () => {
    const st = await (await page.request.get("http://127.0.0.1:2531/_peer/state")).json();
    return st.hits.filter((h: { idsite: string; url: string }) => h.idsite === "12345" && h.url.includes(mark)).length;
  };
  if (info.project.name === "js") {
    await expect.poll(views, { timeout: 15_000 }).toBe(1);
  } else {
    await page.waitForTimeout(1_000);
    expect(await views()).toBe(0);
  }
});
