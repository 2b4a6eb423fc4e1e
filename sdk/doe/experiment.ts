/**
 * Experiments in llm-d-benchmark's vocabulary: setup treatments (one stack standup each) × run
 * treatments (workloads against that stack), with factors, levels and constants. This file holds
 * the typed structure, its expansion into runs (setup-major, run-minor: the documented nesting)
 * and its conversion to a Design for sweeps. experiment-file.ts reads and validates YAML into it.
 */
import type { Cell } from "../core/rows.js";
import { randomize, replicate, repeatedMeasures, withBlocks, type Design, type DesignRun, type Level } from "./design.js";

export type ExperimentFormat = "legacy" | "current";

export interface ExperimentFactor {
  /** Column name in results (legacy: the env var / profile key; current: the design name or dotted key). */
  name: string;
  /** Dotted override key (current format); the name when absent. */
  key?: string;
  /** Declared levels (informational in llm-d-benchmark; checked here, a warning unless strict). */
  levels?: Level[];
  /** For space-filling designs: a numeric range instead of levels. */
  range?: [number, number];
  integer?: boolean;
  unit?: string;
  description?: string;
}

export interface ExperimentTreatment {
  name: string;
  /** Factor name (legacy) or dotted key (current) → value; null is NA. Non-scalar YAML values appear as JSON text. */
  values: Record<string, Level>;
  /** Non-scalar override values as written (lists, maps), by dotted key. */
  structured?: Record<string, unknown>;
  /** Optional alternate workload profile (current format, run treatments). */
  profile?: string;
}

export interface ExperimentSection {
  factors: ExperimentFactor[];
  /** Applied to every treatment of the section (current: dotted keys; legacy: PR #393 constants). */
  constants: Record<string, Level>;
  treatments: ExperimentTreatment[];
}

/** Our extension: a design block that generates treatments and sets replicates and randomization. */
export interface ExperimentDesignOptions {
  type?: "full_factorial" | "fractional_factorial" | "latin_hypercube" | "random" | "ofat" | string;
  generators?: string[];
  samples?: number;
  maximin?: number;
  replicates?: number;
  repeats?: number;
  randomize?: boolean;
  seed?: number | string;
  blocks?: "replicate";
  /** Everything else in the block, kept as written (llm-d-benchmark's informational fields). */
  info?: Record<string, unknown>;
}

export interface ExperimentOptions {
  reset_caches: boolean;
  treatment_max_attempts: number;
  treatment_stop_on_error: boolean;
  validate_failures: boolean;
}

export interface ExperimentWarning {
  path: string;
  message: string;
}

export interface Experiment {
  name: string;
  format: ExperimentFormat;
  description?: string;
  harness?: string;
  profile?: string;
  datasetUrl?: string;
  setup?: ExperimentSection;
  run?: ExperimentSection;
  design?: ExperimentDesignOptions;
  options: ExperimentOptions;
  /** Non-fatal findings (e.g. a value outside its declared levels). */
  warnings: ExperimentWarning[];
  /** Where it was read from, for messages. */
  source?: string;
}

export interface ExperimentRun {
  /** `<setup>.<run>` with file-safe names; unique and stable. */
  id: string;
  /** 0-based position in expansion order. */
  index: number;
  setup: string;
  run: string;
  setupIndex: number;
  runIndex: number;
  /** Factor values of both treatments (constants excluded), null for NA or not set. */
  factors: Record<string, Level>;
  /** What a runner applies: setup constants + setup treatment, run constants + run treatment. */
  overrides: { setup: Record<string, unknown>; run: Record<string, unknown>; profile?: string };
}

/**
 * Runs of non-alphanumeric characters → `_` (llm-d-benchmark's legacy name sanitizing).
 *
 * @example
 * ```ts
 * sanitizeName("router=kv, speedup=2"); // a name safe for files and Kubernetes
 * ```
 */
export function sanitizeName(name: string): string {
  return name.replace(/[^A-Za-z0-9]+/g, "_");
}

/** File-safe id segment: keeps dashes and dots, other runs of odd characters → `_`. */
export function idSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "_");
}

/**
 * The factor columns of a section: declared factors, then any other keys treatments set, in first-seen order.
 *
 * @example
 * ```ts
 * sectionFactorNames(readExperimentFile("datasets/experiments/router-study.yaml").run); // ["router", "speedup"]
 * ```
 */
export function sectionFactorNames(section: ExperimentSection | undefined): string[] {
  if (!section) return [];
  const names = section.factors.map((f) => f.name);
  const byKey = new Map(section.factors.map((f) => [f.key ?? f.name, f.name]));
  for (const t of section.treatments) {
    for (const k of Object.keys(t.values)) {
      const n = byKey.get(k) ?? k;
      if (!names.includes(n)) names.push(n);
    }
  }
  return names;
}

function columnValues(section: ExperimentSection, t: ExperimentTreatment, names: string[]): Record<string, Level> {
  const byKey = new Map(section.factors.map((f) => [f.key ?? f.name, f.name]));
  const out: Record<string, Level> = {};
  for (const n of names) out[n] = null;
  for (const [k, v] of Object.entries(t.values)) out[byKey.get(k) ?? k] = v;
  return out;
}

function overridesOf(section: ExperimentSection | undefined, t: ExperimentTreatment): Record<string, unknown> {
  if (!section) return {};
  return { ...section.constants, ...t.values, ...(t.structured ?? {}) };
}

const implicit: ExperimentTreatment = { name: "default", values: {} };

/**
 * All runs: every setup treatment × every run treatment, setup-major (llm-d-benchmark's nesting).
 *
 * @example
 * ```ts
 * const runs = expandExperiment(readExperimentFile("datasets/experiments/router-study.yaml"));
 * ```
 */
export function expandExperiment(exp: Experiment): ExperimentRun[] {
  const setupNames = sectionFactorNames(exp.setup);
  const runNames = sectionFactorNames(exp.run);
  const setups = exp.setup?.treatments.length ? exp.setup.treatments : [implicit];
  const runs = exp.run?.treatments.length ? exp.run.treatments : [implicit];
  const out: ExperimentRun[] = [];
  setups.forEach((s, si) => {
    runs.forEach((r, ri) => {
      const factors = {
        ...(exp.setup ? columnValues(exp.setup, s, setupNames) : {}),
        ...(exp.run ? columnValues(exp.run, r, runNames) : {}),
      };
      out.push({
        id: `${idSegment(s.name)}.${idSegment(r.name)}`,
        index: out.length,
        setup: s.name,
        run: r.name,
        setupIndex: si,
        runIndex: ri,
        factors,
        overrides: { setup: overridesOf(exp.setup, s), run: overridesOf(exp.run, r), ...(r.profile ? { profile: r.profile } : {}) },
      });
    });
  });
  return out;
}

/**
 * total_matrix as llm-d-benchmark counts it: max(#setup, 1) × max(#run, 1).
 *
 * @example
 * ```ts
 * experimentSize(readExperimentFile("datasets/experiments/router-study.yaml")); // { setup: 3, run: 8, total: 24 }
 * ```
 */
export function experimentSize(exp: Experiment): { setup: number; run: number; total: number } {
  const setup = exp.setup?.treatments.length ?? 0;
  const run = exp.run?.treatments.length ?? 0;
  return { setup, run, total: Math.max(setup, 1) * Math.max(run, 1) };
}

export interface ExperimentDesignOverrides {
  replicates?: number;
  repeats?: number;
  randomize?: boolean;
  seed?: number | string;
}

/**
 * The experiment as a sweep design: one run per (setup, run) treatment pair and replicate. With
 * randomization the order is split-plot: setup treatments are shuffled, and run treatments within
 * each (a stack is stood up once per setup treatment, as llm-d-benchmark does). Each replicate is
 * a block when the design block says `blocks: replicate`.
 *
 * @example
 * ```ts
 * const design = experimentDesign(readExperimentFile("datasets/experiments/router-study.yaml"), { replicates: 3, seed: 7 });
 * ```
 */
export function experimentDesign(exp: Experiment, overrides: ExperimentDesignOverrides = {}): Design {
  const runs = expandExperiment(exp);
  const factors = [...sectionFactorNames(exp.setup), ...sectionFactorNames(exp.run)];
  const designRuns: DesignRun[] = runs.map((r) => {
    const context: Record<string, Cell> = { setup: r.setup, run: r.run };
    return { id: r.id, treatment: r.id, std_order: r.index + 1, run_order: r.index + 1, replicate: 1, block: 1, center: false, factors: r.factors, context, params: r.overrides };
  });
  let design: Design = { name: exp.name, kind: "experiment", factors, runs: designRuns, repeats: 1 };
  const reps = overrides.replicates ?? exp.design?.replicates ?? 1;
  if (reps > 1) design = replicate(design, reps);
  if (exp.design?.blocks === "replicate") design = withBlocks(design, { byReplicate: true });
  const repeats = overrides.repeats ?? exp.design?.repeats ?? 1;
  if (repeats > 1) design = repeatedMeasures(design, repeats);
  const doRandomize = overrides.randomize ?? exp.design?.randomize ?? false;
  if (doRandomize) design = randomize(design, overrides.seed ?? exp.design?.seed ?? 1, { restrictBy: "setup" });
  return design;
}
