import { rng } from "../../sdk/core/rng.js";
import { EventQueue } from "../../sdk/core/event-queue.js";
import { toArquero } from "../../sdk/frames/index.js";
import { Plot, renderPlot, toPng } from "../../sdk/report/index.js";
import { figure, timeIt } from "./measure.js";

console.log("core: RNG, event queue, frames, plots");
const r = rng(1);
const draws = 5_000_000;
const d = timeIt(() => { let s = 0; for (let i = 0; i < draws; i++) s += r.random(); return s; });
figure("rng.random()", draws / (d.ms / 1000), "draws/s");

const n = 1_000_000;
const q = new EventQueue();
const e = timeIt(() => {
  const rr = rng(2);
  for (let i = 0; i < n; i++) q.at(rr.random() * 1e6, () => {});
  return q.run();
});
figure("event queue schedule+fire (1e6 random times)", n / (e.ms / 1000), "events/s");

const rows = Array.from({ length: 100_000 }, (_, i) => ({ g: i % 10, x: i * 0.5, y: i % 7 === 0 ? null : i }));
const t = timeIt(() => toArquero(rows));
figure("toArquero(1e5 rows × 3 columns)", t.ms, "ms");

const pts = Array.from({ length: 2000 }, (_, i) => ({ x: i, y: Math.sin(i / 50) }));
const p = timeIt(() => renderPlot({ marks: [Plot.line(pts, { x: "x", y: "y" }), Plot.dot(pts, { x: "x", y: "y", r: 1 })] }));
figure("renderPlot (line + 2,000 dots)", p.ms, "ms");
const png = timeIt(() => toPng(p.value));
figure("toPng of that SVG", png.ms, "ms");
