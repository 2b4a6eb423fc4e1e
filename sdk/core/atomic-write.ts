/**
 * Files that never lie: every write goes to a temp file in the same folder, is fsynced, then
 * renamed over the target (and the folder fsynced), so a reader sees the old file or the new one,
 * never half of either. A set of files is committed as one through a small journal (SQLite's
 * idea): once the journal is on disk the set rolls forward on the next `recoverFiles`, before it
 * nothing changed. A failing write leaves no temp behind and says, in one line, which path and why.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { InputError } from "./errors.js";

/** An output that cannot be written (full disk, no permission, a folder in the way): one line naming the path. */
export class OutputError extends InputError {
  readonly code: string | undefined;
  /** `note` says what was kept, e.g. the results already cached. */
  constructor(path: string, err: unknown, note?: string) {
    const e = err as NodeJS.ErrnoException;
    const why = e?.code ? `${REASONS[e.code] ?? e.message.split("\n")[0]} (${e.code})` : String((err as Error)?.message ?? err);
    super({ source: path }, `a writable output file, but the write failed: ${why}${note ? `; ${note}` : ""}`, { cause: err });
    this.name = "OutputError";
    this.code = e?.code;
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  EISDIR: "a folder is in the way",
  ENOTDIR: "a file is in the way of a parent folder",
  EEXIST: "a file is in the way of a parent folder",
  EMFILE: "too many open files",
};

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0o666 less the umask); applies even when the target existed. */
  mode?: number;
  /** fsync the file and its folder (default true): the rename is durable, not just atomic. */
  fsync?: boolean;
}

/** The temp name for `path`: same folder (rename never crosses devices), writer's pid inside so a dead writer's temps can be told apart. */
export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

const TEMP = /\.tmp-(\d+)-[a-z0-9]+$/;

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some file systems cannot fsync a folder; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * `mkdir -p` one level at a time. Node's `mkdirSync(…, { recursive: true })` loops forever where
 * mkdir answers ENOENT under an existing folder (/proc/x); this one fails with that ENOENT, and
 * with EEXIST when a file stands where the folder should be.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  let d = resolve(dir);
  for (;;) {
    let isDir: boolean | undefined;
    try { isDir = statSync(d).isDirectory(); } catch (err) { if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err; }
    if (isDir === false) throw Object.assign(new Error(`EEXIST: file already exists, mkdir '${d}'`), { code: "EEXIST", path: d });
    if (isDir) break;
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const m of missing.reverse()) {
    try { mkdirSync(m); } catch (err) { if ((err as NodeJS.ErrnoException).code !== "EEXIST" || !statSync(m).isDirectory()) throw err; }
  }
}

/** Writes `data` to a temp file beside `path`, fsynced; returns the temp path. Throws OutputError (temp removed) on failure. */
function writeTemp(path: string, data: string | Uint8Array, opts: AtomicWriteOptions): string {
  try {
    makeDirs(dirname(path));
  } catch (err) {
    throw new OutputError(path, err);
  }
  const tmp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx", opts.mode ?? 0o666);
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    if (opts.fsync !== false) fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    return tmp;
  } catch (err) {
    if (fd !== undefined) try { closeSync(fd); } catch { /* already failing */ }
    rmSync(tmp, { force: true });
    throw new OutputError(path, err);
  }
}

function renameInto(tmp: string, path: string): void {
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new OutputError(path, err);
  }
}

/**
 * Write a file atomically (temp file + fsync + rename), creating parent folders.
 *
 * @example
 * ```ts
 * writeFileAtomic("out/summary.json", JSON.stringify(summary, null, 2)); // temp + fsync + rename
 * ```
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const tmp = writeTemp(path, data, opts);
  renameInto(tmp, path);
  if (opts.fsync !== false) fsyncDir(dirname(path));
}

/** The journal of a file set being committed in `dir` (a dot file: it exists only between commit and roll-forward). */
export const JOURNAL = ".commit-journal.json";

interface Journal {
  files: Array<{ tmp: string; name: string }>;
}

export interface CommitOptions extends AtomicWriteOptions {
  /** Test seam: called after each rename of the roll-forward (index of the file just renamed). */
  afterRename?: (index: number) => void;
}

/**
 * Write every file of `files` (names relative to `dir`) so that the set changes as one: all temps
 * are written and fsynced, the journal naming them is written (the commit point), then each is
 * renamed into place and the journal removed. A crash before the journal leaves the old set; after
 * it, `recoverFiles(dir)` finishes the new one.
 */
export function commitFiles(dir: string, files: ReadonlyArray<readonly [string, string | Uint8Array]>, opts: CommitOptions = {}): string[] {
  recoverFiles(dir);
  const journal: Journal = { files: [] };
  try {
    for (const [name, data] of files) journal.files.push({ tmp: basename(writeTemp(join(dir, name), data, opts)), name });
  } catch (err) {
    for (const f of journal.files) rmSync(join(dir, f.tmp), { force: true });
    throw err;
  }
  try {
    writeFileAtomic(join(dir, JOURNAL), JSON.stringify(journal) + "\n", opts);
  } catch (err) {
    for (const f of journal.files) rmSync(join(dir, f.tmp), { force: true });
    throw err;
  }
  rollForward(dir, journal, opts);
  return files.map(([name]) => join(dir, name));
}

function rollForward(dir: string, journal: Journal, opts: CommitOptions = {}): void {
  journal.files.forEach((f, i) => {
    try {
      renameSync(join(dir, f.tmp), join(dir, f.name));
    } catch (err) {
      // Already renamed by an earlier, interrupted roll-forward: nothing to do for this one.
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new OutputError(join(dir, f.name), err);
    }
    opts.afterRename?.(i);
  });
  if (opts.fsync !== false) fsyncDir(dir);
  rmSync(join(dir, JOURNAL), { force: true });
  if (opts.fsync !== false) fsyncDir(dir);
}

/**
 * Finish a file set whose commit was interrupted (journal present: roll forward), then remove the
 * temps of writers that are gone. Returns the number of files rolled forward. Safe to call always.
 */
export function recoverFiles(dir: string): number {
  let rolled = 0;
  let text: string | undefined;
  try {
    text = readFileSync(join(dir, JOURNAL), "utf8");
  } catch {
    text = undefined;
  }
  if (text !== undefined) {
    let journal: Journal | undefined;
    try {
      journal = JSON.parse(text) as Journal;
    } catch {
      journal = undefined; // a torn journal cannot exist (it is written atomically); treat as none
    }
    if (journal && Array.isArray(journal.files)) {
      rolled = journal.files.length;
      rollForward(dir, journal);
    } else rmSync(join(dir, JOURNAL), { force: true });
  }
  removeStaleTemps(dir);
  return rolled;
}

/** Whether a process with this pid is running (EPERM: it is, under another user). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Remove `*.tmp-PID-*` files in `dir` (not below it) whose writer is no longer running. Returns how many. */
export function removeStaleTemps(dir: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const n of names) {
    const m = TEMP.exec(n);
    if (m && !processAlive(Number(m[1]))) {
      rmSync(join(dir, n), { force: true });
      removed++;
    }
  }
  return removed;
}
