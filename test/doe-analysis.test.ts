import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readCsvFile, type Row } from "../sdk/core/rows.js";
import { pngSize, toPng } from "../sdk/report/index.js";
import {
  analyzeFactors, anova, fractionalFactorial, guessFactors, halfNormalPlot, interactionMeans, interactionPlotMatrix, lenth, mainEffects,
  mainEffectsPlot, paretoPlot, residualsPlot, twoLevelEffects, writePlot,
} from "../sdk/doe/index.js";
import { tempDir } from "./helpers/temp-dir.js";

// An unbalanced 2 × 2 layout (cell sizes 3, 1, 2, 4).
const UNBALANCED: Row[] = [
  ...[10, 12, 11].map((y) => ({ A: "a1", B: "b1", y })),
  ...[15].map((y) => ({ A: "a1", B: "b2", y })),
  ...[14, 16].map((y) => ({ A: "a2", B: "b1", y })),
  ...[25, 23, 24, 26].map((y) => ({ A: "a2", B: "b2", y })),
];

test("Type I and Type II sums of squares on unbalanced data: both reported, each with its defining property", () => {
  const t = anova(UNBALANCED, "y", ["A", "B"]);
  assert.equal(t.balanced, false);
  assert.equal(t.typesDiffer, true);
  const row = Object.fromEntries(t.rows.map((r) => [r.term, r]));
  // Type I adds up: sequential sums + residual = total
  const seq = t.rows.reduce((s, r) => s + r.ss_type1, 0);
  assert.ok(Math.abs(seq + t.residual.ss - t.total.ss) < 1e-9);
  // Type I of the first term = its one-way sum of squares
  const oneWay = anova(UNBALANCED, "y", ["A"]);
  assert.ok(Math.abs(row.A!.ss_type1 - oneWay.rows[0]!.ss) < 1e-9);
  // Type II of A = Type I of A entered after B
  const bFirst = anova(UNBALANCED, "y", ["A", "B"], { terms: ["B", "A", "A:B"], type: 1 });
  const bf = Object.fromEntries(bFirst.rows.map((r) => [r.term, r]));
  assert.ok(Math.abs(row.A!.ss_type2 - bf.A!.ss_type1) < 1e-9);
  assert.ok(Math.abs(row.B!.ss_type2 - anova(UNBALANCED, "y", ["A", "B"], { type: 1 }).rows[1]!.ss_type1) < 1e-9);
  assert.ok(Math.abs(row.A!.ss_type1 - row.A!.ss_type2) > 1);
  // the highest-order term is the same in both
  assert.ok(Math.abs(row["A:B"]!.ss_type1 - row["A:B"]!.ss_type2) < 1e-9);
  // the chosen type drives F: Type I and Type II tables give different F for A
  assert.notEqual(anova(UNBALANCED, "y", ["A", "B"], { type: 1 }).rows[0]!.f, row.A!.f);
  // residual: pure error within cells (4 cells, 10 runs → 6 df)
  assert.equal(t.residual.df, 6);
  assert.ok(t.r2 > 0.9 && t.adjR2! < t.r2);
});

test("aliased terms in a fraction get no degrees of freedom; twoLevelEffects marks the alias", () => {
  const d = fractionalFactorial(["A", "B", "C"].map((name) => ({ name, low: -1, high: 1 })), ["C=AB"]);
  const rows = d.runs.map((r, i) => ({ ...r.factors, y: 3 * (r.factors.A as number) + (r.factors.B as number) + [0.1, -0.2, 0.3, -0.1][i]! }));
  const e = twoLevelEffects(rows, "y", ["A", "B", "C"], { order: 2 });
  assert.equal(e.effects.find((x) => x.term === "A:B")!.aliasOf, "C");
  assert.equal(e.effects.find((x) => x.term === "B:C")!.aliasOf, "A");
  const t = anova(rows, "y", ["A", "B", "C"], { order: 2 });
  assert.deepEqual(t.rows.map((r) => [r.term, r.df]), [["A", 1], ["B", 1], ["C", 1], ["A:B", 0], ["A:C", 0], ["B:C", 0]]);
  assert.equal(t.residual.df, 0);
  assert.throws(() => lenth([{ term: "A", label: "A", effect: 1 }]), /at least 2/);
});

test("main effects and interaction means; NA is its own level; failed runs are skipped", () => {
  const rows: Row[] = [
    { m: "ms", r: 2, y: 10, status: "ok" }, { m: "ms", r: 4, y: 14, status: "ok" },
    { m: "sa", r: null, y: 7, status: "ok" }, { m: "sa", r: null, y: 9, status: "ok" },
    { m: "sa", r: null, y: 1000, status: "error" }, { m: "ms", r: 2, y: null, status: "ok" },
  ];
  const me = mainEffects(rows, "y", ["m", "r"]);
  assert.deepEqual(me.map((x) => [x.factor, x.level, x.n, x.mean]), [["m", "ms", 2, 12], ["m", "sa", 2, 8], ["r", 2, 1, 10], ["r", 4, 1, 14], ["r", null, 2, 8]]);
  const im = interactionMeans(rows, "y", ["m", "r"]).filter((c) => c.a === "m");
  assert.deepEqual(im.map((c) => [c.levelA, c.levelB, c.mean]), [["ms", 2, 10], ["ms", 4, 14], ["sa", null, 8]]);
  assert.deepEqual(guessFactors([{ id: "x", a: 1, b: "p", y: 1.5 }, { id: "y", a: 2, b: "q", y: 2.5 }, { id: "z", a: 1, b: "p", y: 3.5 }], "y"), ["a", "b"]);
});

test("the DOE plots render as SVG and PNG", () => {
  const rows = readCsvFile("datasets/doe/montgomery-2x4-filtration-rate.csv");
  const f = ["A", "B", "C", "D"];
  const a = analyzeFactors(rows, "filtration_rate", f);
  const l = a.lenth!;
  const chem = readCsvFile("datasets/doe/montgomery-2x2-chemical-yield.csv");
  const ca = analyzeFactors(chem, "yield", ["A", "B"]);
  const svgs = {
    main: mainEffectsPlot(rows, "filtration_rate", f),
    interactions: interactionPlotMatrix(rows, "filtration_rate", f),
    pareto: paretoPlot(ca.inference!.map((e) => ({ label: e.label, standardized: e.t })), { value: 2.306, label: "t(0.975, 8)" }),
    halfNormal: halfNormalPlot(l),
    fitted: residualsPlot(ca.anova, "fitted"),
    order: residualsPlot(ca.anova, "order"),
  };
  for (const [name, svg] of Object.entries(svgs)) {
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, name);
    const size = pngSize(toPng(svg));
    assert.ok(size.width >= 300 && size.height >= 100, `${name} PNG ${size.width}x${size.height}`);
  }
  // labels that matter are drawn: the active effects and Lenth's lines; the Pareto reference
  for (const label of [">AC<", ">AD<", ">A<", "ME 6.748", "SME 13.699"]) assert.ok(svgs.halfNormal.includes(label), `half-normal lacks ${label}`);
  assert.ok(svgs.pareto.includes("t(0.975, 8)"));
  assert.ok(svgs.main.includes("grand mean"));
  const dir = tempDir("actlab-doe-plots-");
  const w = writePlot(dir, "half-normal", svgs.halfNormal);
  assert.ok(existsSync(w.svg) && existsSync(w.png));
});

function actlab(...args: string[]) {
  return spawnSync(process.execPath, ["bin/actlab.js", ...args], { encoding: "utf8" });
}

test("actlab analyze: text and JSON for a CSV of runs, plots, and clear errors", () => {
  const text = actlab("analyze", "datasets/doe/montgomery-2x2-chemical-yield.csv", "--response", "yield", "--factors", "A,B");
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /A:B\s+1\s+8\.3333\s+8\.3333\s+2\.128\s+0\.1828/);
  assert.match(text.stdout, /R² 0\.903/);
  const json = actlab("analyze", "datasets/doe/montgomery-2x4-filtration-rate.csv", "--response", "filtration_rate", "--factors", "A,B,C,D", "--json");
  assert.equal(json.status, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { effects: { effects: { label: string; effect: number }[] }; lenth: { pse: number } };
  assert.equal(parsed.effects.effects.find((e) => e.label === "AC")!.effect, -18.125);
  assert.equal(parsed.lenth.pse, 2.625);
  const dir = tempDir("actlab-analyze-");
  const plots = actlab("analyze", "datasets/doe/montgomery-3x3-battery-life.csv", "--response", "life_h", "--factors", "material,temperature_F", "--plots", dir);
  assert.equal(plots.status, 0, plots.stderr);
  for (const f of ["main-effects", "interactions", "residuals-vs-fitted", "residuals-vs-order"]) assert.ok(existsSync(join(dir, `${f}.png`)), f);
  const missing = actlab("analyze", "datasets/doe/montgomery-3x3-battery-life.csv", "--response", "nope");
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /a column named 'nope'/);
  assert.equal(actlab("analyze", "datasets/doe/montgomery-3x3-battery-life.csv").status, 2);
  assert.equal(actlab("analyze", "datasets/doe/montgomery-3x3-battery-life.csv", "--response", "life_h", "--type", "3").status, 2);
});

test("centre points are left out of two-level effects but kept in main effects and the ANOVA", () => {
  const rows: Row[] = [
    { A: -1, B: -1, y: 10, center: false }, { A: 1, B: -1, y: 20, center: false },
    { A: -1, B: 1, y: 12, center: false }, { A: 1, B: 1, y: 22, center: false },
    { A: 0, B: 0, y: 16, center: true }, { A: 0, B: 0, y: 17, center: true },
  ];
  const e = twoLevelEffects(rows, "y", ["A", "B"]);
  assert.equal(e.n, 4);
  assert.deepEqual(e.effects.map((x) => [x.label, x.effect]), [["A", 10], ["B", 2], ["AB", 0]]);
  assert.equal(mainEffects(rows, "y", ["A"]).length, 3);
  const a = analyzeFactors(rows, "y", ["A", "B"], { order: 1 });
  assert.ok(a.effects && a.anova.n === 6);
});
