import { expect, type Page, type TestInfo } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

/** Opens a page; with JavaScript on, waits until the app has hydrated (clicks before are lost). */
export async function open(page: Page, testInfo: TestInfo, url: string) {
  const res = await page.goto(url);
  await hydrated(page, testInfo);
  return res;
}

export async function hydrated(page: Page, testInfo: TestInfo) {
  // Account pages are server-rendered forms with no hydrated root: nothing to wait for.
  if (testInfo.project.name === "js" && (await page.locator("#app").count()) > 0) {
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 30_000 });
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

// Mail the portal sent through the SMTP sink started by playwright.config.ts.
const mailDir = resolve(__dirname, "../../target/e2e-mail");

export async function mailTo(address: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const files = readdirSync(mailDir).sort().reverse();
    for (const f of files) {
      const text = readFileSync(resolve(mailDir, f), "utf8").replace(/=\r?\n/g, "").replace(/=3D/g, "=");
      if (text.includes(`To: ${address}`)) return text;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail to ${address}`);
}

function base32Decode(s: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of s.replace(/=+$/, "")) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s), as an authenticator app computes it. */
export function totp(secret: string, at = Date.now()): string {
  const step = Math.floor(at / 1000 / 30);
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac("sha1", base32Decode(secret)).update(msg).digest();
  const off = h[19] & 0x0f;
  const bin = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
  return String(bin % 1_000_000).padStart(6, "0");
}

