/** `actlab trace inference-perf CONFIG --out FILE`: the requests an inference-perf workload config sends, as a Mooncake JSONL trace. */
import { InputError } from "../../core/errors.js";
import { toJsonl, writeFileAtomic } from "../../core/rows.js";
import { readTextFile } from "../../trace/lines.js";
import { inferencePerfTrace, parseInferencePerfConfig } from "../../trace/inference-perf.js";
import { numberOption, parseCommandArgs, UsageError, type Command } from "../command.js";

const usage = `Usage: actlab trace inference-perf CONFIG --out FILE [--seed N] [--trace-block-size N]

Reads an inference-perf config's data (shared_prefix, synthetic, random) and load (constant or
poisson stages, interval) sections and writes the requests it would send as a Mooncake JSONL trace
(timestamps in ms, hash ids sharing each group's system-prompt blocks), with inference-perf 0.7.0's
semantics (sdk/trace/inference-perf.ts). Other sections of the file are ignored.
  --out FILE             where to write the trace (required)
  --seed N               seed for lengths, order and arrival times (default 1)
  --trace-block-size N   tokens per hash id (default 512)`;

export const command: Command = {
  name: "trace inference-perf",
  summary: "turn an inference-perf workload config into a Mooncake trace (same semantics)",
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, { out: { type: "string" }, seed: { type: "string" }, "trace-block-size": { type: "string" } });
    if (positionals.length !== 1) throw new UsageError("expected exactly one CONFIG file");
    if (!values.out) throw new UsageError("--out FILE is required");
    const seed = numberOption(values.seed, "seed", 1, 0);
    const traceBlockSize = numberOption(values["trace-block-size"], "trace-block-size", 512, 1);
    const path = positionals[0]!;
    const w = parseInferencePerfConfig(readTextFile(path), path);
    let requests;
    try { requests = inferencePerfTrace(w, { seed, traceBlockSize }); }
    catch (err) { if (err instanceof RangeError) throw new InputError({ source: path }, err.message); throw err; }
    writeFileAtomic(values.out, toJsonl(requests));
    const last = requests.at(-1)?.timestamp ?? 0;
    process.stdout.write(`wrote ${values.out}: ${requests.length} requests over ${(last / 1000).toFixed(1)} s (${w.data.type}, ${w.load.type} load, ${w.load.stages.length} stage${w.load.stages.length === 1 ? "" : "s"})\n`);
    return 0;
  },
};
