/**
 * The API side of kube.bench's lag figure, on its own thread (as an API server is its own process):
 * an in-memory API that applies pod updates at a steady rate and stamps each apply time into a
 * shared array, so the watching thread's lag figure is not inflated by the server's own work and GC.
 */
import { parentPort, workerData } from "node:worker_threads";
import { startMemoryApi } from "../../sdk/kube/memory-api.js";
import { benchPod } from "./bench-pod.js";

const { rate, events, appliedAt } = workerData as { rate: number; events: number; appliedAt: SharedArrayBuffer };
const stamps = new Float64Array(appliedAt);
const now = () => performance.timeOrigin + performance.now();
const api = await startMemoryApi({ historyLimit: events + 1000, bookmarkMs: 500 });
for (let i = 0; i < 500; i++) api.apply("ADDED", "pods", benchPod(i, 0));
const firstRv = Number(api.apply("MODIFIED", "pods", benchPod(0, 1))) + 1;
let sent = 0;
let t0 = 0;
// Applies whatever is due by now, then yields to the event loop (which also serves the watch).
const pace = () => {
  const due = Math.min(events, Math.floor(((performance.now() - t0) * rate) / 1000));
  while (sent < due) {
    stamps[sent] = now();
    api.apply("MODIFIED", "pods", benchPod(sent, 2 + Math.floor(sent / 500)));
    sent++;
  }
  if (sent < events) setImmediate(pace);
};
parentPort!.on("message", async (m: "start" | "stop") => {
  if (m === "start") { t0 = performance.now(); setImmediate(pace); }
  else { await api.stop(); parentPort!.close(); }
});
parentPort!.postMessage({ url: api.url, firstRv });
