/**
 * The standard DOE plots, drawn with Observable Plot through sdk/report (SVG; `toPng` for PNG):
 * main effects, the interaction plot matrix, a Pareto chart of standardized effects with its
 * reference line, a half-normal plot of effects labelled by Lenth's method, and residuals
 * against fitted values and against run order. Each carries its title and legend in its own SVG
 * (so a standalone PNG says what it shows), and means carry 95% CIs when the design is replicated.
 */
import type { RowLike } from "../core/rows.js";
import { cellOf, writeFileAtomic } from "../core/rows.js";
import { join } from "node:path";
import { Plot, toPng } from "../report/index.js";
import { clipText, renderChart, TARGET_STYLE, type ChartHeader, type LegendItem } from "../report/chart-header.js";
import { textWidth } from "../report/text-metrics.js";
import type { AnovaTable } from "./anova.js";
import { normalQuantile, tQuantile } from "./distributions.js";
import { interactionMeans, mainEffects, type LenthResult } from "./effects.js";
import { analysisRows, levelLabel } from "./linear-model.js";
import type { PlotOptions } from "../report/index.js";

const WIDTH = 640;
const LEVEL_PX = 10;
/** Horizontal inset of a panel's first and last level (Plot's x inset). */
const INSET = 24;

/**
 * The left margin the y tick labels of `values` need (Plot's default is 40 px): the longest of the
 * extremes as Plot formats them, plus the tick and its gap. Set up front so the panel widths, and so
 * the room for level labels, are known before rendering.
 */
function yMargin(values: readonly number[]): number {
  const fmt = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: 3 }).replace("-", "−");
  const finite = values.filter(Number.isFinite);
  const widest = Math.max(0, ...[Math.min(...finite), Math.max(...finite)].filter(Number.isFinite).map((v) => textWidth(fmt(v), 10)));
  return Math.max(40, Math.ceil(widest + 14));
}

/** Room for one level's label: the distance between neighbouring levels in a panel `panelPx` wide. */
function levelRoom(panelPx: number, levels: number): number {
  return levels > 1 ? (panelPx - 2 * INSET) / (levels - 1) - 4 : panelPx - 4;
}
/** d3's Tableau 10, written out so the header legend and the marks share one list. */
const TABLEAU10 = ["#4e79a7", "#f28e2c", "#e15759", "#76b7b2", "#59a14f", "#edc949", "#af7aa1", "#ff9da7", "#9c755f", "#bab0ab"];

function chart(spec: PlotOptions, header: ChartHeader): string {
  return renderChart(spec, header).svg;
}

/**
 * The pure (replicate) error of the design: the pooled standard deviation of runs around their
 * treatment's mean, with its degrees of freedom; null when no treatment is replicated. Error
 * bars use it, so a level mean over n runs gets ± t(0.975, df) · s / √n.
 */
export function pureError(rows: readonly RowLike[], response: string, factors: readonly string[]): { s: number; df: number } | null {
  const { rows: kept, y } = analysisRows(rows, response);
  const groups = new Map<string, number[]>();
  kept.forEach((r, i) => {
    const key = JSON.stringify(factors.map((f) => cellOf(r, f)));
    const g = groups.get(key) ?? [];
    g.push(y[i]!);
    groups.set(key, g);
  });
  let ss = 0;
  let df = 0;
  for (const g of groups.values()) {
    const mean = g.reduce((a, b) => a + b, 0) / g.length;
    ss += g.reduce((a, b) => a + (b - mean) ** 2, 0);
    df += g.length - 1;
  }
  return df > 0 ? { s: Math.sqrt(ss / df), df } : null;
}

/** Half-width of the 95% interval of a mean over n runs, or 0 without replicates. */
function halfWidth(err: { s: number; df: number } | null, n: number): number {
  return err ? tQuantile(0.975, err.df) * err.s / Math.sqrt(n) : 0;
}

function ciNote(err: { s: number; df: number } | null): string | undefined {
  return err ? `CI from the replicate error: pooled s = ${err.s.toPrecision(3)}, df ${err.df}` : undefined;
}

/**
 * Mean response per level, one panel per factor, with the grand mean dashed and 95% CIs when replicated.
 *
 * @example
 * ```ts
 * await show(mainEffectsPlot(rows, "sla_attainment", ["model", "sleep_pool", "speedup"]));
 * ```
 */
export function mainEffectsPlot(rows: readonly RowLike[], response: string, factors: readonly string[]): string {
  const me = mainEffects(rows, response, factors);
  const err = pureError(rows, response, factors);
  const width = Math.max(WIDTH, 180 * factors.length);
  const h95 = (n: number) => halfWidth(err, n);
  const marginLeft = yMargin(me.flatMap((m) => [m.mean - h95(m.n), m.mean + h95(m.n)]));
  // Plot's facet bands: the frame (width less the margins) split per factor, 10% padding.
  const panel = ((width - marginLeft - 20) / Math.max(1, factors.length)) * 0.9;
  // One x scale for every panel: levels sit as far apart as those of the factor with the most.
  const most = Math.max(1, ...factors.map((f) => me.filter((m) => m.factor === f).length));
  const data = factors.flatMap((f) => {
    const levels = me.filter((m) => m.factor === f);
    return levels.map((m, i) => {
      const h = halfWidth(err, m.n);
      return { factor: f, pos: i, label: clipText(levelLabel(m.level), levelRoom(panel, most), LEVEL_PX), mean: m.mean, lo: m.mean - h, hi: m.mean + h };
    });
  });
  const total = me.filter((m) => m.factor === factors[0]).reduce((s, m) => s + m.mean * m.n, 0);
  const n = me.filter((m) => m.factor === factors[0]).reduce((s, m) => s + m.n, 0);
  const legend: LegendItem[] = [{ label: "level mean", color: "steelblue", mark: "dot" }, { label: "grand mean", color: "#888", mark: "dash" }];
  if (err) legend.push({ label: "95% CI", color: "steelblue", mark: "errorbar" });
  return chart({
    width,
    height: 300,
    marginLeft,
    marginBottom: 34,
    fx: { label: null, axis: "top" },
    x: { axis: null, inset: INSET },
    y: { label: `mean ${response}`, grid: true },
    marks: [
      Plot.ruleY([total / n], { strokeDasharray: "5,4", stroke: "#888" }),
      ...(err ? [Plot.ruleX(data, { fx: "factor", x: "pos", y1: "lo", y2: "hi", stroke: "steelblue", strokeWidth: 1.5 })] : []),
      Plot.line(data, { fx: "factor", x: "pos", y: "mean", stroke: "steelblue" }),
      Plot.dot(data, { fx: "factor", x: "pos", y: "mean", fill: "steelblue", r: 4 }),
      Plot.text(data, { fx: "factor", x: "pos", text: "label", frameAnchor: "bottom", dy: 14, fontSize: LEVEL_PX }),
    ],
  }, { title: `Main effects on ${response}`, legend, note: ciNote(err) });
}

/**
 * For every ordered pair of factors (a, b): mean response across a's levels (columns, labelled
 * under each panel), one line per level of b (rows; colours in the legend), 95% CIs when
 * replicated. No label sits beside a point, so nothing overprints however close the means are.
 *
 * @example
 * ```ts
 * await show(interactionPlotMatrix(rows, "sla_attainment", ["model", "sleep_pool", "speedup"]));
 * ```
 */
export function interactionPlotMatrix(rows: readonly RowLike[], response: string, factors: readonly string[]): string {
  const cells = interactionMeans(rows, response, factors);
  const err = pureError(rows, response, factors);
  const levelsOf = new Map(factors.map((f) => [f, mainEffects(rows, response, [f]).map((m) => levelLabel(m.level))]));
  const pos = (f: string, label: string) => levelsOf.get(f)!.indexOf(label);
  const size = Math.max(160, Math.min(240, 900 / Math.max(1, factors.length)));
  const data = cells.map((c) => {
    const h = halfWidth(err, c.n);
    const bpos = pos(c.b, levelLabel(c.levelB));
    return { a: c.a, b: c.b, x: pos(c.a, levelLabel(c.levelA)), mean: c.mean, lo: c.mean - h, hi: c.mean + h, line: `${c.b}=${levelLabel(c.levelB)}`, color: TABLEAU10[bpos % TABLEAU10.length]! };
  });
  // One x label per level under each panel of the bottom-most row that has that column.
  const most = Math.max(1, ...[...levelsOf.values()].map((l) => l.length));
  const ticks = factors.flatMap((a) => {
    const levels = levelsOf.get(a)!;
    const row = [...factors].reverse().find((b) => b !== a)!;
    return levels.map((l, i) => ({ a, b: row, x: i, label: clipText(l, levelRoom(size * 0.85, most), 9) }));
  });
  const legend: LegendItem[] = factors.flatMap((b) => levelsOf.get(b)!.map((l, i) => ({ label: `${b}=${l}`, color: TABLEAU10[i % TABLEAU10.length]!, mark: "line" as const })));
  if (err) legend.push({ label: "95% CI", color: "#555", mark: "errorbar" });
  return chart({
    width: size * factors.length + 110,
    height: size * factors.length + 60,
    marginBottom: 36,
    fx: { label: null, domain: [...factors], axis: "top", tickFormat: (f: string) => `x: ${f}` },
    fy: { label: null, domain: [...factors], tickFormat: (f: string) => `lines: ${f}`, padding: 0.15 },
    x: { axis: null, inset: INSET },
    y: { label: `mean ${response}`, grid: true },
    marks: [
      Plot.frame({ stroke: "#ddd" }),
      ...(err ? [Plot.ruleX(data, { fx: "a", fy: "b", x: "x", y1: "lo", y2: "hi", stroke: "color", strokeOpacity: 0.8 })] : []),
      Plot.line(data, { fx: "a", fy: "b", x: "x", y: "mean", z: "line", stroke: "color" }),
      Plot.dot(data, { fx: "a", fy: "b", x: "x", y: "mean", fill: "color", r: 3 }),
      Plot.text(ticks, { fx: "a", fy: "b", x: "x", text: "label", frameAnchor: "bottom", dy: 12, fontSize: 9, fill: "#333" }),
    ],
  }, { title: `Interactions on ${response}: columns give the x factor, rows the line factor`, legend, note: ciNote(err) });
}

export interface StandardizedEffect {
  /** Label shown (e.g. `AC` or `temp:conc`). */
  label: string;
  /** Effect divided by its standard error (t) or by Lenth's PSE. */
  standardized: number;
}

/**
 * Pareto chart: |standardized effect| bars, largest first, with a reference line (e.g. t critical, or ME/PSE).
 *
 * @example
 * ```ts
 * const svg = paretoPlot([{ label: "A", standardized: 4.1 }, { label: "AB", standardized: -1.2 }], { value: 2.306, label: "t(0.975, 8)" });
 * ```
 */
export function paretoPlot(effects: readonly StandardizedEffect[], reference: { value: number; label: string }, title = "Pareto chart of standardized effects"): string {
  // Long term names are shortened unless that would make two of them read the same.
  const clipped = effects.map((e) => clipText(e.label, 160, 10));
  const short = new Set(clipped).size === clipped.length;
  const data = effects.map((e, i) => ({ label: short ? clipped[i]! : e.label, abs: Math.abs(e.standardized), sign: e.standardized < 0 ? "negative" : "positive" })).sort((a, b) => b.abs - a.abs);
  return chart({
    width: WIDTH,
    height: 70 + 24 * data.length,
    marginLeft: 60,
    x: { label: "|standardized effect|", grid: true },
    y: { label: null, domain: data.map((d) => d.label) },
    color: { domain: ["positive", "negative"], range: ["steelblue", "#e15759"] },
    marks: [
      Plot.barX(data, { x: "abs", y: "label", fill: "sign" }),
      Plot.ruleX([reference.value], TARGET_STYLE),
      Plot.ruleX([0]),
    ],
  }, { title, legend: [{ label: "positive", color: "steelblue", mark: "square" }, { label: "negative", color: "#e15759", mark: "square" }, { label: reference.label, color: TARGET_STYLE.stroke, mark: "target" }] });
}

/**
 * Half-normal probability plot of |effects|; effects beyond Lenth's ME are labelled; ME and SME drawn.
 *
 * @example
 * ```ts
 * const svg = halfNormalPlot(lenth(twoLevelEffects(rows, "y", ["A", "B", "C", "D"]).effects));
 * ```
 */
export function halfNormalPlot(result: LenthResult, title = "Half-normal plot of effects (Lenth)"): string {
  const sorted = [...result.effects].map((e) => ({ ...e, abs: Math.abs(e.effect) })).sort((a, b) => a.abs - b.abs);
  const m = sorted.length;
  const data = sorted.map((e, i) => ({ ...e, q: normalQuantile(0.5 + (0.5 * (i + 0.5)) / m), status: e.activeSme ? "beyond SME" : e.active ? "beyond ME" : "inert" }));
  const labelled = data.filter((d) => d.active).map((d) => ({ ...d, label: clipText(d.label, 140, 11) }));
  return chart({
    width: WIDTH,
    height: 400,
    x: { label: "|effect|", grid: true },
    y: { label: "half-normal quantile", grid: true },
    color: { domain: ["inert", "beyond ME", "beyond SME"], range: ["#999", "#f28e2b", "#e15759"] },
    marks: [
      Plot.ruleX([result.me], { stroke: "#f28e2b", strokeDasharray: "5,4" }),
      Plot.ruleX([result.sme], { stroke: "#e15759", strokeDasharray: "5,4" }),
      Plot.dot(data, { x: "abs", y: "q", fill: "status", r: 4 }),
      Plot.text(labelled, { x: "abs", y: "q", text: "label", dx: -8, textAnchor: "end", fontSize: 11 }),
    ],
  }, {
    title,
    legend: [
      { label: "inert", color: "#999", mark: "dot" }, { label: "beyond ME", color: "#f28e2b", mark: "dot" }, { label: "beyond SME", color: "#e15759", mark: "dot" },
      { label: `ME ${result.me.toFixed(3)}`, color: "#f28e2b", mark: "dash" }, { label: `SME ${result.sme.toFixed(3)}`, color: "#e15759", mark: "dash" },
    ],
  });
}

/**
 * Residuals against fitted values, or against run order (to spot drift over time).
 *
 * @example
 * ```ts
 * const svg = residualsPlot(anova(rows, "y", ["A", "B"]), "order");
 * ```
 */
export function residualsPlot(table: Pick<AnovaTable, "fitted" | "residuals" | "runOrder" | "response">, vs: "fitted" | "order" = "fitted"): string {
  const data = table.residuals.map((r, i) => ({ residual: r, fitted: table.fitted[i]!, order: table.runOrder[i]! }));
  const x = vs === "fitted" ? "fitted" : "order";
  return chart({
    width: WIDTH,
    height: 300,
    x: { label: vs === "fitted" ? "fitted value" : "run order", grid: true },
    y: { label: "residual", grid: true },
    marks: [
      Plot.ruleY([0], { stroke: "#888" }),
      ...(vs === "order" ? [Plot.line([...data].sort((a, b) => a.order - b.order), { x, y: "residual", stroke: "#bbb" })] : []),
      Plot.dot(data, { x, y: "residual", fill: "steelblue", r: 3.5 }),
    ],
  }, { title: `Residuals vs ${vs === "fitted" ? "fitted values" : "run order"} (${table.response})`, legend: [{ label: "run", color: "steelblue", mark: "dot" }, { label: "zero", color: "#888", mark: "line" }] });
}

/**
 * Write `<name>.svg` and `<name>.png` into `dir`; returns both paths.
 *
 * @example
 * ```ts
 * const { svg, png } = writePlot("out/plots", "main-effects", mainEffectsPlot(rows, "ttftP50Ms", ["workers", "router"]));
 * ```
 */
export function writePlot(dir: string, name: string, svg: string): { svg: string; png: string } {
  const paths = { svg: join(dir, `${name}.svg`), png: join(dir, `${name}.png`) };
  writeFileAtomic(paths.svg, svg);
  writeFileAtomic(paths.png, toPng(svg));
  return paths;
}
