/**
 * The sweep's content-addressed result cache: one small JSON file per finished (run, repeat),
 * named by a SHA-256 of what determines the result — factor values, parameters, replicate,
 * repeat, the derived seed and the user's code version — and written atomically, so a killed
 * sweep leaves only whole entries and a re-run skips exactly the work already done.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Cell } from "../core/rows.js";
import { processAlive, writeFileAtomic } from "../core/atomic-write.js";

/**
 * JSON with object keys sorted, so equal content gives equal text.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [2, 1] }); // keys sorted: {"a":[2,1],"b":1}
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj).filter((k) => obj[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}

export interface CacheKeyParts {
  factors: Record<string, Cell>;
  params?: Record<string, unknown>;
  replicate: number;
  repeat: number;
  seed: number;
  codeVersion: string;
}

/**
 * The sweep cache's key of one run: a hash of its treatment, seed, module and code version.
 *
 * @example
 * ```ts
 * const key = cacheKey({ treatment, seed, module: "sdk/doe/replay-treatment.ts", codeVersion });
 * ```
 */
export function cacheKey(parts: CacheKeyParts): string {
  return createHash("sha256").update(canonicalJson({ v: 1, ...parts })).digest("hex");
}

export interface CacheEntry {
  key: string;
  responses: Record<string, Cell>;
  duration_ms: number;
  attempts: number;
}

export class SweepCache {
  constructor(readonly dir: string) {}

  private pathOf(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  get(key: string): CacheEntry | undefined {
    let text: string;
    try {
      text = readFileSync(this.pathOf(key), "utf8");
    } catch {
      return undefined;
    }
    try {
      const e = JSON.parse(text) as CacheEntry;
      return e.key === key ? e : undefined;
    } catch {
      return undefined; // unreadable entries are recomputed (atomic writes make this unlikely)
    }
  }

  put(entry: CacheEntry): void {
    writeFileAtomic(this.pathOf(entry.key), JSON.stringify(entry) + "\n");
  }

  /** Remove temp files left by killed writers (only those whose process is gone). */
  sweepTemps(): void {
    let subdirs: string[];
    try {
      subdirs = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const sub of subdirs) {
      let files: string[];
      try {
        files = readdirSync(join(this.dir, sub));
      } catch {
        continue;
      }
      for (const f of files) {
        const m = /\.tmp-(\d+)-/.exec(f);
        if (m && !processAlive(Number(m[1]))) rmSync(join(this.dir, sub, f), { force: true });
      }
    }
  }
}
