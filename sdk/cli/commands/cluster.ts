/**
 * `actlab cluster serve`: the embedded FMA cluster as a Kubernetes API on loopback, with a
 * kubeconfig file for kubectl and client libraries. `actlab cluster profiles`: the latency profiles.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startCluster } from "../../cluster/start.js";
import { InputError } from "../../core/errors.js";
import { getProfile, listProfiles, wakeFloorMs } from "../../actuation/profiles.js";
import type { PlacementPolicy } from "../../cluster/types.js";
import { numberOption, parseCommandArgs, UsageError, type Command } from "../command.js";

/** The requester template `actlab bench --kubeconfig` needs against this cluster (shipped in the package). */
export const REQUESTER_TEMPLATE = fileURLToPath(new URL("../../../examples/requester.yaml", import.meta.url));

const serveUsage = `Usage: actlab cluster serve [options]

Serves a seeded simulation of a Kubernetes cluster running Fast Model Actuation on 127.0.0.1,
prints the path of the kubeconfig it wrote, and runs until SIGINT or --lifetime.
  --profile NAME          latency profile (default 8b-h100; see 'actlab cluster profiles')
  --seed N                random seed (default 1)
  --time-scale X          virtual ms per wall ms (default 1; 100 makes a 100 s cold start take 1 s)
  --lifetime SECONDS      stop after this many wall seconds (default: run until SIGINT)
  --port P                port (default: a free one)
  --host ADDR             bind address (default 127.0.0.1; give another only on purpose)
  --token-file F          the bearer token clients must send, read from file F (or $ACTLAB_CLUSTER_TOKEN;
                          default: a random one); it is written only into the 0600 kubeconfig
  --insecure              serve without a token (anyone on this machine may change the cluster)
  --kubeconfig PATH       where to write the kubeconfig (default: a temporary file)
  --nodes N               nodes (default 2)
  --gpus-per-node N       GPUs per node (default 8)
  --launchers-per-node N  launchers the populator creates per node at start (default 0)
  --placement P           pack | spread | random (default pack)
  --sleeper-limit N       sleeping instances per GPU (default 2)
  --max-instances N       LauncherConfig maxInstances (default 4)`;

const serve: Command = {
  name: "cluster serve",
  summary: "serve the embedded FMA cluster as a Kubernetes API on loopback (kubectl works)",
  usage: serveUsage,
  async run(argv) {
    const { values } = parseCommandArgs(argv, {
      profile: { type: "string" }, seed: { type: "string" }, "time-scale": { type: "string" }, lifetime: { type: "string" },
      port: { type: "string" }, host: { type: "string" }, token: { type: "string" }, "token-file": { type: "string" }, insecure: { type: "boolean" }, kubeconfig: { type: "string" },
      nodes: { type: "string" }, "gpus-per-node": { type: "string" }, "launchers-per-node": { type: "string" },
      placement: { type: "string" }, "sleeper-limit": { type: "string" }, "max-instances": { type: "string" },
    }, false);
    const profile = values.profile ?? "8b-h100";
    if (!listProfiles().includes(profile)) throw new UsageError(`--profile expects one of ${listProfiles().join(", ")}, got '${profile}'`);
    const placement = (values.placement ?? "pack") as PlacementPolicy;
    if (!["pack", "spread", "random"].includes(placement)) throw new UsageError(`--placement expects pack, spread or random, got '${values.placement}'`);
    const lifetime = values.lifetime === undefined ? undefined : numberOption(values.lifetime, "lifetime", 0, 0.01, 7 * 86_400);
    const host = values.host ?? "127.0.0.1";
    // A token on the command line shows in `ps` to every user: only from a file or the environment.
    if (values.token !== undefined) throw new UsageError("--token on the command line is visible to every user in 'ps': put it in a file (--token-file F) or $ACTLAB_CLUSTER_TOKEN");
    let token: string | undefined = process.env.ACTLAB_CLUSTER_TOKEN || undefined;
    if (values["token-file"] !== undefined) {
      try {
        token = readFileSync(values["token-file"], "utf8").trim();
      } catch (err) {
        throw new InputError({ source: values["token-file"] }, `a readable token file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      if (token === "") throw new InputError({ source: values["token-file"] }, "a non-empty token");
    }
    if (values.insecure && token !== undefined) throw new UsageError("--insecure serves without a token, but a token was given (--token-file or $ACTLAB_CLUSTER_TOKEN)");
    const c = await startCluster({
      profile, placement, host,
      seed: numberOption(values.seed, "seed", 1),
      timeScale: numberOption(values["time-scale"], "time-scale", 1, 1e-3, 1e7),
      port: numberOption(values.port, "port", 0, 0, 65535),
      nodes: numberOption(values.nodes, "nodes", 2, 1, 1000),
      gpusPerNode: numberOption(values["gpus-per-node"], "gpus-per-node", 8, 1, 64),
      launchersPerNode: numberOption(values["launchers-per-node"], "launchers-per-node", 0, 0, 64),
      sleeperLimit: numberOption(values["sleeper-limit"], "sleeper-limit", 2, 0, 64),
      maxInstances: numberOption(values["max-instances"], "max-instances", 4, 1, 64),
      ...(token !== undefined ? { token } : {}),
      ...(values.insecure ? { insecure: true } : {}),
      ...(values.kubeconfig !== undefined ? { kubeconfigPath: values.kubeconfig } : {}),
    });
    // Binding off loopback: startCluster itself warns on standard error.
    process.stdout.write(`kubeconfig: ${c.kubeconfigPath}\nserver: ${c.url}\n`);
    process.stdout.write(`profile ${profile} · seed ${values.seed ?? 1} · time scale ${values["time-scale"] ?? 1} · ${values.nodes ?? 2} nodes × ${values["gpus-per-node"] ?? 8} GPUs\n`);
    // client-go sends no bearer token over plain HTTP, so kubectl needs a server started with --insecure.
    process.stdout.write(c.token === undefined ? `try: kubectl --kubeconfig ${c.kubeconfigPath} get pods\n` : `clients: @kubernetes/client-node with this kubeconfig (kubectl sends no token over plain HTTP: serve with --insecure to use kubectl)\n`);
    // bench scales a requester it creates from a template; a real cluster has no default one (issue 16 item 7).
    process.stdout.write(`bench: actlab bench --kubeconfig ${c.kubeconfigPath} --yaml ${REQUESTER_TEMPLATE}\n`);
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      process.once("SIGINT", done);
      process.once("SIGTERM", done);
      if (lifetime !== undefined) setTimeout(done, lifetime * 1000).unref();
    });
    await c.stop();
    const acts = c.model.actuations();
    process.stdout.write(`stopped after ${acts.length} actuation(s): ${["hot", "warm", "cold_launcher", "cold"].map((p) => `${p} ${acts.filter((a) => a.path === p).length}`).join(", ")}\n`);
    return 0;
  },
};

const profiles: Command = {
  name: "cluster profiles",
  summary: "list the embedded cluster's latency profiles",
  usage: "Usage: actlab cluster profiles\n\nLists each latency profile: model, weight bytes, wake floor, and its assumptions.",
  async run(argv) {
    parseCommandArgs(argv, {}, false);
    for (const name of listProfiles()) {
      const p = getProfile(name);
      process.stdout.write(`${name}: ${p.description}\n  model ${p.model.name} · ${(p.model.weightBytes / 1e9).toFixed(1)} GB weights · TP${p.model.tensorParallel} · wake floor ${(wakeFloorMs(p) / 1000).toFixed(2)} s\n  assumptions: ${[...p.assumptions, ...Object.entries(p.steps).filter(([, s]) => s.assumption).map(([k]) => `steps.${k}`)].join(", ")}\n`);
    }
    return 0;
  },
};

export const commands: Command[] = [serve, profiles];
