/** Read a planner config file (JSON or YAML, by extension; YAML is a JSON superset) and validate it. */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { InputError } from "../core/errors.js";
import { parsePlannerConfig, type ParseOptions, type PlannerConfig } from "./config.js";

/**
 * Reads and validates a planner config file (JSON or YAML); errors name the file and key.
 *
 * @example
 * ```ts
 * const config = loadPlannerConfig("datasets/planner/agg-sla.json");
 * const result = runPlannerReplay(loadTrace(sharedDataset("mooncake/conversation_trace.jsonl")!), config);
 * ```
 */
export function loadPlannerConfig(path: string, options: Omit<ParseOptions, "source"> = {}): PlannerConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new InputError({ source: path }, `a readable planner config file (${(err as Error).message})`);
  }
  return parsePlannerConfigText(text, path, options);
}

/**
 * Parse config text: JSON when it looks like JSON, else YAML. Also accepts an inline JSON string.
 *
 * @example
 * ```ts
 * const cfg = parsePlannerConfigText(readFileSync("planner.yaml", "utf8"), "planner.yaml");
 * ```
 */
export function parsePlannerConfigText(text: string, source: string, options: Omit<ParseOptions, "source"> = {}): PlannerConfig {
  return parsePlannerConfig(decodePlannerConfigText(text, source), { ...options, source });
}

/**
 * The raw (unvalidated) value of config text: JSON when it looks like JSON, else YAML.
 *
 * @example
 * ```ts
 * const raw = decodePlannerConfigText("mode: agg\nttft: 2500\n", "planner.yaml");
 * ```
 */
export function decodePlannerConfigText(text: string, source: string): unknown {
  let raw: unknown;
  try {
    raw = (/^\s*\{/.test(text) ? JSON.parse(text) : parseYaml(text, { logLevel: "error" })) ?? {};
  } catch (err) {
    throw new InputError({ source }, `valid JSON or YAML (${(err as Error).message.split("\n")[0]})`);
  }
  // An empty file or {} would silently run a disaggregated planner on every default (issue 16).
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw) && !("mode" in raw)) {
    throw new InputError({ source, path: "mode" }, `a planner mode, agg or disagg (missing${Object.keys(raw).length === 0 ? ": the config is empty" : ""})`);
  }
  return raw;
}
