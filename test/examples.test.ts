import { test } from "node:test";
import assert from "node:assert/strict";
import { EXAMPLES, runExample } from "./helpers/examples.js";

// Every example runs to completion with its default (fast) settings, in a fresh working folder
// (test/helpers/examples.ts; test/deno.test.ts runs the same list under Deno).
test("there are examples", () => assert.ok(EXAMPLES.length > 0));

for (const ex of EXAMPLES) {
  test(`example ${ex} runs`, async () => {
    const r = await runExample(ex, "node");
    assert.equal(r.status, 0, `${ex} exited ${r.status ?? r.signal}:\n${r.stderr.slice(-3000)}`);
    assert.ok(r.stdout.trim().length > 0, `${ex} printed nothing`);
  });
}
