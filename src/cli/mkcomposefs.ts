/**
 * `mkcomposefs [OPTIONS] SOURCE IMAGE`: the command line of C mkcomposefs 1.0.8, with its
 * options, messages and exit codes, but an image that is either complete or absent.
 *
 * @module
 */
import { DumpSyntaxError } from "../../spec/dump/errors.ts";
import { parseDump } from "../../spec/dump/parse.ts";
import { type ImagePlan, planLayout } from "../../spec/erofs/layout.ts";
import { prepareTree } from "../../spec/erofs/prepare.ts";
import { streamImage } from "../../spec/erofs/write.ts";
import { FsVerityHasher } from "../../spec/fsverity/merkle.ts";
import { toHex } from "../../spec/bytes/compare.ts";
import { ComposefsLimitError, STRERROR } from "../../spec/tree/errors.ts";
import type { Node } from "../../spec/tree/node.ts";
import { resolveOutputTarget, writeOutput } from "../fs/atomic_file.ts";
import type { StoreFile } from "../store/fill_store.ts";
import { getoptLong, type LongOption, parseCInt } from "./args.ts";
import { mkcomposefsPermissions } from "./mkcomposefs_permissions.ts";
import { enforcePermissions } from "./permissions.ts";
import { CliError, strerrorOf } from "./report.ts";

const PROGRAM = "mkcomposefs";

const LONG_OPTIONS: readonly LongOption[] = [
  { name: "skip-xattrs", hasArg: false },
  { name: "user-xattrs", hasArg: false },
  { name: "skip-devices", hasArg: false },
  { name: "use-epoch", hasArg: false },
  { name: "digest-store", hasArg: true },
  { name: "print-digest", hasArg: false },
  { name: "print-digest-only", hasArg: false },
  { name: "from-file", hasArg: false },
  { name: "max-version", hasArg: true },
  { name: "min-version", hasArg: true },
  // The man page's name for the base version; the C 1.0.8 binary lacks it (usage error there).
  { name: "version", hasArg: true },
  { name: "threads", hasArg: true },
  { name: "hardlinks", hasArg: false },
  { name: "help", hasArg: false },
  { name: "tool-version", hasArg: false },
];

/** What the command line asks for. */
export interface MkcomposefsArgs {
  source: string;
  image: string | null;
  fromFile: boolean;
  printDigest: boolean;
  printDigestOnly: boolean;
  minVersion: number | undefined;
  maxVersion: number | undefined;
  useEpoch: boolean;
  skipXattrs: boolean;
  userXattrs: boolean;
  skipDevices: boolean;
  hardlinks: boolean;
  threads: number;
  digestStore: string | null;
}

/** The version of this tool and the composefs formats it writes. */
export const TOOL_VERSION = "0.1.0";

function usage(): string {
  const threads = navigator.hardwareConcurrency ?? 1;
  return `Usage: ${PROGRAM} [OPTIONS] SOURCE IMAGE
Options:
  --digest-store=PATH   Store content files in this directory
  --use-epoch           Make all mtimes zero
  --skip-devices        Don't store device nodes
  --skip-xattrs         Don't store file xattrs
  --user-xattrs         Only store user.* xattrs
  --print-digest        Print the digest of the image
  --print-digest-only   Print the digest of the image, don't write image
  --from-file           The source is a dump file, not a directory
  --min-version=N       Use this minimal format version (default=0)
  --version=N           The same as --min-version (the man page's name; not in C 1.0.8)
  --max-version=N       Use this maximum format version (default=1)
  --threads=N           Use this to override the default number of threads used to calculate digest and copy files (default=${threads})
  --hardlinks           Keep hardlinks of a source directory as one inode (not in C 1.0.8)
  --tool-version        Print the version of this tool and the formats it writes
  --help                Show this help
`;
}

/** An exit with C's exact stderr text (usage errors print no program prefix). */
class UsageExit extends Error {
  constructor(readonly text: string, readonly code: number) {
    super(text);
  }
}

function stderr(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(text));
}

/** Parses argv the way C mkcomposefs does, with its messages for each mistake. */
export function parseMkcomposefsArgs(argv: readonly string[]): MkcomposefsArgs | UsageExit {
  const r = getoptLong(argv, LONG_OPTIONS);
  if (r.error) {
    if (r.error.kind === "missing-value") return new UsageExit("option needs a value\n", 1);
    return new UsageExit(usage(), 1);
  }
  const a: MkcomposefsArgs = {
    source: "",
    image: null,
    fromFile: false,
    printDigest: false,
    printDigestOnly: false,
    minVersion: undefined,
    maxVersion: undefined,
    useEpoch: false,
    skipXattrs: false,
    userXattrs: false,
    skipDevices: false,
    hardlinks: false,
    threads: navigator.hardwareConcurrency ?? 1,
    digestStore: null,
  };
  for (const { name, value } of r.options) {
    switch (name) {
      case "help":
        return new UsageExit(usage(), 0);
      case "tool-version":
        return new UsageExit(
          `cfs-ts mkcomposefs ${TOOL_VERSION} (composefs 1.0.8 images, format versions 0 and 1)\n`,
          -1,
        );
      case "use-epoch":
        a.useEpoch = true;
        break;
      case "skip-xattrs":
        a.skipXattrs = true;
        break;
      case "user-xattrs":
        a.userXattrs = true;
        break;
      case "skip-devices":
        a.skipDevices = true;
        break;
      case "hardlinks":
        a.hardlinks = true;
        break;
      case "digest-store":
        a.digestStore = value!;
        break;
      case "print-digest":
        a.printDigest = true;
        break;
      case "print-digest-only":
        a.printDigest = a.printDigestOnly = true;
        break;
      case "from-file":
        a.fromFile = true;
        break;
      case "version":
      case "min-version":
      case "max-version": {
        const v = parseCInt(value!);
        const which = name === "max-version" ? "max" : "min";
        if (v === null) return new UsageExit(`Invalid ${which} version ${value}\n`, 1);
        if (which === "min") a.minVersion = v;
        else a.maxVersion = v;
        break;
      }
      case "threads": {
        const v = parseCInt(value!);
        if (v === null) return new UsageExit(`Invalid threads count ${value}\n`, 1);
        if (v <= 0) return new UsageExit(`Invalid threads count ${v}\n`, 1);
        a.threads = v;
        break;
      }
    }
  }
  const pos = r.positionals;
  if (pos.length < 1) return new UsageExit("No source path specified\n" + usage(), 1);
  a.source = pos[0]!;
  if (a.source === "") return new UsageExit(`${PROGRAM}: Empty source path specified\n`, 1);
  if (pos.length > 2) return new UsageExit("Too many arguments\n" + usage(), 1);
  if (pos.length === 1 && !a.printDigestOnly) {
    return new UsageExit("No destination path specified\n" + usage(), 1);
  }
  if (pos.length === 2 && a.printDigestOnly) {
    return new UsageExit("Cannot specify destination path with --print-digest-only\n" + usage(), 1);
  }
  a.image = a.printDigestOnly ? null : pos[1]!;
  return a;
}

async function readAllStdin(): Promise<Uint8Array> {
  return new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer());
}

/** `CFS_PARSE_STRICT` set to anything, even empty, turns strict mode on (C reads it this way). */
function strictFromEnv(): boolean {
  const state = Deno.permissions.querySync({ name: "env", variable: "CFS_PARSE_STRICT" }).state;
  return state === "granted" && Deno.env.get("CFS_PARSE_STRICT") !== undefined;
}

async function readDumpTree(source: string, strict: boolean): Promise<Node> {
  let bytes: Uint8Array;
  try {
    bytes = source === "-" ? await readAllStdin() : await Deno.readFile(source);
  } catch (e) {
    throw new CliError(`open \`${source}\`: ${strerrorOf(e)}`);
  }
  try {
    return parseDump(bytes, { strict });
  } catch (e) {
    if (e instanceof DumpSyntaxError) {
      const where = source === "-" ? "stdin" : source;
      throw new CliError(`${where}: ${e.message}`);
    }
    throw e;
  }
}

async function readDirectorySource(a: MkcomposefsArgs): Promise<Node> {
  if (a.skipXattrs && a.userXattrs) {
    throw new CliError(`error accessing ${a.source}: Invalid argument`);
  }
  const { readDirectoryTree, externalFiles } = await import("../fs/scan.ts");
  const root = await readDirectoryTree(a.source, {
    skipXattrs: a.skipXattrs,
    userXattrs: a.userXattrs,
    skipDevices: a.skipDevices,
    useEpoch: a.useEpoch,
    hardlinks: a.hardlinks,
    threads: a.threads,
    progress: Deno.stderr.isTerminal(),
  });
  // As C: after the digests, before the image (which is only renamed into place later, so a
  // store failure leaves no image).
  if (a.digestStore !== null) await fillStore(a.digestStore, externalFiles(root, a.source), a);
  return root;
}

async function fillStore(
  store: string,
  files: readonly StoreFile[],
  a: MkcomposefsArgs,
): Promise<void> {
  const { fillDigestStore, StoreError } = await import("../store/fill_store.ts");
  try {
    await fillDigestStore(store, files, {
      threads: a.threads,
      progress: Deno.stderr.isTerminal(),
    });
  } catch (e) {
    // C says `cannot fill store: <strerror>`; we name the path as well.
    if (e instanceof StoreError) throw new CliError(`cannot fill store: ${e.message}`);
    throw e;
  }
}

function planImage(root: Node, a: MkcomposefsArgs): ImagePlan {
  try {
    const versions: { minVersion?: number; maxVersion?: number } = {};
    if (a.minVersion !== undefined) versions.minVersion = a.minVersion;
    if (a.maxVersion !== undefined) versions.maxVersion = a.maxVersion;
    return planLayout(prepareTree(root, versions));
  } catch (e) {
    if (e instanceof ComposefsLimitError) {
      throw new CliError(`cannot write file: ${STRERROR[e.code]} (${e.message})`);
    }
    throw e;
  }
}

/** Runs mkcomposefs with `argv`; returns the exit code (errors are thrown as one-line errors). */
export async function mkcomposefs(argv: readonly string[]): Promise<number> {
  const a = parseMkcomposefsArgs(argv);
  if (a instanceof UsageExit) {
    if (a.code === -1) {
      Deno.stdout.writeSync(new TextEncoder().encode(a.text));
      return 0;
    }
    stderr(a.text);
    return a.code;
  }
  // Least privilege: read the one variable we honour, check what this mode needs (one clear
  // line if something is missing), then revoke every other permission kind.
  const strict = a.fromFile && strictFromEnv();
  enforcePermissions(mkcomposefsPermissions(a));
  const target = a.image === null ? null : resolveOutputTarget(a.image);
  if (target?.kind === "stdout" && Deno.stdout.isTerminal()) {
    throw new CliError("stdout is a tty.  Refusing to use it");
  }
  if (a.fromFile && a.digestStore !== null) {
    stderr(
      `${PROGRAM}: warning: --digest-store is ignored with --from-file (as in C mkcomposefs)\n`,
    );
  }
  const root = a.fromFile ? await readDumpTree(a.source, strict) : await readDirectorySource(a);
  const plan = planImage(root, a);
  let hasher: FsVerityHasher | null = null;
  if (a.printDigest) {
    // node:crypto pulls in Deno's Node layer (tens of ms): load it only when a digest is wanted.
    const { nodeSha256 } = await import("../crypto/sha256.ts");
    hasher = new FsVerityHasher(nodeSha256);
  }
  // The image is streamed, never whole in memory: each window goes to the file and the hasher.
  if (target !== null) {
    try {
      writeOutput(target, (write) =>
        streamImage(plan, (chunk) => {
          write(chunk);
          hasher?.update(chunk);
        }));
    } catch (e) {
      throw new CliError(`failed to write output file ${a.image}: ${strerrorOf(e)}`);
    }
  } else if (hasher !== null) {
    streamImage(plan, (chunk) => hasher.update(chunk));
  }
  if (hasher !== null) {
    Deno.stdout.writeSync(new TextEncoder().encode(toHex(hasher.digest()) + "\n"));
  }
  return 0;
}
