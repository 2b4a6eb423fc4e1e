import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { DENO_ENV, DENO_MISSING, denoBinary } from "./helpers/deno.js";
import { EXAMPLES, comparableLines, runExample, stderrLines } from "./helpers/examples.js";

// Every example under Deno (`deno run -A --node-modules-dir=manual --sloppy-imports`), with the
// fast settings test/examples.test.ts uses, side by side with a Node + tsx run of the same example:
// exit 0, and the same output once runtime-specific formatting is set aside (comparableLines).
const deno = denoBinary();
if (!deno) console.log(`SKIP Deno tests: ${DENO_MISSING}`);
const skip = deno ? false : DENO_MISSING;

test("the Deno binary runs offline and is the pinned version", { skip }, () => {
  const r = spawnSync(deno!, ["--version"], { encoding: "utf8", env: { ...process.env, ...DENO_ENV } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^deno 2\.9\.6 /);
});

test("outside a kernel, the display helpers print a text stand-in under Deno (Deno.jupyter throws outside `deno jupyter`)", { skip }, () => {
  const code = `import { toPng, renderPlot, Plot } from "./sdk/index.js";
import { displayTarget, showHtml, showPng } from "./sdk/report/index.js";
console.log(displayTarget());
await showHtml("<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>x &amp; y</td></tr></table>");
await showPng(toPng(renderPlot({ width: 200, height: 100, marks: [Plot.ruleY([0])] })));`;
  const r = spawnSync(deno!, ["eval", "--sloppy-imports", code], { encoding: "utf8", env: { ...process.env, ...DENO_ENV } });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.deepEqual(lines.slice(0, 3), ["text", "a\tb", "1\tx & y"]);
  assert.match(lines[3]!, /^\[png 200×100, \d+ bytes\]$/);
});

for (const ex of EXAMPLES) {
  test(`example ${ex} runs under Deno with the output it has under Node`, { skip }, async (t) => {
    const [d, n] = await Promise.all([runExample(ex, "deno", deno), runExample(ex, "node")]);
    t.diagnostic(`deno ${d.ms} ms, node+tsx ${n.ms} ms`);
    assert.equal(d.status, 0, `${ex} under Deno exited ${d.status ?? d.signal}:\n${d.stderr.slice(-3000)}`);
    assert.equal(n.status, 0, `${ex} under Node exited ${n.status ?? n.signal}:\n${n.stderr.slice(-3000)}`);
    assert.ok(d.stdout.trim().length > 0, `${ex} printed nothing under Deno`);
    assert.deepEqual(comparableLines(ex, d.stdout), comparableLines(ex, n.stdout));
    assert.deepEqual(stderrLines(d.stderr, "deno"), stderrLines(n.stderr, "node"));
  });
}
