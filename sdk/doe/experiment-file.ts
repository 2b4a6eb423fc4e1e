/**
 * Reading experiment files (both llm-d-benchmark formats) into an `Experiment`, validating as we
 * go, and writing one back to YAML. Parsing never evaluates anything: YAML tags other than the
 * core schema's (`!!js/function`, `!custom`, …) are rejected, like duplicate keys.
 *
 * Legacy format (docs/doe.md): `setup`/`run` each with `factors` (ordered names), `levels`
 * (informational comma-separated strings) and `treatments` (positional comma-separated strings, or
 * a map name → string); `NA` = not applicable. Current format (llmdbenchmark/experiment):
 * `setup.constants` and `setup.treatments` / top-level `treatments` (or `run`) as lists of maps
 * with `name` and dotted-key overrides, an informational `design` block and run options.
 * Our extension: a `design` block with a generative `type` fills sections that list no treatments.
 *
 * Long because: both llm-d-benchmark formats go through one validating parser and one
 * path-carrying error context (`Ctx`), and the writer must stay the exact inverse of the readers;
 * split, the key-path bookkeeping would be restated per file.
 */
import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import YAML, { isNode, LineCounter, type Document } from "yaml";
import { InputError } from "../core/errors.js";
import { isPlainName, PLAIN_NAME } from "../core/plain-name.js";
import type { Level } from "./design.js";
import type {
  Experiment, ExperimentDesignOptions, ExperimentFactor, ExperimentFormat, ExperimentOptions, ExperimentSection,
  ExperimentTreatment, ExperimentWarning,
} from "./experiment.js";
import { sanitizeName } from "./experiment.js";
import { fractionalFactorial, fullFactorial, oneFactorAtATime } from "./factorial.js";
import { latinHypercube, randomSample, type NumericRange } from "./space-filling.js";
import type { Design } from "./design.js";

export interface ParseOptions {
  /** Values outside their factor's declared levels (and unknown override keys) become errors. */
  strict?: boolean;
  /** Name when the file has no `experiment.name` (default: the file stem). */
  name?: string;
  /**
   * Most treatments a generative design may produce per section (default 1,000,000): a typo such
   * as ten 8-level factors would otherwise fill memory (8^10 runs took 4.6 GB and then crashed).
   */
  maxTreatments?: number;
}

const DEFAULT_MAX_TREATMENTS = 1_000_000;

type PathPart = string | number;

const CORE_TAGS = new Set(["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`));
const TOP_KEYS = new Set(["experiment", "design", "setup", "run", "treatments", "reset_caches", "treatment_max_attempts", "treatment_stop_on_error", "validate_failures"]);
const DESIGN_TYPES = new Set(["full_factorial", "fractional_factorial", "latin_hypercube", "random", "ofat"]);

function fmtPath(parts: readonly PathPart[]): string {
  let s = "";
  for (const p of parts) s += typeof p === "number" ? `[${p}]` : s ? `.${p}` : p;
  return s;
}

/** Validation context: where we are, and how to turn a path into a line number. */
class Ctx {
  readonly warnings: ExperimentWarning[] = [];
  maxTreatments = DEFAULT_MAX_TREATMENTS;
  constructor(readonly source: string, readonly strict: boolean, private readonly doc?: Document, private readonly lines?: LineCounter) {}

  line(path: readonly PathPart[]): number | undefined {
    if (!this.doc || !this.lines) return undefined;
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return this.lines.linePos(node.range[0]).line;
    }
    return undefined;
  }

  error(path: readonly PathPart[], expected: string): InputError {
    return new InputError({ source: this.source, line: this.line(path), path: fmtPath(path) || undefined }, expected);
  }

  /** A warning, or an error in strict mode. */
  warn(path: readonly PathPart[], message: string): void {
    if (this.strict) throw this.error(path, message);
    this.warnings.push({ path: fmtPath(path), message });
  }
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A YAML or CSV scalar as a level: `NA` → null, numeric text → number.
 *
 * @example
 * ```ts
 * toLevel("4"); // 4 (NA → null)
 * ```
 */
export function toLevel(v: unknown): Level {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" || typeof v === "boolean") return v;
  if (typeof v === "string") {
    const s = v.trim();
    if (s === "NA") return null;
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
    if (s === "true") return true;
    if (s === "false") return false;
    return s;
  }
  return JSON.stringify(v);
}

function csvValues(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((x) => String(x));
  return String(v).split(",").map((s) => s.trim());
}

function levelKey(v: Level): string {
  return v === null ? "\u0000NA" : `${typeof v}:${String(v)}`;
}

function checkLevels(ctx: Ctx, factor: ExperimentFactor | undefined, value: Level, path: PathPart[]): void {
  if (!factor?.levels || value === null) return;
  if (!factor.levels.some((l) => levelKey(l) === levelKey(value))) {
    ctx.warn(path, `a value among the declared levels of '${factor.name}' (${factor.levels.map((l) => (l === null ? "NA" : String(l))).join(", ")}), found ${String(value)}`);
  }
}

function checkDuplicates(ctx: Ctx, treatments: ExperimentTreatment[], paths: PathPart[][]): void {
  const byName = new Map<string, number>();
  const byValues = new Map<string, number>();
  treatments.forEach((t, i) => {
    const key = JSON.stringify([Object.entries({ ...t.values, ...(t.structured ?? {}) }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), t.profile ?? null]);
    const prev = byValues.get(key);
    if (prev !== undefined) throw ctx.error(paths[i]!, `distinct treatments; this one repeats the values of ${fmtPath(paths[prev]!)} (use replicates for repeated runs)`);
    byValues.set(key, i);
    const prevName = byName.get(t.name);
    if (prevName !== undefined) throw ctx.error(paths[i]!, `a unique treatment name; '${t.name}' is also the name of ${fmtPath(paths[prevName]!)}`);
    byName.set(t.name, i);
  });
}

/**
 * Expand dotted keys into nested maps (as llm-d-benchmark's dotted_to_nested), rejecting conflicts like `a.b` with `a.b.c`.
 *
 * @example
 * ```ts
 * dottedToNested({ "engine.maxNumSeqs": 64 }); // { engine: { maxNumSeqs: 64 } }
 * ```
 */
export function dottedToNested(flat: Record<string, unknown>, onConflict: (key: string, other: string) => never = (k, o) => { throw new Error(`dotted key '${k}' conflicts with '${o}'`); }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const owner = new Map<object, Map<string, string>>();
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split(".").map((p) => p.replace(/_PROTECTDOT_/g, "."));
    let node: Record<string, unknown> = out;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      const names = owner.get(node) ?? new Map<string, string>();
      owner.set(node, names);
      const last = i === parts.length - 1;
      if (last) {
        if (p in node) onConflict(key, names.get(p) ?? p);
        node[p] = value;
        names.set(p, key);
      } else {
        const next = node[p];
        if (next === undefined) {
          const fresh: Record<string, unknown> = {};
          node[p] = fresh;
          names.set(p, key);
          node = fresh;
        } else if (isMap(next) && owner.has(next)) {
          node = next;
        } else {
          onConflict(key, names.get(p) ?? p);
        }
      }
    }
  }
  return out;
}

// ── legacy sections ─────────────────────────────────────────────────────────────────────────────

function parseLegacySection(ctx: Ctx, raw: Record<string, unknown>, sectionName: "setup" | "run"): ExperimentSection {
  const at = (...p: PathPart[]) => [sectionName, ...p];
  for (const k of Object.keys(raw)) {
    if (!["factors", "levels", "treatments", "constants"].includes(k)) throw ctx.error(at(k), `one of factors, levels, treatments, constants in a legacy '${sectionName}' section, found '${k}'`);
  }
  const rawFactors = raw.factors;
  if (!Array.isArray(rawFactors) || rawFactors.length === 0) throw ctx.error(at("factors"), "a non-empty list of factor names");
  const factors: ExperimentFactor[] = rawFactors.map((f, i) => {
    if (typeof f !== "string" || f.trim() === "") throw ctx.error(at("factors", i), "a factor name (a non-empty string)");
    return { name: f.trim() };
  });
  const seen = new Set<string>();
  factors.forEach((f, i) => {
    if (seen.has(f.name)) throw ctx.error(at("factors", i), `distinct factor names; '${f.name}' is listed twice`);
    seen.add(f.name);
  });
  if (raw.levels !== undefined && raw.levels !== null) {
    if (!isMap(raw.levels)) throw ctx.error(at("levels"), "a map from factor name to comma-separated levels");
    for (const [name, v] of Object.entries(raw.levels)) {
      const f = factors.find((x) => x.name === name);
      if (!f) throw ctx.error(at("levels", name), `a factor listed in ${sectionName}.factors (${factors.map((x) => x.name).join(", ")}); '${name}' is unknown`);
      const values = csvValues(v);
      if (values.length === 0 || values.some((s) => s === "")) throw ctx.error(at("levels", name), "comma-separated levels with no empty entries");
      f.levels = values.map(toLevel);
    }
  }
  const constants: Record<string, Level> = {};
  if (raw.constants !== undefined && raw.constants !== null) {
    if (!isMap(raw.constants)) throw ctx.error(at("constants"), "a map from parameter to value");
    for (const [k, v] of Object.entries(raw.constants)) {
      if (factors.some((f) => f.name === k)) throw ctx.error(at("constants", k), `a parameter that is not a factor; '${k}' is in ${sectionName}.factors`);
      constants[k] = toLevel(v);
    }
  }
  const treatments: ExperimentTreatment[] = [];
  const paths: PathPart[][] = [];
  const rawT = raw.treatments;
  const entries: [string | undefined, unknown, PathPart[]][] = [];
  if (Array.isArray(rawT)) rawT.forEach((t, i) => entries.push([undefined, t, at("treatments", i)]));
  else if (isMap(rawT)) for (const [name, t] of Object.entries(rawT)) entries.push([name, t, at("treatments", name)]);
  else if (rawT !== undefined && rawT !== null) throw ctx.error(at("treatments"), "a list of comma-separated value strings, or a map from treatment name to such a string");
  for (const [name, t, path] of entries) {
    if (t === null || typeof t === "object") throw ctx.error(path, `a comma-separated string of ${factors.length} values (one per factor: ${factors.map((f) => f.name).join(", ")})`);
    const parts = csvValues(t);
    if (parts.length !== factors.length) {
      throw ctx.error(path, `${factors.length} comma-separated values (one per factor: ${factors.map((f) => f.name).join(", ")}), found ${parts.length}`);
    }
    if (parts.some((p) => p === "")) throw ctx.error(path, "no empty values (write NA for a factor that does not apply)");
    const values: Record<string, Level> = {};
    factors.forEach((f, j) => {
      values[f.name] = toLevel(parts[j]);
      checkLevels(ctx, f, values[f.name]!, path);
    });
    treatments.push({ name: sanitizeName(name ?? `${sectionName}_${parts.join("_")}`), values });
    paths.push(path);
  }
  checkDuplicates(ctx, treatments, paths);
  return { factors, constants, treatments };
}

// ── current sections ────────────────────────────────────────────────────────────────────────────

function parseDesignFactors(ctx: Ctx, raw: unknown, path: PathPart[]): ExperimentFactor[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw ctx.error(path, "a list of factors ({name, key?, levels} or {name, key?, range: [min, max]})");
  const out: ExperimentFactor[] = [];
  raw.forEach((f, i) => {
    if (!isMap(f) || typeof f.name !== "string" || f.name === "") throw ctx.error([...path, i], "a factor map with a non-empty 'name'");
    const factor: ExperimentFactor = { name: f.name };
    if (f.key !== undefined) {
      if (typeof f.key !== "string" || f.key === "") throw ctx.error([...path, i, "key"], "a dotted override key");
      factor.key = f.key;
    }
    if (f.levels !== undefined) {
      if (!Array.isArray(f.levels) && typeof f.levels !== "string") throw ctx.error([...path, i, "levels"], "a list of levels");
      factor.levels = (Array.isArray(f.levels) ? f.levels : csvValues(f.levels)).map(toLevel);
      if (factor.levels.length === 0) throw ctx.error([...path, i, "levels"], "at least one level");
    }
    if (f.range !== undefined) {
      const r = f.range;
      if (!Array.isArray(r) || r.length !== 2 || typeof r[0] !== "number" || typeof r[1] !== "number" || !(r[0] <= r[1])) throw ctx.error([...path, i, "range"], "[min, max] with numbers min ≤ max");
      factor.range = [r[0], r[1]];
    }
    if (f.integer !== undefined) factor.integer = f.integer === true;
    if (typeof f.unit === "string") factor.unit = f.unit;
    if (typeof f.description === "string") factor.description = f.description;
    if (out.some((o) => o.name === factor.name)) throw ctx.error([...path, i, "name"], `distinct factor names; '${factor.name}' appears twice`);
    out.push(factor);
  });
  return out;
}

function parseCurrentTreatments(ctx: Ctx, raw: unknown, path: PathPart[], prefix: "setup" | "treatment", factors: ExperimentFactor[], constants: Record<string, unknown>): ExperimentTreatment[] {
  if (!Array.isArray(raw)) throw ctx.error(path, "a list of treatments, each a map with an optional 'name' and dotted-key overrides");
  const keyed = new Map(factors.map((f) => [f.key ?? f.name, f]));
  const treatments: ExperimentTreatment[] = [];
  const paths: PathPart[][] = [];
  raw.forEach((t, i) => {
    const tp = [...path, i];
    if (!isMap(t)) throw ctx.error(tp, "a treatment map (name plus dotted-key overrides)");
    if (t.name !== undefined && (typeof t.name !== "string" || t.name.trim() === "")) throw ctx.error([...tp, "name"], "a non-empty treatment name");
    const treatment: ExperimentTreatment = { name: typeof t.name === "string" ? t.name : `${prefix}-${i}`, values: {} };
    for (const [k, v] of Object.entries(t)) {
      if (k === "name") continue;
      if (k === "profile" && prefix === "treatment") {
        if (typeof v !== "string") throw ctx.error([...tp, k], "a profile name");
        treatment.profile = v;
        continue;
      }
      if (keyed.size > 0 && !keyed.has(k)) ctx.warn([...tp, k], `a factor key declared in design.${prefix === "setup" ? "setup" : "run"}.factors (${[...keyed.keys()].join(", ")}); '${k}' is unknown`);
      if (v !== null && typeof v === "object") (treatment.structured ??= {})[k] = v;
      treatment.values[k] = toLevel(v);
      checkLevels(ctx, keyed.get(k), treatment.values[k]!, [...tp, k]);
    }
    dottedToNested({ ...constants, ...t, name: undefined }, (key, other) => {
      throw ctx.error([...tp, key], `override keys that do not overlap; '${key}' conflicts with '${other}' (one sets a value where the other needs a map)`);
    });
    treatments.push(treatment);
    paths.push(tp);
  });
  checkDuplicates(ctx, treatments, paths);
  return treatments;
}

function parseConstants(ctx: Ctx, raw: unknown, path: PathPart[]): { levels: Record<string, Level>; raw: Record<string, unknown> } {
  if (raw === undefined || raw === null) return { levels: {}, raw: {} };
  if (Array.isArray(raw)) {
    // design-style constants: [{key, value, description}]
    const rec: Record<string, unknown> = {};
    raw.forEach((c, i) => {
      if (!isMap(c) || typeof c.key !== "string") throw ctx.error([...path, i], "a constant {key, value}");
      rec[c.key] = c.value;
    });
    raw = rec;
  }
  if (!isMap(raw)) throw ctx.error(path, "a map from dotted key to value");
  dottedToNested(raw, (key, other) => { throw ctx.error([...path, key], `constant keys that do not overlap; '${key}' conflicts with '${other}'`); });
  return { levels: Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, toLevel(v)])), raw };
}

// ── design block (our generative extension) ────────────────────────────────────────────────────

function parseDesignBlock(ctx: Ctx, raw: unknown): ExperimentDesignOptions | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isMap(raw)) throw ctx.error(["design"], "a map");
  const d: ExperimentDesignOptions = {};
  const info: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const p: PathPart[] = ["design", k];
    switch (k) {
      case "type": if (typeof v !== "string") throw ctx.error(p, "a design type"); d.type = v; break;
      case "generators":
        if (!Array.isArray(v) || v.some((g) => typeof g !== "string")) throw ctx.error(p, "a list of generators like 'D=ABC'");
        d.generators = v as string[]; break;
      case "samples": case "maximin": case "replicates": case "repeats":
        if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw ctx.error(p, "a positive integer");
        d[k] = v; break;
      case "randomize": if (typeof v !== "boolean") throw ctx.error(p, "true or false"); d.randomize = v; break;
      case "seed": if (typeof v !== "number" && typeof v !== "string") throw ctx.error(p, "a number or string seed"); d.seed = v; break;
      case "blocks": if (v !== "replicate") throw ctx.error(p, "'replicate' (each replicate is a block)"); d.blocks = "replicate"; break;
      default: info[k] = v;
    }
  }
  if (Object.keys(info).length) d.info = info;
  return d;
}

function generateTreatments(ctx: Ctx, design: ExperimentDesignOptions, factors: ExperimentFactor[], section: "setup" | "run", legacy: boolean): ExperimentTreatment[] {
  const path: PathPart[] = legacy ? [section, "levels"] : ["design", section, "factors"];
  const type = design.type ?? "";
  if (!DESIGN_TYPES.has(type)) throw ctx.error(["design", "type"], `a generative design type (${[...DESIGN_TYPES].join(", ")}) since ${section} lists no treatments, found '${type || "none"}'`);
  if (factors.length === 0) throw ctx.error(path, `factors to generate ${section} treatments from`);
  const leveled = () => factors.map((f, i) => {
    if (!f.levels?.length) throw ctx.error(legacy ? [section, "levels", f.name] : [...path, i, "levels"], `levels for factor '${f.name}' (the ${type} design needs them)`);
    return { name: f.name, levels: f.levels };
  });
  const ranged = (): NumericRange[] => factors.map((f, i) => {
    if (f.range) return { name: f.name, min: f.range[0], max: f.range[1], integer: f.integer };
    const nums = (f.levels ?? []).filter((l): l is number => typeof l === "number");
    if (nums.length < 2) throw ctx.error(legacy ? [section, "levels", f.name] : [...path, i], `a numeric range (or ≥ 2 numeric levels) for factor '${f.name}'`);
    return { name: f.name, min: Math.min(...nums), max: Math.max(...nums), integer: f.integer ?? nums.every(Number.isInteger) };
  });
  // Counted before anything is built: a design too large to hold is refused, not attempted.
  const count = type === "full_factorial" ? factors.reduce((n, f) => n * Math.max(1, f.levels?.length ?? 1), 1)
    : type === "fractional_factorial" ? 2 ** Math.max(0, factors.length - (design.generators?.length ?? 0))
    : type === "ofat" ? 1 + factors.reduce((n, f) => n + Math.max(0, (f.levels?.length ?? 1) - 1), 0)
    : design.samples ?? 0;
  if (count > ctx.maxTreatments) throw ctx.error(path, `at most ${ctx.maxTreatments} ${section} treatments from the ${type} design (a guard against typos; raise it with --max-runs N), got ${count}`);
  let d: Design;
  try {
    const seed = design.seed ?? 1;
    if (type === "full_factorial") d = fullFactorial(leveled());
    else if (type === "ofat") d = oneFactorAtATime(leveled());
    else if (type === "fractional_factorial") {
      const lv = leveled();
      lv.forEach((f, i) => { if (f.levels.length !== 2) throw ctx.error(legacy ? [section, "levels", f.name] : [...path, i, "levels"], `exactly 2 levels for a fractional factorial, found ${f.levels.length}`); });
      d = fractionalFactorial(lv.map((f) => ({ name: f.name, low: f.levels[0]!, high: f.levels[1]! })), design.generators ?? []);
    } else {
      if (!design.samples) throw ctx.error(["design", "samples"], `the number of samples for a ${type} design`);
      d = type === "latin_hypercube"
        ? latinHypercube(ranged(), design.samples, { seed: `${seed}/${section}`, maximin: design.maximin })
        : randomSample(factors.map((f) => (f.levels?.length ? { name: f.name, levels: f.levels } : ranged().find((r) => r.name === f.name)!)), design.samples, { seed: `${seed}/${section}` });
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw ctx.error(["design"], (err as Error).message);
  }
  const keyOf = new Map(factors.map((f) => [f.name, f.key ?? f.name]));
  return d.runs.map((r) => {
    const values: Record<string, Level> = {};
    for (const [n, v] of Object.entries(r.factors)) values[legacy ? n : keyOf.get(n)!] = v;
    const name = legacy
      ? sanitizeName(`${section}_${factors.map((f) => (r.factors[f.name] === null ? "NA" : String(r.factors[f.name]))).join("_")}`)
      : factors.map((f) => `${f.name}${String(r.factors[f.name])}`).join("-");
    return { name, values };
  });
}

// ── the whole file ──────────────────────────────────────────────────────────────────────────────

function parseOptions(ctx: Ctx, raw: Record<string, unknown>): ExperimentOptions {
  const bool = (k: string, fallback: boolean) => {
    const v = raw[k];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "boolean") throw ctx.error([k], "true or false");
    return v;
  };
  const attempts = raw.treatment_max_attempts ?? 1;
  if (typeof attempts !== "number" || !Number.isInteger(attempts) || attempts < 1) throw ctx.error(["treatment_max_attempts"], "a positive integer (1 = no retry)");
  return { reset_caches: bool("reset_caches", false), treatment_max_attempts: attempts, treatment_stop_on_error: bool("treatment_stop_on_error", false), validate_failures: bool("validate_failures", false) };
}

function parseObject(ctx: Ctx, raw: unknown, fallbackName: string): Experiment {
  if (!isMap(raw)) throw ctx.error([], "a YAML map with 'setup' and/or 'run' (or 'treatments') sections");
  for (const k of Object.keys(raw)) if (!TOP_KEYS.has(k)) ctx.warn([k], `a known top-level key (${[...TOP_KEYS].join(", ")}); '${k}' is ignored`);
  const meta = raw.experiment;
  if (meta !== undefined && meta !== null && !isMap(meta)) throw ctx.error(["experiment"], "a map with name, harness, profile, datasetUrl, description");
  const m = (meta ?? {}) as Record<string, unknown>;
  for (const k of ["name", "harness", "profile", "datasetUrl", "description"]) if (m[k] !== undefined && typeof m[k] !== "string") throw ctx.error(["experiment", k], "a string");
  // The name becomes the default output folder (out/experiments/<name>), so it must stay one segment.
  const name = (m.name as string | undefined) ?? fallbackName;
  if (!isPlainName(name)) throw ctx.error(["experiment", "name"], `${PLAIN_NAME}, got ${JSON.stringify(name)}`);
  const design = parseDesignBlock(ctx, raw.design);
  const designRaw = isMap(raw.design) ? raw.design : {};

  if (raw.run !== undefined && raw.treatments !== undefined) throw ctx.error(["treatments"], "either 'treatments' or 'run', not both");
  const rawSetup = raw.setup;
  const runKey = raw.run !== undefined ? "run" : "treatments";
  const rawRun = raw[runKey];
  const generative = design?.type !== undefined && DESIGN_TYPES.has(design.type);
  const designFactors = (k: "setup" | "run") => generative && isMap(designRaw[k]) && (designRaw[k] as Record<string, unknown>).factors !== undefined;
  if ((rawSetup === undefined || rawSetup === null) && (rawRun === undefined || rawRun === null) && !designFactors("setup") && !designFactors("run")) {
    throw ctx.error([], "at least one of 'setup' and 'run' (or 'treatments') with treatments, or a generative 'design' block with factors");
  }

  let format: ExperimentFormat = "current";
  let setup: ExperimentSection | undefined;
  let run: ExperimentSection | undefined;

  if (rawSetup !== undefined && rawSetup !== null) {
    if (!isMap(rawSetup)) throw ctx.error(["setup"], "a map (legacy: factors/levels/treatments; current: constants/treatments)");
    if (Object.keys(rawSetup).length === 0) throw ctx.error(["setup"], "a non-empty section");
    if ("factors" in rawSetup) {
      format = "legacy";
      setup = parseLegacySection(ctx, rawSetup, "setup");
    } else {
      for (const k of Object.keys(rawSetup)) if (k !== "constants" && k !== "treatments") throw ctx.error(["setup", k], `'constants' or 'treatments' in a setup section, found '${k}'`);
      const factors = parseDesignFactors(ctx, isMap(designRaw.setup) ? designRaw.setup.factors : undefined, ["design", "setup", "factors"]);
      const constants = parseConstants(ctx, rawSetup.constants, ["setup", "constants"]);
      const treatments = rawSetup.treatments === undefined ? [] : parseCurrentTreatments(ctx, rawSetup.treatments, ["setup", "treatments"], "setup", factors, constants.raw);
      setup = { factors, constants: constants.levels, treatments };
    }
  }
  if (rawRun !== undefined && rawRun !== null) {
    if (isMap(rawRun) && "factors" in rawRun) {
      if (setup && format !== "legacy") throw ctx.error([runKey], "the same format as 'setup' (current: a list of treatment maps)");
      format = "legacy";
      run = parseLegacySection(ctx, rawRun, "run");
    } else {
      if (format === "legacy") throw ctx.error([runKey], "the same format as 'setup' (legacy: factors/levels/treatments)");
      const factors = parseDesignFactors(ctx, isMap(designRaw.run) ? designRaw.run.factors : undefined, ["design", "run", "factors"]);
      const constants = parseConstants(ctx, isMap(designRaw.run) ? designRaw.run.constants : undefined, ["design", "run", "constants"]);
      const treatments = Array.isArray(rawRun) && rawRun.length === 0 ? [] : parseCurrentTreatments(ctx, rawRun, [runKey], "treatment", factors, {});
      run = { factors, constants: constants.levels, treatments };
    }
  }
  if (!setup && format === "current" && isMap(designRaw.setup) && designRaw.setup.factors !== undefined && design?.type && DESIGN_TYPES.has(design.type)) {
    setup = { factors: parseDesignFactors(ctx, designRaw.setup.factors, ["design", "setup", "factors"]), constants: {}, treatments: [] };
  }
  if (!run && format === "current" && isMap(designRaw.run) && designRaw.run.factors !== undefined && design?.type && DESIGN_TYPES.has(design.type)) {
    run = { factors: parseDesignFactors(ctx, designRaw.run.factors, ["design", "run", "factors"]), constants: {}, treatments: [] };
  }

  // Fill empty sections from the design block, or reject them. A current-format setup with only
  // constants is one implicit setup treatment (llm-d-benchmark's setup treatments are optional).
  const constantsOnlySetup = format === "current" && isMap(rawSetup) && rawSetup.treatments === undefined && rawSetup.constants !== undefined && !setup?.factors.length;
  for (const [name, section] of [["setup", setup], ["run", run]] as const) {
    if (!section || section.treatments.length > 0) continue;
    if (name === "setup" && constantsOnlySetup) continue;
    if (design?.type && DESIGN_TYPES.has(design.type)) {
      section.treatments = generateTreatments(ctx, design, section.factors, name, format === "legacy");
    } else {
      const p: PathPart[] = name === "setup" ? ["setup", "treatments"] : format === "legacy" ? [runKey, "treatments"] : [runKey];
      throw ctx.error(p, `a non-empty list of treatments (or a 'design' block with a generative type to generate them)`);
    }
  }

  // The informational totals, when given, should match what we expand.
  if (design?.info) {
    const setupN = setup?.treatments.length ?? 0;
    const runN = run?.treatments.length ?? 0;
    const checks: [string, number][] = [["total_setup_treatments", setupN], ["total_run_treatments", runN], ["total_matrix", Math.max(setupN, 1) * Math.max(runN, 1)]];
    for (const [k, n] of checks) {
      const v = design.info[k];
      if (typeof v === "number" && v !== n) ctx.warn(["design", k], `${n} (what the treatments expand to), found ${v}`);
    }
  }

  // Setup and run factor columns must not collide in the results.
  if (setup && run) {
    const s = new Set([...setup.factors.map((f) => f.name), ...setup.treatments.flatMap((t) => Object.keys(t.values))]);
    run.treatments.forEach((t, i) => {
      for (const k of Object.keys(t.values)) if (s.has(k)) throw ctx.error(format === "legacy" ? [runKey, "factors"] : [runKey, i, k], `run factors distinct from setup factors; '${k}' is both`);
    });
  }

  return {
    name,
    format,
    ...(m.description !== undefined ? { description: m.description as string } : {}),
    ...(m.harness !== undefined ? { harness: m.harness as string } : {}),
    ...(m.profile !== undefined ? { profile: m.profile as string } : {}),
    ...(m.datasetUrl !== undefined ? { datasetUrl: m.datasetUrl as string } : {}),
    ...(setup ? { setup } : {}),
    ...(run ? { run } : {}),
    ...(design ? { design } : {}),
    options: parseOptions(ctx, raw),
    warnings: ctx.warnings,
    source: ctx.source,
  };
}

/**
 * Parse experiment YAML text. Errors are `InputError`s naming the source, line and YAML path.
 *
 * @example
 * ```ts
 * const exp = parseExperiment(readFileSync("study.yaml", "utf8"), "study.yaml", { strict: true });
 * ```
 */
export function parseExperiment(text: string, source = "<experiment>", options: ParseOptions = {}): Experiment {
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, uniqueKeys: true, strict: true, prettyErrors: true, schema: "core", merge: false });
  const ctx = new Ctx(source, options.strict ?? false, doc, lineCounter);
  if (options.maxTreatments !== undefined) ctx.maxTreatments = options.maxTreatments;
  YAML.visit(doc, {
    Node(_key, node, path) {
      if (node.tag && !CORE_TAGS.has(node.tag)) {
        const line = node.range ? lineCounter.linePos(node.range[0]).line : undefined;
        throw new InputError({ source, line, path: yamlPathOf(path, node) }, `plain YAML data; the tag '${node.tag}' is not allowed (experiment files are never evaluated)`);
      }
    },
  });
  for (const e of [...doc.errors, ...doc.warnings]) {
    const line = e.linePos?.[0]?.line;
    throw new InputError({ source, line }, `valid YAML without custom tags (${e.message.split("\n")[0]})`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // yaml throws a ReferenceError when aliases expand past the cap (a "billion laughs" bomb).
    if (err instanceof ReferenceError) throw new InputError({ source }, `YAML whose aliases do not expand past 100 times each (${err.message}: a nested-alias "billion laughs" bomb?)`);
    throw err;
  }
  const stem = basename(source, extname(source));
  return parseObject(ctx, raw, options.name ?? stem);
}

function yamlPathOf(path: readonly unknown[], node: unknown): string | undefined {
  const parts: PathPart[] = [];
  const chain = [...path, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i];
    const child = chain[i + 1];
    if (YAML.isSeq(parent)) parts.push(parent.items.indexOf(child as never));
    else if (YAML.isPair(child) && YAML.isScalar(child.key)) parts.push(String(child.key.value));
  }
  return fmtPath(parts) || undefined;
}

/**
 * Read and parse an experiment file.
 *
 * @example
 * ```ts
 * const exp = readExperimentFile("datasets/experiments/router-study.yaml");
 * console.log(expandExperiment(exp).length);
 * ```
 */
export function readExperimentFile(path: string, options: ParseOptions = {}): Experiment {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new InputError({ source: path }, `a readable experiment file (${(err as Error).message})`);
  }
  return parseExperiment(text, path, options);
}

/**
 * Build an experiment from a plain object in either format (the same shape a YAML file has), with
 * the same validation. For typed construction in code; `source` names it in errors.
 *
 * @example
 * ```ts
 * const exp = experimentFromObject({ experiment: { name: "x" }, run: [{ name: "kv", router: "kv" }] });
 * ```
 */
export function experimentFromObject(spec: ExperimentSpec | Record<string, unknown>, options: ParseOptions & { source?: string } = {}): Experiment {
  const ctx = new Ctx(options.source ?? "<code>", options.strict ?? false);
  if (options.maxTreatments !== undefined) ctx.maxTreatments = options.maxTreatments;
  return parseObject(ctx, JSON.parse(JSON.stringify(spec)) as unknown, options.name ?? "experiment");
}

/** The current format as a typed object (what `experimentFromObject` and `defineExperiment` take). */
export interface ExperimentSpec {
  experiment?: { name?: string; harness?: string; profile?: string; datasetUrl?: string; description?: string };
  // As written in the file: the parsed design options, the factor sections, and informational keys inline.
  design?: Omit<ExperimentDesignOptions, "info"> & {
    setup?: { factors?: ExperimentFactorSpec[] };
    run?: { factors?: ExperimentFactorSpec[] };
    [info: string]: unknown;
  };
  setup?: { constants?: Record<string, Level>; treatments?: Array<{ name?: string; [key: string]: unknown }> };
  treatments?: Array<{ name?: string; profile?: string; [key: string]: unknown }>;
  reset_caches?: boolean;
  treatment_max_attempts?: number;
  treatment_stop_on_error?: boolean;
  validate_failures?: boolean;
}

export interface ExperimentFactorSpec {
  name: string;
  key?: string;
  levels?: Level[];
  range?: [number, number];
  integer?: boolean;
  unit?: string;
  description?: string;
}

/**
 * Typed construction in code (current format), validated like a file.
 *
 * @example
 * ```ts
 * const exp = defineExperiment({ experiment: { name: "tiny" }, design: { type: "full_factorial", run: { factors: [{ name: "workers", levels: [2, 4] }] } } });
 * ```
 */
export function defineExperiment(spec: ExperimentSpec, options: ParseOptions = {}): Experiment {
  return experimentFromObject(spec, { ...options, name: options.name ?? spec.experiment?.name ?? "experiment" });
}

// ── writing back ────────────────────────────────────────────────────────────────────────────────

function levelText(v: Level): string {
  return v === null ? "NA" : String(v);
}

/**
 * The experiment as YAML in its own format; parsing the result gives the same experiment.
 *
 * @example
 * ```ts
 * writeFileAtomic("study.yaml", experimentToYaml(defineExperiment(spec)));
 * ```
 */
export function experimentToYaml(exp: Experiment): string {
  const out: Record<string, unknown> = {};
  const meta: Record<string, string> = {};
  if (exp.format === "current" || exp.description || exp.harness || exp.profile || exp.datasetUrl) {
    meta.name = exp.name;
    for (const k of ["harness", "profile", "datasetUrl", "description"] as const) if (exp[k] !== undefined) meta[k] = exp[k]!;
    out.experiment = meta;
  }
  if (exp.design) {
    const { info, ...rest } = exp.design;
    const d: Record<string, unknown> = { ...(info ?? {}), ...rest };
    if (exp.format === "current") {
      for (const s of ["setup", "run"] as const) {
        const sec = exp[s];
        if (sec?.factors.length && d[s] === undefined) d[s] = { factors: sec.factors.map((f) => ({ ...f })) };
      }
    }
    out.design = d;
  }
  if (exp.format === "legacy") {
    for (const s of ["setup", "run"] as const) {
      const sec = exp[s];
      if (!sec) continue;
      const levels: Record<string, string> = {};
      for (const f of sec.factors) if (f.levels) levels[f.name] = f.levels.map(levelText).join(",");
      const named = sec.treatments.some((t) => t.name !== sanitizeName(`${s}_${sec.factors.map((f) => levelText(t.values[f.name] ?? null)).join("_")}`));
      const csv = (t: ExperimentTreatment) => sec.factors.map((f) => levelText(t.values[f.name] ?? null)).join(",");
      out[s] = {
        factors: sec.factors.map((f) => f.name),
        ...(Object.keys(levels).length ? { levels } : {}),
        ...(Object.keys(sec.constants).length ? { constants: { ...sec.constants } } : {}),
        treatments: named ? Object.fromEntries(sec.treatments.map((t) => [t.name, csv(t)])) : sec.treatments.map(csv),
      };
    }
  } else {
    const tmap = (t: ExperimentTreatment) => ({ name: t.name, ...(t.profile ? { profile: t.profile } : {}), ...Object.fromEntries(Object.entries(t.values).map(([k, v]) => [k, t.structured?.[k] ?? v])) });
    if (exp.setup) out.setup = { ...(Object.keys(exp.setup.constants).length ? { constants: { ...exp.setup.constants } } : {}), treatments: exp.setup.treatments.map(tmap) };
    if (exp.run) out.treatments = exp.run.treatments.map(tmap);
    const o = exp.options;
    if (o.reset_caches) out.reset_caches = true;
    if (o.treatment_max_attempts !== 1) out.treatment_max_attempts = o.treatment_max_attempts;
    if (o.treatment_stop_on_error) out.treatment_stop_on_error = true;
    if (o.validate_failures) out.validate_failures = true;
  }
  return YAML.stringify(out, { lineWidth: 0 });
}
