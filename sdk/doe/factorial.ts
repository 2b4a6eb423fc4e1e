/**
 * Factorial designs: full factorial with mixed levels, two-level fractional factorial from
 * generators (with its defining relation, resolution and alias table), one-factor-at-a-time.
 * Standard order: the first factor changes fastest (Yates order, as the textbooks list 2^k runs).
 */
import { designFromPoints, type Design, type FractionInfo, type Level, type Point } from "./design.js";

export interface FactorLevels {
  name: string;
  levels: readonly Level[];
}

export interface TwoLevelFactor {
  name: string;
  low: Level;
  high: Level;
}

/** Letters for factors A, B, …: I is skipped (it names the identity in the defining relation). */
export const FACTOR_LETTERS = "ABCDEFGHJKLMNOPQRSTUVWXYZ";

function checkFactors(factors: readonly { name: string }[], where: string): void {
  if (factors.length === 0) throw new RangeError(`${where}: at least one factor is needed`);
  const names = new Set<string>();
  for (const f of factors) {
    if (names.has(f.name)) throw new RangeError(`${where}: factor '${f.name}' appears twice`);
    names.add(f.name);
  }
}

/**
 * Every combination of levels (mixed levels allowed), first factor fastest.
 *
 * @example
 * ```ts
 * const design = fullFactorial([{ name: "workers", levels: [2, 4] }, { name: "router", levels: ["kv", "round-robin"] }]);
 * ```
 */
export function fullFactorial(factors: readonly FactorLevels[], name = "full factorial"): Design {
  checkFactors(factors, "fullFactorial");
  for (const f of factors) if (f.levels.length === 0) throw new RangeError(`fullFactorial: factor '${f.name}' has no levels`);
  const total = factors.reduce((n, f) => n * f.levels.length, 1);
  const points: Point[] = [];
  for (let i = 0; i < total; i++) {
    const p: Point = {};
    let rest = i;
    for (const f of factors) {
      p[f.name] = f.levels[rest % f.levels.length]!;
      rest = Math.floor(rest / f.levels.length);
    }
    points.push(p);
  }
  return designFromPoints(name, "full_factorial", factors.map((f) => f.name), points);
}

/** Multiply two words (sets of letters): letters appearing twice cancel. */
function multiplyWords(a: string, b: string): string {
  const set = new Set(a);
  for (const ch of b) if (set.has(ch)) set.delete(ch); else set.add(ch);
  return [...set].sort((x, y) => FACTOR_LETTERS.indexOf(x) - FACTOR_LETTERS.indexOf(y)).join("");
}

interface SignedWord { word: string; sign: 1 | -1 }

function parseGenerator(g: string, k: number): { letter: string; word: string; sign: 1 | -1 } {
  const m = /^\s*([A-Z])\s*=\s*([+-]?)\s*([A-Z]+)\s*$/.exec(g.toUpperCase());
  const valid = FACTOR_LETTERS.slice(0, k);
  if (!m || !valid.includes(m[1]!) || [...m[3]!].some((c) => !valid.includes(c))) {
    throw new RangeError(`fractionalFactorial: generator '${g}' is not of the form 'D=ABC' over the letters ${valid}`);
  }
  if (m[3]!.includes(m[1]!)) throw new RangeError(`fractionalFactorial: generator '${g}' defines ${m[1]} in terms of itself`);
  return { letter: m[1]!, word: m[3]!, sign: m[2] === "-" ? -1 : 1 };
}

/**
 * A 2^(k−p) fractional factorial. Factors get letters A, B, C, … in order; each generator (e.g.
 * `D=ABC`, `E=-AB`) defines one factor as the product of base factors. Also returns the defining
 * relation (all products of the generator words), resolution, and aliases of every effect up to
 * `aliasOrder` letters (default 2: main effects and two-factor interactions).
 *
 * @example
 * ```ts
 * const half = fractionalFactorial(["A", "B", "C", "D"].map((name) => ({ name, low: -1, high: 1 })), ["D=ABC"]);
 * ```
 */
export function fractionalFactorial(factors: readonly TwoLevelFactor[], generators: readonly string[], options: { aliasOrder?: number; name?: string } = {}): Design {
  checkFactors(factors, "fractionalFactorial");
  const k = factors.length;
  if (k > FACTOR_LETTERS.length) throw new RangeError(`fractionalFactorial: at most ${FACTOR_LETTERS.length} factors`);
  const letters = FACTOR_LETTERS.slice(0, k);
  const gens = generators.map((g) => parseGenerator(g, k));
  const generated = new Set(gens.map((g) => g.letter));
  if (generated.size !== gens.length) throw new RangeError("fractionalFactorial: a factor is generated twice");
  const base = [...letters].filter((c) => !generated.has(c));
  for (const g of gens) for (const c of g.word) if (generated.has(c)) throw new RangeError(`fractionalFactorial: generator for ${g.letter} uses generated factor ${c}; write it in base factors ${base.join("")}`);

  // Runs: the full 2^(k−p) in the base letters, generated columns as products.
  const nBase = base.length;
  const points: Point[] = [];
  for (let i = 0; i < 1 << nBase; i++) {
    const sign: Record<string, number> = {};
    base.forEach((c, j) => { sign[c] = (i >> j) & 1 ? 1 : -1; });
    for (const g of gens) sign[g.letter] = g.sign * [...g.word].reduce((s, c) => s * sign[c]!, 1);
    const p: Point = {};
    factors.forEach((f, j) => { p[f.name] = sign[letters[j]!]! > 0 ? f.high : f.low; });
    points.push(p);
  }

  // Defining relation: I = each generator word (letter·word), and all their products.
  const gensWords: SignedWord[] = gens.map((g) => ({ word: multiplyWords(g.letter, g.word), sign: g.sign }));
  const relation: SignedWord[] = [];
  for (let mask = 1; mask < 1 << gensWords.length; mask++) {
    let w: SignedWord = { word: "", sign: 1 };
    gensWords.forEach((g, j) => { if ((mask >> j) & 1) w = { word: multiplyWords(w.word, g.word), sign: (w.sign * g.sign) as 1 | -1 }; });
    relation.push(w);
  }
  relation.sort((a, b) => a.word.length - b.word.length || a.word.localeCompare(b.word));
  const fmt = (w: SignedWord) => `${w.sign < 0 ? "-" : ""}${w.word || "I"}`;
  const resolution = relation.length ? Math.min(...relation.map((w) => w.word.length)) : Infinity;

  const aliasOrder = options.aliasOrder ?? 2;
  const aliases: Record<string, string[]> = {};
  for (const term of termsUpTo(letters, aliasOrder)) {
    aliases[term] = relation.map((w) => fmt({ word: multiplyWords(term, w.word), sign: w.sign }));
  }
  const fraction: FractionInfo = {
    generators: [...generators],
    definingRelation: ["I", ...relation.map(fmt)],
    resolution,
    aliases,
    letters: Object.fromEntries(factors.map((f, j) => [letters[j]!, f.name])),
  };
  const design = designFromPoints(options.name ?? `2^(${k}-${gens.length}) fractional factorial`, "fractional_factorial", factors.map((f) => f.name), points);
  return { ...design, fraction };
}

/**
 * All words of 1..order letters over `letters`, shortest first, in lexical order.
 *
 * @example
 * ```ts
 * termsUpTo("ABC", 2); // A, B, C, AB, AC, BC
 * ```
 */
export function termsUpTo(letters: string, order: number): string[] {
  const out: string[] = [];
  const rec = (start: number, word: string, size: number) => {
    if (word.length === size) { out.push(word); return; }
    for (let i = start; i < letters.length; i++) rec(i + 1, word + letters[i], size);
  };
  for (let size = 1; size <= Math.min(order, letters.length); size++) rec(0, "", size);
  return out;
}

/**
 * Roman numeral for a resolution (III, IV, V, …).
 *
 * @example
 * ```ts
 * resolutionNumeral(4); // "IV"
 * ```
 */
export function resolutionNumeral(resolution: number): string {
  if (!Number.isFinite(resolution)) return "full";
  const numerals = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"];
  return numerals[resolution] ?? String(resolution);
}

/**
 * One factor at a time: a baseline run (each factor's `baseline` or first level), then, for each
 * factor in turn, one run per other level with the rest held at baseline.
 *
 * @example
 * ```ts
 * const ofat = oneFactorAtATime([{ name: "workers", levels: [2, 4, 8], baseline: 4 }, { name: "router", levels: ["kv", "round-robin"] }]);
 * ```
 */
export function oneFactorAtATime(factors: readonly (FactorLevels & { baseline?: Level })[], name = "one factor at a time"): Design {
  checkFactors(factors, "oneFactorAtATime");
  const baseline: Point = {};
  for (const f of factors) {
    if (f.levels.length === 0) throw new RangeError(`oneFactorAtATime: factor '${f.name}' has no levels`);
    baseline[f.name] = f.baseline !== undefined ? f.baseline : f.levels[0]!;
  }
  const points: Point[] = [{ ...baseline }];
  const names = ["baseline"];
  for (const f of factors) {
    for (const v of f.levels) {
      if (v === baseline[f.name]) continue;
      points.push({ ...baseline, [f.name]: v });
      names.push(`${f.name}=${String(v)}`);
    }
  }
  return designFromPoints(name, "ofat", factors.map((f) => f.name), points, names);
}
