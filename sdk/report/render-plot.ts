/**
 * Observable Plot on the server: a Plot spec in, an SVG string out, with no browser. Plot needs a
 * DOM; linkedom provides one (about 3x faster than jsdom for this). Margins grow until every text
 * box fits the frame (Plot's fixed defaults clip long tick labels such as "−20,000").
 */
import * as Plot from "@observablehq/plot";
import type { PlotOptions } from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { overflow, overlappingPairs, textBoxes, type SvgNode } from "./text-boxes.js";

export { Plot };
export type { PlotOptions };

const SVG_NS = "http://www.w3.org/2000/svg";

/** The few DOM members used here (the SDK does not assume the DOM lib is loaded). */
interface DomElement extends SvgNode {
  tagName: string;
  outerHTML: string;
  querySelector(selector: string): DomElement | null;
  children: ArrayLike<DomElement>;
}

function freshDocument(): unknown {
  return parseHTML("<!doctype html><html><head></head><body></body></html>").document;
}

export interface RenderedPlot {
  /** The chart alone, as a standalone SVG document (xmlns set). */
  svg: string;
  /** The whole figure as HTML: the SVG plus legends/title/caption when Plot made a <figure>. */
  html: string;
}

export interface RenderOptions {
  /** Grow the margins until every text box fits inside the SVG (default true). */
  fit?: boolean;
}

// Plot's own margins when an axis asks for none: the starting point when a side must grow.
const PLOT_DEFAULT_MARGIN = { top: 20, right: 20, bottom: 30, left: 40 } as const;
const FIT_PASSES = 4;
const FIT_PAD_PX = 2;

function plotOnce(spec: PlotOptions): { el: DomElement; svgEl: DomElement } {
  const document = freshDocument();
  const el = Plot.plot({ ...spec, document } as PlotOptions) as unknown as DomElement;
  // In a <figure>, colour legends come first as small swatch SVGs inside <div>s; the chart is the
  // figure's own <svg> child.
  const svgEl = el.tagName!.toLowerCase() === "svg" ? el : Array.from(el.children).find((c) => c.tagName!.toLowerCase() === "svg") ?? null;
  if (!svgEl) throw new Error("renderFigure: Plot produced no <svg> element");
  return { el, svgEl };
}

type Side = keyof typeof PLOT_DEFAULT_MARGIN;
const MARGIN_KEY = { top: "marginTop", right: "marginRight", bottom: "marginBottom", left: "marginLeft" } as const;

/**
 * Render a Plot spec server-side. `spec.document` is supplied for you.
 *
 * @example
 * ```ts
 * const { svg, html } = renderFigure({ color: { legend: true }, marks: [Plot.dot(rows, { x: "x", y: "y", fill: "k" })] });
 * ```
 */
export function renderFigure(spec: PlotOptions, options: RenderOptions = {}): RenderedPlot {
  let current = spec;
  let { el, svgEl } = plotOnce(current);
  for (let pass = 0; options.fit !== false && pass < FIT_PASSES; pass++) {
    const width = parseFloat(svgEl.getAttribute!("width") ?? "0");
    const height = parseFloat(svgEl.getAttribute!("height") ?? "0");
    const o = overflow(textBoxes(svgEl), width, height);
    const grow = (Object.keys(MARGIN_KEY) as Side[]).filter((k) => o[k] > 0.5);
    // Wide x tick labels (1,000,000,000) run into each other at Plot's default tick count: thin them.
    const xTicks = textBoxes(svgEl, 'g[aria-label="x-axis tick label"] text');
    const crowded = overlappingPairs(xTicks, 0).length > 0;
    if (grow.length === 0 && !crowded) break;
    const next: Record<string, unknown> = { ...current };
    if (crowded) next.x = { ...(current.x as object | undefined), ticks: Math.max(2, Math.floor(xTicks.length / 2)) };
    for (const k of grow) {
      const used = (current[MARGIN_KEY[k]] as number | undefined) ?? (current.margin as number | undefined) ?? PLOT_DEFAULT_MARGIN[k];
      next[MARGIN_KEY[k]] = Math.ceil(used + o[k] + FIT_PAD_PX);
    }
    current = next as PlotOptions;
    ({ el, svgEl } = plotOnce(current));
  }
  let svg = svgEl.outerHTML;
  // The DOM serializer drops the namespace of the root element; a standalone SVG file needs it.
  if (!/^<svg[^>]*\sxmlns=/i.test(svg)) svg = svg.replace(/^<svg/i, `<svg xmlns="${SVG_NS}"`);
  return { svg, html: el.outerHTML };
}

/**
 * Render a Plot spec to a standalone SVG string.
 *
 * @example
 * ```ts
 * const svg = renderPlot({ marks: [Plot.lineY([1, 3, 2])] });
 * ```
 */
export function renderPlot(spec: PlotOptions, options: RenderOptions = {}): string {
  return renderFigure(spec, options).svg;
}
