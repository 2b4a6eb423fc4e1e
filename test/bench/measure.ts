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
