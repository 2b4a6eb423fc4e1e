// Notebook display of charts (issue 16): one output carrying the markup and an image/png of it, on tslab and on Deno, so viewers that sanitise HTML still show the chart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Plot, renderFigure, renderPlot, show, showSvg, showHtml, pngSize } from "../sdk/report/index.js";

type Bundle = Record<string, string>;
const g = globalThis as { __tslab__?: unknown; Deno?: unknown };
const PNG_B64 = Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString("base64").slice(0, 4);

function fakeTslab(withWriter: boolean) {
  const sent: Bundle[] = [];
  const display = {
    html: (s: string) => sent.push({ "text/html": s }),
    svg: (s: string) => sent.push({ "image/svg+xml": s }),
    png: (b: Uint8Array) => sent.push({ "image/png": Buffer.from(b).toString("base64") }),
  };
  const jupyter = { lastWriteDisplayData: (m: { data: Bundle }, update: boolean) => { assert.equal(update, false); sent.push(m.data); } };
  g.__tslab__ = { require: (id: string) => (id === "tslab" ? { display } : id === "tslab/dist/jupyter.js" && withWriter ? jupyter : undefined) };
  return sent;
}

const spec = { width: 300, height: 150, marks: [Plot.dot([{ x: 1, y: -20_000 }], { x: "x", y: "y" })] };

test("tslab: a rendered plot and an SVG each go out as one bundle with text/html or image/svg+xml plus image/png", async (t) => {
  t.after(() => { delete g.__tslab__; });
  const sent = fakeTslab(true);
  await show(renderFigure(spec));
  await showSvg(renderPlot(spec));
  await show(renderPlot(spec));
  await showHtml("<table><tr><td>1</td></tr></table>");
  assert.deepEqual(sent.map((b) => Object.keys(b).sort()), [
    ["image/png", "text/html", "text/plain"],
    ["image/png", "image/svg+xml", "text/plain"],
    ["image/png", "text/html", "text/plain"],
    ["text/html", "text/plain"],
  ]);
  const png = Buffer.from(sent[0]!["image/png"]!, "base64");
  assert.ok(sent[0]!["image/png"]!.startsWith(PNG_B64));
  assert.deepEqual(pngSize(png), { width: 300, height: 150 });
});

test("tslab without the bundle writer: the markup, then the PNG as a second output", async (t) => {
  t.after(() => { delete g.__tslab__; });
  const sent = fakeTslab(false);
  await show(renderFigure(spec));
  assert.deepEqual(sent.map((b) => Object.keys(b)), [["text/html"], ["image/png"]]);
});

test("Deno: one display bundle with the HTML and the PNG", async (t) => {
  const sent: Bundle[] = [];
  g.Deno = { jupyter: { display: async (b: Bundle, o: { raw: boolean }) => { assert.equal(o.raw, true); sent.push(b); } } };
  t.after(() => { delete g.Deno; });
  await show(renderFigure(spec));
  assert.equal(sent.length, 1);
  assert.deepEqual(Object.keys(sent[0]!).sort(), ["image/png", "text/html", "text/plain"]);
  assert.ok(sent[0]!["image/png"]!.startsWith(PNG_B64));
});
