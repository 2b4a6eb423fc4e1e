import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";

// Every example runs to completion with its default (fast) settings.
const examples = readdirSync("examples").filter((f) => f.endsWith(".ts")).sort();

test("there are examples", () => assert.ok(examples.length > 0));

for (const ex of examples) {
  test(`example ${ex} runs`, () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", `examples/${ex}`], { encoding: "utf8", env: { ...process.env, ACTLAB_FAST: "1" }, timeout: 300_000 });
    assert.equal(r.status, 0, `${ex} exited ${r.status}:\n${r.stderr.slice(-3000)}`);
    assert.ok(r.stdout.trim().length > 0, `${ex} printed nothing`);
  });
}
