/**
 * Export a trace to other simulators' request-trace columns:
 * - Vidur's trace-replay request generator: `arrived_at` (s), `num_prefill_tokens`, `num_decode_tokens`;
 * - BLIS trace v2: a YAML header plus CSV rows with its column set (times in µs, `mode: generated`).
 * Later turns of sessions are exported at their session's first timestamp plus accumulated delays,
 * since neither format waits on completions.
 */
import type { TraceRequest } from "./types.js";

export interface VidurRow {
  arrived_at: number;
  num_prefill_tokens: number;
  num_decode_tokens: number;
}

/** Arrival in ms as an open-loop trace (later turns: previous arrival + delay). */
function openLoopArrivals(requests: readonly TraceRequest[]): number[] {
  const last = new Map<string, number>();
  return requests.map((r) => {
    if (r.session_id === undefined) return r.timestamp;
    const prev = last.get(r.session_id);
    const t = prev === undefined ? r.timestamp : prev + (r.delay ?? Math.max(0, r.timestamp - prev));
    last.set(r.session_id, t);
    return t;
  });
}

/**
 * Requests as Vidur's trace rows (arrival time, prefill and decode tokens).
 *
 * @example
 * ```ts
 * writeFileAtomic("vidur.csv", toCsv(toVidurRows(requests)));
 * ```
 */
export function toVidurRows(requests: readonly TraceRequest[]): VidurRow[] {
  const at = openLoopArrivals(requests);
  const t0 = Math.min(...at);
  return requests.map((r, i) => ({ arrived_at: (at[i]! - t0) / 1000, num_prefill_tokens: r.input_length, num_decode_tokens: r.output_length }));
}

export const BLIS_TRACE_V2_COLUMNS = [
  "request_id", "client_id", "tenant_id", "slo_class", "session_id", "round_index",
  "prefix_group", "prefix_length", "streaming", "input_tokens", "output_tokens",
  "text_tokens", "image_tokens", "audio_tokens", "video_tokens", "reason_ratio",
  "model", "deadline_us", "server_input_tokens",
  "arrival_time_us", "send_time_us", "first_chunk_time_us", "last_chunk_time_us",
  "num_chunks", "status", "error_message", "finish_reason",
] as const;

export type BlisRow = Record<(typeof BLIS_TRACE_V2_COLUMNS)[number], string | number | boolean>;

export interface BlisTrace {
  header: { trace_version: number; time_unit: string; mode: string; warm_up_requests: number };
  rows: BlisRow[];
}

/**
 * BLIS trace v2 rows. `prefix_group`/`prefix_length` come from the leading hash id shared with
 * the previous request of the same first id (the trace's only prefix information).
 *
 * @example
 * ```ts
 * const blis = toBlisTraceV2(requests, 512);
 * ```
 */
export function toBlisTraceV2(requests: readonly TraceRequest[], traceBlockSize = 512): BlisTrace {
  const at = openLoopArrivals(requests);
  const t0 = Math.min(...at);
  const rounds = new Map<string, number>();
  const rows = requests.map((r, i): BlisRow => {
    const sid = r.session_id ?? "";
    const round = sid ? (rounds.get(sid) ?? 0) : 0;
    if (sid) rounds.set(sid, round + 1);
    const us = Math.round((at[i]! - t0) * 1000);
    return {
      request_id: i, client_id: "", tenant_id: "", slo_class: "", session_id: sid, round_index: round,
      prefix_group: r.hash_ids.length > 0 ? `h${r.hash_ids[0]}` : "", prefix_length: r.hash_ids.length > 0 ? Math.min(traceBlockSize, r.input_length) : 0,
      streaming: true, input_tokens: r.input_length, output_tokens: r.output_length,
      text_tokens: r.input_length, image_tokens: 0, audio_tokens: 0, video_tokens: 0, reason_ratio: 0,
      model: "", deadline_us: 0, server_input_tokens: 0,
      arrival_time_us: us, send_time_us: us, first_chunk_time_us: 0, last_chunk_time_us: 0,
      num_chunks: 0, status: "ok", error_message: "", finish_reason: "",
    };
  });
  return { header: { trace_version: 2, time_unit: "us", mode: "generated", warm_up_requests: 0 }, rows };
}
