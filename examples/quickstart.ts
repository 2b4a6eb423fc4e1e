// Quickstart: seeded data → an arquero summary → a plot on disk. Run: npx tsx examples/quickstart.ts
import { rng, toArquero, renderPlot, toPng, Plot } from "actuation-lab";
import { describe, writeFileAtomic } from "actuation-lab/core";
import * as aq from "arquero";

const r = rng(1).split("demo");
const medians = [2, 30, 90]; // illustrative seconds for hot, warm, cold_launcher
const rows = Array.from({ length: 300 }, (_, i) => ({
  path: ["hot", "warm", "cold_launcher"][i % 3]!,
  s: r.lognormal(Math.log(medians[i % 3]!), 0.3),
}));
toArquero(rows).groupby("path").rollup({ p50: aq.op.median("s"), p90: aq.op.quantile("s", 0.9) }).print();
console.log(describe(rows.map((d) => d.s)));
writeFileAtomic("out/quickstart.png", toPng(renderPlot({ marks: [Plot.boxX(rows, { x: "s", y: "path" })], marginLeft: 90 })));
console.log("wrote out/quickstart.png");
