/**
 * `actlab classify`: offline classification of a recorded run (a folder written by `actlab bench`)
 * or of a bare event log plus evidence files, into the same outputs `actlab bench` writes.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { InputError } from "../../core/errors.js";
import { analyzeRun, type RunInputs } from "../../actuation/analyze.js";
import { summarizeActuations } from "../../actuation/summary.js";
import type { NopScenario } from "../../actuation/nop-result.js";
import { nopOptionsFor } from "../../actuation/nop-context.js";
import { describeTorn, parseEventLog } from "../../kube/event-log.js";
import { readRunDir, writeAnalysis } from "../../bench/run-files.js";
import { parseCommandArgs, UsageError, type Command } from "../command.js";

const usage = `Usage: actlab classify RUN_DIR [--out DIR]
       actlab classify --events FILE [--dpc-log FILE] [--pod-log POD=FILE]... [--out DIR]

Classifies every requester actuation (hot, warm, cold_launcher, cold, or unknown with a reason) from
recorded watch events and whatever evidence is given (DPC log, launcher/provider logs), and writes
result.yaml (nop), benchmark_report.yaml (v0.1), actuations.json/csv and summary.json. The same
inputs always give the same bytes.
  --out DIR           output folder (default: out/classify/NAME, NAME the run folder's or event log's
                      name; never the input's own folder: outputs are never written into inputs)
  --no-dpc            ignore the DPC log (classify from Kubernetes objects and vLLM logs only)
  --no-vllm           ignore launcher/provider logs
  --bound harness     upper bounds as the nop harness computes them (default: padded by the 1 s resolution)`;

/** The output folder: --out, else out/classify/NAME; the input's own folder is refused. */
function outFolder(given: string | undefined, inputDir: string, name: string): string {
  const out = given ?? join("out", "classify", name);
  if (resolve(out) === resolve(inputDir)) throw new UsageError(`--out ${given} is the input folder; outputs are never written into inputs (give another folder)`);
  return out;
}

/**
 * What to record when actuations stay unknown: the evidence that decides them (issue 16 item 7: a
 * watch of a served cluster records only objects, and nothing said a DPC log was missing).
 */
function evidenceHint(inputs: RunInputs, unknown: number, use: { dpc: boolean; vllm: boolean }): string | undefined {
  if (unknown === 0) return undefined;
  const sources = (inputs.evidence ?? []).map((e) => e.source);
  const missing: string[] = [];
  if (use.dpc && !sources.some((s) => s.startsWith("dpc"))) missing.push("dual-pods controller (DPC) log (--dpc-log FILE; from a cluster: kubectl logs of the dual-pods-controller pod)");
  if (use.vllm && !sources.some((s) => s.startsWith("pod"))) missing.push("launcher/provider vLLM logs (--pod-log POD=FILE)");
  return missing.length ? `${unknown} unknown: the recording has no ${missing.join(" and no ")}; add them to decide hot vs warm vs cold_launcher (actlab watch --record DIR records them all)` : undefined;
}

export const command: Command = {
  name: "classify",
  summary: "classify actuations from a recorded run or event log (offline, byte-identical re-runs)",
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      events: { type: "string" }, "dpc-log": { type: "string" }, "pod-log": { type: "string", multiple: true }, out: { type: "string" },
      "no-dpc": { type: "boolean" }, "no-vllm": { type: "boolean" }, bound: { type: "string" },
    });
    if (positionals.length > 1) throw new UsageError(`expected one RUN_DIR, got ${positionals.length}`);
    if (!positionals.length && !values.events) throw new UsageError("give a RUN_DIR or --events FILE");
    const bound = values.bound ?? "sound";
    if (bound !== "sound" && bound !== "harness") throw new UsageError(`--bound expects sound or harness, got '${bound}'`);
    let inputs: RunInputs;
    let nopScenario: NopScenario | undefined;
    let out: string;
    if (positionals.length) {
      const run = readRunDir(positionals[0]!);
      for (const t of run.torn) process.stderr.write(`warning: ${describeTorn(t)}\n`);
      inputs = run;
      nopScenario = run.options.nopScenario as NopScenario | undefined;
      out = outFolder(values.out, positionals[0]!, basename(resolve(positionals[0]!)));
    } else {
      const file = values.events!;
      let text: string;
      try { text = readFileSync(file, "utf8"); } catch { throw new InputError({ source: file }, "a readable event-log file"); }
      const evidence: { source: string; text: string }[] = [];
      const readText = (f: string) => { try { return readFileSync(f, "utf8"); } catch { throw new InputError({ source: f }, "a readable log file"); } };
      if (values["dpc-log"]) evidence.push({ source: `dpc:${basename(values["dpc-log"])}`, text: readText(values["dpc-log"]) });
      for (const spec of values["pod-log"] ?? []) {
        const eq = spec.indexOf("=");
        if (eq <= 0) throw new UsageError(`--pod-log expects POD=FILE, got '${spec}'`);
        evidence.push({ source: `pod:${spec.slice(0, eq)}`, text: readText(spec.slice(eq + 1)) });
      }
      const log = parseEventLog(text, file);
      if (log.torn) process.stderr.write(`warning: ${describeTorn(log.torn)}\n`);
      inputs = { events: log.events, evidence };
      out = outFolder(values.out, dirname(file), basename(file).replace(/\.jsonl(\.gz)?$/, ""));
    }
    const use = { dpc: !values["no-dpc"], vllm: !values["no-vllm"] };
    const analysis = analyzeRun({ ...inputs, use, bound });
    const { actuations } = analysis;
    const files = writeAnalysis(out, actuations, nopOptionsFor({ ...inputs, use }, nopScenario, analysis));
    const s = summarizeActuations(actuations);
    // A rate over zero classified actuations is undefined, not 0.
    const rates = s.classified === 0 ? "no classified actuations, so no hit rates" : `rates over ${s.classified} classified: hot ${s.hot_hit_rate!.toFixed(3)}, warm ${s.warm_hit_rate!.toFixed(3)}, cold_launcher ${s.cold_launcher_hit_rate!.toFixed(3)}`;
    process.stdout.write(`${s.total} actuations: hot ${s.hot}, warm ${s.warm}, cold_launcher ${s.cold_launcher}, cold ${s.cold}, unknown ${s.unknown} (${rates})\n`);
    for (const a of actuations.filter((x) => x.path === "unknown")) process.stdout.write(`  unknown ${a.requester}: ${a.reason}\n`);
    const hint = evidenceHint(inputs, s.unknown, { dpc: !values["no-dpc"], vllm: !values["no-vllm"] });
    if (hint) process.stdout.write(`hint: ${hint}\n`);
    process.stdout.write(`wrote ${files.map((f) => join(out, f)).join(", ")}\n`);
    return 0;
  },
};
