// Run an experiment file as a sweep, then ask which factors matter. Run: npx tsx examples/run-experiment.ts
// (ACTLAB_FAST=1: fewer replicates.) The treatment here is the SDK's deterministic synthetic response;
// swap in your own module (a default-exported function of TreatmentInput → responses) for a real study.
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { analyzeFactors, readExperimentFile, expandExperiment, runSweep, toArquero } from "actuation-lab";
import { defineExperiment, lenth, experimentDesign, experimentToYaml, halfNormalPlot, mainEffectsPlot, interactionPlotMatrix, writePlot } from "actuation-lab/doe";

const fast = process.env.ACTLAB_FAST === "1";
const out = join("out", "examples", "run-experiment");
const treatmentModule = fileURLToPath(new URL("../sdk/doe/synthetic-response.ts", import.meta.url));

// 1. llm-d-benchmark's own experiment file (legacy format) expands setup × run.
const gaie = readExperimentFile("datasets/experiments/precise-prefix-cache-aware.yaml");
console.log(`${gaie.name}: ${expandExperiment(gaie).length} runs; warnings: ${gaie.warnings.map((w) => `${w.path}: ${w.message}`).join("; ")}`);

// 2. The same vocabulary built in code, with a design block that generates the treatments.
const exp = defineExperiment({
  experiment: { name: "router-study", description: "router policy × workers × arrival speed-up" },
  design: {
    type: "full_factorial",
    replicates: fast ? 2 : 3,
    randomize: true,
    seed: 7,
    setup: { factors: [{ name: "workers", key: "fleet.workers", levels: [2, 4] }] },
    run: { factors: [{ name: "policy", key: "router.policy", levels: ["round-robin", "kv"] }, { name: "speedup", key: "arrival.speedup", levels: [1, 2] }] },
  },
});
console.log(experimentToYaml(exp).split("\n").slice(0, 6).join("\n") + "\n…");

// 3. Sweep it on worker threads; results are cached, so a second run is instant.
const design = experimentDesign(exp);
const result = await runSweep(design, treatmentModule, { seed: 1, outDir: out, progress: fast ? false : undefined });
console.log(`${result.total} runs: ${result.executed} executed, ${result.cached} cached → ${result.files!.csv}`);
toArquero(result.rows).select("id", "workers", "policy", "speedup", "replicate", "response").slice(0, 6).print();

// 4. Which factors matter?
const factors = ["workers", "policy", "speedup"];
const a = analyzeFactors(result.rows, "response", factors);
for (const r of a.anova.rows) console.log(`${r.term.padEnd(24)} df ${r.df}  SS ${r.ss.toFixed(2).padStart(9)}  F ${(r.f ?? NaN).toFixed(2).padStart(8)}  p ${(r.p ?? NaN).toPrecision(3)}`);
console.log(`R² ${a.anova.r2.toFixed(3)}, adjusted ${a.anova.adjR2?.toFixed(3)}`);
for (const e of a.inference ?? []) console.log(`effect ${e.label.padEnd(4)} ${e.effect.toFixed(2).padStart(7)} ± ${e.se.toFixed(2)} (p ${e.p.toPrecision(2)})`);

writePlot(out, "main-effects", mainEffectsPlot(result.rows, "response", factors));
writePlot(out, "interactions", interactionPlotMatrix(result.rows, "response", factors));
if (a.effects) writePlot(out, "half-normal", halfNormalPlot(lenth(a.effects.effects)));
console.log(`plots → ${out}/`);
