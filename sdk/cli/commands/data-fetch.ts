/**
 * Fetching one dataset file: a resumable HTTP download (a `.part` file continued with a Range
 * request) or a copy of a file already on disk, with a progress bar, then a sha256 check before
 * the file takes its name. Nothing is half-written under the final name.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, openSync, closeSync, renameSync, rmSync, statSync, writeSync, copyFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { InputError } from "../../core/errors.js";
import { Progress } from "../../core/progress.js";

/** sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

export interface FetchOutcome {
  path: string;
  sha256: string;
  bytes: number;
  /** Bytes taken from an earlier interrupted download. */
  resumedFrom: number;
}

export interface FetchOptions {
  /** Progress bar stream mode (default: bar on a TTY, lines otherwise). */
  progress?: "bar" | "lines" | "silent";
}

/** Downloads `url` to `dest`, resuming `dest.part`; the caller checks the checksum. */
export async function download(url: string, dest: string, options: FetchOptions = {}): Promise<FetchOutcome> {
  const part = `${dest}.part`;
  mkdirSync(dirname(dest), { recursive: true });
  const have = existsSync(part) ? statSync(part).size : 0;
  let res: Response;
  try {
    res = await fetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, redirect: "follow" });
  } catch (err) {
    throw new InputError({ source: url }, `a reachable URL (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message})`);
  }
  const resumed = res.status === 206 && have > 0;
  if (res.status === 416 && have > 0) return { path: part, sha256: "", bytes: have, resumedFrom: have }; // already complete
  if (res.status !== 200 && res.status !== 206) throw new InputError({ source: url }, `HTTP 200 or 206, got ${res.status} ${res.statusText}`);
  const length = Number(res.headers.get("content-length") ?? 0);
  const start = resumed ? have : 0;
  const progress = new Progress({ label: `fetch ${dest} (bytes)`, total: start + length, mode: options.progress });
  progress.tick(start);
  const fd = openSync(part, resumed ? "a" : "w");
  let bytes = start;
  try {
    if (!res.body) throw new InputError({ source: url }, "a response body");
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      writeSync(fd, chunk);
      bytes += chunk.length;
      progress.tick(chunk.length);
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError({ source: url }, `the whole file (the transfer stopped after ${bytes} bytes: ${(err as Error).message}; run the same command again to resume from ${part})`);
  } finally {
    closeSync(fd);
  }
  progress.finish();
  if (length > 0 && bytes !== start + length) throw new InputError({ source: url }, `${start + length} bytes, got ${bytes} (run the same command again to resume from ${part})`);
  return { path: part, sha256: "", bytes, resumedFrom: start };
}

/** Copies an already-present file to `dest.part` (the same checks follow as for a download). */
export function copyIn(from: string, dest: string): FetchOutcome {
  if (!existsSync(from) || statSync(from).isDirectory()) throw new InputError({ source: from }, "a readable file for --from");
  mkdirSync(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  copyFileSync(from, part);
  return { path: part, sha256: "", bytes: statSync(part).size, resumedFrom: 0 };
}

/**
 * Checks the `.part` file against `expected` (when known) and gives it its final name, with a
 * `NAME.sha256` beside it. A mismatch deletes the part (a retry starts clean) and is an InputError.
 */
export async function settle(got: FetchOutcome, dest: string, expected: string | null, source: string): Promise<FetchOutcome> {
  const sha256 = await sha256File(got.path);
  if (expected && sha256 !== expected.toLowerCase()) {
    rmSync(got.path, { force: true });
    throw new InputError({ source }, `sha256 ${expected}, got ${sha256} (${got.bytes} bytes; the download was deleted)`);
  }
  renameSync(got.path, dest);
  writeFileSync(`${dest}.sha256`, `${sha256}  ${dest.split("/").pop()}\n`);
  return { ...got, path: dest, sha256 };
}
