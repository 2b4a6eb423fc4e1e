/**
 * Parsers for the evidence an actuation leaves besides pod objects (pure; text in, records out):
 *
 * - the DPC log (fma.md §1.9, §2.4): klog lines `"HTTP call done"` with `purpose`, `requesterName`,
 *   `serverUID`, `url`, `httpCallStartTime` (RFC3339Nano), `statusCode`, `err`; `"Created launcher-based
 *   server-providing pod"` / `"Created server-providing pod"` with `k8sCallStartTime`. Records are
 *   keyed by the requester's UID (`serverUID`), else its name.
 * - vLLM and launcher log lines (fma.md §1.6): "It took X seconds to wake up.", "… to fall asleep.",
 *   the instance start marker "non-default args:", "Model loading took X GB and Y seconds",
 *   "Accepted request to create vLLM instance with id=…", with their line timestamps.
 * - the `fma_actuation_seconds` histogram in Prometheus text format: counts by path.
 *
 * Unrelated lines are skipped; a line that is clearly one of these but cannot be read is an
 * InputError naming the source and line.
 */
import { InputError } from "../core/errors.js";
import { appendSmall } from "../core/append-small.js";
import { parseKubeTime } from "../kube/time.js";
import type { ActuationPath } from "./path.js";

// ── DPC log ─────────────────────────────────────────────────────────────────────────────────────

export interface DpcCall {
  purpose: string;
  /** httpCallStartTime, epoch ms (sub-ms kept). */
  start: number;
  statusCode: number | null;
  ok: boolean;
  latencySecs: number | null;
  /** The called URL (for launcher calls its host is the launcher pod's IP). */
  url: string | null;
  line: number;
}

/** What the DPC log says about one requester. */
export interface DpcRecord {
  requesterName: string;
  serverUID: string | null;
  calls: DpcCall[];
  /** First successful wake call start (ms). */
  wakeStart: number | null;
  /** First successful create_instance call start. */
  instanceCreateStart: number | null;
  /** First successful relay_ready call start (the readiness relay). */
  relayReadyStart: number | null;
  /** "Created launcher-based server-providing pod": k8sCallStartTime, and the pod. */
  launcherCreateStart: number | null;
  launcherPod: string | null;
  /** "Created server-providing pod" (direct mode). */
  providerCreateStart: number | null;
  providerPod: string | null;
  /**
   * Reclaim victims: instances deleted to free the launcher this requester was bound to (the
   * `instancesDeleted` label of fma_actuation_seconds), not those deleted for the sleeper budget.
   * An upper bound when the budget also deleted on that launcher (see `reclaimVictims`).
   */
  instancesDeleted: number;
}

export interface DpcEvidence {
  records: DpcRecord[];
  /** By serverUID and by requesterName. */
  byUid: Map<string, DpcRecord>;
  byName: Map<string, DpcRecord>;
  lines: number;
}

/**
 * Splits a klog structured line into its message and key=value pairs; null when it is not one.
 *
 * @example
 * ```ts
 * const parsed = parseKlog(dpcLogLine); // { msg, kv } of a klog line, or null
 * ```
 */
export function parseKlog(line: string): { msg: string; kv: Record<string, string> } | null {
  const head = klogMessage(line);
  return head === null ? null : { msg: head.msg, kv: klogValues(line, head.end) };
}

/** The quoted message after `] "` (escapes undone, `escaped` when there were any) and the index just past its closing quote. */
function klogMessage(line: string): { msg: string; end: number; escaped: boolean } | null {
  const open = line.indexOf('] "');
  if (open < 0) return null;
  const from = open + 3;
  const close = line.indexOf('"', from);
  if (close < 0) return null;
  const slash = line.indexOf("\\", from);
  if (slash < 0 || slash > close) return { msg: line.slice(from, close), end: close + 1, escaped: false };
  let msg = "";
  let i = from;
  for (; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "\\" && i + 1 < line.length) { msg += line[++i]; continue; }
    if (ch === '"') break;
    msg += ch;
  }
  return i >= line.length ? null : { msg, end: i + 1, escaped: true };
}

const isKeyStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isKeyChar = (c: number) => isKeyStart(c) || (c >= 48 && c <= 57) || c === 46 || c === 45;
const isLineBreak = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
const SPACE = /\s/;
const isSpace = (c: number) => (c > 32 && c < 127 ? false : c <= 32 ? c === 32 || (c >= 9 && c <= 13) : SPACE.test(String.fromCharCode(c)));
const unescape = (v: string) => (v.includes("\\") ? v.replace(/\\(.)/g, "$1") : v);

/**
 * The value of a klog `key=value` pair starting at `v` (just past the `=`): a double-quoted string
 * with backslash escapes, else everything up to whitespace. Returns the index past it; with `keep`,
 * the value is left in `scanned` (a module scratch: no object per pair), else it is never sliced.
 */
let scanned = "";
function scanValue(line: string, v: number, keep: boolean): number {
  const n = line.length;
  let i = v;
  if (i < n && line.charCodeAt(i) === 34 /* " */) {
    // The common case, no backslash before the closing quote: one indexOf each.
    const close = line.indexOf('"', i + 1);
    const slash = close < 0 ? -1 : line.indexOf("\\", i + 1);
    if (close >= 0 && (slash < 0 || slash > close)) { if (keep) scanned = line.slice(v + 1, close); return close + 1; }
    let j = i + 1;
    for (; j < n; j++) {
      const c = line.charCodeAt(j);
      if (c === 34) break;
      if (c === 92 /* \\ */) { if (j + 1 < n && !isLineBreak(line.charCodeAt(j + 1))) { j++; continue; } j = n; break; }
    }
    if (j < n) { if (keep) scanned = unescape(line.slice(v + 1, j)); return j + 1; }
  }
  // Unquoted (or an unterminated quote): up to whitespace; a leading quote is dropped with the last character.
  while (i < n && !isSpace(line.charCodeAt(i))) i++;
  if (keep) {
    const raw = line.slice(v, i);
    scanned = raw.startsWith('"') ? unescape(raw.slice(1, -1)) : raw;
  }
  return i;
}

/**
 * The `key=value` pairs of a klog line from `from` on, read in one pass: a key is
 * `[A-Za-z_][\w.-]*` directly followed by `=`; a value as scanValue reads it. (The same pairs the
 * pattern `([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|\S*)` finds, without a match array per pair.)
 */
function klogValues(line: string, from: number): Record<string, string> {
  const kv: Record<string, string> = {};
  const n = line.length;
  let i = from;
  while (i < n) {
    if (!isKeyStart(line.charCodeAt(i))) { i++; continue; }
    const keyStart = i;
    while (i < n && isKeyChar(line.charCodeAt(i))) i++;
    // A run of key characters not followed by `=` holds no key (no shorter start inside it does either).
    if (i >= n || line.charCodeAt(i) !== 61 /* = */) continue;
    const key = line.slice(keyStart, i);
    i = scanValue(line, i + 1, true);
    kv[key] = scanned;
  }
  return kv;
}

/**
 * A copy of `s` that does not keep the line it was cut from: V8 represents a slice of 13+ characters
 * as a view of its parent, so a kept URL or pod name would keep its whole log line alive.
 */
const detach = (s: string): string => (" " + s).slice(1);

/** The DPC's call purposes, kept as these shared strings. */
const PURPOSES = new Map(["wake", "create_instance", "relay_ready", "delete_instance", "query_sleeping", "sleep"].map((p) => [p, p]));

/** The keys the DPC reader uses (the rest of a line is skipped over), by their index in its values. */
const K_REQUESTER = 0, K_UID = 1, K_PURPOSE = 2, K_HTTP_START = 3, K_STATUS = 4, K_ERR = 5, K_LATENCY = 6, K_URL = 7, K_K8S_START = 8, K_POD = 9;
const DPC_KEY_COUNT = 10;

/** The index of the DPC key `line[from, to)` spells, or -1 (by length first: only three share one). */
function dpcKey(line: string, from: number, to: number): number {
  switch (to - from) {
    case 13: return line.startsWith("requesterName", from) ? K_REQUESTER : -1;
    case 9: return line.startsWith("serverUID", from) ? K_UID : -1;
    case 7: return line.startsWith("purpose", from) ? K_PURPOSE : -1;
    case 17: return line.startsWith("httpCallStartTime", from) ? K_HTTP_START : -1;
    case 10: return line.startsWith("statusCode", from) ? K_STATUS : -1;
    case 11: return line.startsWith("latencySecs", from) ? K_LATENCY : -1;
    case 16: return line.startsWith("k8sCallStartTime", from) ? K_K8S_START : -1;
    case 3: return line.startsWith("err", from) ? K_ERR : line.startsWith("url", from) ? K_URL : line.startsWith("pod", from) ? K_POD : -1;
    default: return -1;
  }
}

/**
 * klogValues for the DPC keys only, into `out` by key index (undefined: absent): the same pairs, the
 * last of a repeated key winning, without an object of dynamic keys per line.
 */
function dpcValues(line: string, from: number, out: (string | undefined)[]): void {
  for (let k = 0; k < DPC_KEY_COUNT; k++) out[k] = undefined;
  const n = line.length;
  let i = from;
  while (i < n) {
    if (!isKeyStart(line.charCodeAt(i))) { i++; continue; }
    const keyStart = i;
    while (i < n && isKeyChar(line.charCodeAt(i))) i++;
    if (i >= n || line.charCodeAt(i) !== 61 /* = */) continue;
    // Keys the reader does not use are compared in place and their values skipped, never copied.
    const key = dpcKey(line, keyStart, i);
    i = scanValue(line, i + 1, key >= 0);
    if (key >= 0) out[key] = scanned;
  }
}

/** `s` is one or more ASCII digits (`/^\d+$/`). */
function allDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * The message of a klog line when it is one of RELEVANT written plainly (no escapes), with the index
 * past its closing quote; else null, and klogMessage decides. (No slice of the message per line.)
 */
function relevantPlain(line: string): { msg: string; end: number } | null {
  const open = line.indexOf('] "');
  if (open < 0) return null;
  const from = open + 3;
  for (const m of RELEVANT) if (line.startsWith(m, from) && line.charCodeAt(from + m.length) === 34) return { msg: m, end: from + m.length + 1 };
  return null;
}

const RELEVANT = ["HTTP call done", "Created launcher-based server-providing pod", "Created server-providing pod"];

/** Calls `fn` with each line of `text` (split at "\n", as `split` would) without an array of them; returns the count. */
function eachLine(text: string | readonly string[], fn: (line: string, idx: number) => void): number {
  if (typeof text !== "string") { for (let i = 0; i < text.length; i++) fn(text[i]!, i); return text.length; }
  let idx = 0;
  let start = 0;
  for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) { fn(text.slice(start, nl), idx++); start = nl + 1; }
  fn(text.slice(start), idx++);
  return idx;
}

/**
 * Reads a DPC log line by line (streaming: feed lines as they arrive, then `finish`). Only lines
 * whose klog message is one of the three it knows are decoded; every other line costs one
 * `indexOf`. `source` names the log in errors.
 */
export class DpcLogReader {
  private readonly byUid = new Map<string, DpcRecord>();
  private readonly byName = new Map<string, DpcRecord>();
  private readonly records: DpcRecord[] = [];
  /**
   * Records with a successful delete_instance call given a line since the last `finish`: the only
   * ones whose reclaim count can have changed (without such a call it is 0, as a record starts).
   */
  private readonly changed = new Set<DpcRecord>();
  /** Records with a successful delete_instance call (few: the others' reclaim count stays 0). */
  private readonly deleting = new Set<DpcRecord>();
  private lines = 0;
  /** The previous line's requester: a DPC logs a requester's calls in runs, and this skips the maps then. */
  private lastName: string | null = null;
  private lastUid: string | null = null;
  private lastRecord: DpcRecord | null = null;
  /** The current line's values by DPC key index (reused line after line). */
  private readonly values: (string | undefined)[] = new Array<string | undefined>(DPC_KEY_COUNT).fill(undefined);

  constructor(private readonly source = "<dpc-log>") {}

  /** The next line (without its newline); lines are numbered in the order given. */
  add(raw: string): void {
    const lineNo = ++this.lines;
    // A `kubectl logs --timestamps` prefix has no `] "` in it, so the header is found the same with or without it.
    const head = relevantPlain(raw) ?? klogMessage(raw);
    if (head === null || !RELEVANT.includes(head.msg)) {
      if (head === null && RELEVANT.some((m) => raw.includes(m))) throw new InputError({ source: this.source, line: lineNo }, 'a klog structured line: `I1123 09:00:00.000000 1 file.go:1] "message" key="value" …`');
      return;
    }
    // An escaped message names a known one without containing its text: such a line is not read.
    if ("escaped" in head && head.escaped && !RELEVANT.some((m) => raw.includes(m))) return;
    const msg = head.msg;
    const kv = this.values;
    dpcValues(raw, head.end, kv);
    const name = kv[K_REQUESTER];
    if (!name) throw new InputError({ source: this.source, line: lineNo, path: "requesterName" }, `a requesterName="…" key on a "${msg}" line`);
    const r = this.recordFor(name, kv[K_UID] || null);
    if (this.deleting.size > 0 && this.deleting.has(r)) this.changed.add(r);
    if (msg === "HTTP call done") {
      const purposeText = kv[K_PURPOSE];
      const purpose = purposeText && (PURPOSES.get(purposeText) ?? detach(purposeText));
      if (!purpose) throw new InputError({ source: this.source, line: lineNo, path: "purpose" }, 'a purpose="…" key on an "HTTP call done" line');
      const startText = kv[K_HTTP_START];
      const start = parseKubeTime(startText);
      if (start === null) throw new InputError({ source: this.source, line: lineNo, path: "httpCallStartTime" }, `an RFC3339 httpCallStartTime, got '${startText ?? ""}'`);
      const status = kv[K_STATUS], err = kv[K_ERR], latencyText = kv[K_LATENCY], url = kv[K_URL];
      const statusCode = status !== undefined && allDigits(status) ? Number(status) : null;
      const ok = statusCode !== null && statusCode >= 200 && statusCode < 300 && (err === undefined || err === "null" || err === "<nil>" || err === "");
      const latency = latencyText !== undefined ? Number(latencyText) : NaN;
      r.calls = appendSmall(r.calls, { purpose, start, statusCode, ok, latencySecs: Number.isFinite(latency) ? latency : null, url: url === undefined ? null : detach(url), line: lineNo });
      if (!ok) return;
      if (purpose === "delete_instance" && !this.deleting.has(r)) { this.deleting.add(r); this.changed.add(r); }
      if (purpose === "wake" && r.wakeStart === null) r.wakeStart = start;
      if (purpose === "create_instance" && r.instanceCreateStart === null) r.instanceCreateStart = start;
      if (purpose === "relay_ready" && r.relayReadyStart === null) r.relayReadyStart = start;
      return;
    }
    const k8sText = kv[K_K8S_START];
    const start = parseKubeTime(k8sText);
    if (start === null) throw new InputError({ source: this.source, line: lineNo, path: "k8sCallStartTime" }, `an RFC3339 k8sCallStartTime, got '${k8sText ?? ""}'`);
    const pod = kv[K_POD];
    if (msg === "Created launcher-based server-providing pod") {
      r.launcherCreateStart ??= start;
      r.launcherPod ??= pod === undefined ? null : detach(pod);
    } else {
      r.providerCreateStart ??= start;
      r.providerPod ??= pod === undefined ? null : detach(pod);
    }
  }

  /** The evidence read so far: after the last line, or between lines (a log read in parts; the records are shared, updated by later calls). */
  finish(): DpcEvidence {
    for (const r of this.changed) r.instancesDeleted = reclaimVictims(r);
    this.changed.clear();
    return { records: this.records, byUid: this.byUid, byName: this.byName, lines: this.lines };
  }

  /** `name` and `uid` may still be slices of the line: they are copied off only when kept. */
  private recordFor(name: string, uid: string | null): DpcRecord {
    // Same name and UID as the line before: the maps already say this (byName → it, byUid → it).
    if (this.lastRecord !== null && this.lastName === name && this.lastUid === uid) return this.lastRecord;
    name = detach(name);
    let r = (uid ? this.byUid.get(uid) : undefined) ?? (uid ? undefined : this.byName.get(name));
    if (!r) {
      const kept = uid === null ? null : detach(uid);
      r = { requesterName: name, serverUID: kept, calls: [], wakeStart: null, instanceCreateStart: null, relayReadyStart: null, launcherCreateStart: null, launcherPod: null, providerCreateStart: null, providerPod: null, instancesDeleted: 0 };
      this.records.push(r);
      if (kept) this.byUid.set(kept, r);
      uid = kept;
    } else if (uid !== null) uid = r.serverUID; // the kept copy (the map's key)
    this.byName.set(name, r); // a later requester with a reused name wins the name lookup
    this.lastName = name;
    this.lastUid = uid;
    this.lastRecord = r;
    return r;
  }
}

/**
 * Parses a DPC log (text or lines). `source` names it in errors.
 *
 * @example
 * ```ts
 * const dpc = parseDpcLog(readFileSync("dpc.log", "utf8"), "dpc.log");
 * ```
 */
export function parseDpcLog(text: string | readonly string[], source = "<dpc-log>"): DpcEvidence {
  const reader = new DpcLogReader(source);
  eachLine(text, (line) => reader.add(line));
  return reader.finish();
}

function urlHost(url: string | null): string | null {
  if (!url) return null;
  try { return new URL(url).hostname; } catch { return null; }
}

/**
 * How many of a requester's successful delete_instance calls were reclaim victims. The DPC deletes
 * instances for two reasons and logs both the same way (purpose, URL, no reason): reclaim (fma.md
 * §1.5, priority 3: victims on the one launcher it then binds, before creating the instance there)
 * and the per-GPU sleeper budget (§1.5 step 8: LRU sleepers on the requester's GPUs, on any launcher
 * of the node). What tells them apart is the target: the URL host of a deletion vs the launcher the
 * new instance was created on. A budget deletion on that same launcher looks exactly like a victim
 * (so does a cleanup of a stopped instance there), so the count is an upper bound, exact whenever
 * the budget deleted nothing from the bound launcher. (Order is not used: the embedded cluster
 * deletes victims first, but the real DPC's order of the two is not documented.)
 */
function reclaimVictims(r: DpcRecord): number {
  const deletes = r.calls.filter((c) => c.ok && c.purpose === "delete_instance");
  if (deletes.length === 0) return 0;
  // A launcher created for this requester starts empty, and a wake reuses an instance: neither frees
  // a launcher, so any deletion was for the budget.
  if (r.launcherCreateStart !== null || (r.wakeStart !== null && r.instanceCreateStart === null)) return 0;
  const bound = urlHost(r.calls.find((c) => c.ok && c.purpose === "create_instance")?.url ?? null);
  // No create seen (e.g. the requester went away first): the bound launcher is unknown, count them all.
  if (bound === null) return deletes.length;
  return deletes.filter((c) => { const h = urlHost(c.url); return h === null || h === bound; }).length;
}

/**
 * Looks up a requester's record: by UID first, then by name.
 *
 * @example
 * ```ts
 * const rec = dpcRecordFor(parseDpcLog(dpcLogText), pod.uid, pod.name); // the DPC's record of this requester
 * ```
 */
export function dpcRecordFor(ev: DpcEvidence | undefined, uid: string, name: string): DpcRecord | undefined {
  if (!ev) return undefined;
  return ev.byUid.get(uid) ?? (ev.byName.get(name)?.serverUID ? undefined : ev.byName.get(name));
}

// ── vLLM / launcher logs ────────────────────────────────────────────────────────────────────────

export type VllmEventType = "wake" | "sleep" | "start" | "load" | "create_accepted";

export interface VllmEvent {
  type: VllmEventType;
  /** Line timestamp, epoch ms. */
  t: number;
  instanceId: string | null;
  /** Seconds the line reports (wake, sleep, load). */
  seconds: number | null;
  line: number;
}

const VLLM_TS = /^(?:[A-Z]+\s+)?(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s/;
const LAUNCHER_TS = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:[,.](\d+))?/;
const ISO_PREFIX = /^(\d{4}-\d{2}-\d{2}T\S+Z) /;

/**
 * Parses vLLM/launcher log lines. vLLM's own timestamps have no year: `year` supplies it (take it
 * from the pod's creationTimestamp). Times are read as UTC.
 *
 * @example
 * ```ts
 * const events = parseVllmLog(readFileSync("launcher.log", "utf8"), { source: "launcher.log", year: 2026 });
 * ```
 */
export function parseVllmLog(text: string | readonly string[], options: { source?: string; year: number; firstLine?: number }): VllmEvent[] {
  const source = options.source ?? "<vllm-log>";
  // The number of the text's first line (a later chunk of a log read in parts).
  const first = options.firstLine ?? 1;
  const out: VllmEvent[] = [];
  eachLine(text, (raw, idx) => {
    // Plain substring tests first (most lines of a vLLM log are none of these: five scans, no regex).
    // No marker contains "Z ", so a `kubectl logs --timestamps` prefix cannot change what they find.
    const type: VllmEventType | null =
      raw.includes("seconds to wake up") ? "wake"
      : raw.includes("seconds to fall asleep") ? "sleep"
      : raw.includes("non-default args:") ? "start"
      : raw.includes("Model loading took") ? "load"
      : raw.includes("Accepted request to create vLLM instance") ? "create_accepted"
      : null;
    if (type === null) return;
    let line = raw;
    let t: number | null = null;
    const iso = ISO_PREFIX.exec(line); // kubectl logs --timestamps
    if (iso) { line = line.slice(iso[0].length); }
    const v = VLLM_TS.exec(line);
    const l = LAUNCHER_TS.exec(line);
    if (v) {
      const frac = v[6] ? Number(`0.${v[6]}`) * 1000 : 0;
      t = Date.UTC(options.year, Number(v[1]) - 1, Number(v[2]), Number(v[3]), Number(v[4]), Number(v[5])) + Math.round(frac * 1000) / 1000;
    } else if (l) {
      t = parseKubeTime(`${l[1]}T${l[2]}${l[3] ? "." + l[3] : ""}Z`);
    } else if (iso) {
      t = parseKubeTime(iso[1]);
    }
    if (t === null || Number.isNaN(t)) throw new InputError({ source, line: idx + first }, "a timestamp at the start of the line (`INFO MM-DD hh:mm:ss.mmm`, `YYYY-MM-DD hh:mm:ss,mmm` or RFC 3339)");
    const inst = /\[instance=([^\]\s]+)\]/.exec(line)?.[1] ?? /with id=(\S+)/.exec(line)?.[1] ?? null;
    const secs = type === "wake" || type === "sleep" ? /It took ([\d.]+) seconds/.exec(line)?.[1] : type === "load" ? /and ([\d.]+) seconds/.exec(line)?.[1] : undefined;
    out.push({ type, t, instanceId: inst, seconds: secs !== undefined ? Number(secs) : null, line: idx + first });
  });
  return out;
}

// ── fma_actuation_seconds ──────────────────────────────────────────────────────────────────────

export interface ActuationMetricSample {
  labels: Record<string, string>;
  count: number;
  sum: number | null;
}

function parseLabels(s: string, where: { source: string; line: number }): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\s*([A-Za-z_]\w*)="((?:[^"\\]|\\.)*)"\s*,?/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(s))) { out[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c)); pos = re.lastIndex; }
  if (s.slice(pos).trim() !== "") throw new InputError(where, `Prometheus labels {name="value",…}, got '{${s}}'`);
  return out;
}

/**
 * The `fma_actuation_seconds` series (count and sum per label set) from a Prometheus text page.
 *
 * @example
 * ```ts
 * const samples = parseActuationMetric(await readMetricsText(kc), "metrics");
 * ```
 */
export function parseActuationMetric(text: string, source = "<metrics>"): ActuationMetricSample[] {
  const series = new Map<string, ActuationMetricSample>();
  text.split("\n").forEach((line, idx) => {
    if (!/^fma_actuation_seconds_(count|sum)\b/.test(line)) return;
    const m = /^fma_actuation_seconds_(count|sum)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) throw new InputError({ source, line: idx + 1 }, "a Prometheus sample: name{labels} value");
    const labels = parseLabels(m[2] ?? "", { source, line: idx + 1 });
    const value = Number(m[3]);
    if (!Number.isFinite(value)) throw new InputError({ source, line: idx + 1 }, `a numeric sample value, got '${m[3]}'`);
    const key = JSON.stringify(Object.entries(labels).sort());
    const s = series.get(key) ?? { labels, count: 0, sum: null };
    if (m[1] === "count") s.count = value; else s.sum = value;
    series.set(key, s);
  });
  return [...series.values()];
}

/**
 * Observation counts by path (`cold` read as cold_launcher for launcher-mode series, i.e. with an isc_name).
 *
 * @example
 * ```ts
 * const counts = actuationCounts(parseActuationMetric(await readMetricsText(kc), "metrics"), "default");
 * ```
 */
export function actuationCounts(samples: readonly ActuationMetricSample[], namespace?: string): Record<ActuationPath, number> {
  const out: Record<ActuationPath, number> = { hot: 0, warm: 0, cold_launcher: 0, cold: 0 };
  for (const s of samples) {
    if (namespace !== undefined && s.labels.exported_namespace !== undefined && s.labels.exported_namespace !== namespace) continue;
    const p = s.labels.path;
    if (p === "hot" || p === "warm") out[p] += s.count;
    else if (p === "cold") out[s.labels.isc_name ? "cold_launcher" : "cold"] += s.count;
  }
  return out;
}

/**
 * after − before, per path (a scrape before and after an iteration gives that iteration's paths).
 *
 * @example
 * ```ts
 * const during = countsDelta(before, after); // fma_actuation_seconds counts added by one iteration
 * ```
 */
export function countsDelta(before: Record<ActuationPath, number>, after: Record<ActuationPath, number>): Record<ActuationPath, number> {
  return { hot: after.hot - before.hot, warm: after.warm - before.warm, cold_launcher: after.cold_launcher - before.cold_launcher, cold: after.cold - before.cold };
}
