// Published textbook results (Montgomery, Design and Analysis of Experiments, 8th ed., 2013; see
// datasets/doe/README.md for the examples and tables) reproduced by the SDK's analysis.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readCsvFile } from "../sdk/core/rows.js";
import { fSurvival, anova, effectInference, fCdf, fQuantile, lenth, tCdf, tQuantile, twoLevelEffects, analyzeFactors } from "../sdk/doe/index.js";

/** Equal to the printed value at its printed number of decimals (half a unit in the last place). */
function printed(actual: number, published: string, what: string): void {
  const decimals = published.includes(".") ? published.split(".")[1]!.length : 0;
  const tol = 0.5 * 10 ** -decimals + 1e-12;
  assert.ok(Math.abs(actual - Number(published)) <= tol, `${what}: ${actual} is not ${published} to ${decimals} decimals`);
}

/**
 * F ratios: Montgomery divides by a rounded error mean square, so allow 0.1 % or half a unit in
 * the printed last place, whichever is larger.
 */
function publishedF(actual: number | null, published: string, what: string): void {
  const decimals = published.includes(".") ? published.split(".")[1]!.length : 0;
  const tol = Math.max(1e-3 * Number(published), 0.5 * 10 ** -decimals + 1e-12);
  assert.ok(actual !== null && Math.abs(actual - Number(published)) <= tol, `${what}: F ${actual} vs published ${published}`);
}

/**
 * p-values: the book computes them from its (rounded) F, so check that jstat turns the published F
 * into the published p at the printed digits, and that our exact p is within 0.0005 of it.
 */
function publishedP(actual: number | null, publishedFValue: string, df1: number, df2: number, published: string, what: string): void {
  printed(fSurvival(Number(publishedFValue), df1, df2), published, `${what}: p of the published F`);
  assert.ok(actual !== null && Math.abs(actual - Number(published)) <= 5e-4, `${what}: p ${actual} vs published ${published}`);
}

test("jstat's F and t distributions match statistical table values", () => {
  // Upper 5 % and 1 % points of F (Montgomery Appendix Table IV; any F table)
  printed(fQuantile(0.95, 1, 8), "5.32", "F(0.05; 1, 8)");
  printed(fQuantile(0.95, 3, 10), "3.71", "F(0.05; 3, 10)");
  printed(fQuantile(0.99, 2, 20), "5.85", "F(0.01; 2, 20)");
  printed(fQuantile(0.95, 2, 27), "3.35", "F(0.05; 2, 27)");
  printed(fCdf(5.32, 1, 8), "0.95", "P(F(1,8) ≤ 5.32)");
  // t percentage points (Appendix Table II)
  printed(tQuantile(0.975, 5), "2.571", "t(0.025; 5)");
  printed(tQuantile(0.975, 10), "2.228", "t(0.025; 10)");
  printed(tQuantile(0.995, 20), "2.845", "t(0.005; 20)");
  printed(tQuantile(0.95, 8), "1.860", "t(0.05; 8)");
  printed(tCdf(2.306, 8), "0.975", "P(t(8) ≤ 2.306)");
});

test("replicated 2² (chemical process yield, §6.2): effects, SS, F and p as published", () => {
  const rows = readCsvFile("datasets/doe/montgomery-2x2-chemical-yield.csv");
  const e = twoLevelEffects(rows, "yield", ["A", "B"]);
  const byLabel = Object.fromEntries(e.effects.map((x) => [x.label, x]));
  printed(byLabel.A!.effect, "8.33", "effect A");
  printed(byLabel.B!.effect, "-5.00", "effect B");
  printed(byLabel.AB!.effect, "1.67", "effect AB");

  const t = anova(rows, "yield", ["A", "B"]);
  const row = Object.fromEntries(t.rows.map((r) => [r.term, r]));
  printed(row.A!.ss, "208.33", "SS A");
  printed(row.B!.ss, "75.00", "SS B");
  printed(row["A:B"]!.ss, "8.33", "SS AB");
  assert.ok(Math.abs(t.residual.ss - 31.34) < 0.011, `SS error ${t.residual.ss} vs published 31.34`); // published = 323.00 − rounded terms
  printed(t.total.ss, "323.00", "SS total");
  assert.deepEqual([row.A!.df, row.B!.df, row["A:B"]!.df, t.residual.df, t.total.df], [1, 1, 1, 8, 11]);
  publishedF(row.A!.f, "53.15", "A");
  publishedF(row.B!.f, "19.13", "B");
  publishedF(row["A:B"]!.f, "2.13", "AB");
  publishedP(row.A!.p, "53.15", 1, 8, "0.0001", "A");
  publishedP(row.B!.p, "19.13", 1, 8, "0.0024", "B");
  publishedP(row["A:B"]!.p, "2.13", 1, 8, "0.1826", "AB");

  // standard error of an effect from the replicates: 2·√(MSE/(n·2²)) = 1.14
  const inf = effectInference(e, t.residual.ms!, t.residual.df);
  printed(inf[0]!.se, "1.14", "se(effect)");
});

test("unreplicated 2⁴ (filtration rate, Example 6.2): all 15 effects and SS, and the ANOVA in A, C, D", () => {
  const rows = readCsvFile("datasets/doe/montgomery-2x4-filtration-rate.csv");
  const e = twoLevelEffects(rows, "filtration_rate", ["A", "B", "C", "D"]);
  const published: Record<string, [string, string]> = {
    A: ["21.625", "1870.5625"], B: ["3.125", "39.0625"], C: ["9.875", "390.0625"], D: ["14.625", "855.5625"],
    AB: ["0.125", "0.0625"], AC: ["-18.125", "1314.0625"], AD: ["16.625", "1105.5625"], BC: ["2.375", "22.5625"],
    BD: ["-0.375", "0.5625"], CD: ["-1.125", "5.0625"], ABC: ["1.875", "14.0625"], ABD: ["4.125", "68.0625"],
    ACD: ["-1.625", "10.5625"], BCD: ["-2.625", "27.5625"], ABCD: ["1.375", "7.5625"],
  };
  assert.deepEqual(e.effects.map((x) => x.label).sort(), Object.keys(published).sort());
  for (const x of e.effects) {
    printed(x.effect, published[x.label]![0], `effect ${x.label}`);
    printed(x.ss, published[x.label]![1], `SS ${x.label}`);
  }
  // Saturated full model: no residual df, so no F — Lenth's method is the analysis instead.
  const full = analyzeFactors(rows, "filtration_rate", ["A", "B", "C", "D"]);
  assert.equal(full.anova.residual.df, 0);
  assert.ok(full.anova.rows.every((r) => r.f === null));
  printed(full.anova.total.ss, "5730.94", "SS total");
  assert.ok(full.lenth);

  // Projection into a replicated 2³ in A, C, D (Table 6.13)
  const t = anova(rows, "filtration_rate", ["A", "C", "D"]);
  const row = Object.fromEntries(t.rows.map((r) => [r.term, r]));
  printed(t.residual.ss, "179.50", "SS error");
  assert.equal(t.residual.df, 8);
  printed(t.residual.ms!, "22.44", "MS error");
  publishedF(row.A!.f, "83.36", "A");
  publishedF(row.C!.f, "17.38", "C");
  publishedF(row.D!.f, "38.13", "D");
  publishedF(row["A:C"]!.f, "58.56", "AC");
  publishedF(row["A:D"]!.f, "49.27", "AD");
  publishedF(row["C:D"]!.f, "0.23", "CD");
  publishedF(row["A:C:D"]!.f, "0.47", "ACD");
  publishedP(row.C!.p, "17.38", 1, 8, "0.0031", "C");
  publishedP(row.D!.p, "38.13", 1, 8, "0.0003", "D");
  publishedP(row["A:D"]!.p, "49.27", 1, 8, "0.0001", "AD");
  assert.ok(row.A!.p! < 0.0001 && row["A:C"]!.p! < 0.0001);
});

test("Lenth's method on the 2⁴ filtration effects, against a hand computation from its definition", () => {
  const rows = readCsvFile("datasets/doe/montgomery-2x4-filtration-rate.csv");
  const l = lenth(twoLevelEffects(rows, "filtration_rate", ["A", "B", "C", "D"]).effects);
  // |effects| sorted: .125 .375 1.125 1.375 1.625 1.875 2.375 [2.625] 3.125 4.125 9.875 14.625 16.625 18.125 21.625
  // s0 = 1.5 × 2.625 = 3.9375; keep |c| < 2.5·s0 = 9.84375 → ten values, median (1.625 + 1.875)/2 = 1.75
  // PSE = 1.5 × 1.75 = 2.625; d = 15/3 = 5; ME = t(0.975, 5)·PSE = 2.5706 × 2.625
  // SME: γ = (1 + 0.95^(1/15))/2 = 0.99829; t(γ, 5) = 5.219 → SME ≈ 13.70
  assert.equal(l.s0, 3.9375);
  assert.equal(l.pse, 2.625);
  assert.equal(l.df, 5);
  printed(l.me, "6.748", "ME");
  printed(l.sme, "13.70", "SME");
  assert.deepEqual(l.effects.filter((x) => x.active).map((x) => x.label), ["A", "C", "D", "AC", "AD"]);
  assert.deepEqual(l.effects.filter((x) => x.activeSme).map((x) => x.label), ["A", "D", "AC", "AD"]);
});

test("3 × 3 general factorial (battery life, Example 5.1): SS, F and p as published", () => {
  const rows = readCsvFile("datasets/doe/montgomery-3x3-battery-life.csv");
  const t = anova(rows, "life_h", ["material", "temperature_F"]);
  const row = Object.fromEntries(t.rows.map((r) => [r.term, r]));
  printed(row.material!.ss, "10683.72", "SS material");
  printed(row.temperature_F!.ss, "39118.72", "SS temperature");
  printed(row["material:temperature_F"]!.ss, "9613.78", "SS interaction");
  printed(t.residual.ss, "18230.75", "SS error");
  printed(t.total.ss, "77646.97", "SS total");
  assert.deepEqual([row.material!.df, row.temperature_F!.df, row["material:temperature_F"]!.df, t.residual.df, t.total.df], [2, 2, 4, 27, 35]);
  publishedF(row.material!.f, "7.91", "material");
  publishedF(row.temperature_F!.f, "28.97", "temperature");
  publishedF(row["material:temperature_F"]!.f, "3.56", "interaction");
  publishedP(row.material!.p, "7.91", 2, 27, "0.0020", "material");
  publishedP(row["material:temperature_F"]!.p, "3.56", 4, 27, "0.0186", "interaction");
  assert.ok(row.temperature_F!.p! < 0.0001);
  assert.ok(t.balanced && !t.typesDiffer);
  printed(t.r2, "0.7652", "R²");
});

test("the 2^(4-1) half fraction of the filtration experiment (Example 8.1, I = ABCD): our generator D=ABC picks the published runs and effects", async () => {
  const { fractionalFactorial } = await import("../sdk/doe/index.js");
  const full = readCsvFile("datasets/doe/montgomery-2x4-filtration-rate.csv");
  const d = fractionalFactorial(["A", "B", "C", "D"].map((name) => ({ name, low: -1, high: 1 })), ["D=ABC"]);
  assert.deepEqual(d.fraction!.definingRelation, ["I", "ABCD"]);
  // the fraction's runs, with the responses the full experiment observed at those settings
  const rows = d.runs.map((r) => full.find((f) => ["A", "B", "C", "D"].every((k) => f[k] === r.factors[k]))!);
  assert.deepEqual(rows.map((r) => r.treatment), ["(1)", "ad", "bd", "ab", "cd", "ac", "bc", "abcd"]);
  assert.deepEqual(rows.map((r) => r.filtration_rate), [45, 100, 45, 65, 75, 60, 80, 96]);
  const e = twoLevelEffects(rows, "filtration_rate", ["A", "B", "C", "D"], { order: 2 });
  const est = Object.fromEntries(e.effects.filter((x) => !x.aliasOf).map((x) => [x.label, x.effect]));
  // published: A+BCD 19.00, B+ACD 1.50, C+ABD 14.00, D+ABC 16.50, AB+CD −1.00, AC+BD −18.50, AD+BC 19.00
  assert.deepEqual(est, { A: 19, B: 1.5, C: 14, D: 16.5, AB: -1, AC: -18.5, AD: 19 });
  assert.deepEqual(e.effects.filter((x) => x.aliasOf).map((x) => [x.label, x.aliasOf]), [["BC", "A:D"], ["BD", "A:C"], ["CD", "A:B"]]);
  assert.deepEqual([d.fraction!.aliases.AB, d.fraction!.aliases.AC, d.fraction!.aliases.AD], [["CD"], ["BD"], ["BC"]]);
});
