// serverClockOf reads a pod's own phase pairs into scratch arrays (no pair objects, no sort per call): pinned here to
// the allocating form it replaced (pairs sorted stably by receive time, the first at or after x) on random pods.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { serverClockOf } from "../sdk/actuation/server-clock.js";
import { POD_PHASES, type PhaseTime, type PodLifecycle, type PodPhase } from "../sdk/kube/lifecycle.js";

const PHASES: readonly PodPhase[] = ["created", "scheduled", "readyToStartContainers", "initialized", "running", "containersStarted", "containersReady", "ready"];

/** The previous implementation, verbatim in what it computes. */
function reference(pods: readonly PodLifecycle[]): (x: number, pod?: PodLifecycle) => number {
  const pairsOf = (p: PodLifecycle) => {
    if (!p.createdWhileWatching) return [];
    const out: { w: number; s: number }[] = [];
    for (const ph of PHASES) {
      const t = p.phases[ph];
      if (t.server === null || t.receivedWall === null) continue;
      out.push({ w: t.receivedWall, s: t.server % 1000 === 0 ? t.server + 500 : t.server });
    }
    return out.sort((a, b) => a.w - b.w);
  };
  const pairs = pods.flatMap(pairsOf);
  const w = pairs.map((p) => p.w), s = pairs.map((p) => p.s);
  let fit = (x: number) => x;
  if (w.length >= 2) {
    const mw = w.reduce((a, b) => a + b, 0) / w.length, ms = s.reduce((a, b) => a + b, 0) / s.length;
    let sww = 0, sws = 0;
    for (let i = 0; i < w.length; i++) { sww += (w[i]! - mw) ** 2; sws += (w[i]! - mw) * (s[i]! - ms); }
    const b = sww > 0 && sws / sww > 0 ? sws / sww : 1;
    fit = (x) => ms + b * (x - mw);
  }
  return (x, pod) => {
    const own = pod ? pairsOf(pod) : [];
    if (own.length >= 2 && x >= own[0]!.w && x <= own[own.length - 1]!.w) {
      const i = own.findIndex((q) => q.w >= x);
      const hi = own[i]!, lo = own[Math.max(0, i - 1)]!;
      const v = hi.w === lo.w ? (lo.s + hi.s) / 2 : lo.s + ((x - lo.w) / (hi.w - lo.w)) * (hi.s - lo.s);
      return Math.min(Math.max(v, Math.min(lo.s, hi.s)), Math.max(lo.s, hi.s));
    }
    const v = fit(x);
    if (own.length && x > own[own.length - 1]!.w) return Math.max(v, own[own.length - 1]!.s);
    if (own.length && x < own[0]!.w) return Math.min(v, own[0]!.s);
    return v;
  };
}

const T0 = 1_795_424_400_000;
// Few distinct values, so equal receive times (the stable order) and equal server times are common.
const time = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 8 }).map((k) => T0 + k * 1000), fc.integer({ min: 0, max: 8000 }).map((k) => T0 + k + 0.5));
const phase: fc.Arbitrary<PhaseTime> = fc.record({ server: time, receivedWall: time }).map(({ server, receivedWall }) => ({ server, event: null, receivedWall, receivedMono: null, rv: null, seq: null }));
const pod: fc.Arbitrary<PodLifecycle> = fc.record({ watching: fc.boolean(), phases: fc.array(phase, { minLength: POD_PHASES.length, maxLength: POD_PHASES.length }) }).map(({ watching, phases }) =>
  ({ createdWhileWatching: watching, phases: Object.fromEntries(POD_PHASES.map((p, i) => [p, phases[i]!])) }) as unknown as PodLifecycle);

test("serverClockOf: the same server time as the allocating form for random pods and times (own phases, the run-wide line, both sides)", () => {
  fc.assert(
    fc.property(fc.array(pod, { minLength: 1, maxLength: 6 }), fc.array(fc.tuple(fc.integer({ min: -2000, max: 10_000 }), fc.nat(6)), { minLength: 1, maxLength: 10 }), (pods, xs) => {
      const clock = serverClockOf(pods);
      const ref = reference(pods);
      for (const [dx, k] of xs) {
        const x = T0 + dx;
        const p = k < pods.length ? pods[k] : undefined;
        assert.equal(Object.is(clock(x, p), ref(x, p)) || clock(x, p) === ref(x, p), true, `x=${x} pod ${k}: ${clock(x, p)} vs ${ref(x, p)}`);
      }
    }),
    { numRuns: 3000, seed: 16 },
  );
});
