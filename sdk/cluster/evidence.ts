/**
 * The text a real FMA deployment leaves behind, formatted the way the real components print it:
 * klog lines of the dual-pods controller (fma.md §1.9), launcher.py log lines with milliseconds,
 * vLLM sleep/wake/load lines (fma.md §1.6), and the Prometheus text exposition.
 */
import { isoNanos } from "./store.js";

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** klog header: `I1123 09:00:01.123000       1 file.go:NN] `. */
export function klogHeader(epochMs: number, severity: "I" | "W" | "E", file: string): string {
  const d = new Date(Math.floor(epochMs));
  const micros = Math.round((epochMs - Math.floor(epochMs / 1000) * 1000) * 1000);
  return `${severity}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(micros, 6)}       1 ${file}] `;
}

export type KlogValue = string | number | boolean | null;

/** A structured klog line: the message quoted, then key=value pairs (strings quoted, Go-style escapes). */
export function klogLine(epochMs: number, file: string, msg: string, kv: Record<string, KlogValue>): string {
  const parts = Object.entries(kv).map(([k, v]) => `${k}=${typeof v === "string" ? JSON.stringify(v) : v === null ? "null" : String(v)}`);
  return `${klogHeader(epochMs, "I", file)}${JSON.stringify(msg)} ${parts.join(" ")}`;
}

export interface HttpCallFields {
  requesterName: string;
  serverUID: string;
  purpose: string;
  method: string;
  url: string;
  startMs: number;
  endMs: number;
  statusCode: number;
  err: string | null;
  iscName?: string;
}

/** The DPC's centralized `"HTTP call done"` line, logged when the call returns. */
export function httpCallDone(epochMs: number, f: HttpCallFields): string {
  return klogLine(epochMs + f.endMs, "http.go:87", "HTTP call done", {
    logger: "dual-pods-controller",
    requesterName: f.requesterName,
    serverUID: f.serverUID,
    purpose: f.purpose,
    method: f.method,
    url: f.url,
    httpCallStartTime: isoNanos(epochMs + f.startMs),
    latencySecs: Number(((f.endMs - f.startMs) / 1000).toFixed(6)),
    statusCode: f.statusCode,
    err: f.err,
  });
}

/** launcher.py logging: `2026-11-23 09:00:01,123 - launcher - INFO - message`. */
export function launcherLine(epochMs: number, msg: string): string {
  const d = new Date(Math.floor(epochMs));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())},${pad(d.getUTCMilliseconds(), 3)} - launcher - INFO - ${msg}`;
}

/** A vLLM log line with a millisecond timestamp and the instance id: `INFO 11-23 09:00:01.123 [instance=I…i] [file] msg`. */
export function vllmLine(epochMs: number, instanceId: string, file: string, msg: string): string {
  const d = new Date(Math.floor(epochMs));
  return `INFO ${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} [instance=${instanceId}] [${file}] ${msg}`;
}

/** Formats seconds the way vLLM's f-strings do (`:.2f`). */
export const secs2 = (ms: number) => (ms / 1000).toFixed(2);

/** Escapes a Prometheus label value. */
export function promLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

export function promLabels(labels: Record<string, string>): string {
  const e = Object.entries(labels);
  return e.length === 0 ? "" : `{${e.map(([k, v]) => `${k}="${promLabel(v)}"`).join(",")}}`;
}

/** A Prometheus histogram with fixed buckets, one series per label set (insertion-ordered, sorted on output). */
export class Histogram {
  private series = new Map<string, { labels: Record<string, string>; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {}

  observe(labels: Record<string, string>, value: number): void {
    const k = promLabels(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    this.buckets.forEach((b, i) => { if (value <= b) s!.counts[i]!++; });
    s.sum += value;
    s.count++;
  }

  render(): string {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const k of [...this.series.keys()].sort()) {
      const s = this.series.get(k)!;
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket${promLabels({ ...s.labels, le: String(b) })} ${s.counts[i]}`));
      out.push(`${this.name}_bucket${promLabels({ ...s.labels, le: "+Inf" })} ${s.count}`);
      out.push(`${this.name}_sum${promLabels(s.labels)} ${Number(s.sum.toFixed(6))}`);
      out.push(`${this.name}_count${promLabels(s.labels)} ${s.count}`);
    }
    return out.join("\n");
  }
}
