/** `actlab trace stats TRACE [--json]`: statistics of a Mooncake JSONL or Azure CSV trace. */
import { readTraceFile, streamTraceFile, traceFormatOf, type TraceFormat } from "../../trace/load.js";
import { TraceStatsAccumulator, traceStats } from "../../trace/stats.js";
import { DEFAULT_TRACE_BLOCK_SIZE } from "../../trace/types.js";
import { DEFAULT_ENGINE_CONFIG } from "../../engine/defaults.js";
import { numberOption, parseCommandArgs, UsageError, type Command } from "../command.js";

const usage = `Usage: actlab trace stats TRACE [--json] [--format mooncake|azure] [--trace-block-size N] [--engine-block-size N] [--interval S] [--lenient]

Counts, duration, arrival rate, ISL/OSL percentiles (linear), hash-block totals and the ideal prefix
reuse of an unbounded cache on one worker, for a Mooncake JSONL (default) or Azure CSV (.csv) trace.
  --json                 print the statistics as JSON (rate series included)
  --format F             mooncake | azure (default: by extension)
  --trace-block-size N   tokens per hash id (default ${DEFAULT_TRACE_BLOCK_SIZE})
  --engine-block-size N  KV block size for the ideal reuse (default ${DEFAULT_ENGINE_CONFIG.blockSize})
  --interval S           width of the rate series, seconds (default 60)
  --lenient              skip bad lines and report them (the first 10 listed, then a count) instead of failing`;

/** Bad lines listed in text mode before the count of the rest. */
const SHOWN_PROBLEMS = 10;

const fmt = (v: number, d = 1) => (Number.isFinite(v) ? v.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }) : "–");

export const command: Command = {
  name: "trace stats",
  summary: "statistics of a trace (counts, rates, ISL/OSL, ideal prefix reuse)",
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      json: { type: "boolean" },
      format: { type: "string" },
      "trace-block-size": { type: "string" },
      "engine-block-size": { type: "string" },
      interval: { type: "string" },
      lenient: { type: "boolean" },
    });
    if (positionals.length !== 1) throw new UsageError("expected exactly one TRACE file");
    const path = positionals[0]!;
    const format = (values.format ?? traceFormatOf(path)) as TraceFormat;
    if (format !== "mooncake" && format !== "azure") throw new UsageError(`--format expects mooncake or azure, got '${values.format}'`);
    const traceBlockSize = numberOption(values["trace-block-size"], "trace-block-size", DEFAULT_TRACE_BLOCK_SIZE, 1);
    const engineBlockSize = numberOption(values["engine-block-size"], "engine-block-size", DEFAULT_ENGINE_CONFIG.blockSize, 1);
    const intervalS = numberOption(values.interval, "interval", 60, 0.001);
    // One streaming pass keeps no request (bounded memory on traces of any length) when the file is
    // in arrival order, as traces are; otherwise a second pass reads the requests for the ideal reuse.
    const readOptions = { format, traceBlockSize, lenient: values.lenient ?? false };
    const statsOptions = { traceBlockSize, engineBlockSize, intervalS };
    const acc = new TraceStatsAccumulator(statsOptions);
    let report = await streamTraceFile(path, readOptions, (r) => acc.add(r));
    let s;
    if (acc.inArrivalOrder) s = acc.result();
    else {
      const load = await readTraceFile(path, readOptions);
      report = load.report;
      s = traceStats(load.requests, statsOptions);
    }
    if (values.json) {
      process.stdout.write(JSON.stringify({ source: path, format, read: report, ...s }, null, 2) + "\n");
      return 0;
    }
    const lines = [
      `${path} (${format})`,
      `  requests            ${s.requests.toLocaleString("en-US")}  (sessions ${s.sessions.toLocaleString("en-US")})${report.skipped ? `, ${report.skipped} bad lines skipped` : ""}`,
      `  duration            ${fmt(s.durationMs / 1000)} s   mean rate ${fmt(s.meanRateRps, 2)} req/s`,
      `  input tokens        mean ${fmt(s.isl.mean)}  p50 ${fmt(s.isl.p50, 0)}  p90 ${fmt(s.isl.p90, 0)}  p99 ${fmt(s.isl.p99, 0)}  max ${fmt(s.isl.max, 0)}`,
      `  output tokens       mean ${fmt(s.osl.mean)}  p50 ${fmt(s.osl.p50, 0)}  p90 ${fmt(s.osl.p90, 0)}  p99 ${fmt(s.osl.p99, 0)}  max ${fmt(s.osl.max, 0)}`,
      `  hash blocks         ${s.totalBlocks.toLocaleString("en-US")} total, ${s.uniqueHashIds.toLocaleString("en-US")} unique (${traceBlockSize} tokens each)`,
      `  ideal prefix reuse  ${fmt(100 * s.idealPrefixReuse.tokenRatio)}% of input tokens; mean per-request hit rate ${fmt(100 * s.idealPrefixReuse.meanRequestRatio)}% (unbounded cache, ${engineBlockSize}-token blocks)`,
      `  percentiles         ${s.percentileMethod}`,
    ];
    // Lenient reads name their bad lines here too, not only in --json: the first few, then a count.
    const shown = report.problems.slice(0, SHOWN_PROBLEMS);
    if (shown.length) lines.push(`  bad lines (first ${shown.length} of ${report.skipped}):`, ...shown.map((p) => `    ${path}:${p.line}: ${p.message}`));
    if (report.skipped > shown.length) lines.push(`    … and ${report.skipped - shown.length} more${report.problems.length > shown.length ? ` (--json lists the first ${report.problems.length})` : ""}`);
    process.stdout.write(lines.join("\n") + "\n");
    return 0;
  },
};
