/** Pick the reader by file extension: `.csv` (or `.csv.gz`) → Azure, anything else → Mooncake JSONL. */
import { loadAzure } from "./azure.js";
import { loadMooncake } from "./mooncake.js";
import type { TraceLoad, TraceReadOptions } from "./types.js";

export type TraceFormat = "mooncake" | "azure";

export function traceFormatOf(path: string): TraceFormat {
  return /\.csv(\.gz)?$/i.test(path) ? "azure" : "mooncake";
}

export function loadTrace(path: string, options: TraceReadOptions & { format?: TraceFormat } = {}): TraceLoad {
  return (options.format ?? traceFormatOf(path)) === "azure" ? loadAzure(path, options) : loadMooncake(path, options);
}
