/**
 * actuation-lab's front door: the verbs a researcher reaches for first, and one namespace per module.
 *
 * `import { loadTrace, replayTrace, show } from "actuation-lab"` for the verbs; everything else is
 * in its module's namespace (`import { replay } from "actuation-lab"` then `replay.summarize(...)`)
 * or its subpath (`import { summarize } from "actuation-lab/replay"`), which loads that module only.
 * danfo/TensorFlow and client-node load when a function that needs them first runs. Plot (whose mark
 * builders users call synchronously to write a spec), linkedom and resvg (behind the synchronous
 * renderPlot/toPng) load with this file and are most of its import time (npm run bench prints it): a
 * lazy synchronous load would need import.meta, which the tslab kernel cannot compile.
 */

// ── the verbs ───────────────────────────────────────────────────────────────────────────────────
export { rng } from "./core/rng.js";
export { sharedDataset } from "./core/paths.js";
export { loadTrace } from "./trace/load.js";
export { traceStats } from "./trace/stats.js";
export { syntheticTrace } from "./trace/generate.js";
export { replayTrace } from "./replay/replay.js";
export { runPlannerReplay } from "./planner/run.js";
export { loadPlannerConfig } from "./planner/load-config.js";
export { classifyActuations } from "./actuation/classify.js";
export { analyzeRun } from "./actuation/analyze.js";
export { hitRates } from "./actuation/summary.js";
export { watchPods } from "./kube/watch.js";
export { loadKubeConfig } from "./kube/kubeconfig.js";
export { runNopIterations } from "./bench/nop-runner.js";
export { startCluster } from "./cluster/start.js";
export { readExperimentFile } from "./doe/experiment-file.js";
export { expandExperiment } from "./doe/experiment.js";
export { runSweep } from "./doe/sweep.js";
export { analyzeFactors } from "./doe/analysis.js";
export { anova } from "./doe/anova.js";
export { toArquero } from "./frames/to-arquero.js";
export { toDanfo } from "./frames/to-danfo.js";
export { Plot, renderPlot, renderFigure } from "./report/render-plot.js";
export { toPng } from "./report/to-png.js";
export { show } from "./report/display.js";

// ── one namespace per module, lowest floor first ───────────────────────────────────────────────
export * as core from "./core/index.js";
export * as frames from "./frames/index.js";
export * as report from "./report/index.js";
export * as trace from "./trace/index.js";
export * as engine from "./engine/index.js";
export * as kube from "./kube/index.js";
export * as actuation from "./actuation/index.js";
export * as replay from "./replay/index.js";
export * as cluster from "./cluster/index.js";
export * as planner from "./planner/index.js";
export * as doe from "./doe/index.js";
export * as bench from "./bench/index.js";
