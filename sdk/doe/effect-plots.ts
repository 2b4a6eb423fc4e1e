/**
 * The standard DOE plots, drawn with Observable Plot through sdk/report (SVG; `toPng` for PNG):
 * main effects, the interaction plot matrix, a Pareto chart of standardized effects with its
 * reference line, a half-normal plot of effects labelled by Lenth's method, and residuals
 * against fitted values and against run order.
 */
import type { RowLike } from "../core/rows.js";
import { writeFileAtomic } from "../core/rows.js";
import { join } from "node:path";
import { Plot, renderPlot, toPng } from "../report/index.js";
import type { AnovaTable } from "./anova.js";
import { normalQuantile } from "./distributions.js";
import { interactionMeans, mainEffects, type LenthResult } from "./effects.js";
import { levelLabel } from "./linear-model.js";

const WIDTH = 640;

// sdk/report keeps the first <svg> of a figure, so titles and legends (which make Plot wrap the
// chart in a <figure>) would be lost: titles are drawn as a text mark in the top margin instead,
// and colour meanings are spelled out in them.
function titleMark(title: string) {
  return Plot.text([title], { frameAnchor: "top-left", dy: -44, dx: -30, textAnchor: "start", fontSize: 13, fontWeight: "bold" });
}

/** Mean response per level, one panel per factor, with the grand mean as a dashed line. */
export function mainEffectsPlot(rows: readonly RowLike[], response: string, factors: readonly string[]): string {
  const me = mainEffects(rows, response, factors);
  const data = factors.flatMap((f) => me.filter((m) => m.factor === f).map((m, i) => ({ factor: f, pos: i, label: levelLabel(m.level), mean: m.mean })));
  const total = me.filter((m) => m.factor === factors[0]).reduce((s, m) => s + m.mean * m.n, 0);
  const n = me.filter((m) => m.factor === factors[0]).reduce((s, m) => s + m.n, 0);
  return renderPlot({
    width: Math.max(WIDTH, 180 * factors.length),
    height: 300,
    marginTop: 40,
    fx: { label: null },
    x: { axis: null, inset: 20 },
    y: { label: `mean ${response} (dashed: grand mean)`, grid: true },
    marks: [
      Plot.ruleY([total / n], { strokeDasharray: "4,3", stroke: "#888" }),
      Plot.line(data, { fx: "factor", x: "pos", y: "mean", stroke: "steelblue" }),
      Plot.dot(data, { fx: "factor", x: "pos", y: "mean", fill: "steelblue", r: 4 }),
      Plot.text(data, { fx: "factor", x: "pos", y: "mean", text: "label", dy: -12, fontSize: 11 }),
    ],
  });
}

/** For every ordered pair of factors (a, b): mean response across a's levels, one line per level of b. */
export function interactionPlotMatrix(rows: readonly RowLike[], response: string, factors: readonly string[]): string {
  const cells = interactionMeans(rows, response, factors);
  const posOf = new Map<string, number>();
  const levelPos = (factor: string, label: string) => {
    const k = `${factor}\u0000${label}`;
    if (!posOf.has(k)) posOf.set(k, [...posOf.keys()].filter((x) => x.startsWith(`${factor}\u0000`)).length);
    return posOf.get(k)!;
  };
  for (const f of factors) for (const m of mainEffects(rows, response, [f])) levelPos(f, levelLabel(m.level));
  const data = cells.map((c) => ({
    a: c.a, b: c.b, x: levelPos(c.a, levelLabel(c.levelA)), mean: c.mean,
    line: `${c.b}=${levelLabel(c.levelB)}`, bpos: levelPos(c.b, levelLabel(c.levelB)), xlabel: levelLabel(c.levelA),
  }));
  const ends = data.filter((d) => !data.some((o) => o.a === d.a && o.b === d.b && o.line === d.line && o.x > d.x));
  const size = Math.max(160, Math.min(240, 900 / Math.max(1, factors.length)));
  return renderPlot({
    width: size * factors.length + 80,
    height: size * factors.length + 60,
    marginRight: 70,
    fx: { label: null, domain: [...factors] },
    fy: { label: null, domain: [...factors] },
    x: { axis: null, inset: 24 },
    y: { label: `mean ${response} (columns: x factor; rows: line factor)`, grid: true },
    color: { type: "ordinal", scheme: "tableau10" },
    marks: [
      Plot.frame({ stroke: "#ddd" }),
      Plot.line(data, { fx: "a", fy: "b", x: "x", y: "mean", z: "line", stroke: "bpos" }),
      Plot.dot(data, { fx: "a", fy: "b", x: "x", y: "mean", fill: "bpos", r: 3 }),
      Plot.text(data, { fx: "a", fy: "b", x: "x", y: "mean", text: "xlabel", dy: 10, fontSize: 9, fill: "#555" }),
      Plot.text(ends, { fx: "a", fy: "b", x: "x", y: "mean", text: "line", dx: 6, textAnchor: "start", fontSize: 9 }),
    ],
  });
}

export interface StandardizedEffect {
  /** Label shown (e.g. `AC` or `temp:conc`). */
  label: string;
  /** Effect divided by its standard error (t) or by Lenth's PSE. */
  standardized: number;
}

/** Pareto chart: |standardized effect| bars, largest first, with a reference line (e.g. t critical, or ME/PSE). */
export function paretoPlot(effects: readonly StandardizedEffect[], reference: { value: number; label: string }, title = "Pareto chart of standardized effects"): string {
  const data = effects.map((e) => ({ label: e.label, abs: Math.abs(e.standardized), sign: e.standardized < 0 ? "negative" : "positive" })).sort((a, b) => b.abs - a.abs);
  return renderPlot({
    width: WIDTH,
    height: 110 + 24 * data.length,
    marginLeft: 110,
    marginTop: 60,
    x: { label: "|standardized effect|", grid: true },
    y: { label: null, domain: data.map((d) => d.label) },
    color: { domain: ["positive", "negative"], range: ["steelblue", "#e15759"] },
    marks: [
      titleMark(`${title} (blue: positive, red: negative)`),
      Plot.barX(data, { x: "abs", y: "label", fill: "sign" }),
      Plot.ruleX([reference.value], { stroke: "black", strokeDasharray: "5,3" }),
      Plot.text([reference], { x: "value", text: "label", frameAnchor: "top", dy: -10, dx: 4, textAnchor: "start", fontSize: 10 }),
      Plot.ruleX([0]),
    ],
  });
}

/** Half-normal probability plot of |effects|; effects beyond Lenth's ME are labelled; ME and SME drawn. */
export function halfNormalPlot(result: LenthResult, title = "Half-normal plot of effects (Lenth)"): string {
  const sorted = [...result.effects].map((e) => ({ ...e, abs: Math.abs(e.effect) })).sort((a, b) => a.abs - b.abs);
  const m = sorted.length;
  const data = sorted.map((e, i) => ({ ...e, q: normalQuantile(0.5 + (0.5 * (i + 0.5)) / m), status: e.activeSme ? "beyond SME" : e.active ? "beyond ME" : "inert" }));
  const labelled = data.filter((d) => d.active);
  return renderPlot({
    width: WIDTH,
    height: 440,
    marginTop: 60,
    x: { label: "|effect|", grid: true },
    y: { label: "half-normal quantile", grid: true },
    color: { domain: ["inert", "beyond ME", "beyond SME"], range: ["#999", "#f28e2b", "#e15759"] },
    marks: [
      titleMark(`${title}: grey inert, orange beyond ME, red beyond SME`),
      Plot.ruleX([result.me], { stroke: "#f28e2b", strokeDasharray: "5,3" }),
      Plot.ruleX([result.sme], { stroke: "#e15759", strokeDasharray: "5,3" }),
      Plot.text([{ x: result.me, t: `ME ${result.me.toFixed(3)}` }, { x: result.sme, t: `SME ${result.sme.toFixed(3)}` }], { x: "x", text: "t", frameAnchor: "bottom", dy: -4, dx: 4, textAnchor: "start", fontSize: 10 }),
      Plot.dot(data, { x: "abs", y: "q", fill: "status", r: 4 }),
      Plot.text(labelled, { x: "abs", y: "q", text: "label", dx: -8, textAnchor: "end", fontSize: 11 }),
    ],
  });
}

/** Residuals against fitted values, or against run order (to spot drift over time). */
export function residualsPlot(table: Pick<AnovaTable, "fitted" | "residuals" | "runOrder" | "response">, vs: "fitted" | "order" = "fitted"): string {
  const data = table.residuals.map((r, i) => ({ residual: r, fitted: table.fitted[i]!, order: table.runOrder[i]! }));
  const x = vs === "fitted" ? "fitted" : "order";
  return renderPlot({
    width: WIDTH,
    height: 340,
    marginTop: 60,
    x: { label: vs === "fitted" ? "fitted value" : "run order", grid: true },
    y: { label: "residual", grid: true },
    marks: [
      titleMark(`Residuals vs ${vs === "fitted" ? "fitted values" : "run order"} (${table.response})`),
      Plot.ruleY([0], { stroke: "#888" }),
      ...(vs === "order" ? [Plot.line([...data].sort((a, b) => a.order - b.order), { x, y: "residual", stroke: "#bbb" })] : []),
      Plot.dot(data, { x, y: "residual", fill: "steelblue", r: 3.5 }),
    ],
  });
}

/** Write `<name>.svg` and `<name>.png` into `dir`; returns both paths. */
export function writePlot(dir: string, name: string, svg: string): { svg: string; png: string } {
  const paths = { svg: join(dir, `${name}.svg`), png: join(dir, `${name}.png`) };
  writeFileAtomic(paths.svg, svg);
  writeFileAtomic(paths.png, toPng(svg));
  return paths;
}
