/**
 * The installed Dynamo planner core behind the step protocol: one Python process (the pinned
 * ai-dynamo planner venv) running our harness, fed many JSON lines at once. `runPlannerPeer`
 * sends a batch and returns the replies in order; `spawnPlannerPeer` pipes this process's
 * stdin/stdout through (the CLI's `--peer`).
 */
import { spawn, spawnSync } from "node:child_process";
import { dynamoPython } from "./install.js";
import { PLANNER_HARNESS_PY } from "./dynamo-planner-harness.js";

const NOT_INSTALLED = "the Dynamo planner core is not installed; run: node bin/actlab.js peers install";

/** Replies of the peer to `lines` (JSON request strings), one each, in order. Throws when not installed. */
export function runPlannerPeer(lines: readonly string[], python = dynamoPython()): unknown[] {
  if (!python) throw new Error(NOT_INSTALLED);
  const r = spawnSync(python, ["-c", PLANNER_HARNESS_PY], { input: lines.join("\n") + "\n", encoding: "utf8", maxBuffer: 1 << 30, env: { ...process.env, PYTHONWARNINGS: "ignore" } });
  if (r.status !== 0) throw new Error(`planner peer exited ${r.status}: ${(r.stderr ?? "").trim().split("\n").slice(-5).join("\n")}`);
  const out = r.stdout.split("\n").filter((l) => l.trim());
  if (out.length !== lines.length) throw new Error(`planner peer answered ${out.length} lines for ${lines.length}: ${(r.stderr ?? "").trim().split("\n").slice(-5).join("\n")}`);
  return out.map((l) => JSON.parse(l) as unknown);
}

/** Pipe stdin → peer → stdout; resolves to the peer's exit code (1 when not installed). */
export function spawnPlannerPeer(python = dynamoPython()): Promise<number> {
  if (!python) {
    process.stderr.write(`actlab: ${NOT_INSTALLED}\n`);
    return Promise.resolve(1);
  }
  const child = spawn(python, ["-c", PLANNER_HARNESS_PY], { stdio: ["inherit", "inherit", "inherit"] });
  return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
}
