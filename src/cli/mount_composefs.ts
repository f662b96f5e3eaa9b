#!/usr/bin/env -S deno run --no-prompt --allow-write=/tmp --allow-ffi --allow-env=CFS_MOUNT_FORCE
/**
 * `mount.composefs [-t composefs] [-o OPTIONS] IMAGE TARGET`: the command line of C
 * mount.composefs 1.0.8, also usable as mount(8)'s helper (`mount -t composefs -o … IMAGE
 * TARGET` runs `mount.composefs IMAGE TARGET -o rw,…`).
 *
 * Options are read as glibc `getopt(argc, argv, "ht:o:")` reads them (options may follow the
 * positional arguments, `--` ends them, the last `-o` wins), plus `-n` and `-v`, which mount(8)
 * passes and C rejects: `-n` is ignored (there is no mtab to write), `-v` prints how the mount
 * was made. More than two positional arguments are an error (C ignores the extra ones).
 *
 * The `-o` string is parsed as C parses it (`src/mount/options.ts`); errors are one line on
 * stderr and exit code 1. Needs root and `--allow-ffi`.
 *
 * For tests, `CFS_MOUNT_FORCE` may list fallbacks to take anyway: `loop` (a loop device even
 * where EROFS can read the file), `legacy-erofs` and `legacy-overlay` (`mount(2)` instead of
 * the new mount API).
 *
 * @module
 */
import { mountComposefs, type MountForce } from "../mount/mount.ts";
import { parseMountOptions } from "../mount/options.ts";
import { CliError, runMain } from "./report.ts";

const PROGRAM = "mount.composefs";

/** C's usage text, with `-n` and `-v` added. */
export const USAGE = `usage: ${PROGRAM} [-t type] [-o opt[,opts..]] [-n] [-v] IMAGE MOUNTPOINT
Example:
  ${PROGRAM} -o basedir=/composefs/objects exampleimage.cfs /mnt/exampleimage
or, as a mount helper:
  mount -t composefs -o basedir=/composefs/objects exampleimage.cfs /mnt/exampleimage

Supported options:
  basedir=PATH[:PATH]    Specify location of basedir(s)
  digest=DIGEST          Specify required image digest
  idmap=PATH             Specify path to a user namespace whose ID mapping should be used
  verity                 Require all files to have specified and valid fs-verity digests
  tryverity              If supported by kernel, require fs-verity
  ro                     Read only
  rw                     Read/write
  upperdir               Overlayfs upperdir
  workdir                Overlayfs workdir
`;

/** The parsed command line. */
export interface MountArgs {
  help: boolean;
  verbose: boolean;
  options: string | undefined;
  image: string;
  target: string;
}

/**
 * Parses `argv` like glibc `getopt(argc, argv, "ht:o:nv")` with permutation, then checks the
 * positional arguments. Throws {@link CliError} with C's messages.
 */
export function parseMountArgs(argv: readonly string[]): MountArgs {
  let options: string | undefined;
  let help = false;
  let verbose = false;
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    if (arg.startsWith("--")) {
      throw new CliError(`unrecognized option '${arg}'`);
    }
    // A cluster of short options: `-nv`, `-ovalue`, `-no value`.
    for (let j = 1; j < arg.length; j++) {
      const c = arg[j]!;
      if (c === "t" || c === "o") {
        let value: string;
        if (j + 1 < arg.length) value = arg.slice(j + 1);
        else if (i + 1 < argv.length) value = argv[++i]!;
        else throw new CliError(`option requires an argument -- '${c}'`);
        if (c === "t" && value !== "composefs") {
          throw new CliError(`Unsupported fs type '${value}'`);
        }
        if (c === "o") options = value;
        break;
      }
      if (c === "h") help = true;
      else if (c === "v") verbose = true;
      else if (c !== "n") throw new CliError(`invalid option -- '${c}'`);
    }
    // C's getopt acts on -h as soon as it sees it.
    if (help) return { help, verbose, options, image: "", target: "" };
  }
  if (positionals.length < 1) throw new CliError("No source path specified");
  if (positionals.length < 2) throw new CliError("No mount path specified");
  if (positionals.length > 2) {
    throw new CliError(`Too many arguments: ${positionals.slice(2).join(" ")}`);
  }
  return { help, verbose, options, image: positionals[0]!, target: positionals[1]! };
}

/** The fallbacks `CFS_MOUNT_FORCE` asks for (see the module doc). */
export function parseForce(value: string | undefined): MountForce {
  const force: MountForce = {};
  for (const word of (value ?? "").split(",")) {
    if (word === "") continue;
    else if (word === "loop") force.loop = true;
    else if (word === "legacy-erofs") force.legacyErofs = true;
    else if (word === "legacy-overlay") force.legacyOverlay = true;
    else throw new CliError(`CFS_MOUNT_FORCE: unknown fallback '${word}'`);
  }
  return force;
}

function forceFromEnv(): MountForce {
  let value: string | undefined;
  try {
    value = Deno.env.get("CFS_MOUNT_FORCE");
  } catch {
    // No --allow-env for it: no forcing.
  }
  return parseForce(value);
}

/**
 * Runs mount.composefs with `argv` and returns the exit code; errors are thrown for
 * {@link runMain} to report.
 */
export function mountComposefsCli(argv: readonly string[]): number {
  const args = parseMountArgs(argv);
  if (args.help) {
    Deno.stderr.writeSync(new TextEncoder().encode(USAGE));
    return 0;
  }
  const o = parseMountOptions(args.options);
  const force = forceFromEnv();
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    throw new CliError("Mounting needs FFI: run with --allow-ffi (and as root)");
  }
  const result = mountComposefs({
    image: args.image,
    target: args.target,
    basedirs: o.basedirs,
    digest: o.digest,
    verity: o.verity,
    tryVerity: o.tryVerity,
    idmap: o.idmap,
    upperdir: o.upperdir,
    workdir: o.workdir,
    readonly: o.readonly,
    force,
  });
  if (args.verbose) {
    const e = result.erofs;
    const from = e.source === "loop" ? `loop device ${e.loopDevice}` : "the image file";
    const line = `${PROGRAM}: mounted ${args.image} on ${args.target} ` +
      `(EROFS from ${from} via ${e.api}, overlayfs via ${result.overlay})\n`;
    Deno.stdout.writeSync(new TextEncoder().encode(line));
  }
  return 0;
}

if (import.meta.main) {
  await runMain(PROGRAM, () => Promise.resolve(mountComposefsCli(Deno.args)));
}
