/**
 * A run on disk, written as it happens so an interrupted run keeps what it saw:
 *
 *   events.jsonl     the watch (event-log format: header, one event per line, end line)
 *   evidence.jsonl   {source, text} chunks: DPC log, provider logs, per iteration
 *   run.json         requester → iteration, per-iteration fma_actuation_seconds deltas, options
 *   actuations.jsonl one classified actuation per line, appended per iteration (partial results)
 *
 * and the analysis outputs (`writeAnalysis`, deterministic bytes): result.yaml (nop native),
 * benchmark_report.yaml (v0.1), actuations.json, actuations.csv, summary.json.
 *
 * It writes what the bench runner records and what actuation/ computes, so it sits in sdk/bench/ above both.
 */
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../core/errors.js";
import { columnsOf, toCsv, writeFileAtomic } from "../core/rows.js";
import { makeDirs, OutputError } from "../core/atomic-write.js";
import type { Actuation } from "../actuation/classify.js";
import { ACTUATION_CSV_COLUMNS, actuationRows, toBenchmarkReport, toNopResult, toYamlText, type NopResultOptions } from "../actuation/nop-result.js";
import { summarizeActuations } from "../actuation/summary.js";
import type { RunInputs } from "../actuation/analyze.js";
import { EVENT_LOG_FORMAT, EVENT_LOG_VERSION, parseEventLog, tornTail, type TornTail } from "../kube/event-log.js";
import type { WatchEvent } from "../kube/types.js";
import type { RunRecord } from "./nop-runner.js";

export class RunWriter {
  private readonly eventsFd: number;
  private events = 0;
  private closed = false;

  /** Output failures (a file where the folder should be, no permission, a full disk) are one-line OutputErrors naming the path. */
  constructor(readonly dir: string, source: Record<string, string | number | boolean | null> = {}) {
    const events = join(dir, "events.jsonl");
    try { makeDirs(dir); } catch (err) { throw new OutputError(dir, err); }
    try { this.eventsFd = openSync(events, "w"); } catch (err) { throw new OutputError(events, err); }
    this.write(events, () => writeSync(this.eventsFd, JSON.stringify({ format: EVENT_LOG_FORMAT, version: EVENT_LOG_VERSION, source }) + "\n"));
    for (const f of ["evidence.jsonl", "actuations.jsonl"]) writeFileAtomic(join(dir, f), "");
  }

  private write(path: string, fn: () => void): void {
    try { fn(); } catch (err) { throw err instanceof OutputError ? err : new OutputError(path, err); }
  }

  event(e: WatchEvent): void {
    if (this.closed) return;
    // Renumbered: a run may span several watches (one per workload), the file is one stream.
    this.write(join(this.dir, "events.jsonl"), () => writeSync(this.eventsFd, JSON.stringify({ ...e, seq: this.events }) + "\n"));
    this.events++;
  }

  evidence(chunk: { source: string; text: string }): void {
    const path = join(this.dir, "evidence.jsonl");
    this.write(path, () => appendFileSync(path, JSON.stringify(chunk) + "\n"));
  }

  iteration(acts: readonly Actuation[], record: Pick<RunRecord, "iterations" | "metricDeltas">, extra: Record<string, unknown> = {}): void {
    const path = join(this.dir, "actuations.jsonl");
    if (acts.length) this.write(path, () => appendFileSync(path, acts.map((a) => JSON.stringify(a)).join("\n") + "\n"));
    writeFileAtomic(join(this.dir, "run.json"), JSON.stringify({ ...extra, iterations: record.iterations, metricDeltas: record.metricDeltas }, null, 2) + "\n");
  }

  close(end: "completed" | "aborted" | "error", error?: string): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.write(join(this.dir, "events.jsonl"), () => writeSync(this.eventsFd, JSON.stringify({ end, events: this.events, ...(error ? { error } : {}) }) + "\n"));
    } finally {
      closeSync(this.eventsFd);
    }
  }
}

/**
 * Reads a run folder back as analysis inputs (InputErrors name the file and line). A run killed
 * mid-write leaves a partial last line in events.jsonl or evidence.jsonl: the whole lines are read
 * and `torn` says where each file was cut.
 *
 * @example
 * ```ts
 * const run = readRunDir("datasets/event-logs/hot-8b-h100");
 * const { actuations } = analyzeRun(run);
 * ```
 */
export function readRunDir(dir: string): RunInputs & { options: Record<string, unknown>; torn: TornTail[] } {
  const ev = join(dir, "events.jsonl");
  if (!existsSync(ev)) throw new InputError({ source: dir }, "a run folder with events.jsonl (written by actlab bench or actlab watch --out)");
  const parsed = parseEventLog(readFileSync(ev, "utf8"), ev);
  const { events } = parsed;
  const torn: TornTail[] = parsed.torn ? [parsed.torn] : [];
  const evidence: { source: string; text: string }[] = [];
  const evPath = join(dir, "evidence.jsonl");
  if (existsSync(evPath)) {
    const text = readFileSync(evPath, "utf8");
    const cut = tornTail(text, evPath);
    if (cut) torn.push(cut);
    (cut ? text.slice(0, text.lastIndexOf("\n") + 1) : text).split("\n").forEach((line, i) => {
      if (!line.trim()) return;
      let v: { source?: unknown; text?: unknown };
      try { v = JSON.parse(line); } catch (err) { throw new InputError({ source: evPath, line: i + 1 }, `a JSON {source, text} chunk (${(err as Error).message})`); }
      if (typeof v.source !== "string" || typeof v.text !== "string") throw new InputError({ source: evPath, line: i + 1 }, "string fields source and text");
      evidence.push({ source: v.source, text: v.text });
    });
  }
  let options: Record<string, unknown> = {};
  let iterations: Record<string, number> | undefined;
  let metricDeltas: RunInputs["metricDeltas"];
  const runPath = join(dir, "run.json");
  if (existsSync(runPath)) {
    try { options = JSON.parse(readFileSync(runPath, "utf8")) as Record<string, unknown>; }
    catch (err) { throw new InputError({ source: runPath }, `JSON (${(err as Error).message})`); }
    iterations = options.iterations as Record<string, number> | undefined;
    metricDeltas = options.metricDeltas as RunInputs["metricDeltas"];
  }
  return { events, evidence, iterations, metricDeltas, options, torn };
}

/**
 * Writes the analysis outputs for `acts` into `dir`; returns the file names. Same actuations → same bytes.
 *
 * @example
 * ```ts
 * writeAnalysis("out/classified", analyzeRun(readRunDir("datasets/event-logs/hot-8b-h100")).actuations);
 * ```
 */
export function writeAnalysis(dir: string, acts: readonly Actuation[], nopOptions: NopResultOptions = {}): string[] {
  const nop = toNopResult(acts, nopOptions);
  const files: [string, string][] = [
    ["result.yaml", toYamlText(nop)],
    ["benchmark_report.yaml", toYamlText(toBenchmarkReport(nop))],
    ["actuations.json", JSON.stringify(acts, null, 2) + "\n"],
    ["actuations.csv", toCsv(actuationRows(acts), acts.length ? columnsOf(actuationRows(acts)) : ACTUATION_CSV_COLUMNS)],
    ["summary.json", JSON.stringify(summarizeActuations(acts), (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n"],
  ];
  for (const [name, text] of files) writeFileAtomic(join(dir, name), text);
  return files.map(([n]) => n);
}
