/**
 * The launcher populator: keeps unbound launcher pods on nodes ahead of demand. A populator-made
 * launcher comes up on its own seeded timeline — scheduled, image pulled once per node, container
 * started, launcher booted, Ready at the next probe tick — and a Ready launcher wakes requesters the
 * DPC left waiting for one on that node.
 */
import type { Rng } from "../core/rng.js";
import { nextProbeTick, sampleStep } from "../actuation/profiles.js";
import { isoSeconds } from "./store.js";
import { klogLine } from "./evidence.js";
import { podKey } from "./pods.js";
import { createLauncherPod, type FmaEnv } from "./providers.js";

export class LauncherPopulator {
  /** The populator's own pod (its log holds "Created launcher pod"). */
  podName = "";

  constructor(
    private readonly env: FmaEnv,
    /** The populator's stream: every bring-up step of its launchers is drawn from it. */
    private readonly rng: Rng,
    /** Called when one of its launchers becomes Ready on `node`. */
    private readonly launcherReady: (node: string) => void,
  ) {}

  /**
   * Creates an unbound launcher on `node` now (or at virtual time `at`).
   * Returns the launcher's name once created (synchronously when `at` is now or omitted).
   */
  populate(node: string, at?: number): string | undefined {
    const { ctx } = this.env;
    let created: string | undefined;
    const doIt = () => { created = this.createLauncher(node); };
    if (at === undefined || at <= ctx.now) doIt();
    else ctx.queue.at(at, doIt);
    return created;
  }

  private createLauncher(node: string): string {
    const { ctx, client, hardware, runtime, nodes } = this.env;
    const ns = ctx.namespace;
    const prov = createLauncherPod(this.env, ns, node);
    const name = prov.name;
    const r = this.rng;
    const nodeState = nodes.find((n) => n.name === node)!;
    const scheduled = ctx.now + sampleStep(ctx.profile, "schedule", r);
    const pull = nodeState.images.has("launcher") ? 0 : sampleStep(ctx.profile, "imagePull", r);
    nodeState.images.add("launcher");
    const started = scheduled + pull + sampleStep(ctx.profile, "containerStart", r);
    const booted = started + sampleStep(ctx.profile, "launcherStart", r);
    const ready = nextProbeTick(ctx.profile.launcherProbe, started, booted);
    const k = podKey(ns, name);
    ctx.queue.at(scheduled, () => {
      const t = isoSeconds(ctx.toEpochMs(ctx.now));
      const p = client.patchPod(ns, name, (pp) => { (pp.status as Record<string, unknown>).conditions = [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: t }]; });
      if (p) ctx.event(p, "Normal", "Scheduled", `Successfully assigned ${ns}/${name} to ${node}`, "default-scheduler", true);
    });
    ctx.queue.at(started, () => { prov.containerStarted = ctx.now; runtime.markRunning(k, ctx.now, false); hardware.steps.processStarted(ns, name, "launcher"); });
    ctx.queue.at(ready, () => { if (prov.deleting) return; prov.ready = true; prov.readyAt = ctx.now; runtime.markReady(k, ctx.now); this.launcherReady(node); });
    hardware.appendLog(ctx.namespace, this.podName, ctx.now, klogLine(ctx.toEpochMs(ctx.now), "populator.go:301", "Created launcher pod", { node, launcherConfig: "default", pod: name }));
    return name;
  }
}
