// The API reference (issue 16): TypeDoc over every public entry point (`npm run docs`, typedoc.json) documents each exported function with a summary and (the SDK's own) an example that parses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";

interface Comment { summary?: { text: string }[]; blockTags?: { tag: string; content?: { text: string }[] }[] }
interface Reflection { name: string; kind: number; children?: Reflection[]; signatures?: { comment?: Comment }[]; sources?: { fileName: string; line: number }[] }

const FUNCTION = 64;
const CONTAINERS = new Set([1, 2, 4]); // project, module, namespace

/** Every function reachable from the entry points, once per declaration. */
type Documented = { where: string; summary: string; example: boolean; code: string[] };

function functions(root: Reflection): Map<string, Documented> {
  const out = new Map<string, Documented>();
  const walk = (n: Reflection, path: string[]) => {
    for (const c of n.children ?? []) {
      if (c.kind === FUNCTION) {
        const src = c.sources?.[0];
        const key = `${src?.fileName}:${c.name}`;
        if (out.has(key)) continue;
        const comments = (c.signatures ?? []).map((s) => s.comment).filter((x): x is Comment => !!x);
        out.set(key, {
          where: [...path, c.name].join("/"),
          summary: comments.flatMap((m) => m.summary ?? []).map((p) => p.text).join("").trim(),
          example: comments.some((m) => (m.blockTags ?? []).some((t) => t.tag === "@example")),
          code: comments.flatMap((m) => (m.blockTags ?? []).filter((t) => t.tag === "@example").map((t) => (t.content ?? []).map((p) => p.text).join(""))),
        });
      } else if (CONTAINERS.has(c.kind)) walk(c, [...path, c.name]);
    }
  };
  walk(root, []);
  return out;
}

test("npm run docs: every public function has a one-line summary and every one of the SDK's an example that parses", { timeout: 300_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), "actlab-docs-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const json = join(dir, "api.json");
  const r = spawnSync(process.execPath, ["node_modules/typedoc/bin/typedoc", "--json", json, "--out", join(dir, "html")], { encoding: "utf8", timeout: 280_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const fns = functions(JSON.parse(readFileSync(json, "utf8")) as Reflection);
  assert.ok(fns.size > 300, `${fns.size} public functions`);
  const missing = [...fns.values()].filter((f) => !f.summary).map((f) => f.where);
  assert.deepEqual(missing, [], "functions without a summary");
  // The front door's verbs (sdk/index.ts), each with an @example.
  const verbs = [...readFileSync("sdk/index.ts", "utf8").matchAll(/^export \{ ([^}]+) \} from/gm)].flatMap((m) => m[1]!.split(",").map((s) => s.trim()));
  const front = [...fns.values()].filter((f) => f.where.startsWith("index/") && verbs.includes(f.where.slice("index/".length)));
  assert.ok(front.length >= 25, `${front.length} front-door functions`);
  assert.deepEqual(front.filter((f) => !f.example).map((f) => f.where), [], "front-door verbs without an example");
  // Every example is TypeScript that parses (what it calls is read by people, so it must at least be code).
  const unparsable: string[] = [];
  for (const f of fns.values()) {
    for (const block of f.code) {
      const code = /```(?:ts)?\n([\s\S]*?)```/.exec(block)?.[1];
      if (code === undefined) { unparsable.push(`${f.where}: no fenced ts block`); continue; }
      const sf = ts.createSourceFile("example.mts", code, ts.ScriptTarget.Latest, true);
      const diags = (sf as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
      if (diags.length) unparsable.push(`${f.where}: ${ts.flattenDiagnosticMessageText(diags[0]!.messageText, " ")}`);
    }
  }
  assert.deepEqual(unparsable, [], "examples that do not parse");
  const ours = [...fns.entries()].filter(([key]) => key.startsWith("sdk/")).map(([, f]) => f);
  const withExample = ours.filter((f) => f.example).length;
  assert.deepEqual(ours.filter((f) => !f.example).map((f) => f.where), [], "SDK functions without an example");
  const blocks = [...fns.values()].reduce((n, f) => n + f.code.length, 0);
  assert.ok(blocks >= withExample, `${blocks} example blocks parsed for ${withExample} functions with examples`);
  t.diagnostic(`${fns.size} public functions (${ours.length} of this SDK, the rest Observable Plot's re-exported namespace), all with a summary; every one of the SDK's with an example (${withExample})`);
});
