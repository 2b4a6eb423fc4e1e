// Golden outputs: every case of scripts/golden.ts regenerated into a temp folder must equal test/golden/<case>/ byte for byte.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CASES, generate, listFiles } from "../scripts/golden.js";

const GOLDEN = "test/golden";
const out = mkdtempSync(join(tmpdir(), "actlab-golden-test-"));
after(() => rmSync(out, { recursive: true, force: true }));

/** The first line where two texts differ, for a message a human can act on. */
function firstDifference(want: string, got: string): string {
  const a = want.split("\n");
  const b = got.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}:\n  golden: ${JSON.stringify(a[i]?.slice(0, 400))}\n  now:    ${JSON.stringify(b[i]?.slice(0, 400))}`;
  }
  return "same text, different bytes (encoding or binary content)";
}

for (const c of CASES) {
  test(`golden: ${c.name} is byte-identical to ${GOLDEN}/${c.name}`, { timeout: 300_000 }, async () => {
    await generate(out, [c.name]);
    const want = listFiles(join(GOLDEN, c.name));
    const got = listFiles(join(out, c.name));
    assert.ok(want.length > 0, `${GOLDEN}/${c.name} is empty: run npm run golden`);
    assert.deepEqual(got, want, `${c.name}: the set of files differs from ${GOLDEN}/${c.name}`);
    for (const f of want) {
      const a = readFileSync(join(GOLDEN, c.name, f));
      const b = readFileSync(join(out, c.name, f));
      if (!a.equals(b)) assert.fail(`${GOLDEN}/${c.name}/${f} differs, ${firstDifference(a.toString("utf8"), b.toString("utf8"))}\nIf the change is deliberate: npm run golden, and say why in the commit message.`);
    }
  });
}
