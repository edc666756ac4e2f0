// Writes .br and .gz next to each built asset so the server sends them precompressed
// (PERF-1/2: the WASM must not compete with the server-rendered page on slow networks).
import { readdirSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const dir = process.argv[2] ?? "target/site/pkg";
for (const name of readdirSync(dir)) {
  if (!/\.(js|wasm|css|svg|json)$/.test(name)) continue;
  const path = join(dir, name);
  if (!statSync(path).isFile()) continue;
  const data = readFileSync(path);
  writeFileSync(`${path}.br`, brotliCompressSync(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  }));
  writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }));
  console.log(`${name}: ${data.length} B raw`);
}
