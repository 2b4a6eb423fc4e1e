// inference-perf workloads (issue 15 item 5): the same config through our reader/generator
// (sdk/trace/inference-perf.ts) and through inference-perf 0.7.0's own data generators and load
// timers (sdk/peers/inference-perf-peer.ts). Structure must be equal (requests per stage, stage
// starts, prompt list size and its cycling, groups, fixed lengths); sampled lengths and Poisson
// arrivals agree in distribution (inference-perf's timers are unseeded, our RNG is not numpy's).
// Without the peer the comparisons SKIP with the install command; the reader's own checks always run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadMooncake } from "../sdk/trace/mooncake.js";
import { inferencePerfPython, PEER_VERSIONS } from "../sdk/peers/install.js";
import { inferencePerfRequests, type InferencePerfRequest } from "../sdk/peers/inference-perf-peer.js";
import { inferencePerfTrace, parseInferencePerfConfig, readInferencePerfConfig } from "../sdk/trace/inference-perf.js";
import type { TraceRequest } from "../sdk/trace/types.js";
import { InputError } from "../sdk/core/errors.js";
import { readExperimentFile } from "../sdk/doe/experiment-file.js";
import { replayTreatment, workloadTrace } from "../sdk/doe/replay-treatment.js";

const python = inferencePerfPython();
const SKIP = python ? false : "inference-perf is not installed; run: actlab peers install";
const T = 16; // trace block size: small, so prefixes span several blocks

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const groupBy = <T, K>(xs: T[], key: (x: T) => K) => { const m = new Map<K, T[]>(); for (const x of xs) { const k = key(x); const g = m.get(k); if (g) g.push(x); else m.set(k, [x]); } return m; };
const countBy = <K>(xs: K[]) => { const m = new Map<K, number>(); for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1); return m; };
/** Stage of each of our requests, from the stage windows (start, start + duration]. */
const stageOf = (t: number, starts: number[]) => starts.findLastIndex((s) => t > s * 1000);

function ours(config: { data: unknown; load: unknown }, seed = 7): TraceRequest[] {
  return inferencePerfTrace(readInferencePerfConfig(config, "test config"), { seed, traceBlockSize: T });
}

const FIXED = {
  data: { type: "shared_prefix", shared_prefix: { num_groups: 4, num_prompts_per_group: 6, system_prompt_len: 200, question_len: 40, output_len: 25, seed: 11 } },
  load: { type: "constant", interval: 3, stages: [{ rate: 6, duration: 8 }, { rate: 12, duration: 4 }] },
};

test(`inference-perf shared_prefix, fixed lengths, constant stages: same structure as inference-perf ${PEER_VERSIONS.inferencePerf}`, { skip: SKIP, timeout: 120_000 }, () => {
  const theirs = inferencePerfRequests(FIXED, python);
  const mine = ours(FIXED);
  const starts = [0, 8 + 3];
  // Requests per stage: int(rate × duration), and each stage ends exactly at its duration.
  assert.deepEqual([...countBy(theirs.map((r) => r.stage))], [[0, 48], [1, 48]]);
  assert.deepEqual([...countBy(mine.map((r) => stageOf(r.timestamp, starts)))], [[0, 48], [1, 48]]);
  for (const [k, end] of [[0, 8], [1, 15]] as const) {
    const lastTheirs = Math.max(...theirs.filter((r) => r.stage === k).map((r) => r.t));
    const lastOurs = Math.max(...mine.filter((r) => stageOf(r.timestamp, starts) === k).map((r) => r.timestamp)) / 1000;
    assert.ok(Math.abs(lastTheirs - end) < 1e-9 && Math.abs(lastOurs - end) < 1e-6, `stage ${k} ends at ${end}: theirs ${lastTheirs}, ours ${lastOurs}`);
    assert.ok(theirs.filter((r) => r.stage === k).every((r) => r.t > starts[k]!), "no request before its stage starts");
  }
  // Lengths: system prompt + question, fixed.
  assert.deepEqual([...new Set(theirs.map((r) => `${r.input}/${r.prefix}/${r.output}`))], ["240/200/25"]);
  assert.deepEqual([...new Set(mine.map((r) => `${r.input_length}/${r.output_length}`))], ["240/25"]);
  // 24 prompts, cycled: request i and i + 24 send the same prompt; each group's prompt count is the same.
  const P = 24;
  for (let i = 0; i + P < theirs.length; i++) {
    assert.equal(theirs[i]!.prompt, theirs[i + P]!.prompt);
    assert.deepEqual(mine[i]!.hash_ids, mine[i + P]!.hash_ids);
  }
  assert.equal(new Set(theirs.map((r) => r.prompt)).size, P);
  assert.equal(new Set(mine.map((r) => r.hash_ids.join())).size, P);
  assert.deepEqual([...countBy(theirs.map((r) => r.group)).values()], [24, 24, 24, 24]);
  // Ours: a group is its shared full system-prompt blocks (200 / 16 → 12), nothing shared across groups.
  const heads = countBy(mine.map((r) => r.hash_ids.slice(0, 12).join()));
  assert.deepEqual([...heads.values()], [24, 24, 24, 24]);
  const tails = mine.map((r) => r.hash_ids.slice(12).join());
  assert.equal(new Set(tails).size, P, "the block holding the prompt's end is the prompt's own");
});

const SAMPLED = {
  data: {
    type: "shared_prefix",
    shared_prefix: {
      num_groups: 200, num_prompts_per_group: 6, seed: 5,
      system_prompt_len: { type: "uniform", min: 100, max: 400 },
      question_len: { type: "normal", min: 20, max: 200, mean: 80, std_dev: 40 },
      output_len: { type: "lognormal", min: 5, max: 500, mean: 60, std_dev: 50 },
    },
  },
  load: { type: "poisson", interval: 1, stages: [{ rate: 20, duration: 60 }] },
};

test("inference-perf shared_prefix, sampled lengths, Poisson load: the same distributions", { skip: SKIP, timeout: 120_000 }, () => {
  const theirs = inferencePerfRequests(SAMPLED, python);
  const mine = ours(SAMPLED);
  assert.equal(theirs.length, 1200);
  assert.equal(mine.length, 1200);
  // 1,200 requests = the prompt list, each prompt once. Groups: theirs by id, ours by the shared head (6 blocks = 96 tokens < min system prompt).
  const groupsTheirs = groupBy(theirs, (r) => r.group);
  const groupsMine = groupBy(mine, (r) => r.hash_ids.slice(0, 6).join());
  assert.equal(groupsTheirs.size, 200);
  assert.equal(groupsMine.size, 200);
  assert.ok([...groupsTheirs.values()].every((g) => new Set(g.map((r) => r.prefix)).size === 1 && g[0]!.prefix >= 100 && g[0]!.prefix <= 400), "theirs: one system prompt length per group, within [min, max]");
  const within = (groups: Iterable<number[]>) => { const d: number[] = []; for (const g of groups) { const m = mean(g); for (const x of g) d.push(x - m); } return Math.sqrt(mean(d.map((x) => x * x))); };
  const stats = (what: string, a: number[], b: number[], tol: number) => assert.ok(Math.abs(a[0]! - b[0]!) <= tol, `${what}: ${a[0]!.toFixed(2)} (theirs) vs ${b[0]!.toFixed(2)} (ours), tolerance ${tol.toFixed(2)}`);
  // Tolerances are ~5 standard errors: output mean over 1,200 draws (sd 50); input mean over 200 system prompts
  // (uniform sd 87) + 1,200 questions; the within-group spread isolates the question (normal 80 ± 40, clipped [20, 200]).
  const oT = theirs.map((r) => r.output), oM = mine.map((r) => r.output_length);
  stats("output_len mean", [mean(oT)], [mean(oM)], 5 * 50 / Math.sqrt(1200));
  stats("output_len sd", [sd(oT)], [sd(oM)], 10);
  assert.ok(Math.min(...oM) >= 5 && Math.max(...oM) <= 500 && Math.min(...oT) >= 5 && Math.max(...oT) <= 500, "outputs within [min, max]");
  stats("input mean", [mean(theirs.map((r) => r.input))], [mean(mine.map((r) => r.input_length))], 5 * Math.sqrt(87 ** 2 / 200 + 40 ** 2 / 1200));
  stats("question spread within a group", [within([...groupsTheirs.values()].map((g) => g.map((r) => r.input)))], [within([...groupsMine.values()].map((g) => g.map((r) => r.input_length)))], 4);
  // Poisson: per-second counts with mean and variance ≈ rate, on both sides. Only whole seconds before the
  // last request's second count: the stage stops at int(rate × duration) requests, so the last second is
  // cut short (and inference-perf's unseeded process can finish a few seconds early or late).
  const perSecond = (ts: number[]) => { const c = new Array<number>(Math.floor(Math.max(...ts))).fill(0); for (const t of ts) if (t < c.length) c[Math.floor(t)]!++; return c; };
  for (const [who, c] of [["theirs", perSecond(theirs.map((r) => r.t))], ["ours", perSecond(mine.map((r) => r.timestamp / 1000))]] as const) {
    assert.ok(c.length >= 50, `${who}: ${c.length} whole seconds`);
    assert.ok(Math.abs(mean(c) - 20) < 5 * Math.sqrt(20 / c.length), `${who}: ${mean(c)} requests/s`);
    assert.ok(sd(c) ** 2 > 20 / 3 && sd(c) ** 2 < 20 * 2.2, `${who}: per-second variance ${sd(c) ** 2} (Poisson: ≈ 20)`);
  }
});

const SYNTHETIC = {
  data: { type: "synthetic", input_distribution: { type: "lognormal", min: 50, max: 4000, mean: 600, std_dev: 300, total_count: 800 }, output_distribution: { type: "uniform", min: 10, max: 300, total_count: 800 } },
  load: { type: "constant", stages: [{ rate: 10, duration: 80 }] },
};

test("inference-perf synthetic lengths (generate_distribution: shifted lognormal, uniform over [min, max)): the same distributions", { skip: SKIP, timeout: 120_000 }, () => {
  const theirs = inferencePerfRequests({ ...SYNTHETIC, seed: 3 }, python);
  const mine = ours(SYNTHETIC);
  assert.equal(theirs.length, 800);
  assert.equal(mine.length, 800);
  const tol = (s: number) => 5 * s / Math.sqrt(800);
  for (const [what, a, b, s] of [["input", theirs.map((r) => r.input), mine.map((r) => r.input_length), 300], ["output", theirs.map((r) => r.output), mine.map((r) => r.output_length), 84]] as const) {
    assert.ok(Math.abs(mean(a) - mean(b)) <= tol(s), `${what}: mean ${mean(a)} vs ${mean(b)}`);
    assert.ok(Math.abs(sd(a) - sd(b)) <= s * 0.15, `${what}: sd ${sd(a)} vs ${sd(b)}`);
  }
  for (const xs of [theirs.map((r) => r.output), mine.map((r) => r.output_length)]) assert.ok(Math.min(...xs) >= 10 && Math.max(...xs) <= 300, "outputs within [min, max]");
});

test("inference-perf config reader: defaults, aliases, legacy distributions, and one-line errors naming the key", () => {
  const w = parseInferencePerfConfig("data:\n  type: shared_prefix\n  shared_prefix:\n    num_unique_system_prompts: 3\n    num_users_per_system_prompt: 2\n    question_len: 10\n    question_distribution: {type: fixed, mean: 33}\nload:\n  stages: [{rate: 1, duration: 12}]\n", "w.yaml");
  assert.deepEqual(w.load, { type: "constant", interval: 1, stages: [{ rate: 1, duration: 12 }] });
  assert.equal(w.data.type, "shared_prefix");
  if (w.data.type === "shared_prefix") {
    assert.deepEqual([w.data.shared_prefix.num_groups, w.data.shared_prefix.num_prompts_per_group, w.data.shared_prefix.system_prompt_len, w.data.shared_prefix.output_len], [3, 2, 100, 50]);
    assert.equal((w.data.shared_prefix.question_len as { mean: number }).mean, 33, "a legacy question_distribution applies over an int question_len");
  }
  const t = inferencePerfTrace(w, { seed: 1 });
  assert.equal(t.length, 12);
  assert.deepEqual(new Set(t.map((r) => r.input_length)), new Set([133]));
  assert.deepEqual(inferencePerfTrace(w, { seed: 1 }), t, "same seed, same trace");
  const bad: [string, RegExp][] = [
    ["data: {type: shared_prefix, shared_prefix: {num_groups: 0}}\nload: {stages: [{rate: 1, duration: 1}]}", /\(data\.shared_prefix\): num_groups and num_prompts_per_group ≥ 1/],
    ["data: {type: shared_prefix, shared_prefix: {groups: 2}}\nload: {stages: [{rate: 1, duration: 1}]}", /\(data\.shared_prefix\.groups\): one of num_groups/],
    ["data: {type: shared_prefix}\nload: {type: concurrent, stages: [{rate: 1, duration: 1}]}", /\(load\.type\): constant or poisson/],
    ["data: {type: shareGPT}\nload: {stages: [{rate: 1, duration: 1}]}", /\(data\.type\): shared_prefix, synthetic or random/],
    ["data: {type: synthetic, input_distribution: {mean: 5}, output_distribution: {total_count: 3}}\nload: {stages: [{rate: 1, duration: 1}]}", /\(data\.input_distribution\.total_count\): a count/],
    ["data: {type: shared_prefix}\nload: {stages: [{rate: 0, duration: 1}]}", /\(load\.stages\[0\]\.rate\): a rate > 0, got 0/],
    ["data: {type: shared_prefix, shared_prefix: {question_len: {min: 9, max: 3}}}\nload: {stages: [{rate: 1, duration: 1}]}", /\(data\.shared_prefix\.question_len\): min \(9\) ≤ max \(3\)/],
  ];
  for (const [text, re] of bad) assert.throws(() => parseInferencePerfConfig(text, "w.yaml"), (e: unknown) => e instanceof InputError && /^w\.yaml \(/.test(e.message) && re.test(e.message) && !e.message.includes("\n"), text);
  assert.throws(() => inferencePerfTrace(readInferencePerfConfig({ ...SYNTHETIC, load: { stages: [{ rate: 10, duration: 81 }] } }, "s"), { seed: 1 }), /sends 810 requests but .* 800/);
});

test("precise-prefix-cache-aware.yaml's run factors (num_groups, system_prompt_len) shape an inference-perf workload as upstream, through the replay treatment", () => {
  const exp = readExperimentFile("datasets/experiments/precise-prefix-cache-aware.yaml");
  const workload = { data: { type: "shared_prefix", shared_prefix: { num_prompts_per_group: 5, question_len: 100, output_len: 20 } }, load: { type: "constant", stages: [{ rate: 4, duration: 75 }] } };
  const reuse: number[] = [];
  for (const t of exp.run!.treatments) {
    const factors = t.values as Record<string, number>;
    const trace = workloadTrace(workload, factors, 1);
    assert.equal(trace.length, 300, "int(rate × duration) requests");
    assert.deepEqual(new Set(trace.map((r) => r.input_length)), new Set([factors.system_prompt_len! + 100]), "system prompt + question");
    const heads = new Set(trace.map((r) => r.hash_ids.slice(0, Math.floor(factors.system_prompt_len! / 512)).join()));
    assert.equal(heads.size, factors.num_groups, "one shared prefix per group");
    assert.equal(new Set(trace.map((r) => r.hash_ids.join())).size, Math.min(300, factors.num_groups! * 5), "num_groups × num_prompts_per_group prompts, cycled");
    const r = replayTreatment({ factors, seed: 1, params: { workload } });
    reuse.push(r.prefixCacheReusedRatio as number);
  }
  // Longer shared system prompts over fewer groups: more of every prompt is reused (40/8000 > 60/5000 > 60/1000).
  assert.ok(reuse[0]! > reuse[1]! && reuse[1]! > reuse[2]! && reuse[2]! > 0, `prefix reuse ${reuse.join(", ")}`);
  assert.throws(() => replayTreatment({ factors: { num_groups: 3 }, seed: 1 }), /\(factors\.num_groups\): params\.workload/);
  assert.throws(() => replayTreatment({ factors: { num_groups: 2.5 }, seed: 1, params: { workload } }), /\(factors\.num_groups\): an integer ≥ 1, got 2\.5/);
});

test("actlab trace inference-perf CONFIG --out FILE writes the trace inferencePerfTrace gives; usage errors exit 2, a bad key exits 1 naming it", () => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-ip-cli-"));
  try {
    const cfg = join(dir, "w.yaml");
    writeFileSync(cfg, "api: {type: completion}\ndata:\n  type: shared_prefix\n  shared_prefix: {num_groups: 3, num_prompts_per_group: 4, system_prompt_len: 1100, question_len: 60, output_len: 9}\nload:\n  type: poisson\n  stages: [{rate: 2, duration: 10}]\n");
    const out = join(dir, "t.jsonl");
    const cli = (...a: string[]) => spawnSync(process.execPath, ["bin/actlab.js", "trace", "inference-perf", ...a], { encoding: "utf8", timeout: 60_000 });
    const r = cli(cfg, "--out", out, "--seed", "4", "--trace-block-size", "64");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /20 requests/);
    const want = inferencePerfTrace(parseInferencePerfConfig(readFileSync(cfg, "utf8"), cfg), { seed: 4, traceBlockSize: 64 });
    assert.deepEqual(loadMooncake(out, { traceBlockSize: 64 }).requests, want);
    assert.equal(cli(cfg).status, 2);
    writeFileSync(cfg, "data: {type: shared_prefix, shared_prefix: {groups: 3}}\nload: {stages: [{rate: 1, duration: 2}]}\n");
    const bad = cli(cfg, "--out", out);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /w\.yaml \(data\.shared_prefix\.groups\): one of num_groups/);
    assert.equal(bad.stderr.trim().split("\n").length, 1, "one line, no stack");
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
