// node tools/precompress.mjs CACHE_DIR < files.json: write FILE.br (brotli, quality 11, 16 MB window) and
// FILE.gz (gzip -9) beside each FILE of the JSON list on stdin, each only when smaller than FILE, for a
// server that sends them to a browser that accepts them (tools/serve_site.py; nginx's brotli_static and
// gzip_static). Brotli at quality 11 is slow (~2 min of CPU for a whole site), so every result is kept in
// CACHE_DIR under the sha256 of what it compresses: a rebuild compresses only the files that changed.
// Prints {"files", "bytes", "br", "gz", "cached"} (sizes of the smaller of each file and its twin) as the
// last line. Called by tools/build_site.py's precompress().
import { createHash } from "node:crypto";
import { promises as fs, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import zlib from "node:zlib";

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const { BROTLI_PARAM_QUALITY, BROTLI_PARAM_LGWIN, BROTLI_PARAM_SIZE_HINT } = zlib.constants;

const ENCODINGS = {
  br: (data) =>
    brotli(data, {
      params: { [BROTLI_PARAM_QUALITY]: 11, [BROTLI_PARAM_LGWIN]: 24, [BROTLI_PARAM_SIZE_HINT]: data.length },
    }),
  gz: (data) => gzip(data, { level: 9 }),
};

const [cacheDir] = process.argv.slice(2);
const files = JSON.parse(readFileSync(0, "utf8"));
await fs.mkdir(cacheDir, { recursive: true });
const summary = { files: files.length, bytes: 0, br: 0, gz: 0, cached: 0 };

const inFlight = new Map(); // files of the same content (the site has some) are compressed once

function compressed(data, digest, suffix) {
  const key = `${digest}.${suffix}`;
  if (!inFlight.has(key)) inFlight.set(key, cachedOrNew(data, key, suffix));
  return inFlight.get(key);
}

async function cachedOrNew(data, key, suffix) {
  const cached = path.join(cacheDir, key);
  try {
    const body = await fs.readFile(cached);
    const now = new Date();
    await fs.utimes(cached, now, now); // used: kept by the build's pruning
    summary.cached += 1;
    return body;
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
  }
  const body = await ENCODINGS[suffix](data);
  const partial = `${cached}.${process.pid}.part`; // two builds may share the cache
  await fs.writeFile(partial, body);
  await fs.rename(partial, cached);
  return body;
}

async function precompress(file) {
  const data = await fs.readFile(file);
  const digest = createHash("sha256").update(data).digest("hex");
  summary.bytes += data.length;
  for (const suffix of Object.keys(ENCODINGS)) {
    const body = await compressed(data, digest, suffix);
    const twin = `${file}.${suffix}`;
    if (body.length < data.length) {
      await fs.writeFile(twin, body);
    } else {
      await fs.rm(twin, { force: true });
    }
    summary[suffix] += Math.min(body.length, data.length);
  }
}

// zlib's asynchronous calls run on libuv's thread pool (4 threads): every core is used.
await Promise.all(files.map(precompress));
console.log(JSON.stringify(summary));
