import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { yamlText } from "../sdk/core/yaml-text.js";
import { rng } from "../sdk/core/rng.js";

const lib = (v: unknown) => stringify(v, { lineWidth: 0, aliasDuplicateObjects: false });

// Strings the YAML grammar treats specially: each must come out quoted (or not) exactly as the library does.
const NASTY = ["", " ", "a", "null", "Null", "~", "true", "yes", "no", "on", "1", "1.5", "-0", "0x1F", "1e3", ".inf", ".nan", "- a", "-", "a: b", "a:b", "a #b", "#c",
  "'q'", "\"q\"", "[x]", "{y}", "*ref", "&anc", "!tag", "%dir", "@at", "`tick`", "|", ">", "?", "? x", ",", "x,", "a\tb", " lead", "trail ", "ünï", "💡", "2026-11-23T09:00:00Z",
  "2026-11-23", "12:30", "a:", "a::b", "a:/b", "NULL", "TRUE", "Yes", "N", "_", "a-", "a.", "x/y", "e1", "Inf", "NaN", "req-1", "launcher-7.node", "http://10.0.0.1:8001", "dpc:ns/pod", "T_cold_launcher", "http://x:8000", "ns/pod", "T_hot", "<<", "=", "\\", "\u0007", "x".repeat(300), "a b c: d", "---", "...", "--- x"];

function randomValue(r: ReturnType<typeof rng>, depth: number): unknown {
  const k = r.int(depth > 3 ? 5 : 8);
  if (k === 0) return null;
  if (k === 1) return r.random() < 0.5;
  if (k === 2) return [0, -0, 1, -1, 0.1, 1e-7, 1e21, 123456.789, Number.NaN, Infinity, -Infinity, r.random() * 1e6 - 5e5][r.int(12)];
  if (k === 3 || k === 4) return r.pick(NASTY);
  if (k === 5 || k === 7) return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = r.int(4); i > 0; i--) o[r.pick(NASTY)] = r.random() < 0.1 ? undefined : randomValue(r, depth + 1);
  return o;
}

test("yamlText: the same bytes as the yaml package on random documents with awkward strings, numbers and nesting", () => {
  const r = rng(7);
  let compared = 0;
  for (let i = 0; i < 20000; i++) {
    const v = randomValue(r, 0);
    assert.equal(yamlText(v), lib(v), JSON.stringify(v));
    compared++;
  }
  assert.equal(compared, 20000);
});

test("yamlText: multi-line strings are handed to the library (block scalars) and still match", () => {
  for (const v of [{ a: "x\ny" }, ["line1\nline2\n", { b: [" z\n"] }], "top\nlevel", { k: "crlf\r\n" }]) assert.equal(yamlText(v), lib(v));
});

test("yamlText: every recorded result.yaml and benchmark_report.yaml in datasets/ round-trips to the same bytes", () => {
  const root = "datasets/event-logs";
  const files = readdirSync(root).flatMap((d) => ["result.yaml", "benchmark_report.yaml"].map((f) => join(root, d, f))).filter((f) => existsSync(f));
  assert.ok(files.length >= 2, "recorded YAML files to compare");
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    assert.equal(yamlText(parse(text)), text, f);
  }
});

test("yamlText: a multi-megabyte document (chunked internally) matches the library byte for byte", () => {
  const r = rng(3);
  const doc = { version: "0.1", items: Array.from({ length: 4000 }, (_, i) => ({ name: `req-${i}`, at: r.uniform(0, 1e9), tags: [r.pick(NASTY), i % 7 === 0 ? null : i], nested: { deep: [{ x: r.pick(NASTY) }] } })) };
  const text = yamlText(doc);
  assert.ok(text.length > 4 * 65_536, `document of ${text.length} bytes`);
  assert.equal(text, lib(doc));
});
