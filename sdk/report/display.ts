/**
 * Kernel-neutral display for notebooks: the same cell shows a chart or a table on the tslab kernel
 * and on Deno's kernel (`deno jupyter`), and prints a short text stand-in anywhere else (tsx, node,
 * `deno run`), so notebook code can also run as a plain script.
 *
 *   await showHtml(toArquero(rows).toHTML());
 *   await show(renderFigure(spec));        // a RenderedPlot, HTML/SVG markup, a PNG or an arquero table
 *
 * Always `await` them: Deno's display is asynchronous, and a cell that ends before the message is
 * sent loses the output. (On tslab the display happens at once; the promise is already settled.)
 *
 * How the kernel is found, without importing either one (tslab is a dev dependency and loads a
 * compiler; `Deno` does not exist under Node):
 * - Deno: `Deno.jupyter` is defined in every Deno process, but its getter throws outside
 *   `deno jupyter`.
 * - tslab: its executor sets `globalThis.__tslab__ = { exports, require }` before running cells, and
 *   that `require` answers `require("tslab")` with the kernel's own instance (tslab 1.0.22,
 *   dist/executor.js). A plain `import "tslab"` from here would load a second, unconnected copy.
 *
 * Charts go out as one display bundle holding the markup and an `image/png` of it, so viewers that
 * sanitise HTML or SVG (GitHub, some notebook renderers) still show the chart. Deno's display takes
 * a bundle; tslab's public `display` sends one MIME type per output, so the bundle goes through the
 * writer its `display.raw` uses (`tslab/dist/jupyter.js`'s `lastWriteDisplayData`, the kernel's own
 * module instance), with one output per MIME type as the fallback.
 */
import { Buffer } from "node:buffer";
import { pngSize, toPng } from "./to-png.js";

/** What `show` accepts: HTML or SVG markup, PNG bytes, a rendered plot (`renderFigure`), or anything with `toHTML()` (arquero tables). */
export type Showable = string | Uint8Array | { html: string } | { toHTML(): string };

/** The kernel a display goes to: "deno" (deno jupyter), "tslab", or "text" (no kernel: printed to stdout). */
export type DisplayTarget = "deno" | "tslab" | "text";

type Bundle = { "text/html"?: string; "image/svg+xml"?: string; "image/png"?: string; "text/plain"?: string };
interface DenoJupyter { display(bundle: Bundle, options: { raw: true }): Promise<void> }
interface TslabDisplay { html(s: string): void; svg(s: string): void; png(b: Uint8Array): void }
type TslabWriter = (message: { data: Bundle; metadata: Record<string, never>; transient: Record<string, never> }, update: boolean) => void;

const DENO_FLUSH_MS = 50;

function denoJupyter(): DenoJupyter | undefined {
  const deno = (globalThis as { Deno?: { jupyter?: DenoJupyter } }).Deno;
  if (!deno) return undefined;
  try {
    return typeof deno.jupyter?.display === "function" ? deno.jupyter : undefined;
  } catch {
    return undefined; // "Deno.jupyter is only available in `deno jupyter` subcommand"
  }
}

function tslabRequire(id: string): unknown {
  const hook = (globalThis as { __tslab__?: { require?: (id: string) => unknown } }).__tslab__;
  if (typeof hook?.require !== "function") return undefined;
  try {
    return hook.require(id);
  } catch {
    return undefined;
  }
}

function tslabDisplay(): TslabDisplay | undefined {
  const display = (tslabRequire("tslab") as { display?: TslabDisplay } | undefined)?.display;
  return typeof display?.html === "function" ? display : undefined;
}

function tslabWriter(): TslabWriter | undefined {
  const w = (tslabRequire("tslab/dist/jupyter.js") as { lastWriteDisplayData?: unknown } | undefined)?.lastWriteDisplayData;
  return typeof w === "function" ? (w as TslabWriter) : undefined;
}

/**
 * Where `show*` output goes in this process.
 *
 * @example
 * ```ts
 * if (displayTarget() === "text") console.log("not in a notebook: charts print as a text stand-in");
 * ```
 */
export function displayTarget(): DisplayTarget {
  return denoJupyter() ? "deno" : tslabDisplay() ? "tslab" : "text";
}

type Mime = "text/html" | "image/svg+xml" | "image/png";

async function emit(mime: Mime, data: string | Uint8Array, fallback: () => string, png?: () => Uint8Array): Promise<void> {
  const deno = denoJupyter();
  const tslab = deno ? undefined : tslabDisplay();
  if (!deno && !tslab) {
    console.log(fallback());
    return;
  }
  const bundle: Bundle = { [mime]: typeof data === "string" ? data : Buffer.from(data).toString("base64"), "text/plain": fallback() };
  if (png) bundle["image/png"] = Buffer.from(png()).toString("base64");
  if (deno) {
    await deno.display(bundle, { raw: true });
    // Deno forwards the message to Jupyter from another task; a cell that ends right after its last
    // display can report "idle" first, and nbconvert then drops the late output (seen on a loaded
    // 2-core CI machine). A short pause lets the forwarding run before the cell returns.
    await new Promise((resolve) => setTimeout(resolve, DENO_FLUSH_MS));
    return;
  }
  const writer = tslabWriter();
  if (writer) return writer({ data: bundle, metadata: {}, transient: {} }, false);
  if (mime === "text/html") tslab!.html(data as string);
  else if (mime === "image/svg+xml") tslab!.svg(data as string);
  else tslab!.png(data as Uint8Array);
  if (png) tslab!.png(png());
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", nbsp: " " };

/**
 * Markup as readable text: table cells tab-separated, rows and blocks on their own lines, SVGs summarized.
 *
 * @example
 * ```ts
 * console.log(htmlToText(toArquero(rows).toHTML())); // tab-separated cells
 * ```
 */
export function htmlToText(html: string, maxChars = 4000): string {
  const text = html
    .replace(/<svg\b[\s\S]*?<\/svg>/gi, (svg) => svgSummary(svg))
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, "")
    .replace(/<\/t[dh]>\s*/gi, "\t")
    .replace(/<(br|\/tr|\/p|\/div|\/h\d|\/li|\/caption|\/figcaption)\b[^>]*>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, e: string) => ENTITIES[e]!)
    .split("\n").map((l) => l.replace(/[ \t]+$/, "").replace(/^\s+/, "")).filter((l) => l.length > 0).join("\n");
  return text.length > maxChars ? `${text.slice(0, maxChars)}… (${text.length - maxChars} more characters)` : text;
}

/**
 * A one-line stand-in for an SVG chart: `[svg 720×240 "title"]`.
 *
 * @example
 * ```ts
 * svgSummary(renderPlot(spec)); // "[svg 640×400]"
 * ```
 */
export function svgSummary(svg: string): string {
  const open = /<svg\b[^>]*>/i.exec(svg)?.[0] ?? "";
  const attr = (name: string) => new RegExp(`\\s${name}="([^"]*)"`, "i").exec(open)?.[1];
  const title = /<title>([^<]*)<\/title>/i.exec(svg)?.[1] ?? attr("aria-label");
  return `[svg ${attr("width") ?? "?"}×${attr("height") ?? "?"}${title ? ` "${title}"` : ""}]`;
}

function pngSummary(png: Uint8Array): string {
  try {
    const { width, height } = pngSize(png);
    return `[png ${width}×${height}, ${png.length} bytes]`;
  } catch {
    return `[${png.length} bytes, not a PNG]`;
  }
}

/**
 * Show HTML (a table, a figure with legends).
 *
 * @example
 * ```ts
 * await showHtml(toArquero(rows).toHTML());
 * ```
 */
export function showHtml(html: string): Promise<void> {
  return emit("text/html", html, () => htmlToText(html));
}

/**
 * Show an SVG document (e.g. `renderPlot(spec)`) as an image, with a PNG of it beside.
 *
 * @example
 * ```ts
 * await showSvg(renderPlot({ marks: [Plot.lineY([1, 3, 2])] })); // with a PNG of it beside
 * ```
 */
export function showSvg(svg: string): Promise<void> {
  return emit("image/svg+xml", svg, () => svgSummary(svg), () => toPng(svg));
}

/**
 * Show PNG bytes (e.g. `toPng(svg)`).
 *
 * @example
 * ```ts
 * await showPng(toPng(svg, { width: 1280 }));
 * ```
 */
export function showPng(png: Uint8Array): Promise<void> {
  return emit("image/png", png, () => pngSummary(png));
}

/** A chart's markup with a PNG of its SVG, in one output. */
function showChart(html: string, svg: string): Promise<void> {
  return emit("text/html", html, () => htmlToText(html), () => toPng(svg));
}

/**
 * Show whatever fits: PNG bytes as an image; a rendered plot, markup, or an object with `toHTML()`
 * as HTML (an SVG string shows inline in the HTML, the way Plot charts are embedded in pages).
 * Charts (a rendered plot, an SVG document) carry an `image/png` of themselves in the same output.
 *
 * @example
 * ```ts
 * await show(renderFigure({ marks: [Plot.lineY([1, 3, 2])] })); // HTML + PNG in a notebook, a text stand-in elsewhere
 * ```
 */
export function show(value: Showable): Promise<void> {
  if (value instanceof Uint8Array) return showPng(value);
  if (typeof value === "string") return /^\s*<svg\b/i.test(value) ? showChart(value, value) : showHtml(value);
  if ("toHTML" in value && typeof value.toHTML === "function") return showHtml(value.toHTML());
  if ("html" in value && typeof value.html === "string") return "svg" in value && typeof value.svg === "string" ? showChart(value.html, value.svg) : showHtml(value.html);
  return Promise.reject(new TypeError("show: expected markup, PNG bytes, a rendered plot or an object with toHTML()"));
}
