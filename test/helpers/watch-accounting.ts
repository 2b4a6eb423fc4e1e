// Accounting of one watcher against what the server really stored: every version the driver
// wrote is recorded, every event received is checked against it, and the final mirror against the
// server's state. Lost = objects whose final state the watcher never reached; doubled = a version
// delivered twice (or an ADDED for an object already there); corrupted = an event whose object
// differs from what was stored at that version. A relist may coalesce intermediate versions, as
// client-go's reflector does; that is not a loss.
import type { KubeObject } from "../../sdk/kube/types.js";
import type { WatchStream } from "../../sdk/kube/watch.js";

export interface Accounting {
  events: number;
  lost: number;
  doubled: number;
  corrupted: number;
}

export class VersionBook {
  /** uid@rv → the label values stored at that version (a set: two servers may reuse a uid@rv). */
  private readonly versions = new Map<string, Set<string>>();

  record(o: KubeObject): void {
    const key = `${o.metadata!.uid}@${o.metadata!.resourceVersion}`;
    const set = this.versions.get(key) ?? new Set<string>();
    set.add(JSON.stringify(o.metadata!.labels ?? {}));
    this.versions.set(key, set);
  }

  /** False when the event's object is not what was stored at its version (unknown versions pass: objects the driver did not write). */
  matches(o: KubeObject): boolean {
    const set = this.versions.get(`${o.metadata!.uid}@${o.metadata!.resourceVersion}`);
    return !set || set.has(JSON.stringify(o.metadata!.labels ?? {}));
  }
}

export function account(stream: WatchStream, book: VersionBook) {
  const state = new Map<string, KubeObject>();
  const delivered = new Set<string>();
  const acc: Accounting = { events: 0, lost: 0, doubled: 0, corrupted: 0 };
  const done = (async () => {
    for await (const e of stream) {
      acc.events++;
      const name = e.object.metadata!.name!;
      const key = `${e.type === "DELETED" ? "del:" : ""}${e.object.metadata!.uid}@${e.object.metadata!.resourceVersion}`;
      if (e.type !== "DELETED" && delivered.has(key)) acc.doubled++;
      delivered.add(key);
      if (e.type === "ADDED" && state.has(name)) acc.doubled++;
      if (e.type !== "DELETED" && !book.matches(e.object)) acc.corrupted++;
      if (e.type === "DELETED") state.delete(name);
      else state.set(name, e.object);
    }
  })();
  return { state, acc, done };
}

/** Names on which mirror and truth disagree (missing, extra or at another version or uid). */
export function differences(mirror: Iterable<KubeObject>, truth: Iterable<KubeObject>): number {
  const byName = (objs: Iterable<KubeObject>) => new Map([...objs].map((o) => [o.metadata!.name!, `${o.metadata!.uid}@${o.metadata!.resourceVersion}`]));
  const a = byName(mirror);
  const b = byName(truth);
  let n = 0;
  for (const name of new Set([...a.keys(), ...b.keys()])) if (a.get(name) !== b.get(name)) n++;
  return n;
}
