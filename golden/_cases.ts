/**
 * The golden cases on disk: `NAME.dump` with `NAME.sha256` (and optional `NAME.args`,
 * `NAME.digest`) in `golden/`, and rejected inputs `NAME.dump` + `NAME.stderr` in `golden/fail/`.
 *
 * `NAME.args` holds one option per line: `--min-version=N`, `--max-version=N`, or `strict`
 * (the C tool run with `CFS_PARSE_STRICT=1`). Empty lines and `#` comments are ignored.
 *
 * @module
 */

import type { BuildOptions } from "../mod.ts";

/** The golden folder (this file's folder). */
export const GOLDEN_DIR: URL = new URL("./", import.meta.url);
/** The folder of dumps the C tool rejects. */
export const FAIL_DIR: URL = new URL("./fail/", import.meta.url);

/** Options of one case, both as C arguments and as {@link BuildOptions}. */
export interface CaseOptions {
  /** Extra `mkcomposefs` arguments, e.g. `--min-version=1`. */
  cliArgs: string[];
  /** Run with `CFS_PARSE_STRICT=1`. */
  strict: boolean;
  /** The same, for `buildImageFromDump`. */
  build: BuildOptions;
}

/** One golden case as found on disk. */
export interface GoldenCase {
  /** File name without `.dump`. */
  name: string;
  /** The folder holding the case's files. */
  dir: URL;
  /** The parsed `NAME.args` (no options when absent). */
  options: CaseOptions;
}

/** Parses the text of a `NAME.args` file; throws on an unknown line. */
export function parseArgsFile(text: string): CaseOptions {
  const out: CaseOptions = { cliArgs: [], strict: false, build: {} };
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line === "strict") {
      out.strict = true;
      out.build.strict = true;
      continue;
    }
    const m = /^--(min|max)-version=(\d+)$/.exec(line);
    if (!m) throw new Error(`Cannot read the args file: unknown line "${line}"`);
    out.cliArgs.push(line);
    if (m[1] === "min") out.build.minVersion = Number(m[2]);
    else out.build.maxVersion = Number(m[2]);
  }
  return out;
}

function readOptional(url: URL): string | undefined {
  try {
    return Deno.readTextFileSync(url);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** Lists the cases (`*.dump`) in `dir`, sorted by name. */
export function listCases(dir: URL): GoldenCase[] {
  const names: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    if (entry.isFile && entry.name.endsWith(".dump")) names.push(entry.name.slice(0, -5));
  }
  names.sort();
  return names.map((name) => {
    const args = readOptional(new URL(`${name}.args`, dir));
    return { name, dir, options: parseArgsFile(args ?? "") };
  });
}

/** Reads `NAME.EXT` of a case; `undefined` when the file is absent. */
export function readCaseFile(c: GoldenCase, ext: string): string | undefined {
  return readOptional(new URL(`${c.name}.${ext}`, c.dir));
}

/** Reads the dump bytes of a case. */
export function readCaseDump(c: GoldenCase): Uint8Array {
  return Deno.readFileSync(new URL(`${c.name}.dump`, c.dir));
}
