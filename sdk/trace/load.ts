/** Pick the reader by file extension: `.csv` (or `.csv.gz`) → Azure, anything else → Mooncake JSONL. */
import { loadAzure } from "./azure.js";
import { loadMooncake } from "./mooncake.js";
import type { TraceLoad, TraceReadOptions } from "./types.js";

export type TraceFormat = "mooncake" | "azure";

/**
 * The trace format a file name implies: azure for .csv(.gz), else mooncake.
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
