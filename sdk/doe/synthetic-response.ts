/**
 * A deterministic synthetic response for trying sweeps and analysis without a simulator: each
 * factor level shifts the response by an amount derived from a hash of its name and value, the
 * first two factors interact, and seeded normal noise is added. Optional `params`: `work`
 * (iterations of CPU work, to model an expensive run), `sleepMs` (wall-clock wait), `failWhen`
 * ({ factor: value } that makes a run throw), `noise` (sd, default 1) — at the top level of params,
 * or inside an experiment's setup/run overrides (e.g. as setup constants); `reportThread` adds the
 * worker thread id to the output.
 * Usable in-process or as a worker module (its default export).
 */
import { hash32, rng } from "../core/rng.js";
import type { Cell } from "../core/rows.js";
import { threadId } from "node:worker_threads";
import { STREAMS } from "../core/streams.js";

export interface SyntheticInput {
  factors: Record<string, Cell>;
  seed: number;
  params?: Record<string, unknown>;
}

function shift(name: string, value: Cell): number {
  return ((hash32(`${name}=${String(value)}`) % 2001) - 1000) / 100;
}

/**
 * A deterministic made-up response of a treatment, for testing sweeps without running a replay.
 *
 * @example
 * ```ts
 * const out = syntheticResponse({ factors: { workers: 4 }, seed: 1 });
 * ```
 */
export function syntheticResponse(input: SyntheticInput): Promise<Record<string, number>> | Record<string, number> {
  // Experiment runs carry their overrides as params.setup / params.run; flatten them.
  const raw = input.params ?? {};
  const sub = (v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const p: Record<string, unknown> = { ...raw, ...sub(raw.setup), ...sub(raw.run) };
  const fail = p.failWhen as Record<string, Cell> | undefined;
  if (fail && Object.entries(fail).every(([k, v]) => input.factors[k] === v)) throw new Error(`synthetic failure at ${JSON.stringify(fail)}`);
  const names = Object.keys(input.factors).sort();
  let y = 100;
  for (const n of names) y += shift(n, input.factors[n] ?? null);
  if (names.length >= 2) y += shift(`${names[0]}*${names[1]}`, `${String(input.factors[names[0]!])}|${String(input.factors[names[1]!])}`) / 2;
  const r = rng(input.seed).split(STREAMS.synthetic);
  const noise = typeof p.noise === "number" ? p.noise : 1;
  y += r.normal(0, noise);
  // CPU work whose result feeds the output, so it cannot be optimized away.
  const work = typeof p.work === "number" ? p.work : 0;
  let acc = 0;
  for (let i = 0; i < work; i++) acc = (acc + Math.sqrt(i + (input.seed % 7))) % 1000;
  const out: Record<string, number> = { response: y, latency_ms: Math.exp(y / 50), work_checksum: Math.round(acc * 1000) / 1000 };
  // Which thread ran it (0 = main): only on request, since it differs between runs.
  if (p.reportThread === true) out.thread_id = threadId;
  const sleepMs = typeof p.sleepMs === "number" ? p.sleepMs : 0;
  return sleepMs > 0 ? new Promise((res) => setTimeout(() => res(out), sleepMs)) : out;
}

export default syntheticResponse;
