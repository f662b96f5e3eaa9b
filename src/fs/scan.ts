/**
 * Builds the composefs tree from a real directory exactly as C mkcomposefs 1.0.8 does
 * (`lcfs_build` followed by `compute_digest`): lstat fields with nanosecond mtimes, raw name
 * bytes, symlink targets, xattrs through the same budget, and for regular files the fs-verity
 * digest, the `xx/yyyy…` payload and the inline content of files of 1..64 bytes.
 *
 * C quirks kept: hardlinks are not detected (every name is an inode with nlink 1) unless
 * `hardlinks` is set; `skipDevices` looks at `d_type` only; error paths are built the way C
 * builds them. Digests are computed on worker threads while the walk goes on.
 *
 * @module
 */
import { type Node, S_IFDIR, S_IFMT, S_IFREG } from "../../spec/tree/node.ts";
import { ByteArena } from "../../spec/bytes/byte_arena.ts";
import { DigestPool } from "./digest_pool.ts";
import { EINVAL, SysError } from "./errno.ts";
import { denoOps, ffiOps } from "./fs_ops.ts";
import { ffiAvailable } from "./libc.ts";
import { Progress } from "./progress.ts";
import { DigestSlots, type ScannedNode } from "./scanned_node.ts";
import { Walker } from "./walk.ts";
import {
  accessError,
  forEachDfs,
  joinPath,
  ScanError,
  stripTrailingSlashes,
} from "./walk_paths.ts";

export { ScanError };

/** Options of {@link readDirectoryTree}; the names follow mkcomposefs's flags. */
export interface ReadDirectoryOptions {
  /** `--skip-xattrs`: read no xattrs. */
  skipXattrs?: boolean;
  /** `--user-xattrs`: read only `user.*` xattrs. Conflicts with `skipXattrs`, as in C. */
  userXattrs?: boolean;
  /** `--skip-devices`: leave out entries whose `d_type` is a block or character device. */
  skipDevices?: boolean;
  /** `--use-epoch`: every mtime is 0.0. */
  useEpoch?: boolean;
  /** `--hardlinks` (ours, off by default as C has none): one inode per st_dev/st_ino. */
  hardlinks?: boolean;
  /** `--threads`: digest workers; default `navigator.hardwareConcurrency`. */
  threads?: number;
  /** Draw a progress line on stderr (only when it is a terminal and the run is long). */
  progress?: boolean;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

const USE_FFI_HINT = "run with --allow-ffi";

/** Without FFI, refuses every case where Deno's APIs could give a different tree than C. */
function checkWithoutFfi(src: Uint8Array, o: ReadDirectoryOptions): void {
  const why = !o.skipXattrs
    ? "reading xattrs needs FFI (or pass --skip-xattrs)"
    : !o.useEpoch
    ? "nanosecond mtimes need FFI (or pass --use-epoch)"
    : null;
  if (why !== null) {
    throw new ScanError("EFFI", `cannot read ${decoder.decode(src)}: ${why}; ${USE_FFI_HINT}`, src);
  }
}

/**
 * Reads the directory `source` into a tree, as `mkcomposefs SOURCE IMAGE` does before writing.
 *
 * @param source The source path, as given on the command line.
 * @param options The directory flags.
 * @returns The root node; a non-directory source gives that single node (the writer then fails
 *   with `Not a directory`, as C does).
 * @throws {ScanError} With C's message, e.g. `error accessing src/x: Permission denied`.
 */
export async function readDirectoryTree(
  source: string,
  options: ReadDirectoryOptions = {},
): Promise<Node> {
  const src = encoder.encode(source);
  // lcfs_load_node_from_file rejects the pair before it looks at the file.
  if (options.skipXattrs && options.userXattrs) {
    throw accessError(src, new SysError(EINVAL, "build"));
  }
  const useFfi = ffiAvailable();
  if (!useFfi) checkWithoutFfi(src, options);
  const progress = new Progress(options.progress ?? false);
  const pool = new DigestPool({
    threads: options.threads ?? navigator.hardwareConcurrency ?? 1,
    useFfi,
    onProgress: (files, bytes) => progress.addHashed(files, bytes),
  });
  try {
    const arena = new ByteArena(64 * 1024);
    const walker = useFfi
      ? new Walker(ffiOps(arena), options, pool, progress)
      : new Walker(denoOps(), options, pool, progress);
    const root = await walker.walk(src);
    walker.finishTotals();
    await pool.finish();
    applyDigests(root, walker, pool, arena);
    if (options.hardlinks) walker.linkHardlinks(root);
    return root;
  } finally {
    pool.close();
    progress.finish();
  }
}

/** Puts each job's result on its node(s); on failure, the first failure in C's DFS order wins. */
function applyDigests(
  root: Node,
  walker: Walker<unknown>,
  pool: DigestPool,
  arena: ByteArena,
): void {
  if (pool.errorCount > 0) throwFirstError(root, walker, pool);
  const slots = new DigestSlots(pool.digestBuffer, pool.size);
  const apply = (node: ScannedNode, id: number) => {
    // The node keeps a slot of the shared digest and path buffers: no views per file.
    node.setDigestSlot(slots, id);
    const content = pool.contentOf(id);
    if (content !== null) node.content = arena.copy(content);
  };
  walker.jobNodes.forEach(apply);
  for (const [node, id] of walker.jobAliases) apply(node, id);
}

/** Throws C's error for the failed job met first in DFS order. */
function throwFirstError(root: Node, walker: Walker<unknown>, pool: DigestPool): void {
  const ids = new Map<Node, number>(walker.jobAliases);
  walker.jobNodes.forEach((node, id) => ids.set(node, id));
  forEachDfs(root, (node) => {
    const id = ids.get(node);
    if (id === undefined) return;
    const o = pool.outcome(id);
    if (o.error !== null) {
      // C's message has no path; the error still carries it for callers that want it.
      throw new ScanError(
        o.error.code,
        `error computing digest: ${o.error.message}`,
        o.path ?? null,
      );
    }
  });
}

/** A file the digest store receives: where C copies it from, its object name, size, digest. */
export interface ExternalFile {
  path: Uint8Array;
  /** `xx/yyyy…`, the object's name in the store. */
  payload: Uint8Array;
  /** The lstat size the digest was computed from. */
  size: bigint;
  /** The 32-byte fs-verity digest. */
  digest: Uint8Array;
}

/**
 * The files a digest store receives (issue 5): regular files with a payload and no inline
 * content, in C's DFS order (`construct_copy_data`), each with the path C copies it from.
 *
 * @param root A tree from {@link readDirectoryTree}.
 * @param source The same source string.
 */
export function externalFiles(root: Node, source: string): ExternalFile[] {
  const out: ExternalFile[] = [];
  const src = encoder.encode(source);
  const visit = (node: Node, path: Uint8Array) => {
    if (node.linkTo !== null) return;
    if ((node.mode & S_IFMT) === S_IFDIR) {
      for (const child of node.children) {
        visit(child, joinPath(stripTrailingSlashes(path), child.name));
      }
    } else if (
      (node.mode & S_IFMT) === S_IFREG && node.content === null && node.payload !== null &&
      node.digest !== null // always so in a tree read from a directory
    ) {
      out.push({ path, payload: node.payload, size: node.size, digest: node.digest });
    }
  };
  visit(root, src);
  return out;
}
