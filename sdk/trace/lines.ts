/** Lines of text from a file, a stream of chunks, or a string — one async iterator for all. */
import { closeSync, createReadStream, openSync, readFileSync, readSync } from "node:fs";
import { createGunzip, gunzipSync } from "node:zlib";
import { InputError } from "../core/errors.js";

export type TextSource = string | AsyncIterable<string | Uint8Array> | Iterable<string>;

/**
 * Yields [lineNumber (1-based), line] without the line break; a trailing \r is dropped.
 *
 * @example
 * ```ts
 * for await (const [n, line] of textLines(fileChunks("trace.jsonl"))) if (!line) console.log("blank line", n);
 * ```
 */
export async function* textLines(input: AsyncIterable<string | Uint8Array> | Iterable<string>): AsyncGenerator<[number, string], void, undefined> {
  const decoder = new TextDecoder();
  let rest = "";
  let n = 0;
  for await (const chunk of input as AsyncIterable<string | Uint8Array>) {
    const text = rest + (typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
    let start = 0;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", start)) {
      const line = text.charCodeAt(i - 1) === 13 ? text.slice(start, i - 1) : text.slice(start, i);
      yield [++n, line];
      start = i + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.decode();
  if (rest.length > 0) yield [++n, rest.endsWith("\r") ? rest.slice(0, -1) : rest];
}

/** True when the file starts with the gzip magic bytes 1f 8b (so `.gz` traces read transparently). */
export function isGzipFile(path: string): boolean {
  const fd = openFile(path);
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** Open for reading, or a one-line InputError for a missing file or a directory. */
function openFile(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError({ source: path }, `a readable file (got ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a directory" : code ?? "an error"})`);
  }
  try {
    readSync(fd, Buffer.alloc(1), 0, 1, 0);
  } catch (err) {
    closeSync(fd);
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError({ source: path }, `a readable file (got ${code === "EISDIR" ? "a directory" : code ?? "an error"})`);
  }
  return fd;
}

/** A whole text file in memory; gzip-compressed files are decompressed. */
export function readTextFile(path: string): string {
  const gz = isGzipFile(path);
  const bytes = readFileSync(path);
  return (gz ? gunzipSync(bytes) : bytes).toString("utf8");
}

/**
 * A file read as a stream of chunks; gzip-compressed files stream through zlib.
 *
 * @example
 * ```ts
 * for await (const chunk of fileChunks("trace.jsonl.gz")) bytes += chunk.length; // gunzipped on the fly
 * ```
 */
export function fileChunks(path: string): AsyncIterable<Uint8Array> {
  // Checked before the stream exists: a missing file is then one InputError line, not an
  // unhandled 'error' event from a stream nobody iterates yet (a stack trace).
  const gz = isGzipFile(path);
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  if (!gz) return raw as AsyncIterable<Uint8Array>;
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  raw.on("error", (err) => gunzip.destroy(err));
  return raw.pipe(gunzip) as AsyncIterable<Uint8Array>;
}

/**
 * Split text held in memory into [lineNumber, line].
 *
 * @example
 * ```ts
 * for (const [n, line] of memoryLines(text)) console.log(n, line);
 * ```
 */
export function* memoryLines(text: string): Generator<[number, string], void, undefined> {
  let start = 0;
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", start)) {
    yield [++n, text.charCodeAt(i - 1) === 13 ? text.slice(start, i - 1) : text.slice(start, i)];
    start = i + 1;
  }
  if (start < text.length) yield [++n, text.slice(start)];
}

/**
 * One line through `parse`, counted in the report. Lenient reading counts and skips a bad line
 * (an InputError; the first 100 are kept as problems) instead of throwing; other errors always throw.
 */
export function countedLine<R>(
  report: { requests: number; skipped: number; problems: { line: number; message: string }[] },
  lenient: boolean,
  lineNo: number,
  parse: () => R,
): R | undefined {
  try {
    const r = parse();
    report.requests++;
    return r;
  } catch (err) {
    if (!lenient || !(err instanceof InputError)) throw err;
    report.skipped++;
    if (report.problems.length < 100) report.problems.push({ line: lineNo, message: err.expected });
    return undefined;
  }
}

/** What a trace format's line parser offers: one request (or none) per line, then a report. */
export interface LineParser<R, Report> {
  line(line: string, lineNumber: number): R | undefined | null;
  end(): void;
  readonly report: Report;
}

/** Parse a whole text in memory with a fresh line parser. */
export function parseLines<R, Report>(parser: LineParser<R, Report>, text: string): { requests: R[]; report: Report } {
  const requests: R[] = [];
  for (const [n, line] of memoryLines(text)) {
    const r = parser.line(line, n);
    if (r) requests.push(r);
  }
  parser.end();
  return { requests, report: parser.report };
}

/** Stream records from a file path or an async source of text chunks through a line parser. */
export async function* streamLines<R, Report>(
  makeParser: (source: string) => LineParser<R, Report>,
  input: string | AsyncIterable<string | Uint8Array>,
  options: { source?: string; onReport?: (r: Report) => void },
): AsyncGenerator<R, void, undefined> {
  const p = makeParser(options.source ?? (typeof input === "string" ? input : "<stream>"));
  for await (const [n, line] of textLines(typeof input === "string" ? fileChunks(input) : input)) {
    const r = p.line(line, n);
    if (r) yield r;
  }
  p.end();
  options.onReport?.(p.report);
}
