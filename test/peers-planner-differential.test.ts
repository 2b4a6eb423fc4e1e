// Planner differential: 1,000 seeded random scenarios through the SDK's state machine (the step protocol,
// sdk/planner/step.ts) and the installed, unmodified Dynamo planner core (ai-dynamo 1.2.1, one Python
// process reading all the JSON lines). Every tick's decision, schedule, reasons and numbers are compared
// (numbers within 1e-9 relative); a disagreement either matches a documented cause (listed with it) or
// fails the test. Prints the agreement table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../sdk/core/rng.js";
import { aggMaxBatch } from "../sdk/planner/regression.js";
import { PlannerStepSession, type StepFpm, type StepReply, type StepRequest, type StepTick } from "../sdk/planner/step.js";
import { dynamoPython, PEER_VERSIONS } from "../sdk/peers/install.js";
import { runPlannerPeer } from "../sdk/peers/planner-peer.js";

const SCENARIOS = Number(process.env.ACTLAB_PLANNER_DIFF_SCENARIOS ?? 1000);
const REL = 1e-9;

type Mode = "agg" | "disagg";
interface Scenario {
  id: number;
  mode: Mode;
  target: "sla" | "throughput" | "latency";
  load: boolean;
  thpt: boolean;
  predictor: string;
  minEndpoint: number;
  budget: number;
  gpus: { prefill: number; decode: number };
  requests: StepRequest[];
  sdk: StepReply[];
  /** Request index of the first traffic window with no completions (an SDK deviation), or Infinity. */
  firstEmptyWindow: number;
  /** Request index of the first prefill-engine pass with no prefill request (heartbeat), or Infinity. */
}

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[r.int(xs.length)]!;

/** A worker's forward pass drawn from a per-scenario linear truth with noise (sometimes a heartbeat). */
function fpmOf(r: Rng, kind: "prefill" | "decode" | "agg", wid: string, truth: Truth, mbt: number): StepFpm {
  const noise = () => 1 + r.normal(0, truth.noise);
  if (r.bernoulli(0.08)) return { worker_id: wid, dp_rank: 0, wall_time: 0, scheduled_requests: {}, queued_requests: {} };
  const queuedPrefill = r.bernoulli(0.4) ? 0 : r.int(6 * mbt);
  const queuedKv = r.bernoulli(0.7) ? 0 : r.int(200_000);
  if (kind === "prefill") {
    const t = 1 + r.int(mbt);
    return { worker_id: wid, dp_rank: 0, wall_time: Math.max(1e-5, (truth.a + truth.bp * t) * noise()), scheduled_requests: { num_prefill_requests: 1 + r.int(4), sum_prefill_tokens: t }, queued_requests: { sum_prefill_tokens: queuedPrefill } };
  }
  const n = 1 + r.int(64);
  const kv = truth.collinear ? n * 1000 : n * (200 + r.int(4000));
  if (kind === "decode") {
    return { worker_id: wid, dp_rank: 0, wall_time: Math.max(1e-5, (truth.a + truth.c * n + truth.d * kv) * noise()), scheduled_requests: { num_decode_requests: n, sum_decode_kv_tokens: kv }, queued_requests: { sum_decode_kv_tokens: queuedKv } };
  }
  const p = r.bernoulli(0.3) ? 0 : r.int(mbt);
  return {
    worker_id: wid, dp_rank: 0, wall_time: Math.max(1e-5, (truth.a + truth.bp * p + truth.d * kv) * noise()),
    scheduled_requests: { num_prefill_requests: p > 0 ? 1 : 0, sum_prefill_tokens: p, num_decode_requests: n, sum_decode_kv_tokens: kv },
    queued_requests: { sum_prefill_tokens: queuedPrefill, sum_decode_kv_tokens: queuedKv },
  };
}

interface Truth { a: number; bp: number; c: number; d: number; noise: number; collinear: boolean }

function makeScenario(id: number): Scenario {
  const r = new Rng(20261204, `planner-diff/${id}`);
  const mode: Mode = r.bernoulli(0.5) ? "agg" : "disagg";
  const target = r.bernoulli(0.8) ? "sla" : pick(r, ["throughput", "latency"] as const);
  const both = r.random();
  const load = target !== "sla" || both < 0.7;
  const thpt = target === "sla" && both >= 0.3;
  const predictor = pick(r, ["constant", "kalman"]);
  const loadInterval = pick(r, [5, 7, 10]);
  const thptInterval = pick(r, [30, 60, 180]);
  const mbt = pick(r, [2048, 4096, 8192]);
  // As Dynamo's replay hands them over: context_length = max_kv_tokens (easy mode reads the former).
  const caps = (gpu: number) => {
    const kv = pick(r, [262_144, 1_048_576]);
    return { num_gpu: gpu, max_num_batched_tokens: mbt, max_num_seqs: pick(r, [64, 256]), max_kv_tokens: kv, context_length: kv };
  };
  const config: Record<string, unknown> = {
    mode, optimization_target: target, ttft: Math.round(r.uniform(80, 3000)), itl: Math.round(r.uniform(8, 80)),
    enable_load_scaling: load, enable_throughput_scaling: thpt,
    load_adjustment_interval: loadInterval, throughput_adjustment_interval: thptInterval,
    load_predictor: predictor, max_gpu_budget: pick(r, [-1, 8, 16, 32]), min_endpoint: pick(r, [1, 1, 2]),
    max_num_fpm_samples: pick(r, [16, 64]), fpm_sample_bucket_size: pick(r, [4, 16]), load_scaling_down_sensitivity: pick(r, [60, 80, 90]),
  };
  const truth: Truth = { a: r.uniform(0.003, 0.03), bp: r.uniform(5e-6, 4e-5), c: r.uniform(0, 1e-4), d: r.uniform(1e-9, 1e-7), noise: pick(r, [0, 0.02, 0.1]), collinear: r.bernoulli(0.1) };
  const requests: StepRequest[] = [];
  const sdk: StepReply[] = [];
  const session = new PlannerStepSession();
  const send = (q: StepRequest) => {
    requests.push(q);
    const a = session.handle(JSON.parse(JSON.stringify(q)) as StepRequest);
    sdk.push(a);
    return a;
  };
  const pg = pick(r, [1, 2]), dg = pick(r, [1, 2, 4]);
  // The SDK refuses a budget below min_endpoint of each engine (an InputError); Dynamo would scale to 0.
  const budget = config.max_gpu_budget as number;
  if (budget >= 0 && budget < (config.min_endpoint as number) * (mode === "agg" ? dg : pg + dg)) config.max_gpu_budget = -1;
  const init = send({ op: "init", config, capabilities: { prefill: caps(pg), decode: caps(dg) }, start_s: 0 });
  if (!("next_tick" in init)) throw new Error(`scenario ${id}: SDK init failed: ${JSON.stringify(init)}`);
  if (r.bernoulli(0.7)) {
    const n = 10 + r.int(50);
    const gen = (k: "prefill" | "decode" | "agg") => Array.from({ length: n }, (_, i) => fpmOf(r, k, `b${i}`, truth, mbt)).filter((f) => f.wall_time! > 0);
    send(mode === "agg" ? { op: "bootstrap", agg_fpms: gen("agg") } : { op: "bootstrap", prefill_fpms: gen("prefill"), decode_fpms: gen("decode") });
  }
  if (thpt && r.bernoulli(0.5)) send({ op: "bootstrap", traffic: Array.from({ length: 3 + r.int(15) }, () => ({ num_req: 1 + r.int(2000), isl: 100 + r.int(12000), osl: 10 + r.int(1000) })) });
  let tick: StepTick = init.next_tick;
  let readyP = 1 + r.int(3);
  let readyD = 1 + r.int(3);
  let firstEmptyWindow = Infinity;
  const ticks = 20 + r.int(30);
  for (let k = 0; k < ticks; k++) {
    if (r.bernoulli(0.3)) readyP = Math.min(8, Math.max(1, readyP + (r.bernoulli(0.5) ? 1 : -1)));
    if (r.bernoulli(0.3)) readyD = Math.min(8, Math.max(1, readyD + (r.bernoulli(0.5) ? 1 : -1)));
    const workers = (n: number, kind: "prefill" | "decode" | "agg", tag: string) => {
      const m = r.bernoulli(0.04) ? n + (r.bernoulli(0.5) ? 1 : -1) : n;
      return Array.from({ length: Math.max(0, m) }, (_, i) => fpmOf(r, kind, `${tag}${i}`, truth, mbt));
    };
    const fpm = tick.need_worker_fpm && !r.bernoulli(0.03)
      ? mode === "agg" ? { prefill: null, decode: workers(readyD, "agg", "a") } : { prefill: r.bernoulli(0.05) ? [] : workers(readyP, "prefill", "p"), decode: r.bernoulli(0.05) ? [] : workers(readyD, "decode", "d") }
      : null;
    let traffic = null;
    if (tick.need_traffic_metrics) {
      const empty = r.bernoulli(0.04);
      if (empty && firstEmptyWindow === Infinity) firstEmptyWindow = requests.length;
      const hit = r.random();
      traffic = {
        duration_s: tick.traffic_metrics_duration_s,
        num_req: empty ? 0 : 1 + r.int(3000),
        isl: empty ? 0 : 100 + r.int(12000),
        osl: empty ? 0 : 10 + r.int(1000),
        kv_hit_rate: hit < 0.2 ? null : hit < 0.3 ? ("NaN" as const) : r.uniform(-0.1, 1.1),
      };
    }
    const expectedOff = r.bernoulli(0.1);
    const reply = send({
      op: "tick",
      tick,
      input: {
        now_s: tick.at_s,
        traffic,
        worker_counts: mode === "agg"
          ? { ready_num_decode: readyD, expected_num_decode: expectedOff ? readyD + 1 : readyD }
          : { ready_num_prefill: readyP, ready_num_decode: readyD, expected_num_prefill: readyP, expected_num_decode: expectedOff ? readyD + 1 : readyD },
        fpm_observations: fpm,
      },
    });
    if (!("next_tick" in reply)) throw new Error(`scenario ${id}: SDK tick failed: ${JSON.stringify(reply)}`);
    tick = reply.next_tick;
  }
  return { id, mode, target, load, thpt, predictor, minEndpoint: config.min_endpoint as number, budget: config.max_gpu_budget as number, gpus: { prefill: pg, decode: dg }, requests, sdk, firstEmptyWindow };
}

const NUMBER_FIELDS = ["estimated_ttft_ms", "estimated_itl_ms", "predicted_num_req", "predicted_isl", "predicted_osl", "predicted_kv_hit_rate", "engine_rps_prefill", "engine_rps_decode", "throughput_lower_bound_prefill", "throughput_lower_bound_decode"] as const;
const REASON_FIELDS = ["load_decision_reason", "throughput_decision_reason", "load_decision_reason_prefill", "load_decision_reason_decode", "throughput_decision_reason_prefill", "throughput_decision_reason_decode"] as const;

const close = (a: unknown, b: unknown) => {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a !== "number" || typeof b !== "number") return a === b;
  return a === b || Math.abs(a - b) <= REL * Math.max(Math.abs(a), Math.abs(b));
};

/** The fields of one reply pair that differ, by group. A scale_to equal to the current counts is a no-op and compares equal to none. */
function differences(s: StepReply, p: StepReply, cur: { num_prefill: number; num_decode: number }): { group: "error" | "decision" | "schedule" | "reason" | "number"; field: string; sdk: unknown; peer: unknown }[] {
  if ("error" in s || "error" in p) return "error" in s && "error" in p ? [] : [{ group: "error", field: "error", sdk: (s as { error?: string }).error ?? null, peer: (p as { error?: string }).error ?? null }];
  if (s.op !== "tick" || p.op !== "tick") return [];
  const out: ReturnType<typeof differences> = [];
  const eff = (x: { num_prefill: number | null; num_decode: number | null } | null) => ({ num_prefill: x?.num_prefill ?? cur.num_prefill, num_decode: x?.num_decode ?? cur.num_decode });
  const st = eff(s.scale_to), pt = eff(p.scale_to);
  if (JSON.stringify(st) !== JSON.stringify(pt)) out.push({ group: "decision", field: "scale_to", sdk: st, peer: pt });
  for (const k of Object.keys(s.next_tick) as (keyof StepTick)[]) if (!close(s.next_tick[k], p.next_tick[k])) out.push({ group: "schedule", field: `next_tick.${k}`, sdk: s.next_tick[k], peer: p.next_tick[k] });
  for (const k of REASON_FIELDS) if (s.diagnostics[k] !== p.diagnostics[k]) out.push({ group: "reason", field: k, sdk: s.diagnostics[k], peer: p.diagnostics[k] });
  for (const k of NUMBER_FIELDS) if (!close(s.diagnostics[k], p.diagnostics[k])) out.push({ group: "number", field: k, sdk: s.diagnostics[k], peer: p.diagnostics[k] });
  return out;
}

const CAUSE = {
  emptyWindow: "SDK deviation: a traffic window with no completions feeds no ISL/OSL/hit rate and counts toward nan_scaledown_threshold (planner/README, dynamo.md §8.1)",
  floorsOnNoChange: "SDK applies min_endpoint and the GPU budget to the current count on a tick with no estimate or no change (planner/README, §8.2); Dynamo returns no decision there",
  prefillSlaFloor: "ai-dynamo 1.2.x raises the prefill throughput replicas to ceil(single-engine TTFT / SLA) when one engine cannot meet the TTFT SLA (1.6.1, dynamo.md §3.6 and the SDK only warn), and the higher floor carries into later load decisions",
  emptyPredictor: "a predictor with no data: Dynamo forecasts 0, the SDK reports none (the same discount: clamp(None) = 0)",
  negativeForecast: "a forecast OSL ≤ 0 (Kalman trend): the SDK stops at no_traffic_data without reporting the forecast; Dynamo records it, then its rate search returns 0 (model_not_ready) — no decision either way",
  balanceBound: "agg balance bound: ai-dynamo 1.2.1's code tests eff_isl/(MBT − x) ≤ osl (x ≤ MBT − eff_isl/osl), the SDK the derivation x ≤ osl·MBT/(eff_isl + osl) of dynamo.md §3.6 (157.2 on PR #8280's workload); the SDK's sweep ended at its lower cap without an SLA miss",
} as const;

type Diff = ReturnType<typeof differences>[number];
const current = (sc: Scenario, i: number) => {
  const wc = req(sc, i).input.worker_counts ?? {};
  return { num_prefill: wc.ready_num_prefill ?? 0, num_decode: wc.ready_num_decode ?? 0 };
};
const req = (sc: Scenario, i: number) => sc.requests[i] as Extract<StepRequest, { op: "tick" }>;

/** Re-run the SDK to tick i: did its agg sweep stop at its balance cap (no SLA miss) below Dynamo's code's cap? */
function cappedByBalance(sc: Scenario, i: number): boolean {
  const session = new PlannerStepSession();
  for (let k = 0; k <= i; k++) session.handle(JSON.parse(JSON.stringify(sc.requests[k])) as StepRequest);
  const sm = session.machine!;
  const d = (sc.sdk[i] as Extract<StepReply, { op: "tick"; diagnostics: unknown }>).diagnostics;
  const caps = sm.config.decode_capabilities!;
  const c = { maxNumBatchedTokens: caps.max_num_batched_tokens, maxNumSeqs: caps.max_num_seqs, maxKvTokens: caps.max_kv_tokens };
  const isl = d.predicted_isl!, osl = d.predicted_osl!;
  const r = sm.aggModel.findBestEngineRps(isl, osl, sm.config.ttft, sm.config.itl, c, d.predicted_kv_hit_rate);
  const sdkCap = aggMaxBatch(isl, osl, c, d.predicted_kv_hit_rate);
  const effIsl = isl * (1 - Math.min(0.95, Math.max(0, d.predicted_kv_hit_rate ?? 0)));
  const hardCap = Math.min(sdkCap.kvCap, sdkCap.seqCap, c.maxNumBatchedTokens - 1);
  const dynamoCap = Math.max(1, Math.min(hardCap, Math.floor(c.maxNumBatchedTokens - effIsl / osl)));
  return r !== undefined && r.batch === sdkCap.maxBatch && dynamoCap > sdkCap.maxBatch;
}

/**
 * The documented cause of each differing field of a tick (undefined: unexplained). `state` carries
 * what earlier ticks showed: a throughput floor that already diverged explains later prefill decisions.
 */
function explain(sc: Scenario, i: number, diffs: readonly Diff[], state: { floorDiverged: boolean }): string[] | undefined {
  if (i >= sc.firstEmptyWindow) return [CAUSE.emptyWindow];
  const cur = current(sc, i);
  const overBudget = sc.budget >= 0 && (sc.mode === "agg" ? cur.num_decode * sc.gpus.decode : cur.num_prefill * sc.gpus.prefill + cur.num_decode * sc.gpus.decode) > sc.budget;
  const negativeOsl = diffs.some((d) => d.field === "predicted_osl" && typeof d.peer === "number" && d.peer <= 0);
  const out = new Set<string>();
  // A floor that diverges at this very tick explains this tick's prefill decision too, whatever the order of the diffs.
  if (diffs.some((d) => d.field === "throughput_lower_bound_prefill" && typeof d.sdk === "number" && typeof d.peer === "number" && d.peer > d.sdk)) state.floorDiverged = true;
  for (const d of diffs) {
    let c: string | undefined;
    if (d.field === "predicted_kv_hit_rate" && d.sdk === null && d.peer === 0) c = CAUSE.emptyPredictor;
    else if ((d.field.startsWith("predicted_") || d.field.startsWith("engine_rps_")) && d.sdk === null && negativeOsl) c = CAUSE.negativeForecast;
    else if (d.field === "throughput_lower_bound_prefill" && typeof d.sdk === "number" && typeof d.peer === "number" && d.peer > d.sdk) {
      c = CAUSE.prefillSlaFloor;
      state.floorDiverged = true;
    } else if (d.group === "decision") {
      const x = d.sdk as Record<"num_prefill" | "num_decode", number>, y = d.peer as Record<"num_prefill" | "num_decode", number>;
      const keys = (["num_prefill", "num_decode"] as const).filter((k) => x[k] !== y[k]);
      if (keys.every((k) => y[k] === cur[k] && ((x[k] === sc.minEndpoint && x[k] > cur[k]) || (overBudget && x[k] < cur[k])))) c = CAUSE.floorsOnNoChange;
      else if (state.floorDiverged && keys.every((k) => k === "num_prefill" && y[k] > x[k])) c = CAUSE.prefillSlaFloor;
    }
    else if (d.field.startsWith("engine_rps_") && sc.mode === "agg" && typeof d.peer === "number" && cappedByBalance(sc, i)) c = CAUSE.balanceBound;
    if (!c) return undefined;
    out.add(c);
  }
  return [...out];
}

test(`planner differential: ${SCENARIOS} seeded scenarios, SDK vs ai-dynamo ${PEER_VERSIONS.aiDynamoPlanner}'s PlannerStateMachine`, { timeout: 30 * 60_000 }, (t) => {
  const python = process.env.ACTLAB_PLANNER_PEER_PYTHON ?? dynamoPython();
  if (!python) return t.skip("the Dynamo planner core is not installed; run: actlab peers install");
  const scenarios = Array.from({ length: SCENARIOS }, (_, i) => makeScenario(i));
  const lines = scenarios.flatMap((s) => s.requests.map((q) => JSON.stringify(q)));
  const peer = runPlannerPeer(lines, python) as StepReply[];
  let at = 0;
  type Row = { scenarios: number; ticks: number; agree: number; explained: number; unexplained: number; reasonsEqual: number };
  const table = new Map<string, Row>();
  const causes = new Map<string, number>();
  const reasonSigs = new Map<string, number>();
  const unexplained: string[] = [];
  for (const sc of scenarios) {
    const key = `${sc.mode}/${sc.target}/${sc.load && sc.thpt ? "both" : sc.load ? "load" : "throughput"}`;
    const row = table.get(key) ?? { scenarios: 0, ticks: 0, agree: 0, explained: 0, unexplained: 0, reasonsEqual: 0 };
    row.scenarios++;
    const state = { floorDiverged: false };
    for (let i = 0; i < sc.requests.length; i++, at++) {
      const pr = peer[at]!;
      if (sc.requests[i]!.op !== "tick") {
        if ("error" in pr) unexplained.push(`scenario ${sc.id} request ${i} (${sc.requests[i]!.op}): peer error ${pr.error}`);
        continue;
      }
      row.ticks++;
      const all = differences(sc.sdk[i]!, pr, current(sc, i));
      const reasons = all.filter((d) => d.group === "reason");
      if (reasons.length === 0) row.reasonsEqual++;
      for (const d of reasons) reasonSigs.set(`${sc.mode} ${d.field}: sdk ${JSON.stringify(d.sdk)} / dynamo ${JSON.stringify(d.peer)}`, (reasonSigs.get(`${sc.mode} ${d.field}: sdk ${JSON.stringify(d.sdk)} / dynamo ${JSON.stringify(d.peer)}`) ?? 0) + 1);
      const diffs = all.filter((d) => d.group !== "reason");
      if (diffs.length === 0) {
        row.agree++;
        continue;
      }
      const cause = explain(sc, i, diffs, state);
      if (cause) {
        row.explained++;
        for (const c of cause) causes.set(c, (causes.get(c) ?? 0) + 1);
      } else {
        row.unexplained++;
        if (unexplained.length < 40) unexplained.push(`scenario ${sc.id} (${key}, ${sc.predictor}) request ${i} t=${req(sc, i).tick.at_s}: ${diffs.map((d) => `${d.field} sdk=${JSON.stringify(d.sdk)} peer=${JSON.stringify(d.peer)}`).join("; ")}`);
      }
    }
    table.set(key, row);
  }
  const rows = [...table.entries()].sort(([a], [b]) => a.localeCompare(b));
  const zero: Row = { scenarios: 0, ticks: 0, agree: 0, explained: 0, unexplained: 0, reasonsEqual: 0 };
  const total = rows.reduce((s, [, r]) => ({ scenarios: s.scenarios + r.scenarios, ticks: s.ticks + r.ticks, agree: s.agree + r.agree, explained: s.explained + r.explained, unexplained: s.unexplained + r.unexplained, reasonsEqual: s.reasonsEqual + r.reasonsEqual }), zero);
  const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : "–");
  const fmt = (k: string, r: Row) => `${k.padEnd(26)} ${String(r.scenarios).padStart(9)} ${String(r.ticks).padStart(7)} ${String(r.agree).padStart(7)} ${pct(r.agree, r.ticks).padStart(7)} ${String(r.explained).padStart(9)} ${String(r.unexplained).padStart(11)} ${pct(r.reasonsEqual, r.ticks).padStart(13)}`;
  const out = [
    `\nplanner differential — SDK vs ai-dynamo ${PEER_VERSIONS.aiDynamoPlanner} PlannerStateMachine, ${SCENARIOS} seeded scenarios`,
    `agree = scale_to, next tick and every number (estimates, predictions, engine rps, floors; ${REL} relative) equal on the tick`,
    `${"mode/target/scaling".padEnd(26)} scenarios   ticks   agree   agree% explained unexplained reasons-equal`,
    ...rows.map(([k, r]) => fmt(k, r)),
    fmt("total", total),
    ...[...causes].map(([c, n]) => `  explained, ${n} ticks: ${c}`),
    `  reason labels that differ (diagnostics only, not decisions; top 10):`,
    ...[...reasonSigs].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, n]) => `    ${String(n).padStart(6)}  ${k}`),
    ...unexplained.slice(0, 15).map((u) => `  UNEXPLAINED ${u}`),
  ];
  console.log(out.join("\n"));
  assert.ok(total.ticks > SCENARIOS * 15, "the scenarios ran their ticks");
  assert.ok(total.agree > total.ticks / 2, `most ticks agree exactly (${total.agree}/${total.ticks})`);
  assert.deepEqual(unexplained, [], `${total.unexplained} unexplained disagreements`);
});
