/**
 * The trace row every reader, generator and transform here speaks: the Mooncake JSONL shape as
 * Dynamo's replay accepts it (shared/docs/dynamo.md §1.1), so `toJsonl(requests)` writes a file
 * Dynamo and this SDK both read. Times are milliseconds.
 */
export interface TraceRequest {
  /** Arrival time (ms). For a later turn of a session it is informational; `delay` governs. */
  timestamp: number;
  input_length: number;
  output_length: number;
  /** One id per `traceBlockSize` prompt tokens (the last block may be partial); equal id prefixes mean equal token prefixes. */
  hash_ids: number[];
  /** Groups the turns of a multi-turn session (file order is turn order). */
  session_id?: string;
  /** Later turns: wait this long (ms) after the previous turn completes. */
  delay?: number;
}

/**
 * Sanity limits every reader enforces (issue 16: 1e20 output tokens or a 1e300 ms timestamp was
 * accepted and the replay never ended): lengths above any model's context, a trace longer than a
 * year of arrivals.
 */
export const MAX_TRACE_TOKENS = 2 ** 20;
export const MAX_TRACE_SPAN_MS = 366 * 86_400_000;

/** Hash block size of the public Mooncake traces and Dynamo's `--trace-block-size` default. */
export const DEFAULT_TRACE_BLOCK_SIZE = 512;

export interface TraceReadOptions {
  /** Name used in error messages (default: the path, or `<text>`). */
  source?: string;
  /** Tokens per hash id (default 512). */
  traceBlockSize?: number;
  /** Skip bad lines and count them in the report instead of throwing. */
  lenient?: boolean;
}

/** What a lenient read skipped. */
export interface TraceReadReport {
  source: string;
  lines: number;
  requests: number;
  skipped: number;
  /** The first 100 problems, each naming its line. */
  problems: { line: number; message: string }[];
}

/** Where a trace's requests came from (a file path or `<text>`, and the format read). */
export interface TraceProvenance {
  source: string;
  format: "mooncake" | "azure";
}

/**
 * A trace as one value: its requests with the hash block size they were written at and where they
 * came from, so the block size travels with the requests (`replayTrace(trace, …)` reads it there).
 */
export interface Trace {
  requests: TraceRequest[];
  /** Tokens per hash id of `requests` (512 for the public Mooncake traces). */
  traceBlockSize: number;
  provenance: TraceProvenance;
}

/** A read trace and its read report. */
export interface TraceLoad extends Trace {
  report: TraceReadReport;
}
