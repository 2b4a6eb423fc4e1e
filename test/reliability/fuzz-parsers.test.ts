// Fuzzing every input parser with fast-check (seeded, bounded runs; test/helpers/fuzz-targets.ts):
// Mooncake and Azure traces, experiment files (both formats), planner configs, event logs, DPC and
// vLLM log lines and the three patch formats. Whatever the bytes, a parser returns or throws an
// InputError (patches: the RangeError the API server turns into 400) — never a TypeError, a stack
// overflow or a hang. A failing run prints fast-check's shrunk counterexample and seed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FUZZ_RUNS } from "../helpers/fuzz.js";
import { parserTargets } from "../helpers/fuzz-targets.js";

const targets = parserTargets();
for (const group of [...new Set(targets.map((t) => t.group))]) {
  test(group, () => {
    for (const target of targets.filter((t) => t.group === group)) {
      const t = target.run();
      assert.equal(t.tried, FUZZ_RUNS, target.name);
      assert.equal(t.accepted + t.rejected, t.tried, target.name);
    }
  });
}
