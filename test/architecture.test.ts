// Issue 11's floors, enforced: dependency-cruiser runs .dependency-cruiser.cjs over sdk/ and no new upward import or cycle may appear.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { resolve } from "node:path";

interface Violation { type: string; from: string; to: string; rule: { name: string; severity: string }; cycle?: { name: string }[] }
interface CruiseResult { summary: { error: number; warn: number; ignore: number; totalCruised: number; violations: Violation[] } }
interface KnownViolation { type: string; from: string; to: string; rule: { name: string } }

// Every edge below was audited against issue 11 ("Imports that climb back up") when the list was written;
// the count changes only together with the list, on purpose, in the same commit.
const KNOWN_COUNT = 0;

const config = createRequire(resolve(".dependency-cruiser.cjs"))("./.dependency-cruiser.cjs") as {
  options: { knownViolations: KnownViolation[] };
};
const known = config.options.knownViolations;
const key = (v: { from: string; to: string; rule: { name: string } }) => `${v.rule.name}: ${v.from} → ${v.to}`;

let result: CruiseResult;

before(() => {
  // The CLI with JSON output reads the config exactly as `npx depcruise sdk` would for a maintainer.
  const r = spawnSync(process.execPath, ["node_modules/dependency-cruiser/bin/dependency-cruise.mjs", "--config", ".dependency-cruiser.cjs", "--output-type", "json", "sdk"], { encoding: "utf8", maxBuffer: 64 << 20 });
  assert.ok(r.stdout.startsWith("{"), `depcruise produced no JSON (exit ${r.status}): ${r.stderr}`);
  result = JSON.parse(r.stdout) as CruiseResult;
});

test("sdk/ imports only sideways within a module or down the floors, and has no cycle", () => {
  assert.ok(result.summary.totalCruised > 100, `only ${result.summary.totalCruised} modules cruised: is sdk/ resolved?`);
  const bad = result.summary.violations.filter((v) => v.rule.severity !== "ignore");
  const lines = bad.map((v) => (v.cycle ? `${v.rule.name}: ${v.from} → ${v.cycle.map((c) => c.name).join(" → ")}` : key(v)));
  assert.equal(bad.length, 0, `${bad.length} import rule violation(s) (see the floors in .dependency-cruiser.cjs):\n  ${lines.join("\n  ")}`);
});

test("the known-violation list is exactly today's upward imports: fixing one means deleting its entry, and it cannot grow unseen", () => {
  const keys = known.map(key);
  assert.equal(new Set(keys).size, keys.length, "duplicate entries in knownViolations");
  assert.equal(known.length, KNOWN_COUNT, `knownViolations has ${known.length} entries, expected ${KNOWN_COUNT}: change KNOWN_COUNT only together with the list`);
  const ignored = new Set(result.summary.violations.filter((v) => v.rule.severity === "ignore").map(key));
  const stale = keys.filter((k) => !ignored.has(k));
  assert.deepEqual(stale, [], `these known violations no longer occur — delete them from .dependency-cruiser.cjs and lower KNOWN_COUNT:\n  ${stale.join("\n  ")}`);
  assert.equal(result.summary.ignore, KNOWN_COUNT);
});
