/**
 * `actlab analyze RESULTS.csv --response NAME`: factor analysis of any table of runs — level
 * means, ANOVA (Type I/II), two-level effects with standard errors or Lenth's method — as text or
 * JSON, and optionally the DOE plots as SVG and PNG.
 */
import { existsSync, statSync } from "node:fs";
import { InputError } from "../../core/errors.js";
import { columnsOf, readCsvFile, type Row } from "../../core/rows.js";
import { analyzeFactors, schemaFactors, type FactorAnalysis } from "../../doe/analysis.js";
import { readResultsJsonl } from "../../doe/shard.js";
import { halfNormalPlot, interactionPlotMatrix, mainEffectsPlot, paretoPlot, residualsPlot, writePlot } from "../../doe/effect-plots.js";
import { tQuantile } from "../../doe/distributions.js";
import { levelLabel } from "../../doe/linear-model.js";
import { numberOption, parseCommandArgs, UsageError, type Command } from "../command.js";

const usage = `Usage: actlab analyze RESULTS.csv --response NAME [--factors A,B,…] [options]

Factor analysis of a table of runs (CSV with a header, or JSONL): main effects (level means),
ANOVA with sums of squares, df, mean squares, F and p, R² and adjusted R²; when every factor has
two levels, effect estimates and coefficients, with standard errors from replicates or Lenth's
method when there are none. Rows with a status other than 'ok' or no response value are skipped.
  --response NAME   the response column
  --factors A,B,…   factor columns (default: the factors the results file declares — a sweep's
                    results.csv/jsonl list them between 'center' and 'seed'; other tables need --factors)
  --order K         highest interaction order in the model (default: all)
  --type 1|2        sums of squares driving F and p (default 2; the same for balanced data)
  --alpha A         significance level for Lenth and intervals (default 0.05)
  --lenth           Lenth's method even when there are replicates
  --plots DIR       write main-effects, interactions, pareto, half-normal and residual plots (SVG + PNG)
  --json            print the analysis as JSON`;

function fmt(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "";
  if (v === Infinity || v === -Infinity) return String(v);
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(2);
  return Number(v.toFixed(digits)).toString();
}

function table(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ");
  return [line(header), line(w.map((n) => "-".repeat(n))), ...rows.map(line)].join("\n") + "\n";
}

export function formatAnalysis(a: FactorAnalysis): string {
  const t = a.anova;
  let s = `response ${a.response}; factors ${a.factors.join(", ")}; ${a.n} runs; ${t.balanced ? "balanced" : "unbalanced"}\n\n`;
  s += "Main effects (level means)\n";
  s += table(["factor", "level", "n", "mean", "sd"], a.mainEffects.map((m) => [m.factor, levelLabel(m.level), String(m.n), fmt(m.mean), fmt(m.sd)]));
  s += `\nANOVA (Type ${t.type} sums of squares${t.typesDiffer ? "; Type I and II differ — both shown" : ""})\n`;
  const head = ["source", "df", "SS", "MS", "F", "p"];
  if (t.typesDiffer) head.push("SS type I", "SS type II");
  const rows = t.rows.map((r) => {
    const cells = [r.term, String(r.df), fmt(r.ss), fmt(r.ms), fmt(r.f, 3), fmt(r.p)];
    if (t.typesDiffer) cells.push(fmt(r.ss_type1), fmt(r.ss_type2));
    return cells;
  });
  rows.push(["residual", String(t.residual.df), fmt(t.residual.ss), fmt(t.residual.ms), "", "", ...(t.typesDiffer ? ["", ""] : [])]);
  rows.push(["total", String(t.total.df), fmt(t.total.ss), "", "", "", ...(t.typesDiffer ? ["", ""] : [])]);
  s += table(head, rows);
  s += `R² ${fmt(t.r2)}  adjusted R² ${fmt(t.adjR2)}${t.residualSd !== null ? `  residual sd ${fmt(t.residualSd)}` : "  (no residual df: saturated model)"}\n`;
  if (a.effects) {
    s += `\nTwo-level effects (low → high: ${a.factors.map((f) => `${f} ${levelLabel(a.effects!.coding[f]!.low)}→${levelLabel(a.effects!.coding[f]!.high)}`).join(", ")})\n`;
    const inf = new Map((a.inference ?? []).map((e) => [e.term, e]));
    const len = new Map((a.lenth?.effects ?? []).map((e) => [e.term, e]));
    const h = ["term", "label", "effect", "coef", "SS"];
    if (a.inference) h.push("se", "t", "p");
    if (a.lenth) h.push("t(PSE)", "Lenth");
    s += table(h, a.effects.effects.map((e) => {
      const c = [e.term, e.label, fmt(e.effect), fmt(e.coefficient), fmt(e.ss)];
      const i = inf.get(e.term);
      if (a.inference) c.push(fmt(i?.se), fmt(i?.t, 3), fmt(i?.p));
      const l = len.get(e.term);
      if (a.lenth) c.push(fmt(l?.t, 3), e.aliasOf ? `alias of ${e.aliasOf}` : l?.activeSme ? "> SME" : l?.active ? "> ME" : "");
      return c;
    }));
    if (a.lenth) s += `Lenth: PSE ${fmt(a.lenth.pse)}, df ${fmt(a.lenth.df)}, ME ${fmt(a.lenth.me)}, SME ${fmt(a.lenth.sme)} (alpha ${a.lenth.alpha})\n`;
  }
  return s;
}

export const command: Command = {
  name: "analyze",
  summary: "effects, ANOVA and Lenth's method for any CSV of runs (text, JSON, plots)",
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      response: { type: "string" },
      factors: { type: "string" },
      order: { type: "string" },
      type: { type: "string" },
      alpha: { type: "string" },
      lenth: { type: "boolean" },
      plots: { type: "string" },
      json: { type: "boolean" },
    });
    const file = positionals[0];
    if (!file || positionals.length > 1) throw new UsageError("expected one RESULTS file (CSV or JSONL)");
    if (!values.response) throw new UsageError("--response NAME is required");
    // A missing file or a folder is the user's slip: one line naming it, not a stack trace.
    if (!existsSync(file)) throw new InputError({ source: file }, "a readable file (got no such file)");
    if (statSync(file).isDirectory()) throw new InputError({ source: file }, "a readable file (got a directory)");
    const rows: Row[] = file.endsWith(".jsonl") ? readResultsJsonl(file) : readCsvFile(file);
    if (rows.length === 0) throw new InputError({ source: file }, "at least one data row");
    if (!rows.some((r) => values.response! in r)) throw new InputError({ source: file, line: 1 }, `a column named '${values.response}' (columns: ${Object.keys(rows[0]!).join(", ")})`);
    // Never guessed from the values: response columns with few distinct values would pass for factors.
    const declared = values.factors ? undefined : schemaFactors(columnsOf(rows));
    if (!values.factors && !declared) throw new UsageError(`${file} does not declare its factors (a sweep's results list them between 'center' and 'seed'); name them with --factors A,B,…`);
    const factors = values.factors ? values.factors.split(",").map((s) => s.trim()).filter(Boolean) : declared!;
    if (factors.includes(values.response)) throw new UsageError(`--response ${values.response} is a factor of ${file}; pick a response column`);
    for (const f of factors) if (!rows.some((r) => f in r)) throw new InputError({ source: file, line: 1 }, `a column named '${f}' for --factors`);
    if (factors.length === 0) throw new UsageError("no factor columns found; name them with --factors A,B,…");
    const type = values.type === undefined ? 2 : values.type === "1" ? 1 : values.type === "2" ? 2 : undefined;
    if (type === undefined) throw new UsageError(`--type expects 1 or 2, got '${values.type}'`);
    const order = values.order !== undefined ? numberOption(values.order, "order", factors.length, 1, factors.length) : undefined;
    const alpha = numberOption(values.alpha, "alpha", 0.05, 1e-6, 0.5);
    let analysis: FactorAnalysis;
    try {
      analysis = analyzeFactors(rows, values.response, factors, { type, order, alpha, lenth: values.lenth });
    } catch (err) {
      if (err instanceof RangeError) throw new InputError({ source: file }, err.message);
      throw err;
    }
    if (values.json) {
      process.stdout.write(JSON.stringify(analysis, null, 2) + "\n");
    } else {
      if (!values.factors) process.stdout.write(`(factors from the results file: ${factors.join(", ")}; set them with --factors)\n`);
      process.stdout.write(formatAnalysis(analysis));
    }
    if (values.plots) {
      const dir = values.plots;
      const written = [
        writePlot(dir, "main-effects", mainEffectsPlot(rows, values.response, factors)),
        ...(factors.length >= 2 ? [writePlot(dir, "interactions", interactionPlotMatrix(rows, values.response, factors))] : []),
        writePlot(dir, "residuals-vs-fitted", residualsPlot(analysis.anova, "fitted")),
        writePlot(dir, "residuals-vs-order", residualsPlot(analysis.anova, "order")),
      ];
      if (analysis.inference && analysis.anova.residual.df > 0) {
        const crit = tQuantile(1 - alpha / 2, analysis.anova.residual.df);
        written.push(writePlot(dir, "pareto", paretoPlot(analysis.inference.map((e) => ({ label: e.label, standardized: e.t })), { value: crit, label: `t(${1 - alpha / 2}, ${analysis.anova.residual.df}) = ${crit.toFixed(3)}` })));
      }
      if (analysis.lenth) {
        const l = analysis.lenth;
        written.push(writePlot(dir, "pareto-lenth", paretoPlot(l.effects.map((e) => ({ label: e.label, standardized: e.t })), { value: l.me / l.pse, label: `ME/PSE = ${(l.me / l.pse).toFixed(3)}` }, "Pareto chart of effects / PSE (Lenth)")));
        written.push(writePlot(dir, "half-normal", halfNormalPlot(l)));
      }
      if (!values.json) process.stdout.write(`plots → ${written.map((w) => w.svg).join(", ")} (+ .png)\n`);
    }
    return 0;
  },
};
