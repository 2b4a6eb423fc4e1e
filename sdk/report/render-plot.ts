/**
 * Observable Plot on the server: a Plot spec in, an SVG string out, with no browser. Plot needs a
 * DOM; linkedom provides one (about 3x faster than jsdom for this).
 */
import * as Plot from "@observablehq/plot";
import type { PlotOptions } from "@observablehq/plot";
import { parseHTML } from "linkedom";

export { Plot };
export type { PlotOptions };

const SVG_NS = "http://www.w3.org/2000/svg";

/** The few DOM members used here (the SDK does not assume the DOM lib is loaded). */
interface DomElement {
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

/** Render a Plot spec server-side. `spec.document` is supplied for you. */
export function renderFigure(spec: PlotOptions): RenderedPlot {
  const document = freshDocument();
  const el = Plot.plot({ ...spec, document } as PlotOptions) as unknown as DomElement;
  // In a <figure>, colour legends come first as small swatch SVGs inside <div>s; the chart is the
  // figure's own <svg> child.
  const svgEl = el.tagName.toLowerCase() === "svg" ? el : Array.from(el.children).find((c) => c.tagName.toLowerCase() === "svg") ?? null;
  if (!svgEl) throw new Error("renderFigure: Plot produced no <svg> element");
  let svg = svgEl.outerHTML;
  // The DOM serializer drops the namespace of the root element; a standalone SVG file needs it.
  if (!/^<svg[^>]*\sxmlns=/i.test(svg)) svg = svg.replace(/^<svg/i, `<svg xmlns="${SVG_NS}"`);
  return { svg, html: el.outerHTML };
}

/** Render a Plot spec to a standalone SVG string. */
export function renderPlot(spec: PlotOptions): string {
  return renderFigure(spec).svg;
}
