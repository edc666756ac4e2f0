import { defineConfig } from "@playwright/test";
import { resolve } from "node:path";

// Every spec runs twice: with JavaScript (hydrated app) and without (plain HTML forms/links).
const root = resolve(__dirname, "..");
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
// A fresh database per run; the config is loaded by every worker, so the server command, not
// this module, clears it.
const dbDir = resolve(root, "target/e2e");

const launchOptions = {
  executablePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export default defineConfig({
  testDir: "./tests",
  // Keep run artefacts out of the source tree (they were landing in the repository root).
  outputDir: resolve(root, "target/playwright"),
  timeout: 60_000,
  retries: 0,
  workers: 2,
  reporter: [["list"]],
  use: {
    baseURL,
    viewport: { width: 360, height: 740 },
    locale: "vi-VN",
    launchOptions,
  },
  projects: [
    { name: "js", use: { javaScriptEnabled: true } },
    { name: "nojs", use: { javaScriptEnabled: false } },
  ],
  webServer: [
   {
    // The National Public Service Portal simulator (server/src/bin/peer.rs): the portal pushes
    // every dossier change to it through the outbox (B-m).
    command: "exec ./target/debug/peer npsp 127.0.0.1:2527",
    cwd: root,
    port: 2527,
    reuseExistingServer: false,
   },
   {
    // The VNPay gateway simulator: payment page, signed result, notification to the portal.
    command: "exec ./target/debug/peer vnpay 127.0.0.1:2528",
    cwd: root,
    port: 2528,
    reuseExistingServer: false,
    env: { PEER_VNPAY_IPN_URL: `${baseURL}/thanh-toan/vnpay/ipn` },
   },
   {
    // The SMS brandname gateway simulator: texts to applicants (P-3.2).
    command: "exec ./target/debug/peer sms 127.0.0.1:2529",
    cwd: root,
    port: 2529,
    reuseExistingServer: false,
   },
   {
    // The national e-ID's OpenID provider (npm oidc-provider): sign-in with VNeID (P-1).
    command: "exec node end2end/scripts/oidc-peer.mjs 127.0.0.1:2530",
    cwd: root,
    port: 2530,
    reuseExistingServer: false,
    env: {
      PEER_OIDC_REDIRECT_URIS: `${baseURL}/dang-nhap/vneid/ket-qua`,
      PEER_OIDC_LOGOUT_URIS: `${baseURL}/dang-nhap?ok=logged_out`,
    },
   },
   {
    // The national monitoring system (EMC) simulator: tracker script, page views, dossier pushes.
    command: "exec ./target/debug/peer emc 127.0.0.1:2531",
    cwd: root,
    port: 2531,
    reuseExistingServer: false,
   },
   {
    // The public postal service simulator: collection and delivery orders, tracking (P-3.5).
    command: "exec ./target/debug/peer post 127.0.0.1:2532",
    cwd: root,
    port: 2532,
    reuseExistingServer: false,
    env: { PEER_POST_CALLBACK_URL: `${baseURL}/buu-chinh/trang-thai` },
   },
   {
    // The remote-signing CA simulator (SmartCA shape): applicants sign their PDFs (P-4). It
    // issues certificates from the test PKI that the server's command makes.
    command: "exec ./target/debug/peer remotesign 127.0.0.1:2533",
    cwd: root,
    port: 2533,
    reuseExistingServer: false,
    env: { PEER_SIGN_USERS: `${dbDir}/pki/signers`, PEER_SIGN_ENROL: "1" },
   },
   {
    command: "node end2end/scripts/smtp-sink.mjs",
    cwd: root,
    port: 2526,
    reuseExistingServer: false,
    env: { SMTP_SINK_PORT: "2526", SMTP_SINK_DIR: resolve(root, "target/e2e-mail") },
   },
   {
    command: `rm -rf ${dbDir} && mkdir -p ${dbDir} && bash end2end/scripts/test-pki.sh ${dbDir}/pki && exec ./target/release/server`,
    cwd: root,
    url: `${baseURL}/readyz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: "target/site",
      DATABASE_URL: `sqlite://${dbDir}/portal.db?mode=rwc`,
      RUST_LOG: "warn",
      // Test-only keys: real deployments set their own (README, Configuration).
      PORTAL_JWT_SECRET: "e2e-signing-key-e2e-signing-key-e2e-signing",
      PORTAL_DATA_KEY: "0101010101010101010101010101010101010101010101010101010101010101",
      PORTAL_SMTP_URL: "smtp://127.0.0.1:2526",
      PORTAL_DEMO: "1",
      PORTAL_NPSP_URL: "http://127.0.0.1:2527",
      PORTAL_NPSP_USERNAME: "portal",
      PORTAL_NPSP_PASSWORD: "portal-secret",
      PORTAL_NPSP_DSTCODE: "000.00.00.H48",
      PORTAL_NPSP_MADONVI: "000.00.15.H48",
      PORTAL_OUTBOX_INTERVAL_MS: "500",
      PORTAL_VNPAY_URL: "http://127.0.0.1:2528/paymentv2/vpcpay.html",
      PORTAL_VNPAY_TMN_CODE: "PORTAL01",
      PORTAL_VNPAY_HASH_SECRET: "BIMATTHUNGHIEMVNPAY",
      PORTAL_SMS_URL: "http://127.0.0.1:2529/sms",
      PORTAL_SMS_TOKEN: "sms-secret",
      PORTAL_SMS_BRANDNAME: "UBND DA NANG",
      PORTAL_OIDC_ISSUER: "http://127.0.0.1:2530",
      PORTAL_OIDC_CLIENT_ID: "portal",
      PORTAL_OIDC_CLIENT_SECRET: "portal-oidc-secret",
      PORTAL_EMC_SITE_ID: "12345",
      PORTAL_EMC_TRACKER_URL: "http://127.0.0.1:2531/tracking",
      PORTAL_EMC_SCRIPT_URL: "http://127.0.0.1:2531/embed/gov-tracking.min.js",
      PORTAL_EMC_PUSH_URL: "http://127.0.0.1:2531/TrackingMCDT",
      PORTAL_EMC_LOCATION: "48",
      PORTAL_POST_URL: "http://127.0.0.1:2532/order",
      PORTAL_POST_TOKEN: "post-token",
      PORTAL_POST_CUSTOMER_CODE: "PORTAL",
      PORTAL_POST_CALLBACK_SECRET: "post-callback-secret",
      // B-m: another agency's instance for inter-agency transfer. Nothing listens there: the
      // browser tests cover the officer's form and its record; the round trip between two
      // instances is server/tests/lienthong.rs.
      PORTAL_LIENTHONG: JSON.stringify([{
        name: "Sở Tư pháp thành phố Đà Nẵng", url: "http://127.0.0.1:9",
        client_id: "e2e-ward", client_secret: "e2e-ward-secret",
        unit: "000.00.12.H48", partner: "e2e-department",
      }]),
      // P-4: results signed with the test PKI's ward certificate; the verify page trusts its root.
      PORTAL_SIGN_P12: `${dbDir}/pki/agency.p12`,
      PORTAL_SIGN_P12_PASSWORD: "e2e-p12",
      PORTAL_SIGN_TRUST_ROOTS: `${dbDir}/pki/ca.pem`,
      PORTAL_REMOTE_SIGN_URL: "http://127.0.0.1:2533/sca/sp769",
      PORTAL_REMOTE_SIGN_SP_ID: "portal-sp",
      PORTAL_REMOTE_SIGN_SP_PASSWORD: "sp-secret",
      // Every browser of the suite comes from the one loopback address, so the per-IP limits of
      // S-1 (5 registrations, 20 logins a minute) would trip on the suite itself depending on
      // timing (a CI run failed that way). The limits are tested in server/tests/security.rs.
      PORTAL_REGISTER_PER_MINUTE: "100",
      PORTAL_LOGIN_PER_MINUTE: "200",
    },
   },
  ],
});
