/**
 * Installs the peer projects (Dynamo's planner/replay, inference-perf, BLIS) from their own
 * registries into a version-keyed cache outside the work tree, and reports what is installed.
 * Nothing is vendored: pip into a venv, `go install` into a bin folder. A stamp file makes a
 * second install a no-op; a registry's refusal is recorded verbatim in the stamp, not thrown.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../core/rows.js";

/** The pinned versions; changing one changes the cache key, so the next install builds afresh. */
export const PEER_VERSIONS = {
  /** dynamo.replay (the Rust mocker) for the replay differential. */
  aiDynamo: "1.6.1",
  /**
   * The planner differential's peer: the newest ai-dynamo whose planner core is the pure-Python one
   * the SDK models (sklearn regressions, find_best_engine_*_rps, PR #8280's balance bound, PR
   * #8314's KV hit-rate discount). 1.3.x on replaced it with a Rust perf model (dynamo.mocker), 1.5+
   * with AIC/aisimulate; 1.1.x predates #8280/#8314. 1.2.0.post1 and 1.2.1 have the same core.
   */
  aiDynamoPlanner: "1.2.1",
  /** The planner core imports these at module top; ai-dynamo does not declare them. */
  scikitLearn: "1.7.2",
  pandas: "2.3.3",
  pmdarima: "2.1.1",
  filterpy: "2.0.0",
  prophet: "1.5.0",
  /** 1.2.1's planner-in-the-loop replay (dynamo.planner.offline) imports these too, undeclared. */
  plotly: "6.3.0",
  prometheusApiClient: "0.6.0",
  inferencePerf: "0.7.0",
  /** BLIS (github.com/inference-sim/inference-sim); "latest" until the proxy lists a version. */
  blis: "latest",
  /**
   * ai-dynamo 1.6.1 on Python 3.11–3.13 requires aisimulate==0.13.0, whose PyPI release is a stub
   * that downloads the real wheel from pypi.nvidia.com (not a registry we may use); on 3.10 the
   * marker drops it (it is only the optional AIC perf model). inference-perf 0.7.0 requires ≥ 3.12.
   */
  dynamoPython: "3.10",
  inferencePerfPython: "3.12",
} as const;

export const BLIS_MODULE = "github.com/inference-sim/inference-sim";

/** One peer's outcome: installed, or the registry's/tool's exact answer. */
export interface PeerComponent {
  installed: boolean;
  version: string;
  /** The executable to run (venv python, BLIS binary). */
  path?: string;
  /** Trimmed stderr/stdout tail of a failed step, verbatim. */
  error?: string;
}

export interface PeersStamp {
  key: string;
  /** The pins this install used; a stamp with other pins (or none) is installed again. */
  pins?: typeof PEER_VERSIONS;
  dir: string;
  python: { dynamo: string; inferencePerf: string };
  installedAt: string;
  wallSeconds: number;
  dynamo: PeerComponent;
  /** ai-dynamo==aiDynamoPlanner's dynamo.planner.core.state_machine, in its own venv. */
  plannerCore: PeerComponent;
  inferencePerf: PeerComponent;
  blis: PeerComponent;
}

/** `${ACTLAB_CACHE:-~/.cache/actuation-lab}/peers/<key>`. */
export function peersDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.ACTLAB_CACHE ?? join(homedir(), ".cache", "actuation-lab");
  const v = PEER_VERSIONS;
  return join(root, "peers", `dynamo${v.aiDynamo}-planner${v.aiDynamoPlanner}-py${v.dynamoPython}-ip${v.inferencePerf}-py${v.inferencePerfPython}-blis${v.blis}`);
}

const stampPath = (dir: string) => join(dir, "stamp.json");

/** What is installed (reads the stamp only; never touches the network). */
export function peersStatus(env: NodeJS.ProcessEnv = process.env): PeersStamp | undefined {
  const p = stampPath(peersDir(env));
  if (!existsSync(p)) return undefined;
  return JSON.parse(readFileSync(p, "utf8")) as PeersStamp;
}

/** A component's path when the stamp says it installed and the file is still there. */
function installedPath(c: PeerComponent | undefined): string | undefined {
  return c?.installed && c.path && existsSync(c.path) ? c.path : undefined;
}

/** The planner venv's python when the Dynamo planner core imports, else undefined (tests then SKIP). */
export function dynamoPython(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return installedPath(peersStatus(env)?.plannerCore);
}

/** The ai-dynamo (replay) venv's python when dynamo.replay imports, else undefined. */
export function dynamoReplayPython(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return installedPath(peersStatus(env)?.dynamo);
}

/** The inference-perf venv's python when inference_perf imports, else undefined. */
export function inferencePerfPython(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return installedPath(peersStatus(env)?.inferencePerf);
}

/** The first Python of minor version `want` found: $ACTLAB_PEERS_PYTHON<MINOR>, pythonX.Y on PATH, pyenv versions. */
export function findPython(want: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates: string[] = [];
  const override = env[`ACTLAB_PEERS_PYTHON${want.replace(".", "")}`];
  if (override) candidates.push(override);
  candidates.push(`python${want}`);
  const pyenv = join(env.PYENV_ROOT ?? join(homedir(), ".pyenv"), "versions");
  if (existsSync(pyenv)) {
    for (const d of readdirSync(pyenv).filter((d) => d.startsWith(`${want}.`)).sort()) candidates.push(join(pyenv, d, "bin", "python3"));
  }
  candidates.push("python3");
  for (const c of candidates) {
    const r = spawnSync(c, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim() === want) return c;
  }
  return undefined;
}

/** A venv made with `python` at `venv`, then `pip install spec`, then `python -c check`. */
function pipInstall(python: string | undefined, want: string, venv: string, spec: string[], version: string, check: string, log: (l: string) => void): PeerComponent {
  if (!python) return { installed: false, version, error: `no Python ${want} found (pyenv, python${want} on PATH, or set ACTLAB_PEERS_PYTHON${want.replace(".", "")})` };
  const vpy = join(venv, "bin", "python");
  log(`venv ${venv} (${python}); pip install ${spec.join(" ")}`);
  const mk = existsSync(vpy) ? { ok: true, out: "" } : run(python, ["-m", "venv", venv]);
  if (!mk.ok) return { installed: false, version, error: mk.out };
  const p = run(vpy, ["-m", "pip", "install", "-q", "--disable-pip-version-check", ...spec]);
  if (!p.ok) return { installed: false, version, error: p.out };
  const c = run(vpy, ["-c", check]);
  return c.ok ? { installed: true, version, path: vpy } : { installed: false, version, error: c.out };
}

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: env ?? process.env, maxBuffer: 64 << 20 });
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`.trim();
  return { ok: r.status === 0, out: out.split("\n").slice(-12).join("\n") };
}

/** Installs everything missing; returns the stamp. A no-op when the stamp already exists. */
export function peersInstall(opts: { env?: NodeJS.ProcessEnv; log?: (line: string) => void; force?: boolean } = {}): PeersStamp {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  const dir = peersDir(env);
  const existing = peersStatus(env);
  // A pin added to PEER_VERSIONS (an undeclared import found later) must reach machines whose
  // cache predates it; pip keeps what is already satisfied, so a re-install costs little.
  const samePins = JSON.stringify(existing?.pins) === JSON.stringify(PEER_VERSIONS);
  if (existing && samePins && !opts.force) {
    log(`peers already installed in ${dir} (stamp ${existing.installedAt}); nothing to do`);
    return existing;
  }
  if (existing && !samePins) log(`the pinned peer versions changed since ${existing.installedAt}; installing again`);
  const t0 = Date.now();
  mkdirSync(dir, { recursive: true });
  const v = PEER_VERSIONS;
  const python = { dynamo: findPython(v.dynamoPython, env) ?? "", inferencePerf: findPython(v.inferencePerfPython, env) ?? "" };
  const dynamo = pipInstall(python.dynamo || undefined, v.dynamoPython, join(dir, "venv-dynamo"), [`ai-dynamo==${v.aiDynamo}`, `scikit-learn==${v.scikitLearn}`], v.aiDynamo, "import dynamo.replay", log);
  // The planner core of 1.6.1 imports aisimulate_core (only NVIDIA's own index serves it) and is a
  // different design; the differential runs against the pinned pure-Python core in its own venv.
  const plannerSpec = [`ai-dynamo==${v.aiDynamoPlanner}`, `scikit-learn==${v.scikitLearn}`, `pandas==${v.pandas}`, `pmdarima==${v.pmdarima}`, `filterpy==${v.filterpy}`, `prophet==${v.prophet}`, `plotly==${v.plotly}`, `prometheus-api-client==${v.prometheusApiClient}`];
  const plannerCore = pipInstall(python.dynamo || undefined, v.dynamoPython, join(dir, "venv-dynamo-planner"), plannerSpec, v.aiDynamoPlanner, "import dynamo.planner.core.state_machine", log);
  const inferencePerf = pipInstall(python.inferencePerf || undefined, v.inferencePerfPython, join(dir, "venv-inference-perf"), [`inference-perf==${v.inferencePerf}`], v.inferencePerf, "import inference_perf", log);
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  log(`go install ${BLIS_MODULE}@${v.blis}`);
  const g = run("go", ["install", `${BLIS_MODULE}@${v.blis}`], { ...env, GOBIN: bin });
  const blisBin = existsSync(bin) ? readdirSync(bin)[0] : undefined;
  const blis: PeerComponent = g.ok && blisBin ? { installed: true, version: v.blis, path: join(bin, blisBin) } : { installed: false, version: v.blis, error: g.out };
  const stamp: PeersStamp = {
    key: dir.split("/").pop()!,
    pins: PEER_VERSIONS,
    dir,
    python,
    installedAt: new Date().toISOString(),
    wallSeconds: Math.round((Date.now() - t0) / 100) / 10,
    dynamo,
    plannerCore,
    inferencePerf,
    blis,
  };
  // Only complete Dynamo installs are stamped; otherwise the next run retries.
  if (dynamo.installed && plannerCore.installed) writeFileAtomic(stampPath(dir), JSON.stringify(stamp, null, 2) + "\n");
  return stamp;
}
