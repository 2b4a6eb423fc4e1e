/** Pick the reader by file extension: `.csv` (or `.csv.gz`) → Azure, anything else → Mooncake JSONL. */
import { loadAzure, readAzure } from "./azure.js";
import { loadMooncake, readMooncake } from "./mooncake.js";
import { DEFAULT_TRACE_BLOCK_SIZE, type TraceLoad, type TraceReadOptions, type TraceReadReport, type TraceRequest } from "./types.js";

export type TraceFormat = "mooncake" | "azure";

/**
 * The trace format a file name implies: azure for .csv(.gz), else mooncake.
 *
 * @example
 * ```ts
 * traceFormatOf("AzureLLMInferenceTrace_code.csv.gz"); // "azure"
 * ```
 */
export function traceFormatOf(path: string): TraceFormat {
  return /\.csv(\.gz)?$/i.test(path) ? "azure" : "mooncake";
}

/**
 * Reads a Mooncake JSONL or Azure CSV trace file (gzip or not, format from the name) into requests.
 *
 * @example
 * ```ts
 * const { requests } = loadTrace("datasets/traces/public/mooncake/conversation_trace.jsonl.gz");
 * console.log(requests.length);
 * ```
 */
export function loadTrace(path: string, options: TraceReadOptions & { format?: TraceFormat } = {}): TraceLoad {
  return (options.format ?? traceFormatOf(path)) === "azure" ? loadAzure(path, options) : loadMooncake(path, options);
}

/**
 * `loadTrace` for files of any size: streams the file (gzip too) line by line, so no whole-file
 * string is ever built (a 605 MB trace cannot be one JavaScript string); only the requests are kept.
 */
export async function readTraceFile(path: string, options: TraceReadOptions & { format?: TraceFormat } = {}): Promise<TraceLoad> {
  const requests: TraceRequest[] = [];
  const report = await streamTraceFile(path, options, (r) => { requests.push(r); });
  return { requests, report, traceBlockSize: options.traceBlockSize ?? DEFAULT_TRACE_BLOCK_SIZE, provenance: { source: report.source, format: options.format ?? traceFormatOf(path) } };
}

/** Streams a trace file's requests into `each` (nothing kept); resolves with the read report. */
export async function streamTraceFile(path: string, options: TraceReadOptions & { format?: TraceFormat }, each: (r: TraceRequest) => void): Promise<TraceReadReport> {
  let report: TraceReadReport | undefined;
  const opts = { ...options, source: options.source ?? path, onReport: (r: TraceReadReport) => { report = r; } };
  for await (const r of (options.format ?? traceFormatOf(path)) === "azure" ? readAzure(path, opts) : readMooncake(path, opts)) each(r);
  return report!;
}
