/** SVG → PNG with resvg (a registry-shipped native binary; no browser). */
import { Resvg } from "@resvg/resvg-js";

export interface PngOptions {
  /** Output width in pixels (height keeps the aspect ratio); default: the SVG's own width. */
  width?: number;
  /** Background colour; default white (Plot draws on a transparent background). */
  background?: string;
}

/**
 * An SVG rendered to PNG bytes with resvg (DejaVu Sans, white background), at the SVG's size or a given width.
 *
 * @example
 * ```ts
 * const png = toPng(renderPlot({ marks: [Plot.dot([{ x: 1, y: 2 }], { x: "x", y: "y" })] }), { width: 1280 });
 * writeFileSync("chart.png", png);
 * ```
 */
export function toPng(svg: string, options: PngOptions = {}): Uint8Array {
  const r = new Resvg(svg, {
    background: options.background ?? "white",
    fitTo: options.width ? { mode: "width", value: options.width } : { mode: "original" },
    // Plot asks for system-ui/sans-serif; DejaVu Sans is the system font on this Debian base.
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
  });
  return r.render().asPng();
}

/**
 * Width and height read from a PNG's IHDR chunk (throws when the bytes are not a PNG).
 *
 * @example
 * ```ts
 * const { width, height } = pngSize(toPng(svg));
 * ```
 */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || sig.some((b, i) => png[i] !== b)) throw new Error("pngSize: not a PNG (bad signature)");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
