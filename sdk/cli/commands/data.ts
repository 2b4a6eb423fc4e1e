/**
 * `actlab data list` and `actlab data fetch NAME`: the public traces the project knows — which are
 * bundled, which are present, where the others come from, their licences — and fetching one
 * (resumable download or a file already on disk, progress bar, sha256 check).
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createGunzip } from "node:zlib";
import { InputError } from "../../core/errors.js";
import { BUNDLED_DATASETS } from "../../core/paths.js";
import { CATALOG, datasetEntry, type DatasetEntry } from "./data-catalog.js";
import { copyIn, download, settle } from "./data-fetch.js";
import { parseCommandArgs, UsageError, type Command } from "../command.js";

/** Where `data fetch` puts files unless --dir says otherwise (git-ignored). */
export const FETCHED_DATASETS = "datasets/traces/fetched";

const listUsage = `Usage: actlab data list [--verify] [--dir DIR]

The public traces actlab knows: bundled (in ${BUNDLED_DATASETS}/), present (fetched into DIR,
default ${FETCHED_DATASETS}/) or absent, with licence, attribution and source.
  --verify   check the sha256 of every present file (bundled: of the uncompressed bytes)`;

const fetchUsage = `Usage: actlab data fetch NAME [--url URL | --from FILE] [--sha256 HEX] [--dir DIR] [--quiet]

Fetches one trace of 'actlab data list' into DIR (default ${FETCHED_DATASETS}/, git-ignored):
downloads it from its source (or --url, e.g. a mirror), resuming an interrupted download, or copies
a file already on disk (--from FILE), shows progress, and checks its sha256 before it takes its
name (NAME.sha256 is written beside it). The larger traces' checksums are not pinned by the
catalogue: pass --sha256 to check one, else the command prints what it got.
  --url URL     download from URL instead of the catalogue's source
  --from FILE   use a file already on disk (no network)
  --sha256 HEX  expected sha256 (64 hex digits)
  --dir DIR     destination folder (default ${FETCHED_DATASETS})
  --quiet       no progress bar`;

async function sha256Of(path: string, gz: boolean): Promise<string> {
  const h = createHash("sha256");
  const stream = gz ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  for await (const chunk of stream) h.update(chunk as Buffer);
  return h.digest("hex");
}

// The bundled folder: under the working folder (a clone), else inside the installed package.
const bundledDir = existsSync(BUNDLED_DATASETS) ? BUNDLED_DATASETS : fileURLToPath(new URL(`../../../${BUNDLED_DATASETS}`, import.meta.url));

function where(e: DatasetEntry, dir: string): string {
  return e.bundled ? join(bundledDir, e.file) : join(dir, e.file);
}

function unknownName(name: string): UsageError {
  return new UsageError(`NAME expects one of ${CATALOG.map((e) => e.name).join(", ")}, got '${name}'`);
}

export const commands: Command[] = [
  {
    name: "data list",
    summary: "the public traces: bundled, fetched or absent, with licences and sources",
    usage: listUsage,
    async run(argv) {
      const { values } = parseCommandArgs(argv, { verify: { type: "boolean" }, dir: { type: "string" } }, false);
      const dir = values.dir ?? FETCHED_DATASETS;
      let bad = 0;
      for (const e of CATALOG) {
        const path = where(e, dir);
        const present = existsSync(path);
        let status = e.bundled ? (present ? "bundled" : "bundled, MISSING") : present ? "present" : "absent";
        if (values.verify && present && e.sha256) {
          const got = await sha256Of(path, path.endsWith(".gz"));
          if (got === e.sha256) status += ", sha256 ok";
          else { status += `, sha256 MISMATCH (got ${got})`; bad++; }
        }
        process.stdout.write(`${e.name.padEnd(22)} ${status.padEnd(18)} ${e.license.padEnd(10)} ${e.title}\n`);
        process.stdout.write(`${"".padEnd(22)} ${present || e.bundled ? path : `fetch: actlab data fetch ${e.name}${e.url ? "" : " --from FILE"}`} · ${e.attribution}${e.url && !e.bundled ? ` · ${e.url}` : ""}\n`);
      }
      if (bad > 0) throw new InputError({ source: "actlab data list --verify" }, `every present file to match its pinned sha256 (${bad} did not)`);
      return 0;
    },
  },
  {
    name: "data fetch",
    summary: "fetch a public trace (resumable download or a local file), checked by sha256",
    usage: fetchUsage,
    async run(argv) {
      const { values, positionals } = parseCommandArgs(argv, {
        url: { type: "string" }, from: { type: "string" }, sha256: { type: "string" }, dir: { type: "string" }, quiet: { type: "boolean" },
      });
      if (positionals.length !== 1) throw new UsageError(`expected one NAME (see actlab data list), got ${positionals.length}`);
      const e = datasetEntry(positionals[0]!);
      if (!e) throw unknownName(positionals[0]!);
      if (values.url && values.from) throw new UsageError("give --url or --from, not both");
      if (values.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(values.sha256)) throw new UsageError(`--sha256 expects 64 hex digits, got '${values.sha256}'`);
      if (e.bundled && !values.url && !values.from) {
        process.stdout.write(`${e.name} is bundled: ${where(e, "")} (nothing to fetch)\n`);
        return 0;
      }
      const expected = values.sha256 ?? e.sha256;
      const dest = join(values.dir ?? FETCHED_DATASETS, e.file.replace(/\.gz$/, ""));
      if (existsSync(dest) && !e.bundled) {
        const done = await settleExisting(dest, expected);
        process.stdout.write(`${e.name}: already present at ${dest} (sha256 ${done}${expected ? ", as expected" : ""})\n`);
        return 0;
      }
      const url = values.url ?? e.url;
      if (!values.from && !url) throw new UsageError(`${e.name} has no single-file download (${e.title}); fetch it by hand and give it with --from FILE`);
      const source = values.from ?? url!;
      const got = values.from ? copyIn(values.from, dest) : await download(url!, dest, { progress: values.quiet ? "silent" : undefined });
      const done = await settle(got, dest, expected, source);
      process.stdout.write(`${e.name}: ${dest} (${done.bytes} bytes${done.resumedFrom ? `, resumed from byte ${done.resumedFrom}` : ""}); sha256 ${done.sha256}${expected ? " as expected" : " (not pinned: compare it with the publisher's, or pass --sha256 next time)"}\n`);
      process.stdout.write(`licence ${e.license}; attribution: ${e.attribution}\n`);
      return 0;
    },
  },
];

async function settleExisting(dest: string, expected: string | null): Promise<string> {
  const got = await sha256Of(dest, false);
  if (expected && got !== expected.toLowerCase()) throw new InputError({ source: dest }, `sha256 ${expected}, got ${got} (delete the file to fetch it again)`);
  return got;
}
