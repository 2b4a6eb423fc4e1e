import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../sdk/core/errors.js";
import { parsePlannerConfig, DEFAULT_ENGINE_CAPABILITIES } from "../sdk/planner/config.js";
import { loadPlannerConfig } from "../sdk/planner/load-config.js";
import { tempDir } from "./helpers/temp-dir.js";

const engineCapabilities = { prefill: DEFAULT_ENGINE_CAPABILITIES, decode: DEFAULT_ENGINE_CAPABILITIES };
const bad = (raw: unknown, path: string, re: RegExp, opts = { engineCapabilities }) => {
  assert.throws(() => parsePlannerConfig(raw, { source: "cfg.json", ...opts }), (e: unknown) => {
    assert.ok(e instanceof InputError, String(e));
    assert.equal(e.path, path);
    assert.equal(e.source, "cfg.json");
    assert.match(e.message, re);
    return true;
  });
};

test("defaults follow Dynamo: bare config is easy mode (load on, throughput off)", () => {
  const c = parsePlannerConfig({}, { engineCapabilities });
  assert.equal(c.mode, "disagg");
  assert.equal(c.optimization_target, "throughput");
  assert.equal(c.enable_load_scaling, true);
  assert.equal(c.enable_throughput_scaling, false);
  assert.equal(c.throughput_adjustment_interval, 180);
  assert.equal(c.load_adjustment_interval, 5);
  assert.equal(c.max_gpu_budget, 8);
  assert.equal(c.ttft, 500);
  assert.equal(c.itl, 50);
  const s = parsePlannerConfig({ optimization_target: "sla" }, { engineCapabilities });
  assert.equal(s.enable_throughput_scaling, true);
  assert.equal(s.enable_load_scaling, false);
});

test("validation names the key and the expected value", () => {
  bad({ ttft: 500, bogus_key: 1 }, "bogus_key", /unknown key 'bogus_key'; expected one of: mode, /);
  bad({ ttft: -1 }, "ttft", /expected a finite number > 0, got -1/);
  bad({ ttft: "fast" }, "ttft", /got "fast"/);
  bad({ mode: "aggregated" }, "mode", /expected one of "agg", "disagg"/);
  bad({ mode: "prefill" }, "mode", /single-component/);
  bad({ load_predictor: "prophet" }, "load_predictor", /prophet is not available/);
  bad({ fpm_sample_bucket_size: 10 }, "fpm_sample_bucket_size", /perfect square/);
  bad({ max_gpu_budget: 1.5 }, "max_gpu_budget", /integer/);
  bad({ load_scaling_down_sensitivity: 120 }, "load_scaling_down_sensitivity", /≤ 100/);
  bad({ actuation: { startup_time: -5 } }, "actuation.startup_time", /≥ 0 or null/);
  bad({ actuation: { warp: true } }, "actuation.warp", /unknown key 'warp'/);
  bad({ decode_capabilities: { max_num_seqs: 0 } }, "decode_capabilities.max_num_seqs", /integer ≥ 1/);
});

test("inconsistent values are rejected", () => {
  bad({ optimization_target: "sla", enable_load_scaling: true, throughput_adjustment_interval: 5, load_adjustment_interval: 5 }, "throughput_adjustment_interval", /greater than load_adjustment_interval \(5\)/);
  bad({ optimization_target: "sla", pre_deployment_sweeping_mode: "none" }, "pre_deployment_sweeping_mode", /when throughput scaling is on/);
  bad({ optimization_target: "sla", enable_throughput_scaling: false, enable_load_scaling: false }, "enable_load_scaling", /at least one/);
  // disagg without prefill capabilities (and no engine config to fill them)
  bad({ mode: "disagg", decode_capabilities: DEFAULT_ENGINE_CAPABILITIES }, "prefill_capabilities", /disagg mode/, { engineCapabilities: {} } as never);
  bad({ mode: "agg" }, "decode_capabilities", /agg uses decode_capabilities/, { engineCapabilities: {} } as never);
  bad({ mode: "disagg", max_gpu_budget: 1 }, "max_gpu_budget", /at least 2 GPUs/);
  // With the capabilities in the config itself, disagg is fine.
  const c = parsePlannerConfig({ mode: "disagg", prefill_capabilities: DEFAULT_ENGINE_CAPABILITIES, decode_capabilities: DEFAULT_ENGINE_CAPABILITIES }, {});
  assert.equal(c.prefill_capabilities!.max_num_batched_tokens, 8192);
});

test("config files: JSON and YAML, errors name the file", () => {
  const dir = tempDir("planner-cfg-");
  const j = join(dir, "a.json");
  writeFileSync(j, JSON.stringify({ mode: "agg", optimization_target: "sla", enable_load_scaling: true, throughput_adjustment_interval: 60 }));
  assert.equal(loadPlannerConfig(j, { engineCapabilities }).throughput_adjustment_interval, 60);
  const y = join(dir, "b.yaml");
  writeFileSync(y, "mode: agg\noptimization_target: sla\nttft: 2500\nactuation:\n  startup_time: 120\n");
  const c = loadPlannerConfig(y, { engineCapabilities });
  assert.equal(c.ttft, 2500);
  assert.equal(c.actuation.startup_time, 120);
  const z = join(dir, "c.yaml");
  writeFileSync(z, "mode: agg\nitl: [1\n");
  assert.throws(() => loadPlannerConfig(z, { engineCapabilities }), (e: unknown) => e instanceof InputError && e.source === z && /valid JSON or YAML/.test(e.message));
  writeFileSync(z, "mode: agg\nitll: 5\n");
  assert.throws(() => loadPlannerConfig(z, { engineCapabilities }), (e: unknown) => e instanceof InputError && e.path === "itll" && e.message.startsWith(z));
});
