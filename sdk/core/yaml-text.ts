/**
 * Block-style YAML text for plain data (objects, arrays, strings, numbers, booleans, null): the
 * same bytes as the `yaml` package's `stringify(value, { lineWidth: 0, aliasDuplicateObjects: false })`
 * but far faster on large documents (a nop result.yaml of 1e5 actuations is ~150 MB, where the
 * general-purpose library's document model takes minutes), as one string (`yamlText`) or streamed
 * to a file in ~256 KB chunks without ever being one string (`writeYamlFile`).
 *
 * Quoting decisions are the library's own: a string that is not plain-safe is written by `stringify`
 * (memoised per distinct string); this module only lays out the block structure. What makes it fast
 * on documents of repeated shapes (1e5 launcher_infos):
 * - an object's key lines (`indent + key + ": "`) are cached per position in the tree and reused
 *   while the next object there has the same keys in the same order (one identity test per key);
 * - plain-safe strings are recognised by a character loop, not a regex;
 * - no `Object.entries` pair arrays and no `Object.values` array per object.
 * A document the library must lay out itself (multi-line strings, document markers, non-plain
 * objects) is handed to it whole.
 */
import { closeSync, fsyncSync, ftruncateSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { stringify } from "yaml";
import { tempPathFor } from "./atomic-write.js";

// Chunks above V8's 128 KB regular-object limit are allocated in the large-object space, which the
// scavenger moves by page instead of copying (yamlText keeps them all until it joins them).
const CHUNK = 262_144;

const OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

/** Thrown inside the writer when the library has to lay the whole document out. */
class Fallback extends Error {}

// Words some YAML schema resolves to null, a boolean or a float: left to the library to quote.
const SPECIAL_WORD = /^(?:null|true|false|yes|no|on|off|y|n|nan|inf|infinity)$/i;

/** `[A-Za-z0-9_\-./]` */
function plainChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 45 && c <= 57) /* -./0-9 */ || c === 95;
}

/**
 * Plain in any position and not a SPECIAL_WORD, by hand: a letter or underscore, then letters,
 * digits and `_-./`, or a colon followed by one of those.
 */
export function isSafePlain(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  const c0 = s.charCodeAt(0);
  if (!((c0 >= 97 && c0 <= 122) || (c0 >= 65 && c0 <= 90) || c0 === 95)) return false;
  for (let i = 1; i < n; i++) {
    const c = s.charCodeAt(i);
    if (plainChar(c)) continue;
    if (c === 58 /* : */ && i + 1 < n && plainChar(s.charCodeAt(i + 1))) continue;
    return false;
  }
  return n > 8 || !SPECIAL_WORD.test(s);
}

/**
 * Words of safe characters separated by single spaces, starting with a letter or underscore and not
 * ending in a space (`DPC created launcher launcher-7 for this requester`): the library writes such
 * a value plain (no `: `, ` #`, indicator or number/boolean/null reading is possible), so it is not
 * asked once per distinct reason string (1e4 unique ones in a 1e5-actuation result.yaml). Values
 * only; test/yaml-text-stream.test.ts checks this against the library on random strings of these characters.
 */
export function isPlainWords(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  const c0 = s.charCodeAt(0);
  if (!((c0 >= 97 && c0 <= 122) || (c0 >= 65 && c0 <= 90) || c0 === 95)) return false;
  let space = false;
  for (let i = 1; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 32) {
      if (space) return false; // two spaces in a row
      space = true;
      continue;
    }
    if (!plainChar(c)) return false;
    space = false;
  }
  // A single word is isSafePlain's (or SPECIAL_WORD's) case; no trailing space.
  return !space && s.includes(" ");
}

function isPlainObject(v: object): boolean {
  if (Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function numberText(v: number): string {
  return Object.is(v, -0) ? "-0" : Number.isFinite(v) ? String(v) : Number.isNaN(v) ? ".nan" : v < 0 ? "-.inf" : ".inf";
}

/** Per position in the tree (a depth): the last object's keys there and their line heads. */
interface Shape {
  keys: string[] | null;
  /** `"\n" + indent`: lines are written newline first (the newline ending the line before). */
  nl: string;
  /** `"\n" + indent + key + ": "` (a leaf follows on the line), filled when first needed. */
  leafHead: (string | undefined)[];
  /** `"\n" + indent + key + ":"` (a collection follows below). */
  nestHead: (string | undefined)[];
  /** The key as written (quoted or not). */
  keyText: (string | undefined)[];
  kids: (Shape | undefined)[];
  /** The last scalar value written under each key here and its text: consecutive objects often repeat a value (namespace, null, 0, a shared launcher). */
  lastValue: unknown[];
  lastText: (string | undefined)[];
  /** `leafHead[i] + lastText[i]`, flat, once the value repeated: then a line is one concatenation. */
  lastLine: (string | undefined)[];
  /** Array items' dashes at this depth: `"\n" + indent + "- "`. */
  dash: string | null;
}

/** `s` as a flat string (a concatenation is a rope until first read). */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

const newShape = (depth: number): Shape => ({ keys: null, nl: "\n" + indentOf(depth), leafHead: [], nestHead: [], keyText: [], kids: [], lastValue: [], lastText: [], lastLine: [], dash: null });

const INDENTS: string[] = [""];
function indentOf(depth: number): string {
  return INDENTS[depth] ?? (INDENTS[depth] = indentOf(depth - 1) + "  ");
}

/** Whether `for…in` over a plain object sees only its own keys (nobody made an enumerable property on Object.prototype). */
function prototypeClean(): boolean {
  for (const _ in {}) return false;
  return true;
}

class BlockWriter {
  /**
   * The current chunk, a rope flattened at each flush. Each line is added newline first (two
   * concatenations a line: head + value, then onto the rope), so the text so far starts with a
   * newline the first flush drops and lacks the last one the end adds.
   */
  private doc = "";
  private started = false;
  private readonly keyMemo = new Map<string, string>();
  private readonly valueMemo = new Map<string, string>();
  private readonly cleanProto = prototypeClean();

  constructor(private readonly emit: (chunk: string) => void, private readonly chunkSize: number) {}

  private scalar(s: string, asKey: boolean): string {
    if (isSafePlain(s) || (!asKey && isPlainWords(s))) return s;
    const memo = asKey ? this.keyMemo : this.valueMemo;
    let out = memo.get(s);
    if (out === undefined) {
      // Document markers ("---", "...") are quoted only at the start of a line: context a one-entry map cannot show.
      if (s.includes("\n") || s.includes("\r") || s.startsWith("---") || s.startsWith("...")) throw new Fallback();
      // As a one-entry map, so implicit-key and value rules apply exactly as in context.
      const text = stringify(asKey ? { [s]: 0 } : { k: s }, OPTIONS);
      out = asKey ? text.slice(0, text.length - ": 0\n".length) : text.slice("k: ".length, text.length - 1);
      if (out.includes("\n")) throw new Fallback();
      memo.set(s, out);
    }
    return out;
  }

  /** True when a plain object has no key with a defined value (written `{}`). */
  private emptyObject(v: Record<string, unknown>): boolean {
    if (this.cleanProto) {
      for (const k in v) if (v[k] !== undefined) return false;
      return true;
    }
    for (const k of Object.keys(v)) if (v[k] !== undefined) return false;
    return true;
  }

  /** The one-line text of `v`, or null for a non-empty collection (written as a block). */
  private leaf(v: unknown): string | null {
    if (v === null || v === undefined) return "null";
    switch (typeof v) {
      case "string": return this.scalar(v, false);
      case "number": return numberText(v);
      case "boolean": return v ? "true" : "false";
      case "object": {
        if (Array.isArray(v)) return v.length === 0 ? "[]" : null;
        if (!isPlainObject(v)) throw new Fallback();
        return this.emptyObject(v as Record<string, unknown>) ? "{}" : null;
      }
      default: throw new Fallback();
    }
  }

  private flushIfFull(): void {
    if (this.doc.length > this.chunkSize) this.flush();
  }

  /** Hands the text so far over as one flat string. */
  flush(): void {
    let d = this.doc;
    this.doc = "";
    if (!this.started) {
      this.started = true;
      d = d.slice(1); // the first line's leading newline
    }
    if (d.length === 0) return;
    d.charCodeAt(0); // flattens the rope in V8 (its many small parts die young)
    this.emit(d);
  }

  /** The document: a scalar or empty collection on one line, else the block. */
  document(value: unknown): void {
    const l = this.leaf(value);
    if (l !== null) {
      this.started = true;
      this.doc = l + "\n";
      return;
    }
    const root = newShape(0);
    if (Array.isArray(value)) this.array(value, 0, root.nl, root);
    else this.object(value as Record<string, unknown>, 0, root.nl, root);
    this.doc += "\n";
  }

  /** A non-empty array at `depth` whose first line starts with `first` (newline and indent, or an outer item's dash). */
  private array(v: readonly unknown[], depth: number, first: string, shape: Shape): void {
    const dash = shape.dash ?? (shape.dash = shape.nl + "- ");
    const kid = shape.kids[0] ?? (shape.kids[0] = newShape(depth + 1));
    for (let i = 0; i < v.length; i++) {
      const item = v[i];
      const pre = i === 0 ? first + "- " : dash;
      const l = this.leaf(item);
      if (l !== null) this.doc += pre + l;
      else if (Array.isArray(item)) this.array(item, depth + 1, pre, kid);
      else this.object(item as Record<string, unknown>, depth + 1, pre, kid);
      this.flushIfFull();
    }
  }

  /** Forgets what `shape` knew from key index `i` on (an object there has other keys from `i`). */
  private forget(shape: Shape, i: number): void {
    shape.keys!.length = i;
    shape.leafHead.length = Math.min(shape.leafHead.length, i);
    shape.nestHead.length = Math.min(shape.nestHead.length, i);
    shape.keyText.length = Math.min(shape.keyText.length, i);
    shape.kids.length = Math.min(shape.kids.length, i);
    shape.lastValue.length = Math.min(shape.lastValue.length, i);
    shape.lastText.length = Math.min(shape.lastText.length, i);
    shape.lastLine.length = Math.min(shape.lastLine.length, i);
  }

  /**
   * A non-empty plain object at `depth` whose first line starts with `first` (newline and indent, or
   * an array item's dash). Its keys are read with `for…in` (a field load by index where V8 has the
   * object's enum cache, instead of a keyed lookup per key) and checked against the keys the last
   * object here had, key by key: the cached heads hold as long as they match.
   */
  private object(v: Record<string, unknown>, depth: number, first: string, shape: Shape): void {
    if (!this.cleanProto) return this.objectByKeys(v, depth, first, shape);
    const keys = shape.keys ?? (shape.keys = []);
    let head: string | null = first !== shape.nl ? first : null;
    let i = 0;
    for (const k in v) {
      if (keys[i] !== k) {
        if (i < keys.length) this.forget(shape, i);
        keys.push(k);
      }
      const item = v[k];
      if (item !== undefined) {
        this.entry(shape, i, k, item, depth, head);
        head = null;
      }
      i++;
    }
    if (i < keys.length) this.forget(shape, i);
  }

  /** The same with `Object.keys` (when something made an enumerable property on Object.prototype). */
  private objectByKeys(v: Record<string, unknown>, depth: number, first: string, shape: Shape): void {
    const own = Object.keys(v);
    const keys = shape.keys ?? (shape.keys = []);
    let head: string | null = first !== shape.nl ? first : null;
    for (let i = 0; i < own.length; i++) {
      const k = own[i]!;
      if (keys[i] !== k) {
        if (i < keys.length) this.forget(shape, i);
        keys.push(k);
      }
      const item = v[k];
      if (item !== undefined) {
        this.entry(shape, i, k, item, depth, head);
        head = null;
      }
    }
    if (own.length < keys.length) this.forget(shape, own.length);
  }

  /** Key `k` (index `i` at this position) with its value; `head` starts the line instead of the cached indent when it is the object's first (an array item's dash). */
  private entry(shape: Shape, i: number, k: string, item: unknown, depth: number, head: string | null): void {
    const key = shape.keyText[i] ?? (shape.keyText[i] = this.scalar(k, true));
    let l: string | null;
    const last = shape.lastValue[i];
    // (0 === -0, and they are written differently.)
    if (item === last && (item !== 0 || Object.is(item, last)) && i < shape.lastText.length) {
      l = shape.lastText[i]!;
      if (head === null) {
        this.doc += shape.lastLine[i] ?? (shape.lastLine[i] = flat((shape.leafHead[i] ?? (shape.leafHead[i] = flat(shape.nl + key + ": "))) + l));
        return;
      }
    } else {
      l = this.leaf(item);
      if (typeof item !== "object" || item === null) { shape.lastValue[i] = item; shape.lastText[i] = l!; shape.lastLine[i] = undefined; }
    }
    if (l !== null) {
      this.doc += (head !== null ? head + key + ": " : shape.leafHead[i] ?? (shape.leafHead[i] = flat(shape.nl + key + ": "))) + l;
    } else {
      this.doc += head !== null ? head + key + ":" : shape.nestHead[i] ?? (shape.nestHead[i] = flat(shape.nl + key + ":"));
      // The library indents a sequence under a key (indentSeq), like a map.
      const kid = shape.kids[i] ?? (shape.kids[i] = newShape(depth + 1));
      if (Array.isArray(item)) this.array(item, depth + 1, kid.nl, kid);
      else this.object(item as Record<string, unknown>, depth + 1, kid.nl, kid);
    }
  }
}

/**
 * Calls `write` with the YAML text of `value` in chunks (each ~`chunkSize` characters or a little
 * more, the last one shorter), in order; their concatenation is the document. Returns false,
 * having written nothing more, when the library must lay the document out itself (a multi-line
 * string, a document marker, a non-plain object): chunks already written are then not the start of
 * the document, and the caller starts over with `stringify`.
 */
function writeBlocks(value: unknown, write: (chunk: string) => void, chunkSize: number): boolean {
  const w = new BlockWriter(write, chunkSize);
  try {
    w.document(value);
  } catch (err) {
    if (err instanceof Fallback) return false;
    throw err;
  }
  w.flush();
  return true;
}

/**
 * YAML text of `value` (plain data), ending in a newline (as `stringify` does), built from 256 KB
 * chunks joined once.
 *
 * @example
 * ```ts
 * const text = yamlText({ version: "0.1", items: [{ name: "req-1", ttft: 0.25 }] }); // "version: \"0.1\"\nitems:\n  - name: req-1\n    ttft: 0.25\n"
 * ```
 */
export function yamlText(value: unknown): string {
  const chunks: string[] = [];
  if (!writeBlocks(value, (c) => chunks.push(c), CHUNK)) return stringify(value, OPTIONS);
  return chunks.length === 1 ? chunks[0]! : chunks.join("");
}

/** Writes all of `text` (UTF-8) at the file position (or at `position`); returns the bytes written. */
function writeString(fd: number, text: string, position?: number): number {
  const n = writeSync(fd, text, position ?? null);
  const total = Buffer.byteLength(text);
  if (n >= total) return n;
  const rest = Buffer.from(text).subarray(n);
  for (let at = 0; at < rest.length;) at += writeSync(fd, rest, at, rest.length - at, position === undefined ? null : position + n + at);
  return total;
}

/**
 * Writes the YAML text of `value` (byte for byte `toYamlText(value)`) to `path` as it is made, in
 * chunks, never as one string: through a temp file beside `path`, fsynced (unless `fsync: false`),
 * then renamed over it, so a reader sees the old file or the whole new one. Returns the bytes written.
 *
 * @example
 * ```ts
 * writeYamlFile("out/result.yaml", toNopResult(actuations)); // a 1e5-actuation result.yaml, ~150 MB
 * ```
 */
export function writeYamlFile(path: string, value: unknown, opts: { fsync?: boolean; mode?: number; chunkSize?: number } = {}): number {
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, "w", opts.mode ?? 0o666);
  let bytes = 0;
  let ok = false;
  try {
    const write = (chunk: string) => { bytes += writeString(fd, chunk); };
    if (!writeBlocks(value, write, opts.chunkSize ?? CHUNK)) {
      // The library lays this document out: start the file over.
      ftruncateSync(fd, 0);
      bytes = writeString(fd, stringify(value, OPTIONS), 0);
    }
    if (opts.fsync !== false) fsyncSync(fd);
    ok = true;
  } finally {
    closeSync(fd);
    if (!ok) rmSync(tmp, { force: true });
  }
  renameSync(tmp, path);
  return bytes;
}
