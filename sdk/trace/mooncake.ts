/**
 * Mooncake JSONL traces (dynamo.md §1.1): one JSON object per line with `timestamp` (ms; alias
 * `created_time`), `input_length` (alias `input_tokens`), `output_length` (alias
 * `output_tokens`), `hash_ids`, and optionally `session_id` and `delay` (alias `delay_ms`).
 * Blank lines are skipped. Every problem is an InputError naming file:line — or, in lenient mode,
 * a skipped line counted in the report. Nothing is coerced: a float length is an error, not a
 * rounding.
 */
import { InputError } from "../core/errors.js";
import { parseLines, streamLines, countedLine, readTextFile } from "./lines.js";
import { DEFAULT_TRACE_BLOCK_SIZE, MAX_TRACE_SPAN_MS, MAX_TRACE_TOKENS, type TraceLoad, type TraceReadOptions, type TraceReadReport, type TraceRequest } from "./types.js";

const U32 = 4294967296;

/** Validates lines in order (it keeps the state monotonicity and sessions need). */
export class MooncakeLineParser {
  readonly report: TraceReadReport;
  readonly blockSize: number;
  private readonly lenient: boolean;
  private lastTimestamp = -Infinity;
  private firstTimestamp: number | undefined;
  private readonly sessions = new Map<string, number>();

  constructor(options: TraceReadOptions = {}) {
    this.blockSize = options.traceBlockSize ?? DEFAULT_TRACE_BLOCK_SIZE;
    if (!Number.isInteger(this.blockSize) || this.blockSize <= 0) throw new RangeError(`traceBlockSize must be a positive integer, got ${this.blockSize}`);
    this.lenient = options.lenient ?? false;
    this.report = { source: options.source ?? "<text>", lines: 0, requests: 0, skipped: 0, problems: [] };
  }

  /** The request on this line, undefined for a blank (or, leniently, a bad) line. */
  line(text: string, lineNo: number): TraceRequest | undefined {
    this.report.lines = lineNo;
    if (text.trim() === "") return undefined;
    return countedLine(this.report, this.lenient, lineNo, () => this.parse(text, lineNo));
  }

  /** Throws if the input held no request (Dynamo: a file with no requests is an error). */
  end(): void {
    if (this.report.requests === 0) throw new InputError({ source: this.report.source }, "at least one request (the trace is empty)");
  }

  private fail(lineNo: number, path: string | undefined, expected: string): never {
    throw new InputError({ source: this.report.source, line: lineNo, ...(path ? { path } : {}) }, expected);
  }

  private parse(text: string, lineNo: number): TraceRequest {
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch (err) {
      this.fail(lineNo, undefined, `a JSON object (${(err as Error).message})`);
    }
    if (typeof o !== "object" || o === null || Array.isArray(o)) this.fail(lineNo, undefined, "a JSON object");
    const rec = o as Record<string, unknown>;
    const pick = (a: string, b: string) => (rec[a] === undefined && rec[b] !== undefined ? [b, rec[b]] as const : [a, rec[a]] as const);

    const [inKey, inVal] = pick("input_length", "input_tokens");
    const [outKey, outVal] = pick("output_length", "output_tokens");
    const input = this.length(inVal, inKey, lineNo, 0);
    const output = this.length(outVal, outKey, lineNo, 1);

    const hashes = rec.hash_ids;
    if (hashes === undefined) this.fail(lineNo, "hash_ids", "an array of hash ids (missing)");
    if (!Array.isArray(hashes)) this.fail(lineNo, "hash_ids", "an array of integer hash ids");
    for (let i = 0; i < hashes.length; i++) {
      const h = hashes[i];
      if (typeof h !== "number" || !Number.isInteger(h) || h < 0 || h >= U32) this.fail(lineNo, `hash_ids[${i}]`, `an integer in [0, 2^32), got ${JSON.stringify(h)}`);
    }
    const want = Math.ceil(input / this.blockSize);
    if (hashes.length !== want) this.fail(lineNo, "hash_ids", `${want} hash ids for ${input} input tokens at ${this.blockSize} tokens per block, got ${hashes.length}`);

    let session: string | undefined;
    const sid = rec.session_id;
    if (sid !== undefined && sid !== null) {
      if (typeof sid !== "string" && typeof sid !== "number") this.fail(lineNo, "session_id", "a string or number");
      session = String(sid);
    }
    const laterTurn = session !== undefined && this.sessions.has(session);

    const [delayKey, delayVal] = pick("delay", "delay_ms");
    let delay: number | undefined;
    if (delayVal !== undefined && delayVal !== null) {
      if (typeof delayVal !== "number" || !Number.isFinite(delayVal) || delayVal < 0 || delayVal > MAX_TRACE_SPAN_MS) this.fail(lineNo, delayKey, `a delay in [0, ${MAX_TRACE_SPAN_MS}] ms (366 days), got ${JSON.stringify(delayVal)}`);
      if (!laterTurn && delayVal !== 0) this.fail(lineNo, delayKey, "no delay on a first turn (a delay follows a previous turn of the same session)");
      delay = delayVal;
    }

    const [tsKey, tsVal] = pick("timestamp", "created_time");
    let timestamp: number;
    if (tsVal === undefined || tsVal === null) {
      if (!laterTurn) this.fail(lineNo, "timestamp", "a timestamp in ms (missing)");
      if (delay === undefined) this.fail(lineNo, "delay", "a delay or a timestamp for a later turn");
      timestamp = this.sessions.get(session!)!;
    } else {
      if (typeof tsVal !== "number" || !Number.isFinite(tsVal) || tsVal < 0 || tsVal > Number.MAX_SAFE_INTEGER) this.fail(lineNo, tsKey, `a number of ms in [0, 2^53), got ${JSON.stringify(tsVal)}`);
      timestamp = tsVal;
      this.firstTimestamp ??= timestamp;
      if (timestamp - this.firstTimestamp > MAX_TRACE_SPAN_MS) this.fail(lineNo, tsKey, `a timestamp within 366 days (${MAX_TRACE_SPAN_MS} ms) of the first (${this.firstTimestamp}), got ${timestamp}`);
      if (!laterTurn) {
        if (timestamp < this.lastTimestamp) this.fail(lineNo, tsKey, `timestamps in non-decreasing order (${timestamp} follows ${this.lastTimestamp})`);
        this.lastTimestamp = timestamp;
      } else if (delay === undefined) {
        // Dynamo infers a later turn's delay from the timestamps when none is given.
        const prev = this.sessions.get(session!)!;
        if (timestamp < prev) this.fail(lineNo, tsKey, `a later turn's timestamp ≥ its previous turn's (${timestamp} < ${prev})`);
        delay = timestamp - prev;
      }
    }
    if (session !== undefined) this.sessions.set(session, timestamp);

    const out: TraceRequest = { timestamp, input_length: input, output_length: output, hash_ids: hashes as number[] };
    if (session !== undefined) out.session_id = session;
    if (delay !== undefined) out.delay = delay;
    return out;
  }

  private length(v: unknown, key: string, lineNo: number, min: number): number {
    if (v === undefined || v === null) this.fail(lineNo, key, `an integer number of tokens (missing)`);
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > MAX_TRACE_TOKENS) this.fail(lineNo, key, `an integer ≥ ${min} and ≤ ${MAX_TRACE_TOKENS} tokens, got ${JSON.stringify(v)}`);
    return v;
  }
}

/**
 * Parse Mooncake JSONL held in memory.
 *
 * @example
 * ```ts
 * const { requests, report } = parseMooncake('{"timestamp": 0, "input_length": 100, "output_length": 10, "hash_ids": [1]}\n');
 * ```
 */
export function parseMooncake(text: string, options: TraceReadOptions = {}): TraceLoad {
  const parser = new MooncakeLineParser(options);
  const { requests, report } = parseLines(parser, text);
  return { requests, report, traceBlockSize: parser.blockSize, provenance: { source: report.source, format: "mooncake" } };
}

/**
 * Stream requests from a file path or any async source of text chunks. With `onReport` you get
 * the read report at the end (lenient mode counts skipped lines there).
 *
 * @example
 * ```ts
 * for await (const r of readMooncake(createReadStream("big_trace.jsonl"))) count++;
 * ```
 */
export async function* readMooncake(input: string | AsyncIterable<string | Uint8Array>, options: TraceReadOptions & { onReport?: (r: TraceReadReport) => void } = {}): AsyncGenerator<TraceRequest, void, undefined> {
  yield* streamLines((source) => new MooncakeLineParser({ ...options, source }), input, options);
}

/**
 * Read a whole Mooncake file into memory (synchronous; files are a few MB).
 *
 * @example
 * ```ts
 * const { requests } = loadMooncake("datasets/traces/public/mooncake/conversation_trace.jsonl.gz");
 * ```
 */
export function loadMooncake(path: string, options: TraceReadOptions = {}): TraceLoad {
  return parseMooncake(readTextFile(path), { ...options, source: options.source ?? path });
}
