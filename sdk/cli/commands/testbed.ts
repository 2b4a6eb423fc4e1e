/**
 * `actlab testbed install`: build the real control plane (kube-apiserver, controller manager,
 * scheduler, kubectl, etcd) into the version-keyed cache. `actlab testbed up`: run it on 127.0.0.1
 * with simulated GPU nodes until SIGINT/SIGTERM or --lifetime.
 */
import { installTestbed } from "../../testbed/install.js";
import { startTestbed } from "../../testbed/start.js";
import { listProfiles } from "../../actuation/profiles.js";
import { ETCD_VERSION, KUBERNETES_VERSION, testbedCacheDir } from "../../testbed/versions.js";
import { numberOption, parseCommandArgs, UsageError, type Command } from "../command.js";

const install: Command = {
  name: "testbed install",
  summary: "build the real Kubernetes control plane and etcd from the Go module proxy (cached)",
  usage: `Usage: actlab testbed install

Builds kube-apiserver, kube-controller-manager, kube-scheduler and kubectl from k8s.io/kubernetes
${KUBERNETES_VERSION} and etcd ${ETCD_VERSION} (go.etcd.io/etcd/server/v3) with the Go toolchain into
  ${testbedCacheDir()}/bin
(\$ACTLAB_CACHE moves the cache). A second run checks the stamp and builds nothing.`,
  async run(argv) {
    parseCommandArgs(argv, {}, false);
    const r = await installTestbed({ log: (l) => process.stdout.write(`${l}\n`) });
    process.stdout.write(r.built ? `built in ${r.stamp.build_seconds} s\n` : "already installed (stamp and checksums match); nothing built\n");
    for (const [b, v] of Object.entries(r.stamp.binaries)) process.stdout.write(`${b}: ${r.dir}/bin/${b} (${(v.bytes / 1e6).toFixed(0)} MB)\n`);
    return 0;
  },
};

const up: Command = {
  name: "testbed up",
  summary: "run the real control plane on 127.0.0.1 with simulated GPU nodes (kubectl works)",
  usage: `Usage: actlab testbed up [options]

Starts etcd, kube-apiserver, kube-controller-manager and kube-scheduler (built by 'actlab testbed
install') on 127.0.0.1 with locally generated certificates, and a node agent playing N GPU nodes;
prints 'kubeconfig: PATH' and 'kubectl: PATH', runs until SIGINT/SIGTERM or --lifetime, then stops
every process it started. Each pod gets its own 127.x.y.z; pods of the FMA launcher, requester and
vLLM images serve those components' HTTP contracts there (launcher REST API on 8001, vLLM
sleep/wake_up/is_sleeping/metrics, the requester SPI), backed by the simulated hardware.
  --nodes N            simulated nodes (default 2)
  --gpus-per-node N    GPUs per node (default 8)
  --gpu-product NAME   nvidia.com/gpu.product label (default NVIDIA-H100-80GB-HBM3)
  --gpu-memory MIB     nvidia.com/gpu.memory label (default 81559)
  --profile NAME       latency profile for container start delays (default 8b-h100)
  --seed N             random seed (default 1)
  --time-scale X       simulated ms per wall ms (default 1)
  --lifetime SECONDS   stop after this many wall seconds`,
  async run(argv) {
    const { values } = parseCommandArgs(argv, {
      nodes: { type: "string" }, "gpus-per-node": { type: "string" }, "gpu-product": { type: "string" }, "gpu-memory": { type: "string" },
      profile: { type: "string" }, seed: { type: "string" }, "time-scale": { type: "string" }, lifetime: { type: "string" },
    }, false);
    const profile = values.profile ?? "8b-h100";
    if (!listProfiles().includes(profile)) throw new UsageError(`--profile expects one of ${listProfiles().join(", ")}, got '${profile}'`);
    const lifetime = values.lifetime === undefined ? undefined : numberOption(values.lifetime, "lifetime", 0, 0.01, 7 * 86_400);
    const tb = await startTestbed({
      nodes: numberOption(values.nodes, "nodes", 2, 0, 250),
      gpusPerNode: numberOption(values["gpus-per-node"], "gpus-per-node", 8, 0, 64),
      gpuMemoryMiB: numberOption(values["gpu-memory"], "gpu-memory", 81559, 1),
      seed: numberOption(values.seed, "seed", 1),
      timeScale: numberOption(values["time-scale"], "time-scale", 1, 1e-3, 1e6),
      profile,
      ...(values["gpu-product"] !== undefined ? { gpuProduct: values["gpu-product"] } : {}),
      log: (l) => process.stderr.write(`${l}\n`),
    });
    process.stdout.write(`kubeconfig: ${tb.kubeconfigPath}\nkubectl: ${tb.kubectlPath}\n`);
    process.stdout.write(`server: ${tb.server}\n`);
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      process.once("SIGINT", done);
      process.once("SIGTERM", done);
      if (lifetime !== undefined) setTimeout(done, lifetime * 1000).unref();
      tb.exited.then(done, done);
    });
    await tb.stop();
    process.stdout.write("stopped\n");
    return 0;
  },
};

export const commands: Command[] = [install, up];
