/**
 * Where the text of a rendered chart lands: every <text> (and its <tspan> lines) as a box in the
 * root SVG's coordinates, from the element's transforms, x/y/dx/dy, font size, weight and
 * text-anchor, with widths from the DejaVu Sans table. Used to size margins so tick labels and
 * titles are never clipped, and by tests to find overprinted labels.
 */
import { parseHTML } from "linkedom";
import { textWidth } from "./text-metrics.js";

/** A text's box in root SVG pixels (y down), with the string it holds. */
export interface TextBox {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** How far boxes reach past each edge of a width × height frame (0 when inside). */
export interface Overflow {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** The few DOM members read here (the SDK does not assume the DOM lib). */
export interface SvgNode {
  tagName?: string;
  nodeType: number;
  textContent: string | null;
  parentNode: SvgNode | null;
  childNodes: ArrayLike<SvgNode>;
  getAttribute?(name: string): string | null;
  querySelectorAll?(selector: string): ArrayLike<SvgNode>;
}

type Matrix = [number, number, number, number, number, number]; // a b c d e f, as SVG's matrix()
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];
const ASCENT = 0.76; // DejaVu Sans ascender and descender, em
const DESCENT = 0.24;

function multiply(m: Matrix, n: Matrix): Matrix {
  return [m[0] * n[0] + m[2] * n[1], m[1] * n[0] + m[3] * n[1], m[0] * n[2] + m[2] * n[3], m[1] * n[2] + m[3] * n[3], m[0] * n[4] + m[2] * n[5] + m[4], m[1] * n[4] + m[3] * n[5] + m[5]];
}

/**
 * translate / rotate / scale / matrix lists, as Plot and this SDK write them.
 *
 * @example
 * ```ts
 * parseTransform("translate(40,370)"); // [1, 0, 0, 1, 40, 370]
 * ```
 */
export function parseTransform(s: string | null | undefined): Matrix {
  let m = IDENTITY;
  for (const [, op, args] of (s ?? "").matchAll(/(\w+)\s*\(([^)]*)\)/g)) {
    const v = args!.split(/[\s,]+/).filter(Boolean).map(Number);
    if (op === "translate") m = multiply(m, [1, 0, 0, 1, v[0] ?? 0, v[1] ?? 0]);
    else if (op === "scale") m = multiply(m, [v[0] ?? 1, 0, 0, v[1] ?? v[0] ?? 1, 0, 0]);
    else if (op === "rotate") {
      const r = ((v[0] ?? 0) * Math.PI) / 180;
      const [cx, cy] = [v[1] ?? 0, v[2] ?? 0];
      m = multiply(multiply(multiply(m, [1, 0, 0, 1, cx, cy]), [Math.cos(r), Math.sin(r), -Math.sin(r), Math.cos(r), 0, 0]), [1, 0, 0, 1, -cx, -cy]);
    } else if (op === "matrix" && v.length === 6) m = multiply(m, v as Matrix);
  }
  return m;
}

const attr = (n: SvgNode, name: string): string | null => n.getAttribute?.(name) ?? null;

/** An attribute or inline-style property, looked up on the element and then its ancestors. */
function inherited(n: SvgNode | null, name: string): string | null {
  for (let e = n; e; e = e.parentNode) {
    const style = attr(e, "style");
    const fromStyle = style ? new RegExp(`(?:^|;)\\s*${name}\\s*:\\s*([^;]+)`).exec(style)?.[1]?.trim() : undefined;
    const v = fromStyle ?? attr(e, name);
    if (v !== null && v !== undefined && v !== "") return v;
  }
  return null;
}

/** A length in px: plain numbers, `px`, or `em` of the font size. */
function length(v: string | null, fontSize: number): number {
  if (!v) return 0;
  const first = v.trim().split(/[\s,]+/)[0]!;
  const n = parseFloat(first);
  if (!Number.isFinite(n)) return 0;
  return first.endsWith("em") ? n * fontSize : n;
}

function ctm(n: SvgNode): Matrix {
  const chain: SvgNode[] = [];
  for (let e: SvgNode | null = n; e && e.tagName?.toLowerCase() !== "svg"; e = e.parentNode) chain.unshift(e);
  return chain.reduce((m, e) => multiply(m, parseTransform(attr(e, "transform"))), IDENTITY);
}

function box(text: string, m: Matrix, x: number, y: number, fontSize: number, anchor: string, bold: boolean): TextBox {
  const w = textWidth(text, fontSize, bold);
  const left = anchor === "middle" ? x - w / 2 : anchor === "end" ? x - w : x;
  const corners = [[left, y - ASCENT * fontSize], [left + w, y - ASCENT * fontSize], [left, y + DESCENT * fontSize], [left + w, y + DESCENT * fontSize]]
    .map(([px, py]) => [m[0] * px! + m[2] * py! + m[4], m[1] * px! + m[3] * py! + m[5]] as const);
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  return { text, x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

/**
 * The boxes of every visible text line under `root` (an <svg> element), or of the texts `selector` picks.
 *
 * @example
 * ```ts
 * const boxes = textBoxes(svgElement, 'g[aria-label="x-axis tick label"] text');
 * ```
 */
export function textBoxes(root: SvgNode, selector = "text"): TextBox[] {
  const out: TextBox[] = [];
  for (const t of Array.from(root.querySelectorAll?.(selector) ?? [])) {
    const fontSize = parseFloat(inherited(t, "font-size") ?? "10") || 10;
    const anchor = inherited(t, "text-anchor") ?? "start";
    const bold = /bold|[6-9]00/.test(inherited(t, "font-weight") ?? "");
    const m = ctm(t);
    const x = length(attr(t, "x"), fontSize) + length(attr(t, "dx"), fontSize);
    let y = length(attr(t, "y"), fontSize) + length(attr(t, "dy"), fontSize);
    const spans = Array.from(t.childNodes).filter((c) => c.tagName?.toLowerCase() === "tspan");
    if (spans.length === 0) {
      const s = Array.from(t.childNodes).filter((c) => c.nodeType === 3).map((c) => c.textContent ?? "").join("");
      if (s.trim()) out.push(box(s, m, x, y, fontSize, anchor, bold));
      continue;
    }
    for (const sp of spans) {
      const yAttr = attr(sp, "y");
      y = (yAttr !== null ? length(yAttr, fontSize) : y) + length(attr(sp, "dy"), fontSize);
      const sx = attr(sp, "x") !== null ? length(attr(sp, "x"), fontSize) : x;
      const s = sp.textContent ?? "";
      if (s.trim()) out.push(box(s, m, sx, y, fontSize, anchor, bold));
    }
  }
  return out;
}

/**
 * Boxes of an SVG document given as markup.
 *
 * @example
 * ```ts
 * const { boxes } = svgTextBoxes(renderPlot(spec)); // every label's box, to check for overlaps
 * ```
 */
export function svgTextBoxes(svg: string): { width: number; height: number; boxes: TextBox[] } {
  const root = (parseHTML(`<!doctype html><html><body>${svg}</body></html>`).document as unknown as { querySelector(s: string): SvgNode }).querySelector("svg");
  if (!root) throw new Error("svgTextBoxes: no <svg> element");
  return { width: parseFloat(attr(root, "width") ?? "0"), height: parseFloat(attr(root, "height") ?? "0"), boxes: textBoxes(root) };
}

/**
 * How far any box reaches past the edges of [0, width] × [0, height].
 *
 * @example
 * ```ts
 * const { width, height, boxes } = svgTextBoxes(svg);
 * const o = overflow(boxes, width, height); // px past each edge
 * ```
 */
export function overflow(boxes: readonly TextBox[], width: number, height: number): Overflow {
  const o: Overflow = { top: 0, right: 0, bottom: 0, left: 0 };
  for (const b of boxes) {
    o.left = Math.max(o.left, -b.x0);
    o.top = Math.max(o.top, -b.y0);
    o.right = Math.max(o.right, b.x1 - width);
    o.bottom = Math.max(o.bottom, b.y1 - height);
  }
  return o;
}

/**
 * Pairs of boxes that overlap by more than `tolerance` px both ways (overprinted text).
 *
 * @example
 * ```ts
 * const clashes = overlappingPairs(svgTextBoxes(svg).boxes);
 * ```
 */
export function overlappingPairs(boxes: readonly TextBox[], tolerance = 0.5): [TextBox, TextBox][] {
  const out: [TextBox, TextBox][] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      const dx = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
      const dy = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
      if (dx > tolerance && dy > tolerance) out.push([a, b]);
    }
  }
  return out;
}
