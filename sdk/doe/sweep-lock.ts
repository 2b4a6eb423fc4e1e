/**
 * One sweep per results folder: a lock file created exclusively (`O_EXCL`) holding the owner's
 * pid, host and start time. A second sweep on the folder refuses in one line naming the lock and
 * its holder (two sweeps used to redo most of each other's work); a lock left by a process that
 * is gone (same host, pid not running) is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { InputError } from "../core/errors.js";
import { OutputError, processAlive } from "../core/atomic-write.js";

export const LOCK_NAME = ".sweep.lock";

interface LockInfo {
  pid: number;
  host: string;
  started: string;
  token: string;
}

/** A folder already used by a running sweep. */
export class SweepLockedError extends InputError {
  readonly holderPid: number;
  constructor(lockPath: string, holder: LockInfo) {
    super({ source: lockPath }, `no other sweep using this folder, but process ${holder.pid} on ${holder.host} (since ${holder.started}) holds this lock: wait for it to finish, or stop it, then run again`);
    this.name = "SweepLockedError";
    this.holderPid = holder.pid;
  }
}

export interface SweepLock {
  path: string;
  /** Removes the lock if it is still ours (idempotent). */
  release(): void;
}

function readLock(path: string): LockInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(path, "utf8")) as LockInfo;
    return typeof v.pid === "number" ? v : undefined;
  } catch {
    return undefined;
  }
}

function tryCreate(path: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(info) + "\n");
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Take the lock of `dir` (created if missing), or throw SweepLockedError naming the holder. */
export function lockSweepFolder(dir: string): SweepLock {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new OutputError(dir, err);
  }
  const path = join(dir, LOCK_NAME);
  const info: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString(), token: Math.random().toString(36).slice(2) };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(path, info)) {
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          if (readLock(path)?.token === info.token) rmSync(path, { force: true });
        },
      };
    }
    const holder = readLock(path);
    // Unreadable: a holder between create and write (microseconds); look again.
    if (!holder) continue;
    if (holder.host === info.host && !processAlive(holder.pid)) {
      rmSync(path, { force: true }); // stale: its process is gone
      continue;
    }
    throw new SweepLockedError(path, holder);
  }
  const holder = readLock(path);
  if (holder) throw new SweepLockedError(path, holder);
  throw new InputError({ source: path }, "a sweep lock that can be taken (it keeps changing or cannot be read)");
}
