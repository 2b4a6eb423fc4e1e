/**
 * Azure LLM inference trace 2023 CSV (`TIMESTAMP,ContextTokens,GeneratedTokens`; the Splitwise
 * trace, shared/datasets/azure_llm_2023). Timestamps (`YYYY-MM-DD HH:MM:SS.fffffff`, no zone)
 * become ms since the first row. The trace carries no prefix information, so each request gets
 * fresh hash ids (unique within the file): replays see no prefix reuse, as the data implies.
 */
import { InputError } from "../core/errors.js";
import { parseLines, streamLines, countedLine, readTextFile } from "./lines.js";
import { DEFAULT_TRACE_BLOCK_SIZE, MAX_TRACE_SPAN_MS, MAX_TRACE_TOKENS, type TraceLoad, type TraceReadOptions, type TraceReadReport, type TraceRequest } from "./types.js";

const TS = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

export class AzureLineParser {
  readonly report: TraceReadReport;
  readonly blockSize: number;
  private readonly lenient: boolean;
  private header = false;
  private cols = { ts: 0, ctx: 1, gen: 2 };
  private t0 = NaN;
  private last = -Infinity;
  private nextHash = 0;

  constructor(options: TraceReadOptions = {}) {
    this.blockSize = options.traceBlockSize ?? DEFAULT_TRACE_BLOCK_SIZE;
    this.lenient = options.lenient ?? false;
    this.report = { source: options.source ?? "<text>", lines: 0, requests: 0, skipped: 0, problems: [] };
  }

  line(text: string, lineNo: number): TraceRequest | undefined {
    this.report.lines = lineNo;
    if (text.trim() === "") return undefined;
    if (!this.header) {
      const names = text.split(",").map((s) => s.trim());
      const ts = names.indexOf("TIMESTAMP");
      const ctx = names.indexOf("ContextTokens");
      const gen = names.indexOf("GeneratedTokens");
      if (ts < 0 || ctx < 0 || gen < 0) throw new InputError({ source: this.report.source, line: lineNo }, `a header with TIMESTAMP, ContextTokens, GeneratedTokens, got '${text.slice(0, 80)}'`);
      this.cols = { ts, ctx, gen };
      this.header = true;
      return undefined;
    }
    return countedLine(this.report, this.lenient, lineNo, () => this.parse(text, lineNo));
  }

  end(): void {
    if (this.report.requests === 0) throw new InputError({ source: this.report.source }, "at least one request row");
  }

  private parse(text: string, lineNo: number): TraceRequest {
    const f = text.split(",");
    const where = (path: string) => ({ source: this.report.source, line: lineNo, path });
    const m = TS.exec((f[this.cols.ts] ?? "").trim());
    if (!m) throw new InputError(where("TIMESTAMP"), `a timestamp like 2023-11-16 18:15:46.6805900, got '${f[this.cols.ts] ?? ""}'`);
    const frac = m[7] ? Number(m[7]) / 10 ** m[7].length : 0;
    const abs = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) + frac * 1000;
    // Date.UTC rolls 2023-13-45 99:99:99 over into a valid date; a real one round-trips.
    const d = new Date(abs - frac * 1000);
    if (d.getUTCFullYear() !== +m[1]! || d.getUTCMonth() !== +m[2]! - 1 || d.getUTCDate() !== +m[3]! || d.getUTCHours() !== +m[4]! || d.getUTCMinutes() !== +m[5]! || d.getUTCSeconds() !== +m[6]!) {
      throw new InputError(where("TIMESTAMP"), `a calendar date and time (month 01–12, a day of that month, 00:00:00–23:59:59), got '${m[0]}'`);
    }
    if (!Number.isNaN(this.t0) && abs - this.t0 > MAX_TRACE_SPAN_MS) throw new InputError(where("TIMESTAMP"), `a timestamp within 366 days of the first, got '${m[0]}'`);
    if (abs < this.last) throw new InputError(where("TIMESTAMP"), `timestamps in non-decreasing order`);
    this.last = abs;
    if (Number.isNaN(this.t0)) this.t0 = abs;
    const int = (col: number, name: string, min: number) => {
      const s = (f[col] ?? "").trim();
      const v = Number(s);
      if (s === "" || !Number.isInteger(v) || v < min || v > MAX_TRACE_TOKENS) throw new InputError(where(name), `an integer ≥ ${min} and ≤ ${MAX_TRACE_TOKENS}, got '${s}'`);
      return v;
    };
    const input = int(this.cols.ctx, "ContextTokens", 0);
    const output = int(this.cols.gen, "GeneratedTokens", 1);
    const n = Math.ceil(input / this.blockSize);
    const hash_ids = new Array<number>(n);
    for (let i = 0; i < n; i++) hash_ids[i] = this.nextHash++;
    return { timestamp: abs - this.t0, input_length: input, output_length: output, hash_ids };
  }
}

/**
 * Parses Azure LLM inference trace CSV text into requests, with a report of what was read.
 *
 * @example
 * ```ts
 * const { requests } = parseAzure("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374,44\n");
 * ```
 */
export function parseAzure(text: string, options: TraceReadOptions = {}): TraceLoad {
  const parser = new AzureLineParser(options);
  const { requests, report } = parseLines(parser, text);
  return { requests, report, traceBlockSize: parser.blockSize, provenance: { source: report.source, format: "azure" } };
}

/**
 * Streams an Azure LLM inference trace (text or byte chunks, gzip or not) as requests.
 *
 * @example
 * ```ts
 * for await (const r of readAzure(fileChunks("AzureLLMInferenceTrace_conv.csv.gz"))) n++;
 * ```
 */
export async function* readAzure(input: string | AsyncIterable<string | Uint8Array>, options: TraceReadOptions & { onReport?: (r: TraceReadReport) => void } = {}): AsyncGenerator<TraceRequest, void, undefined> {
  yield* streamLines((source) => new AzureLineParser({ ...options, source }), input, options);
}

/**
 * Reads an Azure LLM inference trace CSV file (.csv or .csv.gz) into requests.
 *
 * @example
 * ```ts
 * const { requests } = loadAzure("datasets/traces/public/azure_llm_2023/AzureLLMInferenceTrace_code.csv.gz");
 * ```
 */
export function loadAzure(path: string, options: TraceReadOptions = {}): TraceLoad {
  return parseAzure(readTextFile(path), { ...options, source: options.source ?? path });
}
