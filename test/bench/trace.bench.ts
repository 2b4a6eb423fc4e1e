/** Trace benchmark: reading (in memory and streaming), statistics and generation throughput. Figures only. */
import { sharedDataset } from "../../sdk/core/paths.js";
import { parseMooncake, readMooncake, loadAzure, traceStats, syntheticTrace, sharedPrefixTrace } from "../../sdk/trace/index.js";
import { readTextFile } from "../../sdk/trace/lines.js";
import { figure, peakRssMb, timeAsync, timeIt } from "./measure.js";

console.log("trace: readers, statistics, generators");
const conv = sharedDataset("mooncake/conversation_trace.jsonl");
if (conv) {
  // The bundled trace is gzipped; readTextFile inflates it (the parse below then times the text alone).
  const text = readTextFile(conv);
  const mem = timeIt(() => parseMooncake(text).requests.length);
  figure(`parse Mooncake conversation in memory (${mem.value} requests)`, mem.value / (mem.ms / 1000), "req/s", 0);
  figure("  input size / time", text.length / 1e6 / (mem.ms / 1000), "MB/s");
  const st = await timeAsync(async () => { let n = 0; for await (const _ of readMooncake(conv)) n++; return n; });
  figure("stream the same file (readMooncake)", st.value / (st.ms / 1000), "req/s", 0);
  const reqs = parseMooncake(text).requests;
  const stats = timeIt(() => traceStats(reqs));
  figure("traceStats incl. ideal prefix reuse", stats.ms, "ms");
} else console.log("  shared Mooncake trace absent; reader figures skipped");
const az = sharedDataset("azure_llm_2023/AzureLLMInferenceTrace_conv.csv");
if (az) {
  const a = timeIt(() => loadAzure(az).requests.length);
  figure(`load Azure conv CSV (${a.value} requests)`, a.value / (a.ms / 1000), "req/s", 0);
}
const g = timeIt(() => syntheticTrace({ seed: 1, arrivals: { kind: "gamma", rateRps: 50, cv: 2 }, count: 100_000, inputTokens: { lognormal: { median: 2000, sigma: 0.8 }, min: 1 }, outputTokens: 200 }).length);
figure("syntheticTrace (gamma arrivals, lognormal ISL)", g.value / (g.ms / 1000), "req/s", 0);
const sp = timeIt(() => sharedPrefixTrace({ seed: 1, numGroups: 100, promptsPerGroup: 1000, systemPromptLen: 4096, questionLen: 512, outputLen: 128, arrivals: { kind: "poisson", rateRps: 100 } }).length);
figure("sharedPrefixTrace (100 groups × 1,000)", sp.value / (sp.ms / 1000), "req/s", 0);
figure("peak RSS", peakRssMb(), "MB", 0);
