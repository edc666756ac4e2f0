import { expect, type Page, type TestInfo } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

/** Opens a page; with JavaScript on, waits until the app has hydrated (clicks before are lost). */
export async function open(page: Page, testInfo: TestInfo, url: string) {
  const res = await page.goto(url);
  await hydrated(page, testInfo);
  return res;
}

export async function hydrated(page: Page, testInfo: TestInfo) {
  // Account pages are server-rendered forms with no hydrated root: nothing to wait for.
  if (testInfo.project.name === "js" && (await page.locator("#app").count()) > 0) {
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
  }
}

/**
 * axe-core on the current page: zero violations, any rule (WCAG 2.1 AA and best practice).
 * axe itself is JavaScript, so for the no-JS run it scans the same URL in a context where the
 * app's scripts are blocked: the DOM is exactly the server-rendered one a no-JS user gets.
 */
export async function expectAccessible(page: Page, testInfo: TestInfo) {
  let target = page;
  let cleanup = async () => {};
  if (testInfo.project.name === "nojs") {
    const browser = page.context().browser();
    if (!browser) throw new Error("no browser");
    const ctx = await browser.newContext({ javaScriptEnabled: true, viewport: page.viewportSize() ?? undefined });
    await ctx.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
    const cookies = await page.context().cookies();
    if (cookies.length) await ctx.addCookies(cookies);
    target = await ctx.newPage();
    await target.goto(page.url());
    cleanup = () => ctx.close();
  }
  const results = await new AxeBuilder({ page: target }).analyze();
  await cleanup();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(summary, "axe violations").toEqual([]);
}
