/**
 * `actlab start` (what `npm start` runs): the main job on the embedded defaults. It grows as
 * capabilities land; today it generates a seeded synthetic request stream, summarises it per
 * minute in an arquero table, prints it, and writes CSV, JSONL, SVG and PNG to the output folder.
 */
import { join } from "node:path";
import { rng } from "../../core/rng.js";
import { describe } from "../../core/quantile.js";
import { toCsv, toJsonl, writeFileAtomic, type Row } from "../../core/rows.js";
import { toArquero } from "../../frames/index.js";
import { Plot, renderPlot, toPng } from "../../report/index.js";
import * as aq from "arquero";
import { numberOption, parseCommandArgs, type Command } from "../command.js";

const usage = `Usage: actlab start [--out DIR] [--seed N] [--minutes M] [--rate RPS]

Runs the main job on the embedded defaults and writes its results to DIR (default out/).
  --out DIR       output folder (default: out)
  --seed N        random seed (default: 1); same seed, same bytes out
  --minutes M     length of the synthetic request stream (default: 10)
  --rate RPS      mean arrival rate, requests per second (default: 2)`;

const oneDecimal = (v: number) => v.toFixed(1);

export const command: Command = {
  name: "start",
  summary: "run the main job on the embedded defaults and write out/",
  usage,
  async run(argv) {
    const { values } = parseCommandArgs(argv, {
      out: { type: "string" },
      seed: { type: "string" },
      minutes: { type: "string" },
      rate: { type: "string" },
    }, false);
    const out = values.out ?? "out";
    const seed = numberOption(values.seed, "seed", 1);
    const minutes = numberOption(values.minutes, "minutes", 10, 0.1, 24 * 60);
    const rate = numberOption(values.rate, "rate", 2, 0.001, 10_000);

    // A Poisson request stream with lognormal prompt/output lengths, in the Mooncake row shape.
    const r = rng(seed);
    const arrivals = r.split("arrivals");
    const lengths = r.split("lengths");
    const requests: Row[] = [];
    for (let t = arrivals.exponential(rate / 1000); t < minutes * 60_000; t += arrivals.exponential(rate / 1000)) {
      requests.push({
        timestamp: Math.round(t),
        input_length: Math.max(1, Math.round(lengths.lognormal(Math.log(2000), 0.8))),
        output_length: Math.max(1, Math.round(lengths.lognormal(Math.log(200), 0.6))),
      });
    }

    const perMinute = toArquero(requests)
      .derive({ minute: aq.escape((d: Row) => Math.floor(Number(d.timestamp) / 60_000)) })
      .groupby("minute")
      .rollup({
        requests: aq.op.count(),
        mean_isl: aq.op.mean("input_length"),
        p90_isl: aq.op.quantile("input_length", 0.9),
        mean_osl: aq.op.mean("output_length"),
      })
      .orderby("minute");
    const rows = perMinute.objects() as Row[];
    const isl = describe(requests.map((q) => q.input_length as number));

    process.stdout.write(`actuation-lab main job — seed ${seed}, ${requests.length} requests over ${minutes} min\n\n`);
    process.stdout.write(perMinute.toMarkdown({ format: { mean_isl: oneDecimal, p90_isl: oneDecimal, mean_osl: oneDecimal } }) + "\n");
    process.stdout.write(`input length: p50 ${isl.p50.toFixed(0)}, p90 ${isl.p90.toFixed(0)}, p99 ${isl.p99.toFixed(0)} tokens\n`);

    const svg = renderPlot({
      title: "Requests per minute",
      x: { label: "minute" },
      y: { label: "requests", grid: true },
      marks: [Plot.barY(rows, { x: "minute", y: "requests", fill: "steelblue" }), Plot.ruleY([0])],
    });
    writeFileAtomic(join(out, "requests.jsonl"), toJsonl(requests));
    writeFileAtomic(join(out, "per-minute.csv"), toCsv(rows));
    writeFileAtomic(join(out, "per-minute.svg"), svg);
    writeFileAtomic(join(out, "per-minute.png"), toPng(svg));
    process.stdout.write(`\nwrote ${["requests.jsonl", "per-minute.csv", "per-minute.svg", "per-minute.png"].map((f) => join(out, f)).join(", ")}\n`);
    return 0;
  },
};
