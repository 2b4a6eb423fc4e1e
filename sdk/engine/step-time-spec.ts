/**
 * A step-time model as named data: a profile name, or a kind with its coefficients or tables. The
 * spec travels in `EngineConfig.stepTime` through structuredClone (worker threads, sweep caches,
 * JSON) and is turned into the pass-duration function here, inside engine/, where it runs. Profiles
 * are a frozen table, not a registry: a calibrated model is passed as its spec, so every thread sees it.
 */
import { interpolatedStepTime, linearStepTime, polynomialStepTime, type PolynomialStepTimeOptions, type StepFeature, type StepTimeModel, type StepTimeTables } from "./step-time.js";

/** Dynamo mocker's polynomial with optional coefficients and speed-ups (see `PolynomialStepTimeOptions`). */
export interface PolynomialStepTimeSpec extends PolynomialStepTimeOptions {
  kind: "polynomial";
}

/** intercept + Σ coefficient × feature (ms, clamped at ≥ 0); a `fitStepTime` result is one. */
export interface LinearStepTimeSpec {
  kind: "linear";
  features: readonly StepFeature[];
  intercept: number;
  coefficients: readonly number[];
}

/** Dynamo's interpolated timing over measured tables. */
export interface InterpolatedStepTimeSpec {
  kind: "interpolated";
  tables: StepTimeTables;
}

/** A profile name (see `STEP_TIME_PROFILES`) or a model's data. */
export type StepTimeSpec = string | PolynomialStepTimeSpec | LinearStepTimeSpec | InterpolatedStepTimeSpec;

/**
 * Named profiles. `dynamo-polynomial` is Dynamo's default; the `-2x` variants model a 2× faster
 * engine (speedup_ratio 2) the way Dynamo's knob does.
 */
export const STEP_TIME_PROFILES: Readonly<Record<string, Exclude<StepTimeSpec, string>>> = Object.freeze({
  "dynamo-polynomial": Object.freeze({ kind: "polynomial" as const }),
  "dynamo-polynomial-2x": Object.freeze({ kind: "polynomial" as const, speedupRatio: 2 }),
  "dynamo-polynomial-decode-2x": Object.freeze({ kind: "polynomial" as const, decodeSpeedupRatio: 2 }),
});

/**
 * Names of the built-in step-time profiles an engine config can name.
 *
 * @example
 * ```ts
 * console.log(stepTimeProfileNames()); // the names an EngineConfig.stepTime may use
 * ```
 */
export function stepTimeProfileNames(): string[] {
  return Object.keys(STEP_TIME_PROFILES);
}

/**
 * The data of a named profile.
 *
 * @example
 * ```ts
 * const spec = stepTimeProfile("dynamo-polynomial-decode-2x");
 * ```
 */
export function stepTimeProfile(name: string): Exclude<StepTimeSpec, string> {
  const spec = Object.hasOwn(STEP_TIME_PROFILES, name) ? STEP_TIME_PROFILES[name] : undefined;
  if (!spec) throw new RangeError(`unknown step-time profile '${name}'; known: ${stepTimeProfileNames().join(", ")}`);
  return spec;
}

/**
 * The pass-duration function a spec names (throws RangeError on a bad spec).
 *
 * @example
 * ```ts
 * const model = resolveStepTime("dynamo-polynomial");
 * ```
 */
export function resolveStepTime(spec: StepTimeSpec): StepTimeModel {
  if (typeof spec === "string") return resolveStepTime(stepTimeProfile(spec));
  if (spec === null || typeof spec !== "object") throw new RangeError(`step-time model: expected a profile name or { kind: polynomial | linear | interpolated, … }, got ${typeof spec === "function" ? "a function (pass the model's data instead)" : String(spec)}`);
  switch (spec.kind) {
    case "polynomial": return polynomialStepTime(spec);
    case "linear": return linearStepTime(spec.features, spec.intercept, spec.coefficients);
    case "interpolated": return interpolatedStepTime(spec.tables);
    default: throw new RangeError(`step-time model: kind must be polynomial, linear or interpolated, got '${String((spec as { kind?: unknown }).kind)}'`);
  }
}
