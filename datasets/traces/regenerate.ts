/**
 * Regenerates the small synthetic traces in this folder (Mooncake JSONL, 512-token hash blocks).
 * Run from the repository root: npx tsx datasets/traces/regenerate.ts
 */
import { join } from "node:path";
import { toJsonl, writeFileAtomic } from "../../sdk/core/rows.js";
import { sharedPrefixTrace, multiTurnTrace, syntheticTrace } from "../../sdk/trace/generate.js";

const dir = join("datasets", "traces");
const files = {
  "shared-prefix.jsonl": sharedPrefixTrace({ seed: 1, numGroups: 8, promptsPerGroup: 25, systemPromptLen: 4096, questionLen: 512, outputLen: 128, arrivals: { kind: "poisson", rateRps: 4 } }),
  "multi-turn.jsonl": multiTurnTrace({ seed: 2, sessions: 40, turnsPerSession: 4, arrivals: { kind: "poisson", rateRps: 0.5 }, firstInputTokens: { lognormal: { median: 2000, sigma: 0.6 }, min: 64, max: 16000 }, newInputTokens: { uniform: [50, 800] }, outputTokens: { uniform: [20, 400] }, interTurnDelayMs: { uniform: [2000, 20000] } }),
  "bursty-gamma.jsonl": syntheticTrace({ seed: 3, arrivals: { kind: "gamma", rateRps: 3, cv: 3 }, durationS: 120, inputTokens: { lognormal: { median: 1500, sigma: 0.8 }, min: 16, max: 32000 }, outputTokens: { lognormal: { median: 150, sigma: 0.7 }, min: 1, max: 2000 } }),
};
for (const [name, rows] of Object.entries(files)) {
  writeFileAtomic(join(dir, name), toJsonl(rows));
  console.log(`${join(dir, name)}: ${rows.length} requests`);
}
