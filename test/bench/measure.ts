/** Tiny helpers for benchmarks: time a function, print a figure line. Benchmarks never assert times. */
export function timeIt<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

export async function timeAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Prints `  name: value unit` aligned, for readable bench output. */
export function figure(name: string, value: number, unit: string, digits = 1): void {
  const v = Math.abs(value) >= 1e6 ? value.toExponential(2) : value.toFixed(digits);
  console.log(`  ${name.padEnd(48)} ${v.padStart(12)} ${unit}`);
}

export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Wall and CPU (user + system, all threads: GC included) ms of `fn`; the CPU figure is the one to trust on a shared machine. */
export function timeCpu<T>(fn: () => T): { ms: number; cpuMs: number; value: T } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000, value };
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A figure with its goal beside it: `name: value unit (goal ≤ 400 unit)`. */
export function figureGoal(name: string, value: number, unit: string, goal: string, digits = 1): void {
  const v = Math.abs(value) >= 1e6 ? value.toExponential(2) : value.toFixed(digits);
  console.log(`  ${name.padEnd(48)} ${v.padStart(12)} ${unit.padEnd(6)} goal ${goal}`);
}
