import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { parseEventLog } from "../sdk/kube/event-log.js";
import { tempDir } from "./helpers/temp-dir.js";

function actlab(...args: string[]) {
  return spawnSync(process.execPath, ["bin/actlab.js", ...args], { encoding: "utf8", timeout: 120_000 });
}

test("actlab bench (nop) writes result.yaml, the report and the run; actlab classify re-runs it byte-identically", { timeout: 180_000 }, () => {
  const out = tempDir("bench-nop-");
  const r = actlab("bench", "--iterations", "3", "--max-replicas", "2", "--time-scale", "5000", "--out", out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /6 actuations \(0 unknown\)/);
  const nop = parse(readFileSync(join(out, "result.yaml"), "utf8"));
  assert.equal(nop.extra_metrics[0].name, "fma");
  assert.equal(nop.extra_metrics[0].iterations.length, 3);
  assert.equal(nop.scenario.model.name.length > 0, true);
  assert.equal(parse(readFileSync(join(out, "benchmark_report.yaml"), "utf8")).version, "0.1");
  assert.equal(readFileSync(join(out, "actuations.jsonl"), "utf8").trim().split("\n").length, 6);
  const before = readFileSync(join(out, "result.yaml"), "utf8");
  const again = join(out, "again");
  const c = actlab("classify", out, "--out", again);
  assert.equal(c.status, 0, c.stderr);
  assert.equal(readFileSync(join(again, "result.yaml"), "utf8"), before);
  assert.equal(readFileSync(join(again, "actuations.csv"), "utf8"), readFileSync(join(out, "actuations.csv"), "utf8"));
});

test("actlab bench: the dual-pods tool's scenarios with its flags (--yaml template placeholders, --scenario, --max-replicas, --model-path)", { timeout: 180_000 }, () => {
  const dir = tempDir("bench-dp-");
  const tpl = join(dir, "server-request.yaml");
  writeFileSync(tpl, [
    "apiVersion: apps/v1", "kind: ReplicaSet", "metadata:", "  name: ${REPLICASET_NAME}", "  labels: {app: ${REPLICASET_NAME}}", "spec:", "  replicas: 0",
    "  selector: {matchLabels: {app: ${REPLICASET_NAME}}}", "  template:", "    metadata:", "      labels: {app: ${REPLICASET_NAME}}",
    "      annotations: {dual-pods.llm-d.ai/inference-server-config: default, model: \"${MODEL_REGISTRY}/${MODEL_REPO}\"}", "    spec:", "      containers:",
    "      - name: inference-server", "        image: ${CONTAINER_IMG_REG}/requester:${CONTAINER_IMG_VERSION}",
    "        resources: {limits: {nvidia.com/gpu: \"1\"}, requests: {nvidia.com/gpu: \"1\"}}",
  ].join("\n"));
  const scaling = actlab("bench", "--scenario", "scaling", "--yaml", tpl, "--iterations", "2", "--max-replicas", "3", "--namespace", "default", "--time-scale", "5000", "--out", join(dir, "scaling"));
  assert.equal(scaling.status, 0, scaling.stderr);
  const sum = JSON.parse(readFileSync(join(dir, "scaling", "dual_pods_summary.json"), "utf8"));
  // Hits are counted in the second scale-up only: 2 iterations × (3 − 1 staying) new requesters.
  assert.equal(sum.total_runs, 4);
  assert.ok(sum.all_results.every((x: { phase: string }) => x.phase === "up_again"));
  assert.ok(sum.all_results.every((x: { availability_mode: string }) => ["Hit", "Cold"].includes(x.availability_mode)));
  assert.equal(sum.hit_percent, Math.floor((100 * sum.hits) / sum.successful_runs));
  const models = join(dir, "models.json");
  writeFileSync(models, JSON.stringify({ models: ["meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen3-8B"] }));
  const nv = actlab("bench", "--scenario", "new_variant", "--yaml", tpl, "--model-path", models, "--iterations", "1", "--time-scale", "5000", "--out", join(dir, "nv"));
  assert.equal(nv.status, 0, nv.stderr);
  const nvSum = JSON.parse(readFileSync(join(dir, "nv", "dual_pods_summary.json"), "utf8"));
  assert.deepEqual([...new Set(nvSum.all_results.map((x: { scenario: string }) => x.scenario))], ["variant-meta-llama-Llama-3.1-8B-Instruct", "variant-Qwen-Qwen3-8B"]);
  // Usage errors exit 2 and name the flag.
  const bad = actlab("bench", "--scenario", "nope");
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--scenario expects/);
  assert.equal(actlab("bench", "--scenario", "new_variant").status, 2);
  const badModels = join(dir, "bad.json");
  writeFileSync(badModels, "{\"models\": [3]}");
  const bm = actlab("bench", "--scenario", "new_variant", "--model-path", badModels);
  assert.equal(bm.status, 1);
  assert.match(bm.stderr, /bad\.json.*models/);
});

test("actlab bench: an interrupted run keeps its partial results", { timeout: 120_000 }, async () => {
  const out = tempDir("bench-int-");
  const child = spawn(process.execPath, ["bin/actlab.js", "bench", "--iterations", "100000", "--time-scale", "200", "--out", out], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  const jsonl = join(out, "actuations.jsonl");
  const deadline = Date.now() + 60_000;
  while (!(existsSync(jsonl) && readFileSync(jsonl, "utf8").trim().split("\n").filter(Boolean).length >= 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  child.kill("SIGINT");
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  assert.equal(code, 0, stderr);
  assert.match(stderr, /interrupted/);
  const done = readFileSync(jsonl, "utf8").trim().split("\n").length;
  assert.ok(done >= 2);
  const nop = parse(readFileSync(join(out, "result.yaml"), "utf8"));
  assert.ok(nop.extra_metrics[0].iterations.length >= 2);
  const log = parseEventLog(readFileSync(join(out, "events.jsonl"), "utf8"), "events.jsonl");
  assert.equal(log.end?.end, "aborted");
  assert.ok(log.events.length > 0);
});

test("actlab watch records a replayable event log; actlab classify reads it", { timeout: 120_000 }, () => {
  const dir = tempDir("watch-");
  const log = join(dir, "events.jsonl");
  const w = actlab("watch", "--duration", "2", "--time-scale", "1000", "--out", log, "--events");
  assert.equal(w.status, 0, w.stderr);
  assert.match(w.stdout, /ADDED +list +pods\//);
  assert.match(w.stdout, /dual=launcher-/);
  const parsed = parseEventLog(readFileSync(log, "utf8"), log);
  assert.ok(parsed.events.some((e) => e.resource === "events"));
  const c = actlab("classify", "--events", log, "--out", join(dir, "out"));
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stdout, /1 actuations: .*unknown 1/); // no DPC log given: an explicit unknown, with its reason
  assert.match(c.stdout, /unknown demo-.*: no wake or instance-start evidence/);
  const bad = actlab("watch", "--kubeconfig", join(dir, "missing"));
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /missing: an existing kubeconfig file/);
});
