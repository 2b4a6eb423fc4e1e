import { test } from "node:test";
import assert from "node:assert/strict";
import { rng } from "../sdk/core/rng.js";
import {
  getProfile, listProfiles, sampleStep, actuationDelayMs, actuationTimeline, modelMemory, wakeFloorMs, STEP_NAMES,
} from "../sdk/actuation/profiles.js";

test("profiles: 8b-h100 and 32b-h100 exist, state a model size and their assumptions", () => {
  const names = listProfiles();
  for (const n of ["8b-h100", "32b-h100"]) {
    assert.ok(names.includes(n), n);
    const p = getProfile(n);
    assert.ok(p.model.weightBytes > 1e9);
    assert.ok(p.assumptions.length > 0);
    for (const s of STEP_NAMES) assert.equal(typeof p.steps[s].assumption, "boolean", `${n}.${s}`);
  }
  assert.throws(() => getProfile("nope"), /known: /);
});

test("profiles: a wake never beats its physical floor (weights / host→device bandwidth)", () => {
  for (const n of listProfiles()) {
    const p = getProfile(n);
    // Even a profile edited to an absurdly fast wake stays on the floor.
    p.steps.wake.dist = { kind: "fixed", ms: 1 };
    const r = rng(3);
    for (let i = 0; i < 200; i++) assert.ok(sampleStep(p, "wake", r) >= Math.floor(wakeFloorMs(p)));
  }
  assert.ok(Math.abs(wakeFloorMs(getProfile("32b-h100")) - 1197) < 5); // fma.md §9: 1.20 s
  assert.ok(Math.abs(wakeFloorMs(getProfile("8b-h100")) - 294) < 5); // 0.29 s
});

test("profiles: 32b-h100 means land near the published Qwen3-32B/H100 figures (fma.md §7)", () => {
  const p = getProfile("32b-h100");
  const mean = (path: "hot" | "warm" | "cold", opts = {}) => {
    const r = rng(7);
    let s = 0;
    for (let i = 0; i < 500; i++) s += actuationDelayMs(p, path, r, opts);
    return s / 500 / 1000;
  };
  const hot = mean("hot"), warm = mean("warm"), cold = mean("cold", { imageCached: false });
  assert.ok(hot > 3 && hot < 8, `hot ${hot}`); // published 4.7 / 6.7
  assert.ok(warm > 95 && warm < 125, `warm ${warm}`); // published 108 / 118.3
  assert.ok(cold > 155 && cold < 200, `cold ${cold}`); // published 183 / 174.7
  assert.ok(hot < warm && warm < mean("cold_launcher" as "warm") + 1);
});

test("profiles: timelines are ordered, seeded and deterministic", () => {
  const p = getProfile("8b-h100");
  for (const [path, mode] of [["hot", "launcher"], ["warm", "launcher"], ["cold_launcher", "launcher"], ["cold", "direct"], ["hot", "direct"]] as const) {
    const a = actuationTimeline(p, path, rng(11), { mode, instancesDeleted: path === "warm" ? 2 : 0 });
    const b = actuationTimeline(p, path, rng(11), { mode, instancesDeleted: path === "warm" ? 2 : 0 });
    assert.deepEqual(a, b);
    assert.ok(a.requesterScheduled <= a.containerStarted && a.containerStarted <= a.decided);
    assert.ok(a.relayStart <= a.relayEnd && a.relayEnd <= a.requesterReady);
    // Ready lands on a probe tick of the requester's readiness probe.
    const k = (a.requesterReady - a.containerStarted - p.requesterProbe.initialDelayMs) / p.requesterProbe.periodMs;
    assert.equal(k, Math.round(k));
    if (a.wakeStart !== undefined) assert.ok(a.wakeEnd! - a.wakeStart >= Math.floor(wakeFloorMs(p)));
    if (path === "cold_launcher") assert.ok(a.providerCreated! < a.providerReady! && a.providerReady! < a.instanceCreateStart!);
  }
  const r = rng(5);
  const noDel = actuationTimeline(p, "warm", rng(5), {}).instanceCreateStart! - actuationTimeline(p, "warm", rng(5), {}).decided;
  const del = actuationTimeline(p, "warm", r, { instancesDeleted: 3 });
  assert.ok(del.instanceCreateStart! - del.decided > noDel);
});

test("profiles: modelMemory bounds a sleep pool by GPU memory", () => {
  const m8 = modelMemory(getProfile("8b-h100"));
  const m32 = modelMemory(getProfile("32b-h100"));
  assert.ok(m8.maxSleepersPerGpu > m32.maxSleepersPerGpu);
  assert.ok(m32.maxSleepersPerGpu >= 1);
  assert.equal(m8.sleepingHostBytes, 16.1e9);
  assert.ok(m8.awakeUtilization(2) < m8.awakeUtilization(0));
});
