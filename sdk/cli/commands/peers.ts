/** `actlab peers install|status`: the peer projects (Dynamo, inference-perf, BLIS) in the cache. */
import { peersDir, peersInstall, peersStatus, type PeerComponent } from "../../peers/install.js";
import { parseCommandArgs, UsageError, type Command } from "../command.js";

const usage = `Usage: actlab peers install [--force] | actlab peers status [--json]

install  pinned ai-dynamo (PyPI, venv on Python 3.10), inference-perf (PyPI, venv on Python 3.12) and
         BLIS (go install) into \${ACTLAB_CACHE:-~/.cache/actuation-lab}/peers/<versions>; a stamp
         makes a second run a no-op (--force reinstalls). A registry's refusal is printed verbatim.
status   what is installed (reads the stamp only)`;

const line = (name: string, c: PeerComponent) =>
  c.installed ? `  ${name.padEnd(15)} ${c.version.padEnd(8)} ${c.path}` : `  ${name.padEnd(15)} ${c.version.padEnd(8)} NOT installed: ${(c.error ?? "").split("\n").join("\n" + " ".repeat(27))}`;

export const command: Command = {
  name: "peers",
  summary: "install / show the peer projects run side by side (Dynamo planner+replay, inference-perf, BLIS)",
  usage,
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, { force: { type: "boolean" }, json: { type: "boolean" } });
    const sub = positionals[0];
    if (positionals.length !== 1 || (sub !== "install" && sub !== "status")) throw new UsageError("expected 'install' or 'status'");
    const s = sub === "install" ? peersInstall({ force: values.force ?? false, log: (l) => process.stderr.write(l + "\n") }) : peersStatus();
    if (!s) {
      process.stdout.write(`no peers installed in ${peersDir()}; run: node bin/actlab.js peers install\n`);
      return 1;
    }
    if (values.json) process.stdout.write(JSON.stringify(s, null, 2) + "\n");
    else
      process.stdout.write(
        [`peers in ${s.dir} (installed ${s.installedAt}, ${s.wallSeconds} s)`, line("ai-dynamo", s.dynamo), line("planner core", s.plannerCore), line("inference-perf", s.inferencePerf), line("BLIS", s.blis)].join("\n") + "\n",
      );
    return s.dynamo.installed ? 0 : 1;
  },
};
