/**
 * Child processes of the test bed: each in a process group of its own (so a stop reaches anything
 * it forked), output to a log file, stopped with SIGTERM then SIGKILL, and killed synchronously if
 * the parent exits without stopping them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { createServer } from "node:net";

export interface Managed {
  name: string;
  child: ChildProcess;
  logPath: string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
}

const live = new Set<Managed>();
let hooked = false;

function killGroup(m: Managed, signal: NodeJS.Signals): void {
  if (m.child.pid === undefined || m.child.exitCode !== null || m.child.signalCode !== null) return;
  try { process.kill(-m.child.pid, signal); } catch { /* already gone */ }
}

/** Starts `cmd args` detached in its own process group, stdout+stderr to `logPath`. */
export function startProcess(name: string, cmd: string, args: string[], logPath: string, env: NodeJS.ProcessEnv = process.env): Managed {
  if (!hooked) {
    hooked = true;
    process.on("exit", () => { for (const m of live) killGroup(m, "SIGKILL"); });
  }
  const fd = openSync(logPath, "a");
  const child = spawn(cmd, args, { detached: true, stdio: ["ignore", fd, fd], env });
  closeSync(fd);
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, sig) => { live.delete(m); resolve(code ?? sig ?? -1); }));
  const m: Managed = { name, child, logPath, exited };
  child.once("error", () => live.delete(m));
  live.add(m);
  return m;
}

/** SIGTERM to the group, SIGKILL after `graceMs`; resolves when the process has exited. */
export async function stopProcess(m: Managed, graceMs = 5000): Promise<void> {
  if (m.child.exitCode !== null || m.child.signalCode !== null) return;
  killGroup(m, "SIGTERM");
  const t = setTimeout(() => killGroup(m, "SIGKILL"), graceMs);
  await m.exited;
  clearTimeout(t);
  // Anything left in the group (a grandchild) goes too.
  if (m.child.pid !== undefined) { try { process.kill(-m.child.pid, "SIGKILL"); } catch { /* none */ } }
}

/** A free TCP port on 127.0.0.1 (listen on 0, read, close). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, host, () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}
