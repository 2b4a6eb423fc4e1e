// Planner in the loop, side by side (issue 15 item 3): the same Mooncake slice and the same load-scaling
// planner configuration through ai-dynamo 1.2.1's planner replay (its mocker fleet + its planner) and
// through ours (sdk/planner runPlannerReplay: our replay + our re-implemented planner), agg, round-robin,
// replicas ready at once (Dynamo's startup_time 0). Not PR #8280's throughput configuration: without AIC
// (NVIDIA's index only) 1.2.1 bootstraps no throughput regression and falls back to load scaling (it says
// so), so load scaling is what both can run. `pre_deployment_sweeping_mode: "none"` (Dynamo's own key:
// no sweep, load scaling only) makes that explicit on our side too: 1.2.1's replay bootstraps no
// regression without AIC, and our default "rapid" sweep of the step-time model would seed ours with
// points Dynamo never sees (the bucketed 64-sample window keeps some of them: on the first tick's FPM,
// without the hit-rate discount of d below, TTFT 4258 ms with the sweep, 4299 without, Dynamo 4304).
//
// Two comparisons, both printed per tick:
//  1. Open loop — our planner state machine fed Dynamo's own per-tick planner inputs (the harness records
//     each TickInput 1.2.1's replay adapter built, and the forward passes it fed straight to the
//     regression, in the step protocol of sdk/planner/step.ts). This isolates planner semantics from the
//     replay. Measured: the TTFT and ITL estimates agree at every one of the 32 ticks (≤ 1e-14 relative),
//     and so do the decisions and the load reasons at every tick, including the 12 where 1.2.1 answers
//     `scale_down_refused_consolidation` (≥ 1.2 re-predicts each engine's latency at N/(N−1) of its
//     backlog and refuses a scale-down the survivors could not absorb; sdk/planner/consolidation.ts is our
//     port). Before that port our planner used the all-estimates-below-0.8×SLA rule of dynamo.md §3.5
//     (the rule of the c388483ae source it was written from) and scaled 2→1 or 3→2 at 6 of those ticks
//     (49.6, 74.4, 89.4, 124.2, 134.2, 144.1 s), reporting no_change at the 6 others. 1.6.1 keeps the
//     consolidation check (its load estimates come from the AISimulate perf model, not this regression,
//     and it is not installable here). The assertions hold all of this.
//  2. Closed loop — each planner steering its own replay. Measured: 12 scaling events (6 up / 6 down) for
//     ours against 14 (7 / 7), time-weighted mean replicas 1.76 vs 1.89 over the first 157 s, the same
//     count 62.8% of the time, peak 3 on both, mean TTFT 1.42 s vs 1.40 s, the first three events the
//     same (before the round-robin fix of b: 68.8% the same, 1.43 s, only the first event the same; before
//     the consolidation port too: 14 events, 50.8%, peak 4 vs 3, 4.0 s vs 1.4 s). The engines are not the cause: over
//     the first interval both fleets run the same 83 passes (same batch composition, pass times within
//     5e-8 relative). The causes, in the order they first bite:
//     a. Tick timing (1.2.1's adapter, changed in 1.6.1). 1.2.1 takes the tick's now from the bridge's
//        clock after advance_to(at), which stops at the last replay event at or before `at` (it does not
//        advance through an idle gap), and the state machine schedules the next tick at now + 5 s. So each
//        tick lands up to one pass early (0–0.18 s here: the pass in flight, a prefill chunk is 0.18–0.2 s)
//        and the shortfall accumulates: 4.82, 9.82, 14.82, 19.81, 24.74, 29.65 … 149.14 s (0.87 s by the
//        32nd tick). 1.6.1's adapter uses the scheduled time ("keep planner cadence on the scheduled
//        replay clock"), as our replay does: ticks at 5, 10, 15 … s. 1.2.1's snapshots also hold the pass
//        in flight at now (84 passes at the first tick, their times summing to 5.007 s; ours the 83
//        completed by 5 s). Asserted below from the recorded schedule (at_k+1 = now_k + 5,
//        0 ≤ at_k − now_k < 0.25 s).
//     b. Round-robin phase after a scale event — found here and fixed in our replay (sdk/replay/router.ts).
//        Dynamo's mocker keeps a cursor, index = next % n then next = index + 1, also while n = 1, so after
//        1→2 the first request goes to the new worker; ours counted `rr++ % n` only while n > 1, so it went
//        to the old one. At 6 s Dynamo sent request #26 (ISL 1053, OSL 26) and #28 (7238/11) to the new
//        worker, ours #27 (5710/745); ours' new worker then ran ~480 decode-only passes before the second
//        tick against Dynamo's 50, the 64-pass window averaged 1661 piggybacked prefill tokens per pass
//        against 2921, and the agg ITL estimates were [57.5, 42.5] ms against [83.8, 68.8]: no 2→3 at 10 s
//        (the earlier note's 55.2 vs 83.8 ms). With the cursor, ours makes Dynamo's first three decisions
//        (5: 1→2, 10: 2→3, 15: 3→2, asserted below; second-tick ITL estimate 76.0 against 83.8, the rest
//        being the window: ours ticks 0.18 s later). At 20 s Dynamo (tick at 19.81 s) goes 2→1 where ours
//        refuses on consolidation: from there a and c part the fleets.
//     c. Arrivals every 3 s meet the 15 s tick multiples. Our replay routes arrivals at t before a tick at
//        t ("up to and including t"), so at 30 s the whole 30 s batch lands on the one worker before the
//        1→2 scale-up; Dynamo's tick (29.65 s, cause a) scales first and spreads the batch over two. With
//        ticks moved 1 ms early and the cursor rule (the same experiment, run before the consolidation
//        port), ours made Dynamo's first seven decisions (…, 30: 1→2, 35: 2→3, 45: 3→2) and then scaled
//        2→1 at 50 s where Dynamo refuses on consolidation until 59.6 s (the refusal ours now makes too).
//     d. KV hit rate under round-robin (our replay, sdk/replay/simulator.ts): Dynamo's round-robin records
//        no admission overlap, so its traffic windows carry kv_hit_rate 0 (dynamo.md §2.7); ours measures
//        the engine's prefix-cache overlap for every router (5–17% on this slice), and our planner
//        discounts prefill work by it: the closed-loop TTFT estimate at the first tick is 4070 ms, 4299
//        with the rate forced to 0 (Dynamo 4304). No decision on this slice changes with it forced to 0
//        (checked the same way).
//     From there the fleets differ and so does every later routing phase. a and c are replay
//     behaviour (1.2.1's adapter; ours follows 1.6.1); d is a difference of measurement we keep (the
//     engine's prefix-cache overlap is real under any router); b was a fidelity gap of our replay, fixed. The closed-loop assertions keep the
//     agreement measured (mean replicas within 15%, event counts within 30%, same count ≥ 55%, mean TTFT
//     within 25%) so a regression on either side shows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadMooncake } from "../sdk/trace/mooncake.js";
import { runPlannerReplay } from "../sdk/planner/run.js";
import { PlannerStepSession, type StepReply } from "../sdk/planner/step.js";
import { PEER_VERSIONS } from "../sdk/peers/install.js";
import { dynamoPlannerReplayAvailable, runDynamoPlannerReplay } from "../sdk/peers/planner-replay-peer.js";
import { TRACE } from "./peers-replay-configs.js";

const N = 400;
const CONFIG = { mode: "agg", optimization_target: "sla", ttft: 2500, itl: 50, enable_throughput_scaling: false, enable_load_scaling: true, load_adjustment_interval: 5, max_gpu_budget: 16, min_endpoint: 1, pre_deployment_sweeping_mode: "none" };
const available = dynamoPlannerReplayAvailable();

/** Replica count at time t (s) from a start count and time-ordered events. */
const countAt = (events: { t: number; to: number }[], t: number) => events.filter((e) => e.t <= t).at(-1)?.to ?? 1;
const REASON: Record<string, string> = { scale_up: "up", scale_down: "down", no_change: "hold", scale_down_refused_consolidation: "refused", insufficient_data: "no data", scaling_in_progress: "in flight" };
const short = (r: string | null | undefined) => (r ? REASON[r] ?? r : "—");
const ms = (v: number | null | undefined) => (v === null || v === undefined ? "—" : v.toFixed(1));
const rel = (a: number | null, b: number | null) => (a === null || b === null ? (a === b ? 0 : Infinity) : Math.abs(a - b) / Math.max(1e-12, Math.abs(b)));

test(`planner in the loop: load-scaling decision timelines, SDK vs ai-dynamo ${PEER_VERSIONS.aiDynamoPlanner} planner replay`, { skip: available ? false : "ai-dynamo 1.2.1's planner replay is not installed (or lacks plotly/prometheus-api-client); run: actlab peers install --force", timeout: 10 * 60_000 }, (t) => {
  const requests = loadMooncake(TRACE).requests.slice(0, N);
  const dir = mkdtempSync(join(tmpdir(), "actlab-planner-loop-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "trace.jsonl");
  writeFileSync(file, requests.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const theirs = runDynamoPlannerReplay(file, CONFIG, { record: true });
  const ours = runPlannerReplay(requests, { ...CONFIG, actuation: { startup_time: 0 } }, { seed: 1, router: "round-robin" });
  const log = theirs.tickLog!;
  assert.equal(log.length, theirs.ticks);

  // 1. Open loop: our state machine on Dynamo's own tick inputs (step protocol; the adapter's extra
  //    regression passes go in as agg FPMs, which is what the SDK's bootstrap does with them).
  const session = new PlannerStepSession();
  const init = session.handle({ op: "init", config: CONFIG, capabilities: theirs.capabilities!, start_s: 0 });
  assert.ok(!("error" in init), JSON.stringify(init));
  type Open = { reply: Extract<StepReply, { op: "tick"; diagnostics: unknown }>; agree: boolean };
  const open: Open[] = [];
  for (const k of log) {
    if (k.feed.agg.length) assert.deepEqual(session.handle({ op: "bootstrap", agg_fpms: k.feed.agg }), { op: "bootstrap", ok: true });
    const reply = session.handle({ op: "tick", tick: k.tick, input: k.input });
    assert.ok(!("error" in reply) && "diagnostics" in reply, JSON.stringify(reply));
    const mine = reply.scale_to?.num_decode ?? null, dyn = k.reply.scale_to?.num_decode ?? null;
    open.push({ reply, agree: mine === dyn });
  }

  // 2. Closed loop.
  const dEv = theirs.events.map((e) => ({ t: e.t, to: e.to, from: e.from, reason: e.reason }));
  const sEv = ours.controller.events.filter((e) => e.applied).map((e) => ({ t: e.t, to: e.to, from: e.from, reason: e.direction }));
  const end = Math.min(Number(theirs.summary.duration_ms), ours.summary.durationMs) / 1000;
  // Time-weighted on a 0.1 s grid over the span both ran.
  let same = 0, sumD = 0, sumS = 0, maxDiff = 0, n = 0;
  for (let x = 0; x < end; x += 0.1, n++) {
    const d = countAt(dEv, x), s = countAt(sEv, x);
    sumD += d; sumS += s;
    if (d === s) same++;
    maxDiff = Math.max(maxDiff, Math.abs(d - s));
  }
  const snaps = ours.controller.snapshots;
  const early = log.map((k) => k.tick.at_s - k.input.now_s);
  const openAgree = open.filter((o) => o.agree).length;
  const refusals = log.filter((k) => k.reply.diagnostics.load_decision_reason === "scale_down_refused_consolidation").length;
  const labelOnly = open.filter((o, i) => o.agree && o.reply.diagnostics.load_decision_reason !== log[i]!.reply.diagnostics.load_decision_reason).length;
  const per = (xs: number[] | undefined) => (xs?.length ? xs.map((v) => v.toFixed(1)).join("/") : "—");
  const dec = (to: number | null | undefined, from: number) => (to === null || to === undefined ? "" : `${from}→${to}`);

  const lines = [`\nplanner in the loop — ${N} requests of ${TRACE}, agg, round-robin, load scaling every 5 s (ttft 2500 / itl 50 ms), ready at once, no pre-deployment sweep; SDK vs ai-dynamo ${PEER_VERSIONS.aiDynamoPlanner}`,
    `  ${"".padEnd(34)} ${"SDK".padStart(10)} ${"dynamo".padStart(10)}`,
    `  ${"completed requests".padEnd(34)} ${String(ours.summary.completed).padStart(10)} ${String(theirs.summary.completed_requests).padStart(10)}`,
    `  ${"duration s".padEnd(34)} ${(ours.summary.durationMs / 1000).toFixed(1).padStart(10)} ${(Number(theirs.summary.duration_ms) / 1000).toFixed(1).padStart(10)}`,
    `  ${"mean TTFT ms".padEnd(34)} ${(ours.summary.ttftMeanMs ?? NaN).toFixed(0).padStart(10)} ${Number(theirs.summary.mean_ttft_ms).toFixed(0).padStart(10)}`,
    `  ${"planner ticks".padEnd(34)} ${String(ours.summary.plannerTicks).padStart(10)} ${String(theirs.ticks).padStart(10)}`,
    `  ${"scaling events (up / down)".padEnd(34)} ${`${sEv.length} (${sEv.filter((e) => e.to > e.from).length}/${sEv.filter((e) => e.to < e.from).length})`.padStart(10)} ${`${dEv.length} (${dEv.filter((e) => e.to > e.from).length}/${dEv.filter((e) => e.to < e.from).length})`.padStart(10)}`,
    `  ${`time-weighted mean replicas (0–${end.toFixed(0)} s)`.padEnd(34)} ${(sumS / n).toFixed(2).padStart(10)} ${(sumD / n).toFixed(2).padStart(10)}`,
    `  ${"peak replicas".padEnd(34)} ${String(Math.max(1, ...sEv.map((e) => e.to))).padStart(10)} ${String(Math.max(1, ...dEv.map((e) => e.to))).padStart(10)}`,
    `  share of time with the same count: ${(100 * same / n).toFixed(1)}%, largest difference ${maxDiff}`,
    `  timelines (t s: from→to):`,
    `    SDK:    ${sEv.map((e) => `${e.t.toFixed(1)}: ${e.from}→${e.to}`).join(", ")}`,
    `    dynamo: ${dEv.map((e) => `${e.t.toFixed(1)}: ${e.from}→${e.to}`).join(", ")}`,
    `  open loop (our planner on dynamo's tick inputs): ${openAgree}/${log.length} decisions agree (dynamo refuses a scale-down on consolidation at ${refusals} ticks); ${labelOnly} more differ in the reason label only; estimates ≤ ${Math.max(...open.map((o, i) => Math.max(rel(o.reply.diagnostics.estimated_ttft_ms, log[i]!.reply.diagnostics.estimated_ttft_ms), rel(o.reply.diagnostics.estimated_itl_ms, log[i]!.reply.diagnostics.estimated_itl_ms)))).toExponential(1)} relative apart`,
    `  dynamo's ticks land ${Math.min(...early).toFixed(3)}–${Math.max(...early).toFixed(3)} s before their scheduled time (its adapter's now is the bridge clock; next = now + 5 s), so tick ${log.length} is at ${log.at(-1)!.input.now_s.toFixed(2)} s, ${(CONFIG.load_adjustment_interval * log.length - log.at(-1)!.input.now_s).toFixed(2)} s behind the 5 s grid; ours tick on the grid`,
    `  per tick — dynamo 1.2.1 closed loop (scheduled → now, ready, per-engine TTFT | ITL estimates ms, reason, decision) · our planner on the same input · our closed loop (t, ready, max TTFT | ITL, reason, decision):`];
  for (let i = 0; i < Math.max(log.length, snaps.length); i++) {
    const k = log[i], o = open[i], s = snaps[i];
    const dn = k?.input.worker_counts?.ready_num_decode ?? 0;
    const dyn = k ? `${k.tick.at_s.toFixed(2).padStart(6)}→${k.input.now_s.toFixed(2).padStart(6)} ${dn} ${per(k.reply.estimates["agg TTFT"]).padStart(22)} | ${per(k.reply.estimates["agg ITL"]).padEnd(16)} ${short(k.reply.diagnostics.load_decision_reason).padEnd(8)} ${dec(k.reply.scale_to?.num_decode, dn).padEnd(4)}` : "".padEnd(80);
    const op = o ? `${short(o.reply.diagnostics.load_decision_reason).padEnd(8)} ${dec(o.reply.scale_to?.num_decode, dn).padEnd(4)} ${o.agree ? "=" : "≠"}` : "";
    const cl = s ? `${s.t.toFixed(1).padStart(6)} ${s.readyDecode} ${ms(s.estimatedTtftMs).padStart(7)} | ${ms(s.estimatedItlMs).padEnd(5)} ${short(s.loadReason).padEnd(8)} ${dec(s.scaleToDecode, s.readyDecode)}` : "";
    lines.push(`    ${String(i + 1).padStart(2)} ${dyn} · ${op.padEnd(24)} · ${cl}`);
  }
  console.log(lines.join("\n"));

  // Both complete and act within bounds.
  assert.equal(ours.summary.completed, N);
  assert.equal(theirs.summary.completed_requests, N);
  assert.ok(sEv.length > 0 && dEv.length > 0, "both planners act on this slice");
  for (const e of [...sEv, ...dEv]) assert.ok(e.to >= 1 && e.to <= 16, "within min_endpoint and the GPU budget");

  // Open loop: the same estimates, decisions and load reasons at every tick (consolidation refusals included).
  for (const [i, o] of open.entries()) {
    const d = log[i]!.reply.diagnostics, m = o.reply.diagnostics;
    assert.ok(rel(m.estimated_ttft_ms, d.estimated_ttft_ms) <= 1e-9, `tick ${i + 1}: TTFT estimate ${m.estimated_ttft_ms} vs ${d.estimated_ttft_ms}`);
    assert.ok(rel(m.estimated_itl_ms, d.estimated_itl_ms) <= 1e-9, `tick ${i + 1}: ITL estimate ${m.estimated_itl_ms} vs ${d.estimated_itl_ms}`);
    assert.ok(o.agree, `tick ${i + 1} (${log[i]!.input.now_s.toFixed(2)} s): SDK ${JSON.stringify(o.reply.scale_to)} (${m.load_decision_reason}) vs dynamo ${JSON.stringify(log[i]!.reply.scale_to)} (${d.load_decision_reason})`);
    assert.equal(m.load_decision_reason, d.load_decision_reason, `tick ${i + 1} (${log[i]!.input.now_s.toFixed(2)} s): load reason`);
  }
  assert.ok(refusals > 0, "the slice exercises the consolidation refusal");

  // Tick timing: 1.2.1's ticks are the bridge's clock (at most one pass before the scheduled time) and
  // the next is scheduled from it; ours are on the 5 s grid.
  for (const [i, k] of log.entries()) {
    assert.ok(k.input.now_s <= k.tick.at_s + 1e-9 && k.tick.at_s - k.input.now_s < 0.25, `dynamo tick ${i + 1}: scheduled ${k.tick.at_s}, now ${k.input.now_s}`);
    const expectedAt = i === 0 ? CONFIG.load_adjustment_interval : log[i - 1]!.input.now_s + CONFIG.load_adjustment_interval;
    assert.ok(Math.abs(k.tick.at_s - expectedAt) < 1e-9, `dynamo tick ${i + 1} scheduled at ${k.tick.at_s}, expected ${expectedAt}`);
  }
  for (const [i, s] of snaps.entries()) assert.ok(Math.abs(s.t - CONFIG.load_adjustment_interval * (i + 1)) < 1e-9, `SDK tick ${i + 1} at ${s.t}`);

  // Closed loop: the first tick sees the same single-worker fleet and decides the same; then the
  // replays' routing and tick timing part them (header), within the agreement measured.
  // With Dynamo's round-robin cursor (b) the first three scaling events are the same, each within one tick's
  // drift (a) of Dynamo's.
  for (let k = 0; k < 3; k++) {
    assert.deepEqual([sEv[k]!.from, sEv[k]!.to], [dEv[k]!.from, dEv[k]!.to], `scaling event ${k + 1}: SDK ${JSON.stringify(sEv[k])} vs dynamo ${JSON.stringify(dEv[k])}`);
    assert.ok(Math.abs(sEv[k]!.t - dEv[k]!.t) < 0.25, `scaling event ${k + 1} at ${sEv[k]!.t} vs ${dEv[k]!.t} s`);
  }
  assert.equal(snaps[0]!.scaleToDecode, log[0]!.reply.scale_to?.num_decode);
  assert.ok(Math.abs(sumS - sumD) / sumD <= 0.15, `time-weighted mean replicas ${(sumS / n).toFixed(2)} vs ${(sumD / n).toFixed(2)}`);
  assert.ok(Math.abs(sEv.length - dEv.length) <= 0.3 * dEv.length, `scaling events ${sEv.length} vs ${dEv.length}`);
  assert.ok(same / n >= 0.55, `same replica count ${(100 * same / n).toFixed(1)}% of the time`);
  const ttftS = ours.summary.ttftMeanMs ?? NaN, ttftD = Number(theirs.summary.mean_ttft_ms);
  assert.ok(Math.abs(ttftS - ttftD) / ttftD <= 0.25, `mean TTFT ${ttftS.toFixed(0)} vs ${ttftD.toFixed(0)} ms`);
});
