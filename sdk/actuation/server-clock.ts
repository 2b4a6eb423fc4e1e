/**
 * One clock for a run's timestamps: Kubernetes gives server times (creation, conditions, container
 * starts), but when the dual label appeared is known only from when the watch received it, on this
 * machine's wall clock. On the embedded cluster (a virtual clock, time-scaled) the two differ by
 * weeks and run at different speeds, so result.yaml mixed clocks (issue 16 item 10). The map comes
 * from the run itself: every phase of a pod created while watching that carries a server time,
 * paired with when its event arrived. For a pod's own event it interpolates between that pod's
 * phases around it (a time-scaled clock turns 0.1 s of receive jitter into 10 s, so a run-wide fit
 * alone can put a label before the pod's creation); elsewhere a least-squares line over the run.
 */
import type { PodLifecycle, PodPhase } from "../kube/lifecycle.js";

const PHASES: readonly PodPhase[] = ["created", "scheduled", "readyToStartContainers", "initialized", "running", "containersStarted", "containersReady", "ready"];
// Server times are whole seconds (RFC 3339 without fraction): the event came on average half a second later.
const QUANTUM_MS = 1000;

interface Pair { w: number; s: number }

function pairsOf(p: PodLifecycle): Pair[] {
  if (!p.createdWhileWatching) return [];
  const out: Pair[] = [];
  for (const ph of PHASES) {
    const t = p.phases[ph];
    if (t.server === null || t.receivedWall === null) continue;
    out.push({ w: t.receivedWall, s: t.server % QUANTUM_MS === 0 ? t.server + QUANTUM_MS / 2 : t.server });
  }
  return out.sort((a, b) => a.w - b.w);
}

/** Receive time (wall ms) → server clock (ms), interpolated within `pod`'s own phases when given; the identity with too few points. */
export type ServerClock = (receivedWallMs: number, pod?: PodLifecycle) => number;

/**
 * `pairsOf(p)` into the scratch arrays `W`/`S` (sorted by w, stably, as `pairsOf` sorts); returns
 * the count. The clock is read once per actuation: pair objects and a sort per call were a tenth of
 * classifying 1e5 of them.
 */
const W = new Float64Array(PHASES.length);
const Sv = new Float64Array(PHASES.length);
function ownPairs(p: PodLifecycle): number {
  if (!p.createdWhileWatching) return 0;
  let n = 0;
  for (const ph of PHASES) {
    const t = p.phases[ph];
    if (t.server === null || t.receivedWall === null) continue;
    const w = t.receivedWall;
    const s = t.server % QUANTUM_MS === 0 ? t.server + QUANTUM_MS / 2 : t.server;
    // Insertion sort: after every pair with a w not above this one (stable, as Array.prototype.sort).
    let j = n;
    while (j > 0 && W[j - 1]! > w) { W[j] = W[j - 1]!; Sv[j] = Sv[j - 1]!; j--; }
    W[j] = w;
    Sv[j] = s;
    n++;
  }
  return n;
}

/** `pods` may be a function giving them: the run-wide line is fitted (and they are read) only when some time falls outside its pod's own phases. */
export function serverClockOf(pods: readonly PodLifecycle[] | (() => readonly PodLifecycle[])): ServerClock {
  let line: ((x: number) => number) | null = null;
  const fit = (x: number) => (line ??= lineOf((typeof pods === "function" ? pods() : pods).flatMap(pairsOf)))(x);
  return (x, pod) => {
    const n = pod ? ownPairs(pod) : 0;
    if (n >= 2 && x >= W[0]! && x <= W[n - 1]!) {
      let i = 0;
      while (W[i]! < x) i++;
      const k = Math.max(0, i - 1);
      const hiW = W[i]!, hiS = Sv[i]!, loW = W[k]!, loS = Sv[k]!;
      const v = hiW === loW ? (loS + hiS) / 2 : loS + ((x - loW) / (hiW - loW)) * (hiS - loS);
      return Math.min(Math.max(v, Math.min(loS, hiS)), Math.max(loS, hiS));
    }
    // (Read before `fit`, which reuses nothing of the scratch arrays but may be slow to come back.)
    const firstW = W[0]!, firstS = Sv[0]!, lastW = W[n - 1]!, lastS = Sv[n - 1]!;
    const v = fit(x);
    // Outside the pod's phases, never on the wrong side of them.
    if (n && x > lastW) return Math.max(v, lastS);
    if (n && x < firstW) return Math.min(v, firstS);
    return v;
  };
}

function lineOf(pairs: readonly Pair[]): (x: number) => number {
  const w = pairs.map((p) => p.w);
  const s = pairs.map((p) => p.s);
  if (w.length < 2) return (x) => x;
  // Centred sums: epoch milliseconds squared would lose precision.
  const mw = w.reduce((a, b) => a + b, 0) / w.length;
  const ms = s.reduce((a, b) => a + b, 0) / s.length;
  let sww = 0;
  let sws = 0;
  for (let i = 0; i < w.length; i++) {
    sww += (w[i]! - mw) ** 2;
    sws += (w[i]! - mw) * (s[i]! - ms);
  }
  // All events in one instant (or a slope no clock runs at): keep the offset only.
  const b = sww > 0 && sws / sww > 0 ? sws / sww : 1;
  return (x) => ms + b * (x - mw);
}
