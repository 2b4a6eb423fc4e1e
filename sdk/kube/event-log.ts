/**
 * Event logs: any watch recorded as JSONL (a header line, one event per line, an end line), and a
 * log replayed as the same AsyncIterable, so an analysis re-runs offline on exactly the events a
 * run saw. Recording writes each event as it arrives (synchronously, to an open file), so when the
 * source fails, every event received so far is already on disk; the end line says how it ended.
 */
import { closeSync, createReadStream, openSync, writeSync } from "node:fs";
import { makeDirs } from "../core/atomic-write.js";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { InputError } from "../core/errors.js";
import type { WatchEvent, WatchEventType, EventOrigin } from "./types.js";

export const EVENT_LOG_FORMAT = "actlab-event-log";
export const EVENT_LOG_VERSION = 1;

export interface EventLogHeader {
  format: typeof EVENT_LOG_FORMAT;
  version: number;
  /** Free description of what was watched: server, namespace, selector, resources. */
  source?: Record<string, string | number | boolean | null | string[]>;
}

export interface EventLogEnd {
  end: "completed" | "aborted" | "error";
  events: number;
  error?: string;
}

export interface RecordOptions {
  /** Put into the header's `source`. */
  source?: EventLogHeader["source"];
}

/**
 * Passes `events` through unchanged while appending each to the JSONL log at `path`. The file is
 * complete up to the last event even if the source throws; the error is re-thrown after the end
 * line is written.
 *
 * @example
 * ```ts
 * for await (const e of recordEvents(watchPods({ kubeConfig, namespace: "default" }), "events.jsonl")) console.log(e.type);
 * ```
 */
export async function* recordEvents(events: AsyncIterable<WatchEvent>, path: string, options: RecordOptions = {}): AsyncGenerator<WatchEvent, void, undefined> {
  makeDirs(dirname(path));
  const fd = openSync(path, "w");
  const header: EventLogHeader = { format: EVENT_LOG_FORMAT, version: EVENT_LOG_VERSION, ...(options.source ? { source: options.source } : {}) };
  writeSync(fd, JSON.stringify(header) + "\n");
  let n = 0;
  let end: EventLogEnd = { end: "aborted", events: 0 };
  try {
    for await (const e of events) {
      writeSync(fd, JSON.stringify(e) + "\n");
      n++;
      yield e;
    }
    end = { end: "completed", events: n };
  } catch (err) {
    end = { end: "error", events: n, error: (err as Error).message };
    throw err;
  } finally {
    if (end.end === "aborted") end.events = n;
    writeSync(fd, JSON.stringify(end) + "\n");
    closeSync(fd);
  }
}

const TYPES = new Set<WatchEventType>(["ADDED", "MODIFIED", "DELETED", "BOOKMARK"]);
const ORIGINS = new Set<EventOrigin>(["list", "watch", "relist"]);

/** Checks one parsed line is a WatchEvent; an InputError naming file, line and field otherwise. */
function asEvent(v: unknown, source: string, line: number): WatchEvent {
  const bad = (path: string, expected: string) => new InputError({ source, line, path }, expected);
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad("", "a JSON object (one watch event per line)");
  const e = v as Record<string, unknown>;
  if (typeof e.seq !== "number" || !Number.isInteger(e.seq)) throw bad("seq", "an integer sequence number");
  if (typeof e.type !== "string" || !TYPES.has(e.type as WatchEventType)) throw bad("type", "one of ADDED, MODIFIED, DELETED, BOOKMARK");
  if (typeof e.resource !== "string") throw bad("resource", "the resource name, e.g. pods");
  if (typeof e.origin !== "string" || !ORIGINS.has(e.origin as EventOrigin)) throw bad("origin", "one of list, watch, relist");
  if (typeof e.receivedWallMs !== "number" || typeof e.receivedMonoMs !== "number") throw bad("receivedWallMs", "numeric receive times (receivedWallMs, receivedMonoMs)");
  if (typeof e.object !== "object" || e.object === null || Array.isArray(e.object)) throw bad("object", "the Kubernetes object");
  return e as unknown as WatchEvent;
}

export interface EventLogReplayOptions {
  /** Called with the end line, when the log has one (it says how the recorded watch ended). */
  onEnd?: (end: EventLogEnd) => void;
  signal?: AbortSignal;
}

/**
 * Replays a recorded log as an AsyncIterable of the same events. A malformed line is an InputError
 * naming the file and line; the events before it have been yielded already.
 *
 * @example
 * ```ts
 * for await (const e of replayEventLog("datasets/event-logs/hot-8b-h100/events.jsonl")) console.log(e.type, e.object.metadata?.name);
 * ```
 */
export async function* replayEventLog(path: string, options: EventLogReplayOptions = {}): AsyncGenerator<WatchEvent, void, undefined> {
  const stream = createReadStream(path, { encoding: "utf8" });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const text of lines) {
      lineNo++;
      if (options.signal?.aborted) return;
      if (text.trim() === "") continue;
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch (err) {
        throw new InputError({ source: path, line: lineNo }, `a JSON watch event (${(err as Error).message})`);
      }
      if (lineNo === 1) {
        const h = v as Partial<EventLogHeader>;
        if (h?.format !== EVENT_LOG_FORMAT) throw new InputError({ source: path, line: 1 }, `an event-log header {"format":"${EVENT_LOG_FORMAT}",…}`);
        if (h.version !== EVENT_LOG_VERSION) throw new InputError({ source: path, line: 1, path: "version" }, `event-log version ${EVENT_LOG_VERSION}, got ${String(h.version)}`);
        continue;
      }
      if (typeof v === "object" && v !== null && "end" in v) {
        options.onEnd?.(v as EventLogEnd);
        continue;
      }
      yield asEvent(v, path, lineNo);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new InputError({ source: path }, "an existing event-log file");
    throw err;
  } finally {
    lines.close();
    stream.destroy();
  }
}

/** Where a file was cut: its last line is incomplete (no newline, not JSON), as a kill mid-write leaves it. */
export interface TornTail {
  source: string;
  /** 1-based number of the partial line. */
  line: number;
  /** Byte offset where the partial line starts (the whole lines end here). */
  byteOffset: number;
  /** Bytes of the partial line, dropped. */
  bytes: number;
}

/** A partial last line of a JSONL text, or null: the text ends without a newline and its last line is not JSON. */
export function tornTail(text: string, source: string): TornTail | null {
  if (text === "" || text.endsWith("\n")) return null;
  const start = text.lastIndexOf("\n") + 1;
  const last = text.slice(start);
  if (last.trim() === "") return null;
  try { JSON.parse(last); return null; } catch { /* partial */ }
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < start; i = text.indexOf("\n", i + 1)) line++;
  return { source, line, byteOffset: Buffer.byteLength(text.slice(0, start)), bytes: Buffer.byteLength(last) };
}

/** One line saying where a file was cut and what was kept. */
export function describeTorn(t: TornTail): string {
  return `${t.source}:${t.line}: the file is cut at byte ${t.byteOffset} (a partial last line of ${t.bytes} bytes, as a kill mid-write leaves it); the whole lines before it were used`;
}

/**
 * Parses a whole event log held in memory (same checks as replayEventLog). A torn last line (see
 * `tornTail`) is not an error: the whole lines are parsed and `torn` says where the file was cut.
 *
 * @example
 * ```ts
 * const { events } = parseEventLog(readFileSync("datasets/event-logs/hot-8b-h100/events.jsonl", "utf8"));
 * ```
 */
export function parseEventLog(text: string, source = "<event-log>"): { header: EventLogHeader; events: WatchEvent[]; end: EventLogEnd | null; torn: TornTail | null } {
  const torn = tornTail(text, source);
  const lines = (torn ? text.slice(0, text.lastIndexOf("\n") + 1) : text).split("\n");
  let header: EventLogHeader | null = null;
  let end: EventLogEnd | null = null;
  const events: WatchEvent[] = [];
  lines.forEach((t, i) => {
    if (t.trim() === "") return;
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch (err) {
      throw new InputError({ source, line: i + 1 }, `a JSON watch event (${(err as Error).message})`);
    }
    if (header === null) {
      const h = v as Partial<EventLogHeader>;
      if (h?.format !== EVENT_LOG_FORMAT) throw new InputError({ source, line: i + 1 }, `an event-log header {"format":"${EVENT_LOG_FORMAT}",…}`);
      header = h as EventLogHeader;
      return;
    }
    if (typeof v === "object" && v !== null && "end" in v) { end = v as EventLogEnd; return; }
    events.push(asEvent(v, source, i + 1));
  });
  if (header === null) throw new InputError({ source, line: 1 }, `an event-log header {"format":"${EVENT_LOG_FORMAT}",…}`);
  return { header, events, end, torn };
}

/**
 * Drains an AsyncIterable into an array.
 *
 * @example
 * ```ts
 * const events = await collectEvents(replayEventLog("events.jsonl"));
 * ```
 */
export async function collectEvents<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
