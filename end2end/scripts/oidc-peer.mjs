// A local OpenID Connect provider standing in for VNeID / the NPSP identity server (P-1), for
// the Rust tests and the browser tests; never used in production. It is the npm package
// `oidc-provider` (a certified OpenID provider) configured the way spec/protocols.md §5 records
// the national servers: authorization-code flow, a confidential client authenticating with
// `client_secret_post`, PKCE required, the VNeID claims (`HoVaTen`, `SoDinhDanh`,
// `NgayThangNamSinh`, `LoaiTaiKhoan`, `TechID`, `SoDienThoai`, `ThuDienTu`) from userinfo, and
// RP-initiated logout. Its sign-in page asks for the personal ID number and a password.
//
//   node end2end/scripts/oidc-peer.mjs [HOST:PORT]   (default 127.0.0.1:0; prints "listening on …")
//
// Environment: PEER_OIDC_CLIENT_ID / PEER_OIDC_CLIENT_SECRET (default `portal` /
// `portal-oidc-secret`), PEER_OIDC_REDIRECT_URIS and PEER_OIDC_LOGOUT_URIS (comma-separated).
// Test users: 048095001234 / "vneid thu nghiem 1" (a citizen, with email and phone),
// 079200009999 / "vneid thu nghiem 2" (no email), 001099000777 / "vneid thu nghiem 3", and the
// citizens of the browser tests' dossier journey, one per project so the two runs never share an
// account: 001096000111 / "vneid thu nghiem 4" (JS on) and 001096000222 / "vneid thu nghiem 5"
// (JS off).
import http from "node:http";
import crypto from "node:crypto";
import Provider from "oidc-provider";

const [host, portText] = (process.argv[2] ?? "127.0.0.1:0").split(":");
const env = (k, d) => process.env[k] ?? d;
const list = (k) => env(k, "").split(",").map((s) => s.trim()).filter(Boolean);

const USERS = {
  "048095001234": {
    password: "vneid thu nghiem 1",
    claims: {
      HoVaTen: "Trần Thị Định Danh",
      SoDinhDanh: "048095001234",
      NgayThangNamSinh: "19950308",
      LoaiTaiKhoan: 1,
      TechID: "tech-0001",
      SoDienThoai: "0905777888",
      ThuDienTu: "dinhdanh@vneid.example.vn",
    },
  },
  "079200009999": {
    password: "vneid thu nghiem 2",
    claims: {
      HoVaTen: "Lê Văn Không Thư",
      SoDinhDanh: "079200009999",
      NgayThangNamSinh: "20000101",
      LoaiTaiKhoan: 1,
      TechID: "tech-0002",
    },
  },
  "001096000111": {
    password: "vneid thu nghiem 4",
    claims: {
      HoVaTen: "Lê Thị Hoa",
      SoDinhDanh: "001096000111",
      NgayThangNamSinh: "19950308",
      LoaiTaiKhoan: 1,
      TechID: "tech-0004",
      SoDienThoai: "0905111222",
      ThuDienTu: "lethihoa.js@vneid.example.vn",
    },
  },
  "001096000222": {
    password: "vneid thu nghiem 5",
    claims: {
      HoVaTen: "Lê Thị Hoa",
      SoDinhDanh: "001096000222",
      NgayThangNamSinh: "19950308",
      LoaiTaiKhoan: 1,
      TechID: "tech-0005",
      SoDienThoai: "0905333444",
      ThuDienTu: "lethihoa.nojs@vneid.example.vn",
    },
  },
  "001099000777": {
    password: "vneid thu nghiem 3",
    claims: { HoVaTen: "Cán Bộ Thử", SoDinhDanh: "001099000777", LoaiTaiKhoan: 1, TechID: "tech-0003" },
  },
};

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>body{font-family:sans-serif;margin:0;padding:1rem;max-width:28rem}label{display:block;font-weight:bold;margin-top:.75rem}
input{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box;border:1px solid #333}button{margin-top:1rem;font-size:1rem;padding:.6rem 1rem;background:#8b1a1a;color:#fff;border:0}
[role=alert]{color:#8b1a1a;font-weight:bold}</style></head>
<body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;

function loginPage(uid, error) {
  return page("Đăng nhập VNeID (mô phỏng)", `
<p>Máy chủ xác thực thử nghiệm, thay cho VNeID / Cổng Dịch vụ công quốc gia.</p>
${error ? `<p role="alert" id="err">${esc(error)}</p>` : ""}
<form method="post" action="/interaction/${esc(uid)}/login">
<label for="sdd">Số định danh cá nhân</label>
<input id="sdd" name="so_dinh_danh" inputmode="numeric" autocomplete="username" required ${error ? 'aria-describedby="err"' : ""}>
<label for="mk">Mật khẩu</label>
<input id="mk" name="mat_khau" type="password" autocomplete="current-password" required>
<button type="submit">Đăng nhập</button>
</form>`);
}

async function readForm(req) {
  let body = "";
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function main() {
  const server = http.createServer();
  await new Promise((ok) => server.listen(Number(portText || 0), host, ok));
  const { port } = server.address();
  const issuer = `http://${host}:${port}`;
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: "peer-rs256", use: "sig", alg: "RS256" };

  const provider = new Provider(issuer, {
    clients: [{
      client_id: env("PEER_OIDC_CLIENT_ID", "portal"),
      client_secret: env("PEER_OIDC_CLIENT_SECRET", "portal-oidc-secret"),
      redirect_uris: list("PEER_OIDC_REDIRECT_URIS"),
      post_logout_redirect_uris: list("PEER_OIDC_LOGOUT_URIS"),
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    }],
    jwks: { keys: [jwk] },
    pkce: { required: () => true },
    cookies: { keys: [crypto.randomBytes(32).toString("hex")] },
    claims: {
      openid: ["sub"],
      profile: ["HoVaTen", "SoDinhDanh", "NgayThangNamSinh", "LoaiTaiKhoan", "TechID"],
      email: ["ThuDienTu"],
      phone: ["SoDienThoai"],
    },
    scopes: ["openid", "profile", "email", "phone"],
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page("Đăng xuất VNeID (mô phỏng)", `${form}
<p>Bạn có muốn đăng xuất khỏi tài khoản định danh?</p>
<button type="submit" form="op.logoutForm" value="yes" name="logout">Đăng xuất</button>`);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page("Đã đăng xuất", "<p>Bạn đã đăng xuất.</p>");
        },
      },
    },
    // The national servers ask no consent of their own: the grant is made at sign-in.
    loadExistingGrant: async (ctx) => {
      const id = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (id) return ctx.oidc.provider.Grant.find(id);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope("openid profile email phone");
      await grant.save();
      return grant;
    },
    // The subject is an opaque account id of the provider, not the ID number.
    findAccount: async (_ctx, sub) => {
      const user = USERS[sub.replace(/^vneid-/, "")];
      if (!user) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...user.claims }) };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  });
  provider.proxy = false;
  const callback = provider.callback();

  server.on("request", async (req, res) => {
    const path = new URL(req.url, issuer).pathname;
    const m = path.match(/^\/interaction\/([^/]+)(\/login)?$/);
    if (!m) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      res.setHeader("content-type", "text/html; charset=utf-8");
      if (req.method === "GET") return res.end(loginPage(details.uid));
      const form = await readForm(req);
      const id = (form.get("so_dinh_danh") ?? "").trim();
      const user = USERS[id];
      if (!user || user.password !== form.get("mat_khau")) {
        res.statusCode = 200;
        return res.end(loginPage(details.uid, "Số định danh hoặc mật khẩu không đúng."));
      }
      await provider.interactionFinished(req, res, { login: { accountId: `vneid-${id}` } }, { mergeWithLastSubmission: false });
    } catch (e) {
      res.statusCode = 400;
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.end(page("Lỗi", `<p role="alert">${esc(e.message)}</p>`));
    }
  });
  console.log(`listening on ${host}:${port}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
