// The parsers the fuzz tests and the reliability benchmark throw random input at (fast-check):
// Mooncake and Azure traces, experiment files (both formats), planner configs, event logs, DPC and
// vLLM log lines, the three patch formats. Each target says which errors are allowed; anything else
// (a TypeError, a stack overflow) is a failure.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { InputError } from "../../sdk/core/errors.js";
import { parseMooncake } from "../../sdk/trace/mooncake.js";
import { parseAzure } from "../../sdk/trace/azure.js";
import { parseExperiment } from "../../sdk/doe/experiment-file.js";
import { parsePlannerConfig, DEFAULT_ENGINE_CAPABILITIES } from "../../sdk/planner/config.js";
import { parsePlannerConfigText } from "../../sdk/planner/load-config.js";
import { parseEventLog } from "../../sdk/kube/event-log.js";
import { parseDpcLog, parseVllmLog } from "../../sdk/actuation/evidence.js";
import { jsonPatch, mergePatch, strategicMergePatch } from "../../sdk/cluster/patch.js";
import { FUZZ_RUNS, FUZZ_SEED, mutatedText, tally, type FuzzTally } from "./fuzz.js";

export interface FuzzTarget {
  group: string;
  name: string;
  run(runs?: number): FuzzTally;
}

/** Every parser target, grouped as the tests are. Reads the bundled samples when called. */
export function parserTargets(): FuzzTarget[] {
  const targets: FuzzTarget[] = [];
  let group = "";
  /** `fn` on every generated input; only InputError (or `allowed`) may escape, else fc.assert throws with the counterexample. */
  const add = <T>(name: string, arb: fc.Arbitrary<T>, fn: (x: T) => unknown, allowed: (e: unknown) => boolean = (e) => e instanceof InputError) => {
    targets.push({
      group, name,
      run(runs = FUZZ_RUNS) {
        const t = tally(name);
        fc.assert(fc.property(arb, (x) => {
          t.tried++;
          try {
            fn(x);
            t.accepted++;
          } catch (e) {
            if (!allowed(e)) throw e;
            t.rejected++;
          }
        }), { seed: FUZZ_SEED, numRuns: runs });
        return t;
      },
    });
  };

  const wholeFileError = (e: unknown) => e instanceof InputError && /at least one request|a header with/.test(e.message);

  const anyValue = fc.oneof(
    fc.integer(), fc.double(), fc.string({ maxLength: 12 }), fc.constant(null), fc.boolean(),
    fc.array(fc.integer({ min: -3, max: 2 ** 40 }), { maxLength: 6 }), fc.constantFrom(1e308, -0, 2 ** 53 + 1, "1e999", "NaN"),
    fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 3 }),
  );

  {
    group = "Mooncake JSONL: random records, strict and lenient";
    const rec = fc.record({ timestamp: anyValue, input_length: anyValue, output_length: anyValue, hash_ids: anyValue }, { requiredKeys: [] });
    const lines = fc.array(fc.oneof({ weight: 4, arbitrary: rec.map((r) => JSON.stringify(r)) }, fc.string({ maxLength: 30 })), { maxLength: 8 }).map((l) => l.join("\n"));
    const sample = readFileSync(new URL("../../datasets/traces/multi-turn.jsonl", import.meta.url), "utf8").split("\n").slice(0, 5).join("\n");
    const text = fc.oneof(lines, mutatedText(sample));
    add("Mooncake trace (strict)", text, (s) => parseMooncake(s, { source: "fuzz.jsonl" }));
    // Lenient mode skips bad lines; only a file with no request at all is still an error.
    add("Mooncake trace (lenient)", text, (s) => parseMooncake(s, { source: "fuzz.jsonl", lenient: true }), wholeFileError);
  }

  {
    group = "Azure CSV: random fields and mutated real lines";
    const field = fc.oneof(fc.string({ maxLength: 12 }), fc.integer().map(String), fc.constantFrom("2023-11-16 18:15:46.6805900", "2023-02-30 25:61:00.1", "", "1e9", "-4"));
    const row = fc.array(field, { minLength: 0, maxLength: 4 }).map((f) => f.join(","));
    const text = fc.oneof(
      fc.array(row, { maxLength: 6 }).map((r) => ["TIMESTAMP,ContextTokens,GeneratedTokens", ...r].join("\n")),
      mutatedText("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:50.9951690,396,109\n"),
    );
    add("Azure trace (strict)", text, (s) => parseAzure(s, { source: "fuzz.csv" }));
    add("Azure trace (lenient)", text, (s) => parseAzure(s, { source: "fuzz.csv", lenient: true }), wholeFileError);
  }

  const LEGACY = `setup:\n  factors: [METHOD, REPLICAS]\n  levels:\n    REPLICAS: "1,2"\n  treatments:\n    - "a,1"\n    - "b,2"\nrun:\n  factors: [conc]\n  treatments: ["1", "8"]\n`;

  {
    group = "experiment files: both formats mutated, and random YAML documents";
    const current = readFileSync(new URL("../../datasets/experiments/pd-mini.yaml", import.meta.url), "utf8");
    const yamlish = fc.dictionary(fc.constantFrom("experiment", "setup", "run", "treatments", "design", "options", "name", "factors"), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }).map((o) => JSON.stringify(o));
    add("experiment file", fc.oneof(mutatedText(current), mutatedText(LEGACY), yamlish, fc.string({ maxLength: 60 })), (s) => parseExperiment(s, "fuzz.yaml"));
  }

  {
    group = "planner configs: mutated files and random values for every key";
    const engineCapabilities = { prefill: DEFAULT_ENGINE_CAPABILITIES, decode: DEFAULT_ENGINE_CAPABILITIES };
    const base = JSON.parse(readFileSync(new URL("../../datasets/planner/agg-sla.json", import.meta.url), "utf8")) as Record<string, unknown>;
    const keys = [...Object.keys(base), "actuation.profile", "actuation.sleep_pool", "actuation.startup_time", "prefill_engine_num_gpu", "decode_engine_num_gpu", "min_endpoint"];
    const edited = fc.array(fc.tuple(fc.constantFrom(...keys), fc.oneof(anyValue, fc.jsonValue({ maxDepth: 2 }))), { minLength: 1, maxLength: 4 }).map((edits) => {
      const cfg = structuredClone(base) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      for (const [k, v] of edits) {
        const [a, b] = k.split(".");
        if (b) cfg[a!] = { ...(typeof cfg[a!] === "object" && cfg[a!] !== null ? cfg[a!] : {}), [b]: v };
        else cfg[a!] = v;
      }
      return cfg;
    });
    add("planner config (object)", fc.oneof(edited, fc.jsonValue({ maxDepth: 3 })), (raw) => parsePlannerConfig(raw, { source: "fuzz.json", engineCapabilities }));
    const texts = fc.oneof(mutatedText(JSON.stringify(base, null, 2)), mutatedText(readFileSync(new URL("../../datasets/planner/disagg-sla.yaml", import.meta.url), "utf8")));
    add("planner config (text)", texts, (s) => parsePlannerConfigText(s, "fuzz.yaml", { engineCapabilities }));
  }

  {
    group = "event logs: fields of real events replaced by random values, and mutated text";
    const lines = readFileSync(new URL("../../datasets/event-logs/hot-8b-h100/events.jsonl", import.meta.url), "utf8").split("\n").filter(Boolean).slice(0, 12);
    const edited = fc.array(fc.tuple(fc.nat(lines.length - 1), fc.constantFrom("seq", "type", "resource", "origin", "receivedWallMs", "receivedMonoMs", "object", "format", "version", "end"), fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 3 }).map((edits) => {
      const out = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const [i, k, v] of edits) out[i]![k] = v;
      return out.map((o) => JSON.stringify(o)).join("\n") + "\n";
    });
    add("event log", fc.oneof(edited, mutatedText(lines.join("\n") + "\n")), (s) => parseEventLog(s, "fuzz.jsonl"));
  }

  {
    group = "DPC and vLLM log lines: mutated real evidence";
    const chunks = readFileSync(new URL("../../datasets/event-logs/hot-8b-h100/evidence.jsonl", import.meta.url), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { source: string; text: string });
    const dpc = chunks.find((c) => /HTTP call done/.test(c.text))!.text.split("\n").slice(0, 8).join("\n");
    const vllm = (chunks.find((c) => /It took/.test(c.text)) ?? chunks.find((c) => /INFO \d\d-\d\d/.test(c.text)))!.text.split("\n").slice(0, 8).join("\n");
    const kv = fc.tuple(fc.constantFrom("requesterName", "serverUID", "purpose", "httpCallStartTime", "k8sCallStartTime", "latencySecs", "statusCode"), fc.string({ maxLength: 20 }))
      .map(([k, v]) => `I1123 09:07:43.512000       1 http.go:87] "HTTP call done" ${k}=${JSON.stringify(v)} purpose="wake" requesterName="r"`);
    add("DPC log", fc.oneof(mutatedText(dpc), kv), (s) => parseDpcLog(s, "fuzz-dpc.log"));
    add("vLLM log", mutatedText(vllm), (s) => parseVllmLog(s, { source: "fuzz-vllm.log", year: 2026 }));
  }

  {
    group = "JSON, merge and strategic-merge patches: random documents and operations";
    const badPatch = (e: unknown) => e instanceof RangeError && !/call stack/i.test(e.message);
    const doc = fc.jsonValue({ maxDepth: 4 });
    add("merge patch", fc.tuple(doc, doc), ([t, p]) => mergePatch(t as never, p as never), badPatch);
    const podish = fc.record({ metadata: fc.record({ labels: fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })) }, { requiredKeys: [] }), spec: fc.record({ containers: fc.array(fc.record({ name: fc.oneof(fc.string({ maxLength: 3 }), anyValue), image: anyValue }, { requiredKeys: [] }), { maxLength: 3 }) }, { requiredKeys: [] }), $patch: fc.constantFrom("replace", "delete", "merge", 7) }, { requiredKeys: [] });
    add("strategic merge patch", fc.tuple(fc.oneof(doc, podish), fc.oneof(doc, podish)), ([t, p]) => strategicMergePatch(t as never, p as never), badPatch);
    const pointer = fc.oneof(fc.constantFrom("", "/", "/a", "/a/0", "/a/-", "/a/99", "/b/c", "/~1x", "/~2", "/a/01", "a"), fc.string({ maxLength: 6 }), anyValue);
    const op = fc.record({ op: fc.oneof(fc.constantFrom("add", "remove", "replace", "test", "copy", "move"), anyValue), path: pointer, from: pointer, value: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: ["op"] });
    add("JSON patch", fc.tuple(fc.oneof(doc, fc.constant({ a: [1, 2], b: { c: 3 } })), fc.oneof(fc.array(op, { maxLength: 4 }), anyValue)), ([d, ops]) => jsonPatch(d as never, ops), badPatch);
  }
  return targets;
}
