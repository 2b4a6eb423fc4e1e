/** `actlab`: dispatches to the subcommands found in ./commands/. */
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";
import { InputError } from "../core/errors.js";
import { UsageError, type Command } from "./command.js";

const here = fileURLToPath(new URL(".", import.meta.url));

export async function loadCommands(): Promise<Command[]> {
  const dir = join(here, "commands");
  const files = readdirSync(dir).filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts")).sort();
  const commands: Command[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { command?: Command; commands?: Command[] };
    if (mod.command) commands.push(mod.command);
    if (mod.commands) commands.push(...mod.commands);
  }
  return commands.sort((a, b) => a.name.localeCompare(b.name));
}

function topHelp(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  return [
    "actlab — actuation-lab: how LLM model servers on Kubernetes start, wake, scale and serve",
    "",
    "Usage: actlab <command> [options]      actlab <command> --help",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
  ].join("\n");
}

export async function run(argv: string[]): Promise<number> {
  const commands = await loadCommands();
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    process.stdout.write(topHelp(commands));
    return argv.length === 0 ? 2 : 0;
  }
  // Longest match first, so `cluster serve` wins over a hypothetical `cluster`.
  const byLength = [...commands].sort((a, b) => b.name.split(" ").length - a.name.split(" ").length);
  const cmd = byLength.find((c) => c.name.split(" ").every((w, i) => argv[i] === w));
  if (!cmd) {
    const group = commands.filter((c) => c.name.split(" ")[0] === argv[0]);
    process.stderr.write(
      group.length > 0
        ? `actlab ${argv[0]}: expected one of: ${group.map((c) => c.name).join(", ")}\n`
        : `actlab: unknown command '${argv[0]}'. Run 'actlab --help' for the list.\n`,
    );
    return 2;
  }
  const rest = argv.slice(cmd.name.split(" ").length);
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(cmd.usage.endsWith("\n") ? cmd.usage : cmd.usage + "\n");
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`actlab ${cmd.name}: ${err.message}\n\n${cmd.usage}\n`);
      return 2;
    }
    if (err instanceof InputError) {
      process.stderr.write(`actlab ${cmd.name}: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`actlab ${cmd.name}: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
