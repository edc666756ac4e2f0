#!/usr/bin/env bash
# `make bench`: Lighthouse (mobile preset) on four public pages, asset sizes, and HTTP load with
# wrk at 50 and 500 connections against three pages and a bare response of the same server.
# Loopback only, bounded in time. Writes end2end/bench-results/latest.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
PORT=${BENCH_PORT:-3200}
BASE="http://127.0.0.1:$PORT"
DURATION=${BENCH_DURATION:-20s}
OUT=end2end/bench-results
mkdir -p "$OUT" target/bench
rm -f target/bench/portal.db*

if ! command -v wrk >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk
fi
bash .ci/setup test

# Plain cookie names: curl (used below to sign in for the form page) does not send `__Host-`
# cookies over plain HTTP.
LEPTOS_SITE_ADDR="127.0.0.1:$PORT" DATABASE_URL="sqlite://target/bench/portal.db?mode=rwc" \
  LEPTOS_SITE_ROOT=target/site RUST_LOG=warn PORTAL_SECURE_COOKIES=0 PORTAL_DEMO=1 \
  PORTAL_JWT_SECRET=bench-signing-key-bench-signing-key-bench PORTAL_FILES_DIR=target/bench/files \
  PORTAL_DATA_KEY=0202020202020202020202020202020202020202020202020202020202020202 \
  PORTAL_MAIL_DIR=target/bench/mail ./target/release/server > target/bench/server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "$BASE/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -sf "$BASE/readyz" >/dev/null

{
  echo "# Benchmark run"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
  echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- server: release build, SQLite (WAL), demo data; load generator on the same machine (loopback)"
  echo
  echo "## Asset sizes (bytes)"
  echo
  echo "| file | raw | gzip | brotli |"
  echo "|---|---|---|---|"
  for f in portal.wasm portal.js portal.css; do
    p=target/site/pkg/$f
    echo "| $f | $(stat -c %s "$p") | $(stat -c %s "$p.gz" 2>/dev/null || echo -) | $(stat -c %s "$p.br" 2>/dev/null || echo -) |"
  done
  echo
  echo "## Lighthouse $(lighthouse --version) (mobile preset, simulated throttling, Debian Chromium)"
  echo
  echo "| page | score | FCP | LCP | Speed Index | TBT | CLS |"
  echo "|---|---|---|---|---|---|---|"
} > "$OUT/latest.md"

FLAGS="--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync"
for page in "/" "/thu-tuc" "/thu-tuc/1.001193" "/tim-kiem?q=dang+ky+khai+sinh"; do
  CHROME_PATH=/usr/bin/chromium lighthouse "$BASE$page" --quiet --only-categories=performance \
    --output=json --output-path=target/bench/lh.json --chrome-flags="$FLAGS" >/dev/null 2>&1 || true
  node -e '
    const r = require("./target/bench/lh.json"); const a = r.audits;
    const s = (id) => a[id] ? a[id].displayValue.replace(/\u00a0/g, " ") : "-";
    console.log(`| ${process.argv[1]} | ${Math.round(r.categories.performance.score * 100)} | ${s("first-contentful-paint")} | ${s("largest-contentful-paint")} | ${s("speed-index")} | ${s("total-blocking-time")} | ${s("cumulative-layout-shift")} |`);
  ' "$page" >> "$OUT/latest.md"
done

# The e-form page (P-3.3) as the demo citizen sees it: sign in, start a draft, measure its form.
JAR=target/bench/cookies.txt
rm -f "$JAR"
curl -s -c "$JAR" "$BASE/dang-nhap" > /dev/null
csrf() { awk '$6 == "portal_csrf" { print $7 }' "$JAR"; }
curl -s -b "$JAR" -c "$JAR" -H "Origin: $BASE" --data-urlencode "_csrf=$(csrf)" \
  --data-urlencode "email=congdan@demo.dichvucong.vn" --data-urlencode "password=cong dan thu nghiem Da Nang" \
  "$BASE/dang-nhap" > /dev/null
START=$(curl -s -b "$JAR" -c "$JAR" "$BASE/ho-so/moi?thu-tuc=1.004222")
KEY=$(echo "$START" | grep -o 'name="key" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
UNIT=$(echo "$START" | grep -o 'name="agency_id" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
DRAFT=$(curl -s -o /dev/null -w '%{redirect_url}' -b "$JAR" -c "$JAR" -H "Origin: $BASE" \
  --data-urlencode "_csrf=$(csrf)" --data-urlencode "procedure=1.004222" --data-urlencode "key=$KEY" \
  --data-urlencode "agency_id=$UNIT" "$BASE/ho-so/moi")
COOKIE=$(awk '{ sub(/^#HttpOnly_/, "") } !/^#/ && NF >= 7 { printf "%s%s=%s", (n++ ? "; " : ""), $6, $7 }' "$JAR")
FORM="${DRAFT#$BASE}/bieu-mau"
CHROME_PATH=/usr/bin/chromium lighthouse "$BASE$FORM" --quiet --only-categories=performance \
  --extra-headers="{\"Cookie\": \"$COOKIE\"}" \
  --output=json --output-path=target/bench/lh.json --chrome-flags="$FLAGS" >/dev/null 2>&1 || true
node -e '
  const r = require("./target/bench/lh.json"); const a = r.audits;
  const s = (id) => a[id] ? a[id].displayValue.replace(/\u00a0/g, " ") : "-";
  console.log(`| ${process.argv[1]} (e-form, signed in) | ${Math.round(r.categories.performance.score * 100)} | ${s("first-contentful-paint")} | ${s("largest-contentful-paint")} | ${s("speed-index")} | ${s("total-blocking-time")} | ${s("cumulative-layout-shift")} |`);
' "$FORM" >> "$OUT/latest.md"

# The officer workspace (B-c, B-k) on the desktop preset, as the ward's demo officers see it
# after the first-login steps (new password, then two-step verification enrolled): the counter
# officer's inbox, the leader's supervisor dashboard and reports.
# curl writes HttpOnly cookies as `#HttpOnly_` lines: keep them, they are the session.
jar_cookie() { awk '{ sub(/^#HttpOnly_/, "") } !/^#/ && NF >= 7 { printf "%s%s=%s", (n++ ? "; " : ""), $6, $7 }' "$1"; }
officer_cookie() {
  local OJAR=target/bench/officer-$1.txt OLDPW="mot cua thu nghiem Da Nang" NEWPW="ban do thu tai khong gian lam viec"
  rm -f "$OJAR"
  ocsrf() { awk '$6 == "portal_csrf" { print $7 }' "$OJAR"; }
  opost() { local path=$1; shift; curl -s -o /dev/null -b "$OJAR" -c "$OJAR" -H "Origin: $BASE" --data-urlencode "_csrf=$(ocsrf)" "$@" "$BASE$path"; }
  curl -s -c "$OJAR" "$BASE/dang-nhap" > /dev/null
  opost /dang-nhap --data-urlencode "email=$1@demo.dichvucong.vn" --data-urlencode "password=$OLDPW"
  opost /tai-khoan/mat-khau --data-urlencode "current_password=$OLDPW" --data-urlencode "new_password=$NEWPW" \
    --data-urlencode "password_confirm=$NEWPW"
  local SECRET CODE
  SECRET=$(curl -s -b "$OJAR" -c "$OJAR" "$BASE/tai-khoan/xac-thuc-hai-buoc" | grep -o 'id="totp-secret"[^>]*>[^<]*' | sed 's/.*>//' | tr -d ' ')
  CODE=$(node -e '
    const c = require("crypto"); const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let bits = 0, v = 0; const out = [];
    for (const ch of process.argv[1].replace(/=+$/, "")) { v = (v << 5) | a.indexOf(ch); bits += 5; if (bits >= 8) { out.push((v >>> (bits - 8)) & 255); bits -= 8; } }
    const msg = Buffer.alloc(8); msg.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000)));
    const h = c.createHmac("sha1", Buffer.from(out)).update(msg).digest(); const o = h[19] & 15;
    console.log(String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, "0"));
  ' "$SECRET")
  opost /tai-khoan/xac-thuc-hai-buoc --data-urlencode "code=$CODE"
  jar_cookie "$OJAR"
}
COUNTER=$(officer_cookie motcua1)
LEADER=$(officer_cookie lanhdao1)
{
  echo
  echo "## Lighthouse (desktop preset): the officer workspace, signed in"
  echo
  echo "| page | score | FCP | LCP | Speed Index | TBT | CLS |"
  echo "|---|---|---|---|---|---|---|"
} >> "$OUT/latest.md"
for target in "/can-bo/ho-so COUNTER" "/can-bo/giam-sat LEADER" "/can-bo/bao-cao LEADER"; do
  page=${target% *}
  who=${target#* }
  CHROME_PATH=/usr/bin/chromium lighthouse "$BASE$page" --quiet --only-categories=performance --preset=desktop \
    --extra-headers="{\"Cookie\": \"${!who}\"}" \
    --output=json --output-path=target/bench/lh.json --chrome-flags="$FLAGS" >/dev/null 2>&1 || true
  node -e '
    const r = require("./target/bench/lh.json"); const a = r.audits;
    if (r.runtimeError) { console.log(`| ${process.argv[1]} | error: ${r.runtimeError.code} | | | | | |`); process.exit(0); }
    const s = (id) => a[id] && a[id].displayValue ? a[id].displayValue.replace(/\u00a0/g, " ") : "-";
    const where = new URL(r.finalDisplayedUrl || r.finalUrl).pathname;
    console.log(`| ${process.argv[1]}${where === process.argv[1] ? "" : " (ended at " + where + ")"} | ${Math.round(r.categories.performance.score * 100)} | ${s("first-contentful-paint")} | ${s("largest-contentful-paint")} | ${s("speed-index")} | ${s("total-blocking-time")} | ${s("cumulative-layout-shift")} |`);
  ' "$page" >> "$OUT/latest.md"
done

{
  echo
  echo "## HTTP load (wrk, 2 threads, $DURATION per row)"
  echo
  echo "| target | connections | req/s | p50 | p99 | errors |"
  echo "|---|---|---|---|---|---|"
} >> "$OUT/latest.md"
for c in 50 500; do
  for page in "/healthz" "/thu-tuc" "/thu-tuc/1.001193" "/tim-kiem?q=dang+ky+khai+sinh"; do
    wrk -t2 -c$c -d"$DURATION" --latency "$BASE$page" > target/bench/wrk.txt 2>&1 || true
    node -e '
      const t = require("fs").readFileSync("target/bench/wrk.txt", "utf8");
      const m = (re) => (t.match(re) || [, "-"])[1];
      const sock = t.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
      const non2xx = Number(m(/Non-2xx or 3xx responses: (\d+)/)) || 0;
      const errs = (sock ? sock.slice(1).reduce((s, x) => s + Number(x), 0) : 0) + non2xx;
      console.log(`| ${process.argv[1]} | ${process.argv[2]} | ${m(/Requests\/sec:\s+([\d.]+)/)} | ${m(/\s50%\s+(\S+)/)} | ${m(/\s99%\s+(\S+)/)} | ${errs} |`);
    ' "$page" "$c" >> "$OUT/latest.md"
  done
done
{
  echo
  echo "## Dossier submissions and uploads (service layer, release build)"
  echo
  echo "Submissions of complete drafts by 50 concurrent tasks through \`app::server::dossier::submit\`"
  echo "(validation, code allocation, due date, event, notification, audit record, mail to files);"
  echo "upload = staging a 20 MB file in 64 KB chunks with type sniffing and SHA-256, then storing it."
  echo
  echo "| database | submissions | concurrency | per second | p50 | p99 | 20 MB upload |"
  echo "|---|---|---|---|---|---|---|"
} >> "$OUT/latest.md"
cargo build --release -p server --example dossier_bench --example workspace_bench --example sign_bench \
  --example outbox_bench --bin peer -q
rm -f target/bench/dossiers.db*
./target/release/examples/dossier_bench "sqlite://target/bench/dossiers.db?mode=rwc" 500 50 >> "$OUT/latest.md"
./target/release/examples/dossier_bench "${TEST_DATABASE_URL:-postgres://root@127.0.0.1:5432/test}" 500 50 >> "$OUT/latest.md"
{
  echo
  echo "## Officer workspace with 1,000,000 dossiers (service layer, release build)"
  echo
  echo "A province: 100 units, two years of dossiers (the last 20 days still open). Inbox ="
  echo "\`app::server::work::inbox\` as the page calls it (500 rows at most); accept = the counter's"
  echo "accept action on a submitted dossier; report = a year by unit for the whole province."
} >> "$OUT/latest.md"
rm -f target/bench/workspace.db*
./target/release/examples/workspace_bench "sqlite://target/bench/workspace.db?mode=rwc" >> "$OUT/latest.md"
./target/release/examples/workspace_bench "${TEST_DATABASE_URL:-postgres://root@127.0.0.1:5432/test}" >> "$OUT/latest.md"
{
  echo
  echo "## Outbox delivery to a local peer (B-m, release build)"
  echo
  echo "2,000 texts queued in one transaction, then four delivery loops (as four app instances)"
  echo "drain them to the SMS gateway simulator over loopback. Delivered = the time from the commit"
  echo "to the end of the round that delivered the message; call = the HTTP call (integration log)."
  echo
  echo "| database | messages | loops | delivered | per second | delivered p50 | delivered p99 | call p50 | call p99 |"
  echo "|---|---|---|---|---|---|---|---|---|"
} >> "$OUT/latest.md"
rm -f target/bench/outbox.db*
./target/release/examples/outbox_bench "sqlite://target/bench/outbox.db?mode=rwc" 2000 4 >> "$OUT/latest.md"
./target/release/examples/outbox_bench "${TEST_DATABASE_URL:-postgres://root@127.0.0.1:5432/test}" 2000 4 >> "$OUT/latest.md"
{
  echo
  echo "## Signing and verifying a result PDF (P-4, release build)"
  echo
  echo "PAdES with an RSA-2048 key from a PKCS#12 file (test CA made with openssl); verify ="
  echo "byte range, digest, signature and chain to the root, as the verify page does. 100 rounds."
} >> "$OUT/latest.md"
rm -rf target/bench/pki
./target/release/examples/sign_bench target/bench/pki 100 >> "$OUT/latest.md"
cat "$OUT/latest.md"
