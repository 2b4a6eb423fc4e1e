/**
 * The shape of an `actlab` subcommand, and argument parsing with usage errors. Each subcommand is
 * one file in `sdk/cli/commands/` exporting `command` (or `commands`); `main.ts` lists them lazily:
 * a file named in its registry is imported only when its command runs (or prints its `--help`),
 * any other file in the folder is imported when the command list is built.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

export interface Command {
  /** The word after `actlab` (a space-separated pair for nested ones, e.g. `cluster serve`). */
  name: string;
  /** One line for `actlab --help`. */
  summary: string;
  /** The full `--help` text. */
  usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** A registry entry: what `actlab --help` prints, and how to load the command when it runs. */
export interface LazyCommand {
  name: string;
  summary: string;
  /** Imports the command's file (a dynamic import, so `--help` loads none of them). */
  load(): Promise<Command>;
}

/** A registry entry for command `name` in a file that exports `command` or `commands`. */
export function lazyCommand(name: string, summary: string, importer: () => Promise<{ command?: Command; commands?: Command[] }>): LazyCommand {
  return {
    name,
    summary,
    async load() {
      const mod = await importer();
      const found = [mod.command, ...(mod.commands ?? [])].find((c) => c?.name === name);
      if (!found) throw new Error(`actlab: the registry names '${name}' but its file does not export it`);
      return found;
    },
  };
}

/** A mistake in how a command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** node:util parseArgs with strict checking, `--help` built in, and errors as UsageError. */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: joinNegativeValues(argv, options), options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(argsMessage(err as Error & { code?: string }, Object.keys(options)));
  }
}

/** Edit distance, for "did you mean" on a mistyped option. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * parseArgs' errors in this CLI's one-line style (its own text for an unknown option is a
 * paragraph about positionals after '--'), with the closest option name when one is near.
 */
function argsMessage(err: Error & { code?: string }, names: readonly string[]): string {
  const quoted = /'([^']+)'/.exec(err.message)?.[1] ?? "";
  if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const given = quoted.replace(/^-+/, "");
    const near = names.map((n) => ({ n, d: distance(given, n) })).filter((x) => x.d <= Math.max(1, Math.floor(given.length / 3))).sort((a, b) => a.d - b.d)[0];
    return `unknown option ${quoted}${near ? `; did you mean --${near.n}?` : ""} (the options are listed below)`;
  }
  if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const flag = quoted.split(" ")[0]!;
    return /argument missing/.test(err.message) ? `${flag} expects a value` : `${flag} takes no value (it is a switch)`;
  }
  if (err.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `unexpected argument '${quoted}' (this command takes none)`;
  return err.message;
}

/**
 * `--speedup -2` → `--speedup=-2`: parseArgs refuses a value that starts with a dash as ambiguous;
 * joining a negative number to its string option lets the option's own check name the range.
 */
function joinNegativeValues(argv: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    const name = a.startsWith("--") && !a.includes("=") ? a.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === "string" && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** A number option: parsed, checked finite and within bounds, or a UsageError naming the flag. */
export function numberOption(value: string | undefined, flag: string, fallback: number, min = -Infinity, max = Infinity): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${flag} expects a number${min > -Infinity ? ` ≥ ${min}` : ""}${max < Infinity ? ` and ≤ ${max}` : ""}, got '${value}'`);
  }
  return n;
}
