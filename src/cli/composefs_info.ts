#!/usr/bin/env -S deno run --v8-flags=--max-semi-space-size=2 --no-prompt --allow-read
/**
 * `composefs-info [--basedir=PATH] [--filter=NAME]… [--json] COMMAND ARGS…`: the command line of
 * C composefs-info 1.0.8 (composefs-format.md §6.2), with its verbs, messages and exit codes.
 *
 * - `ls IMAGE…`, `dump IMAGE…`: the listing and the composefs-dump(5) text of each image, in
 *   turn; `--json` prints one JSON object per entry instead (see `info_output.ts`).
 * - `objects IMAGE…`: the distinct backing files of all images, sorted.
 * - `missing-objects [--basedir=DIR] IMAGE…`: those of them that `DIR/<payload>` does not
 *   resolve to (symlinks followed). `DIR` is one path, as in C: a `:` is part of it. Without
 *   `--basedir` C stats relative to fd 0, which is not a directory, so every object is listed.
 * - `measure-file FILE…`: the fs-verity digest of each file, computed in userspace with C's
 *   empty-file quirk (`cfc33910…` for an empty file). C asks the kernel first
 *   (`FS_IOC_MEASURE_VERITY`); for a file with fs-verity enabled both give the same digest.
 * - `--filter=NAME` (repeatable) keeps only those root entries, for every command.
 *
 * Needs only `--allow-read`.
 *
 * @module
 */
import { revokeAllBut } from "./permissions.ts";
import { toHex } from "../../spec/bytes/compare.ts";
import { printDump } from "../../spec/dump/print.ts";
import { EROFS_STRERROR, ErofsFormatError } from "../../spec/erofs/errors.ts";
import { readImage } from "../../spec/erofs/read.ts";
import { FsVerityHasher } from "../../spec/fsverity/merkle.ts";
import type { Node } from "../../spec/tree/node.ts";
import { nodeSha256 } from "../crypto/sha256.ts";
import { getoptLong, type LongOption } from "./args.ts";
import {
  collectObjects,
  printDumpJson,
  printLs,
  printLsJson,
  printObjects,
} from "./info_output.ts";
import { runMain, strerrorOf } from "./report.ts";

const PROGRAM = "composefs-info";
/** C prints `argv[0]` in getopt messages and the usage; we have no argv[0] of our own. */
const ARGV0 = "composefs-info";

const LONG_OPTIONS: readonly LongOption[] = [
  { name: "basedir", hasArg: true },
  { name: "filter", hasArg: true },
  { name: "json", hasArg: false },
];

/** Where the tool writes; tests pass their own. */
export interface InfoIo {
  stdout(bytes: Uint8Array): void;
  stderr(text: string): void;
}

const DENO_IO: InfoIo = {
  stdout: (bytes) => writeAll(Deno.stdout, bytes),
  stderr: (text) => writeAll(Deno.stderr, new TextEncoder().encode(text)),
};

function writeAll(w: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  for (let o = 0; o < bytes.length;) o += w.writeSync(bytes.subarray(o));
}

function usage(): string {
  return `usage: ${ARGV0} [--basedir=path] [ls|objects|dump|missing-objects|measure-file] IMAGES...\n`;
}

/** glibc getopt's own message for a bad option, as it prints it before C's `Def`. */
function getoptMessage(argv: readonly string[], kind: string, option: string): string {
  if (kind === "missing-value") return `${ARGV0}: option '--${option}' requires an argument\n`;
  if (kind === "short") return `${ARGV0}: invalid option -- '${option[1]}'\n`;
  // glibc quotes the whole argument, `=value` included.
  const arg = argv.find((a) => a === option || a.startsWith(`${option}=`)) ?? option;
  if (kind === "ambiguous") return `${ARGV0}: option '${arg}' is ambiguous\n`;
  return `${ARGV0}: unrecognized option '${arg}'\n`;
}

/**
 * Runs composefs-info with `argv` and returns the exit code; all output goes through `io`.
 */
export function composefsInfo(argv: readonly string[], io: InfoIo = DENO_IO): number {
  const enc = new TextEncoder();
  const r = getoptLong(argv, LONG_OPTIONS);
  let basedir: string | null = null;
  let json = false;
  const filters: Uint8Array[] = [];
  for (const { name, value } of r.options) {
    if (name === "basedir") basedir = value!;
    else if (name === "json") json = true;
    else if (name === "filter") {
      if (value!.includes("/")) {
        // C reports this with err() while errno is still 0.
        io.stderr(`${PROGRAM}: Filter must be a single name: ${value}: Success\n`);
        return 1;
      }
      filters.push(enc.encode(value!));
    }
  }
  if (r.error !== null) {
    io.stderr(getoptMessage(argv, r.error.kind, r.error.option));
    io.stdout(enc.encode("Def\n"));
    io.stderr(usage());
    return 1;
  }
  const [command, ...args] = r.positionals;
  if (command === undefined) {
    io.stderr("No command specified\n" + usage());
    return 1;
  }
  if (!["ls", "dump", "objects", "missing-objects", "measure-file"].includes(command)) {
    // C's errx format ends in "\n", and errx adds another.
    io.stderr(`${PROGRAM}: Unknown command '${command}'\n\n`);
    return 1;
  }
  if (json && command !== "ls" && command !== "dump") {
    io.stderr(`${PROGRAM}: --json is only available for ls and dump\n`);
    return 1;
  }
  if (command === "measure-file") return measureFiles(args, io);
  if (basedir !== null) {
    const why = openBasedirError(basedir);
    if (why !== null) {
      io.stderr(`${PROGRAM}: Can't open basedir \`${basedir}\`\n: ${why}\n`);
      return 1;
    }
  }
  if (args.length === 0) {
    io.stderr("No image path specified\n" + usage());
    return 1;
  }
  const objects = new Map<string, Uint8Array>();
  const readOptions = filters.length > 0 ? { filter: filters } : {};
  for (const path of args) {
    const root = loadImage(path, readOptions, io);
    if (root === null) return 1;
    if (command === "dump") io.stdout(json ? printDumpJson(root) : printDump(root));
    else if (command === "ls") io.stdout(json ? printLsJson(root) : printLs(root));
    else if (command === "objects") collectObjects(root, objects);
    else collectObjects(root, objects, (p) => objectExists(basedir, p));
  }
  if (command === "objects" || command === "missing-objects") io.stdout(printObjects(objects));
  return 0;
}

/** Why `open(basedir, O_DIRECTORY | O_PATH)` would fail, or null when it would succeed. */
function openBasedirError(basedir: string): string | null {
  if (basedir === "") return "No such file or directory";
  try {
    return Deno.statSync(basedir).isDirectory ? null : "Not a directory";
  } catch (e) {
    return strerrorOf(e);
  }
}

/** C's `fstatat(basedir_fd, payload without leading '/', AT_EMPTY_PATH) == 0`. */
function objectExists(basedir: string | null, payload: Uint8Array): boolean {
  let i = 0;
  while (i < payload.length && payload[i] === 0x2f) i++;
  // An empty relative path with AT_EMPTY_PATH stats the directory fd itself (or stdin).
  if (i === payload.length) return true;
  // fd 0 is stdin, not a directory: every lookup fails with ENOTDIR.
  if (basedir === null) return false;
  try {
    Deno.statSync(`${basedir}/${new TextDecoder().decode(payload.subarray(i))}`);
    return true;
  } catch {
    return false;
  }
}

/** Reads and parses one image, printing C's message and returning null on failure. */
function loadImage(path: string, options: { filter?: Uint8Array[] }, io: InfoIo): Node | null {
  let bytes: Uint8Array;
  try {
    const file = Deno.openSync(path);
    try {
      // C mmaps the image; a directory cannot be mapped.
      if (file.statSync().isDirectory) {
        io.stderr(`${PROGRAM}: Failed to load '${path}': No such device\n`);
        return null;
      }
      bytes = readAll(file);
    } finally {
      file.close();
    }
  } catch (e) {
    io.stderr(`${PROGRAM}: Failed to open '${path}': ${strerrorOf(e)}\n`);
    return null;
  }
  try {
    return readImage(bytes, options);
  } catch (e) {
    if (!(e instanceof ErofsFormatError)) throw e;
    io.stderr(`${PROGRAM}: Failed to load '${path}': ${EROFS_STRERROR[e.code]}\n`);
    return null;
  }
}

function readAll(file: Deno.FsFile): Uint8Array {
  // One byte more than the size, so that reaching the end does not grow the buffer.
  let buf = new Uint8Array(file.statSync().size + 1);
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      const next = new Uint8Array(2 * buf.length);
      next.set(buf);
      buf = next;
    }
    const got = file.readSync(buf.subarray(n));
    if (got === null) break;
    n += got;
  }
  return buf.subarray(0, n);
}

/** `measure-file FILE…`: one digest line per file, in order; stops at the first failure. */
function measureFiles(files: readonly string[], io: InfoIo): number {
  if (files.length === 0) {
    io.stderr("No files specified\n" + usage());
    return 1;
  }
  const buf = new Uint8Array(1 << 16);
  for (const path of files) {
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(path);
    } catch (e) {
      io.stderr(`${PROGRAM}: Failed to open '${path}': ${strerrorOf(e)}\n`);
      return 1;
    }
    const h = new FsVerityHasher(nodeSha256, { emptyInputQuirk: true });
    try {
      for (;;) {
        const got = file.readSync(buf);
        if (got === null) break;
        h.update(buf.subarray(0, got));
      }
    } catch {
      // C turns any read error into ENODATA, and prints this line without a newline.
      io.stderr(`failed to measure '${path}': No data available`);
      return 1;
    } finally {
      file.close();
    }
    io.stdout(new TextEncoder().encode(toHex(h.digest()) + "\n"));
  }
  return 0;
}

/** Runs the tool; a reader that went away (`| head`) ends it quietly, as SIGPIPE ends C's. */
function main(): Promise<number> {
  // It only reads: drop every other permission it may have been started with.
  revokeAllBut(["read"]);
  try {
    return Promise.resolve(composefsInfo(Deno.args));
  } catch (e) {
    if (e instanceof Deno.errors.BrokenPipe) return Promise.resolve(141);
    throw e;
  }
}

if (import.meta.main) await runMain(PROGRAM, main);
