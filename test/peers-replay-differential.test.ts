// Replay differential: the same Mooncake slice (the bundled conversation trace, first N requests) and engine
// defaults through the SDK's replay and the installed `dynamo.replay` (ai-dynamo 1.6.1's mocker, polynomial
// timing), agg and disagg, round-robin and KV router. Counts must be equal; timing and throughput summaries
// within the tolerances below; the table is printed. Semantics: dynamo.md §2 and §9.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadMooncake } from "../sdk/trace/mooncake.js";
import { replayTrace } from "../sdk/replay/replay.js";
import { dynamoReplayPython, PEER_VERSIONS } from "../sdk/peers/install.js";
import { runDynamoReplay } from "../sdk/peers/replay-peer.js";
import { CONFIGS, TRACE } from "./peers-replay-configs.js";

const N = Number(process.env.ACTLAB_REPLAY_DIFF_REQUESTS ?? 400);
/** The compared summaries: Dynamo's key, ours, and the tolerance (relative unless `abs`), with why. */
const METRICS: { dynamo: string; ours: string; tol: number; abs?: boolean }[] = [
  { dynamo: "completed_requests", ours: "completed", tol: 0, abs: true },
  { dynamo: "duration_ms", ours: "durationMs", tol: 0.05 },
  { dynamo: "request_throughput_rps", ours: "requestThroughputRps", tol: 0.05 },
  { dynamo: "output_throughput_tok_s", ours: "outputTokensPerS", tol: 0.05 },
  { dynamo: "mean_ttft_ms", ours: "ttftMeanMs", tol: 0.1 },
  { dynamo: "mean_itl_ms", ours: "itlMeanMs", tol: 0.05 },
  { dynamo: "mean_tpot_ms", ours: "tpotMeanMs", tol: 0.05 },
  { dynamo: "mean_e2e_latency_ms", ours: "e2eMeanMs", tol: 0.05 },
  { dynamo: "prefix_cache_reused_ratio", ours: "prefixCacheReusedRatio", tol: 0.02, abs: true },
];

test(`replay differential: ${N} Mooncake requests, SDK vs ai-dynamo ${PEER_VERSIONS.aiDynamo} dynamo.replay`, { timeout: 20 * 60_000 }, (t) => {
  const python = dynamoReplayPython();
  if (!python) return t.skip("dynamo.replay is not installed; run: actlab peers install");
  const requests = loadMooncake(TRACE).requests.slice(0, N);
  const dir = mkdtempSync(join(tmpdir(), "actlab-replay-diff-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "trace.jsonl");
  writeFileSync(file, requests.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const theirs = runDynamoReplay(file, CONFIGS.map((c) => c.run), python);
  const fails: string[] = [];
  const lines = [`\nreplay differential — ${N} requests of ${TRACE}, engine defaults (polynomial timing), SDK vs ai-dynamo ${PEER_VERSIONS.aiDynamo} dynamo.replay`];
  for (const [i, c] of CONFIGS.entries()) {
    const d = theirs[i]!;
    assert.equal(d.error, undefined, `${c.run.name}: dynamo.replay failed: ${d.error}`);
    const s = replayTrace(requests, c.ours).summary as unknown as Record<string, number>;
    lines.push(`${c.run.name}`, `  ${"metric".padEnd(28)} ${"SDK".padStart(12)} ${"dynamo".padStart(12)} ${"diff".padStart(9)}  tolerance`);
    for (const m of METRICS) {
      const a = s[m.ours]!, b = Number(d.summary[m.dynamo]);
      const diff = m.abs ? a - b : (a - b) / b;
      const ok = Math.abs(diff) <= m.tol + 1e-12;
      if (!ok) fails.push(`${c.run.name} ${m.dynamo}: SDK ${a} vs dynamo ${b} (${diff}) beyond ${m.tol}${m.abs ? "" : " relative"}`);
      lines.push(`  ${m.dynamo.padEnd(28)} ${a.toFixed(3).padStart(12)} ${b.toFixed(3).padStart(12)} ${(m.abs ? diff.toFixed(4) : `${(100 * diff).toFixed(2)}%`).padStart(9)}  ${m.abs ? `±${m.tol}` : `±${100 * m.tol}%`}${ok ? "" : "  OUT"}`);
    }
  }
  console.log(lines.join("\n"));
  assert.deepEqual(fails, []);
});
