/**
 * Running a design: every (run, repeat) through the user's treatment function, in parallel on
 * worker threads when the function is given as a module, with a content-addressed cache (so a
 * re-run or a resumed killed sweep executes only what is missing), per-run errors recorded while
 * the sweep goes on, a progress bar, AbortSignal cancellation, and deterministic shards.
 * Results are tidy rows, one per run × repeat, written as JSONL and CSV in run order, committed as
 * one set; the output folder is locked for the sweep's lifetime, so a second sweep refuses.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { hash32, type Seed } from "../core/rng.js";
import { Progress, type ProgressOptions } from "../core/progress.js";
import { toCsv, toJsonl, columnsOf, type Cell, type Row } from "../core/rows.js";
import { commitFiles, OutputError, recoverFiles } from "../core/atomic-write.js";
import { lockSweepFolder } from "./sweep-lock.js";
import type { Design, DesignRun, Level } from "./design.js";
import { cacheKey, canonicalJson, SweepCache } from "./sweep-cache.js";
import { shardRuns, type Shard } from "./shard.js";
import { WorkerPool } from "./worker-pool.js";

/** What the treatment function receives (structured-clonable, so it crosses to worker threads). */
export interface TreatmentInput {
  id: string;
  treatment: string;
  replicate: number;
  /** 1-based repeated-measure index. */
  repeat: number;
  block: number;
  factors: Record<string, Level>;
  context: Record<string, Cell>;
  params: Record<string, unknown>;
  /** A 32-bit seed derived from the sweep seed, the factor values, replicate and repeat. */
  seed: number;
  /** 1-based attempt number (retries get the same seed). */
  attempt: number;
}

/** Responses: a flat record of numbers, strings, booleans or nulls. */
export type TreatmentResult = Record<string, Cell>;

export type TreatmentFn = (input: TreatmentInput, signal?: AbortSignal) => TreatmentResult | Promise<TreatmentResult>;

export type RunStatus = "ok" | "error" | "cancelled" | "skipped";

export interface SweepOptions {
  /** Sweep seed (default 1); each run's seed is derived from it and the run's content. */
  seed?: Seed;
  /** Your code's version: part of the cache key, so changing it invalidates cached results. */
  codeVersion?: string;
  /** Parallel runs (default: the core count for a module, 1 for an in-process function). */
  concurrency?: number;
  /** Export to call when `fn` is a module (default `default`, then `treatment`). */
  exportName?: string;
  /** Cache folder (default `<outDir>/cache` when outDir is given; none otherwise). */
  cacheDir?: string;
  /** Where to write results.jsonl, results.csv and timings.csv. */
  outDir?: string;
  /** Run only this slice of the runs. */
  shard?: Shard;
  signal?: AbortSignal;
  /** Progress output: true (default; bar on a TTY, lines otherwise), false, or a mode. */
  progress?: boolean | ProgressOptions["mode"];
  progressStream?: NodeJS.WriteStream;
  /** Attempts per run before recording an error (default 1). */
  maxAttempts?: number;
  /** Stop at the first run that fails all its attempts; the rest are `skipped`. */
  stopOnError?: boolean;
  /** Put wall-clock `duration_ms` into the results files too (then they are no longer byte-reproducible). */
  recordDuration?: boolean;
  /** Called after each run finishes (cached or executed). */
  onRow?: (row: Row) => void;
}

export interface SweepTiming {
  id: string;
  repeat: number;
  duration_ms: number;
  cached: boolean;
}

export interface SweepResult {
  /** One row per run × repeat (in this shard), in run order. Includes `duration_ms`. */
  rows: Row[];
  total: number;
  executed: number;
  cached: number;
  failed: number;
  cancelled: boolean;
  timings: SweepTiming[];
  /** Paths written when outDir was given. */
  files?: { jsonl: string; csv: string; timings: string };
}

/**
 * The seed of one run: from the sweep seed and the run's content, not its position (randomizing the order keeps seeds).
 *
 * @example
 * ```ts
 * const seed = runSeed(1, run, 0); // the seed a sweep gives this run
 * ```
 */
export function runSeed(seed: Seed, run: Pick<DesignRun, "factors" | "params" | "replicate">, repeat: number): number {
  return hash32(`${String(seed)}|${canonicalJson(run.factors)}|${canonicalJson(run.params ?? {})}|${run.replicate}|${repeat}`);
}

interface Unit {
  run: DesignRun;
  repeat: number;
  seed: number;
  key: string;
}

const RESERVED = new Set(["id", "treatment", "std_order", "run_order", "replicate", "repeat", "block", "center", "seed", "status", "error", "attempts", "duration_ms"]);

function checkResult(value: unknown, taken: Set<string>): string | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "the treatment function must return a record of responses";
  for (const [k, v] of Object.entries(value)) {
    if (v !== null && typeof v !== "number" && typeof v !== "string" && typeof v !== "boolean") return `response '${k}' is not a number, string, boolean or null`;
    if (taken.has(k)) return `response '${k}' has the name of a factor or result column`;
  }
  return undefined;
}

function baseRow(u: Unit, repeats: number): Row {
  const r = u.run;
  return {
    id: r.id, treatment: r.treatment, std_order: r.std_order, run_order: r.run_order, replicate: r.replicate,
    ...(repeats > 1 ? { repeat: u.repeat } : {}),
    block: r.block, center: r.center, ...(r.context ?? {}), ...r.factors, seed: u.seed,
  };
}

/**
 * Run every (run, repeat) of `design` through `fn` (a function in-process, or a module path/URL on
 * worker threads). The output folder (else the cache folder) is locked while it runs: a second
 * sweep on it throws SweepLockedError naming the holder's pid. A write that fails (full disk, no
 * permission) stops the sweep with an OutputError; the runs already cached are kept for a resume.
 *
 * @example
 * ```ts
 * const design = experimentDesign(readExperimentFile("datasets/experiments/router-study.yaml"));
 * const result = await runSweep(design, "sdk/doe/replay-treatment.ts", { outDir: "out/sweep" });
 * ```
 */
export async function runSweep(design: Design, fn: TreatmentFn | string, options: SweepOptions = {}): Promise<SweepResult> {
  const lockDir = options.outDir ?? options.cacheDir;
  const lock = lockDir ? lockSweepFolder(lockDir) : undefined;
  try {
    if (options.outDir) recoverFiles(options.outDir);
    return await sweepLocked(design, fn, options);
  } finally {
    lock?.release();
  }
}

async function sweepLocked(design: Design, fn: TreatmentFn | string, options: SweepOptions): Promise<SweepResult> {
  const seed = options.seed ?? 1;
  const codeVersion = options.codeVersion ?? "0";
  const repeats = Math.max(1, design.repeats ?? 1);
  // Execute (and report) in run order whatever order the design lists its runs in.
  const runs = options.shard ? shardRuns(design.runs, options.shard) : [...design.runs].sort((a, b) => a.run_order - b.run_order);
  const units: Unit[] = [];
  for (const run of runs) {
    for (let repeat = 1; repeat <= repeats; repeat++) {
      const s = runSeed(seed, run, repeat);
      units.push({ run, repeat, seed: s, key: cacheKey({ factors: run.factors, params: run.params, replicate: run.replicate, repeat, seed: s, codeVersion }) });
    }
  }
  const cacheDir = options.cacheDir ?? (options.outDir ? join(options.outDir, "cache") : undefined);
  const cache = cacheDir ? new SweepCache(cacheDir) : undefined;
  cache?.sweepTemps();

  const rows: (Row | undefined)[] = Array.from({ length: units.length }, () => undefined);
  const timings: (SweepTiming | undefined)[] = Array.from({ length: units.length }, () => undefined);
  const todo: number[] = [];
  let cachedCount = 0;
  units.forEach((u, i) => {
    const hit = cache?.get(u.key);
    if (hit) {
      rows[i] = { ...baseRow(u, repeats), status: "ok", error: null, attempts: hit.attempts, ...hit.responses, duration_ms: hit.duration_ms };
      timings[i] = { id: u.run.id, repeat: u.repeat, duration_ms: hit.duration_ms, cached: true };
      cachedCount++;
      options.onRow?.(rows[i]!);
    } else {
      todo.push(i);
    }
  });

  const inProcess = typeof fn === "function";
  const concurrency = Math.max(1, Math.min(options.concurrency ?? (inProcess ? 1 : availableParallelism()), Math.max(1, todo.length)));
  const mode = options.progress === false ? "silent" : options.progress === true || options.progress === undefined ? undefined : options.progress;
  const progress = new Progress({ label: design.name || "sweep", total: todo.length, mode, stream: options.progressStream });
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  let stoppedByError = false;
  const pool = !inProcess && todo.length > 0 && !stop.signal.aborted ? new WorkerPool(fn, concurrency, options.exportName) : undefined;
  stop.signal.addEventListener("abort", () => { void pool?.close(); }, { once: true });
  const maxAttempts = Math.max(1, options.maxAttempts ?? 1);
  let executed = 0;
  let failed = 0;
  let writeError: OutputError | undefined;
  let written = 0; // results put in the cache by this sweep

  // One promise that rejects on cancellation, raced against every in-process call.
  const cancelled = new Promise<never>((_, reject) => stop.signal.addEventListener("abort", () => reject(new Error("cancelled")), { once: true }));
  cancelled.catch(() => {});
  const callOnce = async (input: TreatmentInput): Promise<{ ok: boolean; value?: unknown; error?: string; ms: number }> => {
    if (pool) return pool.run(input);
    const t0 = performance.now();
    try {
      const value = await Promise.race([Promise.resolve().then(() => (fn as TreatmentFn)(input, stop.signal)), cancelled]);
      return { ok: true, value, ms: performance.now() - t0 };
    } catch (err) {
      return { ok: false, error: stop.signal.aborted ? "cancelled" : (err as Error)?.message ?? String(err), ms: performance.now() - t0 };
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const i = todo[next++]!;
      const u = units[i]!;
      const base = baseRow(u, repeats);
      if (stop.signal.aborted) {
        rows[i] = { ...base, status: stoppedByError ? "skipped" : "cancelled", error: null, attempts: 0, duration_ms: null };
        continue;
      }
      const taken = new Set([...RESERVED, ...Object.keys(base)]);
      let reply: { ok: boolean; value?: unknown; error?: string; ms: number } = { ok: false, error: "not run", ms: 0 };
      let attempt = 0;
      let total = 0;
      while (attempt < maxAttempts && !stop.signal.aborted) {
        attempt++;
        const input: TreatmentInput = {
          id: u.run.id, treatment: u.run.treatment, replicate: u.run.replicate, repeat: u.repeat, block: u.run.block,
          factors: u.run.factors, context: u.run.context ?? {}, params: u.run.params ?? {}, seed: u.seed, attempt,
        };
        reply = await callOnce(input);
        total += reply.ms;
        if (reply.ok) {
          const problem = checkResult(reply.value, taken);
          if (problem) reply = { ok: false, error: problem, ms: reply.ms };
        }
        if (reply.ok) break;
      }
      const ms = Math.round(total * 1000) / 1000;
      if (reply.ok) {
        const responses = reply.value as TreatmentResult;
        try {
          cache?.put({ key: u.key, responses, duration_ms: ms, attempts: attempt });
          written++;
        } catch (err) {
          // A full disk: stop here, keep what is cached, and say so once the workers are idle.
          if (!writeError) writeError = err instanceof OutputError ? err : new OutputError(cacheDir ?? "cache", err);
          stop.abort();
        }
        rows[i] = { ...base, status: "ok", error: null, attempts: attempt, ...responses, duration_ms: ms };
        executed++;
      } else if (stop.signal.aborted && (reply.error === "cancelled" || !stoppedByError)) {
        rows[i] = { ...base, status: stoppedByError ? "skipped" : "cancelled", error: null, attempts: attempt, duration_ms: null };
      } else {
        rows[i] = { ...base, status: "error", error: reply.error ?? "unknown error", attempts: attempt, duration_ms: ms };
        executed++;
        failed++;
        if (options.stopOnError && !stop.signal.aborted) { stoppedByError = true; stop.abort(); }
      }
      timings[i] = { id: u.run.id, repeat: u.repeat, duration_ms: ms, cached: false };
      options.onRow?.(rows[i]!);
      progress.tick(1, rows[i]!.status === "error" ? `${u.run.id}: ${String(rows[i]!.error)}` : "");
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await pool?.close();
  }
  progress.finish(failed ? `${failed} failed` : "");
  if (writeError) {
    const kept = cachedCount + written;
    throw new OutputError(writeError.source, writeError.cause, `${kept} finished run(s) are kept in ${cacheDir}; free space and run again to resume`);
  }

  const done = rows.map((r, i) => r ?? { ...baseRow(units[i]!, repeats), status: "cancelled", error: null, attempts: 0, duration_ms: null });
  const result: SweepResult = {
    rows: done,
    total: units.length,
    executed,
    cached: cachedCount,
    failed,
    cancelled: (options.signal?.aborted ?? false) || stoppedByError,
    timings: timings.map((t, i) => t ?? { id: units[i]!.run.id, repeat: units[i]!.repeat, duration_ms: 0, cached: false }),
  };
  if (options.outDir) result.files = writeSweepResults(options.outDir, result, { recordDuration: options.recordDuration });
  return result;
}

/**
 * Result rows as they go into files: without wall-clock duration unless asked (so files are byte-reproducible).
 *
 * @example
 * ```ts
 * const rows = fileRows(result.rows); // as results.jsonl/csv hold them (wall-clock durations left out)
 * ```
 */
export function fileRows(rows: readonly Row[], recordDuration = false): Row[] {
  if (recordDuration) return rows.map((r) => ({ ...r }));
  return rows.map((r) => {
    const { duration_ms: _drop, ...rest } = r;
    return rest;
  });
}

/**
 * Write results.jsonl, results.csv (deterministic) and timings.csv (wall clock) into `dir` as one
 * set (`commitFiles`): a kill while they are written leaves the old three or, after the next
 * `recoverFiles`, the new three, never a mix of runs.
 *
 * @example
 * ```ts
 * writeSweepResults("out/sweep", await runSweep(design, "sdk/doe/replay-treatment.ts"));
 * ```
 */
export function writeSweepResults(dir: string, result: Pick<SweepResult, "rows" | "timings">, options: { recordDuration?: boolean } = {}): { jsonl: string; csv: string; timings: string } {
  const rows = fileRows(result.rows, options.recordDuration);
  const files = { jsonl: join(dir, "results.jsonl"), csv: join(dir, "results.csv"), timings: join(dir, "timings.csv") };
  commitFiles(dir, [
    ["results.jsonl", toJsonl(rows)],
    ["results.csv", toCsv(rows, columnsOf(rows))],
    ["timings.csv", toCsv(result.timings as unknown as Row[])],
  ]);
  return files;
}
