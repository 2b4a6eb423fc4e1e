/**
 * The shape of an `actlab` subcommand, and argument parsing with usage errors. Each subcommand is
 * one file in `sdk/cli/commands/` exporting `command`; `main.ts` finds them by listing the folder.
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
    return parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
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
