import { test } from "node:test";
import assert from "node:assert/strict";
import { Plot, renderPlot, renderFigure, toPng, pngSize } from "../sdk/report/index.js";

const data = [{ x: 1, y: 2, k: "a" }, { x: 2, y: 5, k: "b" }, { x: 3, y: 3, k: "a" }];

test("renderPlot draws the marks into a standalone SVG", () => {
  const svg = renderPlot({ marks: [Plot.dot(data, { x: "x", y: "y" }), Plot.lineY(data, { x: "x", y: "y" })], width: 400, height: 250 });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal((svg.match(/<circle/g) ?? []).length, 3);
  assert.match(svg, /<path[^>]*d="M/);
  assert.match(svg, /width="400"/);
});

test("a figure with a legend still yields its SVG", () => {
  const fig = renderFigure({ color: { legend: true }, marks: [Plot.dot(data, { x: "x", y: "y", fill: "k" })] });
  assert.match(fig.html, /^<figure/);
  assert.match(fig.svg, /^<svg xmlns=/);
  // The chart, not a legend swatch: it has the three dots, and a title does not change that.
  assert.equal((fig.svg.match(/<circle/g) ?? []).length, 3);
  const titled = renderFigure({ title: "t", color: { legend: true, type: "categorical" }, marks: [Plot.dot(data, { x: "x", y: "y", fill: "k" })] });
  assert.equal((titled.svg.match(/<circle/g) ?? []).length, 3);
  assert.match(renderPlot({ title: "t", color: { legend: true }, marks: [Plot.dot(data, { x: "x", y: "y", fill: "k" })] }), /width="640"/);
});

test("toPng gives a PNG of plausible size", () => {
  const svg = renderPlot({ marks: [Plot.barY(data, { x: "k", y: "y" })], width: 320, height: 200 });
  const png = toPng(svg);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.deepEqual(pngSize(png), { width: 320, height: 200 });
  assert.deepEqual(pngSize(toPng(svg, { width: 640 })), { width: 640, height: 400 });
  assert.ok(png.length > 1000);
  assert.throws(() => pngSize(new Uint8Array(30)), /not a PNG/);
});
