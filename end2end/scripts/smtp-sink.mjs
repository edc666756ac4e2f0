// A real SMTP server for the browser tests (RFC 5321 subset): every message it accepts is
// written to a file, where the tests read verification and reset links. Loopback only.
import { createServer } from "node:net";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const port = Number(process.env.SMTP_SINK_PORT ?? 2526);
const dir = process.env.SMTP_SINK_DIR ?? "target/e2e-mail";
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
let seq = 0;

createServer((sock) => {
  sock.setEncoding("utf8");
  let buf = "";
  let data = null;
  sock.write("220 e2e-sink ESMTP\r\n");
  sock.on("data", (chunk) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf("\r\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (data !== null) {
        if (line === ".") {
          seq += 1;
          writeFileSync(join(dir, `${Date.now()}-${seq}.eml`), data.join("\n"));
          data = null;
          sock.write("250 queued\r\n");
        } else {
          data.push(line.startsWith(".") ? line.slice(1) : line);
        }
        continue;
      }
      const cmd = line.slice(0, 4).toUpperCase();
      if (cmd === "EHLO") sock.write("250-e2e-sink\r\n250 8BITMIME\r\n");
      else if (cmd === "DATA") {
        data = [];
        sock.write("354 go ahead\r\n");
      } else if (cmd === "QUIT") {
        sock.end("221 bye\r\n");
      } else sock.write("250 ok\r\n");
    }
  });
  sock.on("error", () => {});
}).listen(port, "127.0.0.1", () => console.log(`smtp sink on ${port}, mail in ${dir}`));
