/**
 * A title and a legend drawn inside the chart's own SVG, above the plot: a standalone SVG or PNG
 * then says what it shows and what each colour and dash means (Plot's legends live outside the
 * SVG, in HTML). Items wrap onto more rows when the width runs out; the top margin grows to fit.
 */
import { renderFigure, type PlotOptions, type RenderedPlot, type RenderOptions } from "./render-plot.js";
import { textWidth } from "./text-metrics.js";

/** How a legend entry is drawn: a line (solid or dashed), a target line, a dot, a square swatch, an error bar. */
export type LegendMark = "line" | "dash" | "target" | "dot" | "square" | "errorbar";

export interface LegendItem {
  label: string;
  color: string;
  mark?: LegendMark;
}

export interface ChartHeader {
  title?: string;
  legend?: readonly LegendItem[];
  /** A note after the legend (e.g. what the error bars are). */
  note?: string;
}

const PAD = 8;
const TITLE_PX = 13;
const TITLE_ROW = 20;
const LEGEND_PX = 11;
const LEGEND_ROW = 16;
const SWATCH = 20;
const SWATCH_GAP = 4;
const ITEM_GAP = 14;

/** The target-line style: solid black, thicker than the data; estimates are coloured and dashed. */
export const TARGET_STYLE = { stroke: "black", strokeWidth: 1.5, strokeDasharray: "10,3,2,3" } as const;
/** The style of estimated or predicted series (vs solid observed ones). */
export const ESTIMATE_DASH = "5,4";

interface Placed { item: LegendItem; x: number; row: number }

/**
 * Shortens `text` with an ellipsis so it is at most `maxPx` wide at `fontSize`.
 *
 * @example
 * ```ts
 * clipText("a-very-long-level-name", 60, 10); // "a-very-lon…"
 * ```
 */
export function clipText(text: string, maxPx: number, fontSize: number, bold = false): string {
  if (textWidth(text, fontSize, bold) <= maxPx) return text;
  const chars = [...text];
  while (chars.length > 1 && textWidth(chars.join("") + "…", fontSize, bold) > maxPx) chars.pop();
  return chars.join("") + "…";
}

function layout(items: readonly LegendItem[], width: number): { placed: Placed[]; rows: number } {
  const placed: Placed[] = [];
  let x = PAD;
  let row = 0;
  for (const item of items) {
    const w = SWATCH + SWATCH_GAP + textWidth(item.label, LEGEND_PX);
    if (x > PAD && x + w > width - PAD) { row++; x = PAD; }
    placed.push({ item, x, row });
    x += w + ITEM_GAP;
  }
  return { placed, rows: items.length ? row + 1 : 0 };
}

/** The legend entries, then the note as a swatchless entry (color "none"). */
function headerItems(header: ChartHeader): LegendItem[] {
  return [...(header.legend ?? []), ...(header.note ? [{ label: header.note, color: "none" }] : [])];
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Two decimals are plenty for pixel positions and keep the SVG tidy. */
const r2 = (v: number) => Math.round(v * 100) / 100;

function swatch(item: LegendItem, x0: number, y: number): string {
  const x = r2(x0);
  const c = esc(item.color);
  const mid = r2(y - LEGEND_PX * 0.35);
  switch (item.mark ?? "line") {
    case "dot": return `<circle cx="${x + SWATCH / 2}" cy="${mid}" r="4" fill="${c}"/>`;
    case "square": return `<rect x="${x + SWATCH / 2 - 5}" y="${mid - 5}" width="10" height="10" fill="${c}"/>`;
    case "errorbar": return `<path d="M${x + SWATCH / 2},${mid - 6}V${mid + 6}M${x + SWATCH / 2 - 3},${mid - 6}h6M${x + SWATCH / 2 - 3},${mid + 6}h6" stroke="${c}" fill="none"/>`;
    case "target": return `<line x1="${x}" x2="${x + SWATCH}" y1="${mid}" y2="${mid}" stroke="${c}" stroke-width="${TARGET_STYLE.strokeWidth}" stroke-dasharray="${TARGET_STYLE.strokeDasharray}"/>`;
    case "dash": return `<line x1="${x}" x2="${x + SWATCH}" y1="${mid}" y2="${mid}" stroke="${c}" stroke-width="2" stroke-dasharray="${ESTIMATE_DASH}"/>`;
    default: return `<line x1="${x}" x2="${x + SWATCH}" y1="${mid}" y2="${mid}" stroke="${c}" stroke-width="2"/>`;
  }
}

/**
 * Height in px the header takes at this width (0 for an empty header).
 *
 * @example
 * ```ts
 * const h = headerHeight({ title: "TTFT", legend }, 640);
 * ```
 */
export function headerHeight(header: ChartHeader, width: number): number {
  const items = headerItems(header);
  const rows = layout(items, width).rows;
  return (header.title ? TITLE_ROW : 0) + rows * LEGEND_ROW + (header.title || rows ? PAD : 0);
}

/**
 * The header as an SVG group for a chart `width` px wide, its top at y = `top`.
 *
 * @example
 * ```ts
 * const g = headerSvg({ title: "TTFT", legend: [{ label: "observed", color: "steelblue" }] }, 640);
 * ```
 */
export function headerSvg(header: ChartHeader, width: number, top = 0): string {
  const parts: string[] = [];
  let y = 0;
  if (header.title) {
    parts.push(`<text x="${PAD}" y="${TITLE_PX + 2}" font-size="${TITLE_PX}" font-weight="bold" text-anchor="start">${esc(clipText(header.title, width - 2 * PAD, TITLE_PX, true))}</text>`);
    y = TITLE_ROW;
  }
  const items = headerItems(header);
  for (const { item, x, row } of layout(items, width).placed) {
    const base = y + (row + 1) * LEGEND_ROW - 4;
    const label = clipText(item.label, width - PAD - x - SWATCH - SWATCH_GAP, LEGEND_PX);
    if (item.color === "none") parts.push(`<text x="${r2(x)}" y="${base}" font-size="${LEGEND_PX}" text-anchor="start" fill="#444">${esc(label)}</text>`);
    else parts.push(swatch(item, x, base), `<text x="${r2(x + SWATCH + SWATCH_GAP)}" y="${base}" font-size="${LEGEND_PX}" text-anchor="start">${esc(label)}</text>`);
  }
  return `<g aria-label="chart-header"${top ? ` transform="translate(0,${top})"` : ""}>${parts.join("")}</g>`;
}

/**
 * Render a Plot spec with a title and legend above it, in the same SVG. Plot lays the chart out
 * exactly as without a header (fitted so no text is clipped); the SVG grows by the header's height
 * and its viewBox starts above the chart (y < 0), where the header is drawn, so marks and the
 * linked-axes script keep Plot's coordinates.
 *
 * @example
 * ```ts
 * const { svg } = renderChart({ marks: [Plot.lineY([1, 3, 2])] }, { title: "TTFT", legend: [{ label: "observed", color: "steelblue" }, { label: "SLA", color: "black", mark: "target" }] });
 * ```
 */
export function renderChart(spec: PlotOptions, header: ChartHeader, options: RenderOptions = {}): RenderedPlot {
  const fig = renderFigure(spec, options);
  const open = /^<svg\b[^>]*>/.exec(fig.svg)?.[0] ?? "";
  const width = parseFloat(/\swidth="([\d.]+)"/.exec(open)?.[1] ?? "640");
  const height = parseFloat(/\sheight="([\d.]+)"/.exec(open)?.[1] ?? "400");
  const h = headerHeight(header, width);
  if (h === 0) return fig;
  const opened = open
    .replace(/\sheight="[\d.]+"/, ` height="${height + h}"`)
    .replace(/\sviewBox="[^"]*"/, ` viewBox="0 ${-h} ${width} ${height + h}"`);
  const svg = opened + fig.svg.slice(open.length).replace(/<\/svg>\s*$/, `${headerSvg(header, width, -h)}</svg>`);
  // Plot wraps the chart in a <figure> only for its own legends/captions, which a header replaces.
  return { svg, html: fig.html.startsWith("<figure") ? fig.html : svg };
}
