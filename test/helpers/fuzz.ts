// Shared fuzzing settings and arbitraries (fast-check): one seed and run count for every fuzz test,
// text mutations of a valid sample, and the tally the reliability report prints.
import fc from "fast-check";

export const FUZZ_SEED = 17;
/** Runs per property: modest, so the whole fuzz suite stays a few seconds on 2 cores. */
export const FUZZ_RUNS = Number(process.env.ACTLAB_FUZZ_RUNS ?? 300);

export interface FuzzTally {
  name: string;
  tried: number;
  accepted: number;
  rejected: number;
}

export const tally = (name: string): FuzzTally => ({ name, tried: 0, accepted: 0, rejected: 0 });

/** A valid text cut short, spliced with random characters, a line duplicated or a byte flipped. */
export function mutatedText(sample: string): fc.Arbitrary<string> {
  const n = sample.length;
  return fc.oneof(
    fc.nat(n).map((i) => sample.slice(0, i)),
    fc.tuple(fc.nat(n), fc.nat(8), fc.string({ maxLength: 8 })).map(([i, k, s]) => sample.slice(0, i) + s + sample.slice(i + k)),
    fc.tuple(fc.nat(n), fc.constantFrom("\n", "\0", "\"", "{", "}", "[", ":", "-", "\t", "\r", "&a", "*a", "!!binary", "\u2028", "9".repeat(400))).map(([i, s]) => sample.slice(0, i) + s + sample.slice(i)),
    fc.nat(n).map((i) => { const lines = sample.split("\n"); const j = i % Math.max(1, lines.length); lines.splice(j, 0, lines[j] ?? ""); return lines.join("\n"); }),
    fc.tuple(fc.nat(Math.max(0, n - 1)), fc.integer({ min: 0, max: 127 })).map(([i, c]) => sample.slice(0, i) + String.fromCharCode(c) + sample.slice(i + 1)),
  );
}
