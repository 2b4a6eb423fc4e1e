/**
 * Progress for long work: a redrawn bar with rate and ETA on a TTY, a plain line every few
 * percent otherwise (CI logs), nothing when silent.
 */
export interface ProgressOptions {
  label: string;
  total: number;
  /** Where to write; defaults to stderr. */
  stream?: NodeJS.WriteStream;
  /** Force the mode; default: bar on a TTY, lines otherwise. */
  mode?: "bar" | "lines" | "silent";
  /** Wall clock, injectable for tests. */
  now?: () => number;
}

export class Progress {
  private done = 0;
  private readonly started: number;
  private lastDraw = 0;
  private lastLinePct = -1;
  private lastLineDone = -1;
  private readonly mode: "bar" | "lines" | "silent";
  private readonly stream: NodeJS.WriteStream;
  private readonly now: () => number;

  constructor(private readonly opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stderr;
    this.mode = opts.mode ?? (this.stream.isTTY ? "bar" : "lines");
    this.now = opts.now ?? (() => performance.now());
    this.started = this.now();
  }

  get completed(): number {
    return this.done;
  }

  tick(n = 1, note = ""): void {
    this.done += n;
    this.render(note, false);
  }

  finish(note = ""): void {
    this.render(note, true);
  }

  /** The current status line, e.g. `sweep 12/64 (19%) 3.1/s ETA 17s`. */
  line(note = ""): string {
    const { total, label } = this.opts;
    const elapsed = (this.now() - this.started) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const pct = total > 0 ? Math.floor((100 * this.done) / total) : 100;
    const eta = rate > 0 && total > this.done ? `ETA ${formatSeconds((total - this.done) / rate)}` : "";
    return [`${label} ${this.done}/${total} (${pct}%)`, rate > 0 ? `${rate.toFixed(1)}/s` : "", eta, note].filter(Boolean).join(" ");
  }

  private render(note: string, final: boolean): void {
    if (this.mode === "silent") return;
    if (this.mode === "bar") {
      const t = this.now();
      if (!final && t - this.lastDraw < 100) return;
      this.lastDraw = t;
      const width = 24;
      const frac = this.opts.total > 0 ? Math.min(1, this.done / this.opts.total) : 1;
      const bar = "█".repeat(Math.round(frac * width)).padEnd(width, "░");
      this.stream.write(`\r\x1b[2K${bar} ${this.line(note)}${final ? "\n" : ""}`);
      return;
    }
    const pct = this.opts.total > 0 ? Math.floor((100 * this.done) / this.opts.total) : 100;
    // finish() right after the tick that printed the same count would repeat the line in the log.
    if ((final && this.done !== this.lastLineDone) || pct >= this.lastLinePct + 10) {
      this.lastLinePct = pct;
      this.lastLineDone = this.done;
      this.stream.write(this.line(note) + "\n");
    }
  }
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
