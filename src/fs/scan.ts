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
import { objectPathOf } from "../../spec/fsverity/object_path.ts";
import { ComposefsLimitError, STRERROR } from "../../spec/tree/errors.ts";
import {
  addChild,
  createNode,
  type Node,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  searchChild,
  setXattr,
} from "../../spec/tree/node.ts";
import { type DigestOutcome, DigestPool } from "./digest_pool.ts";
import { EINVAL, ELOOP, ENAMETOOLONG, SysError } from "./errno.ts";
import { denoOps, ffiOps, type FsOps } from "./fs_ops.ts";
import {
  type DirEntry,
  DT_BLK,
  DT_CHR,
  DT_DIR,
  DT_UNKNOWN,
  ffiAvailable,
  inodeKey,
  READLINK_MAX,
  type Stat,
} from "./libc.ts";
import { Progress } from "./progress.ts";
import { ByteArena } from "./_arena.ts";

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

/**
 * A failure while reading the source. `message` is exactly what C prints after
 * `mkcomposefs: ` (`error accessing <path>: <strerror>`, `error computing digest: <strerror>`);
 * `path` holds the raw bytes of the path involved, when there is one.
 */
export class ScanError extends Error {
  /** The errno name (`"ENOENT"`), or `"EFFI"` when FFI would be needed. */
  readonly code: string;
  /** The path as bytes (the message shows it decoded, lossily for non-UTF-8 names). */
  readonly path: Uint8Array | null;

  constructor(code: string, message: string, path: Uint8Array | null) {
    super(message);
    this.name = "ScanError";
    this.code = code;
    this.path = path;
  }
}

const SLASH = 0x2f;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** C's `maybe_join_path`: `a/b`, without doubling a trailing `/` of `a`. */
function joinErrorPath(a: Uint8Array, b: Uint8Array): Uint8Array {
  const slash = a.length > 0 && a[a.length - 1] !== SLASH ? 1 : 0;
  const out = new Uint8Array(a.length + slash + b.length);
  out.set(a);
  if (slash) out[a.length] = SLASH;
  out.set(b, a.length + slash);
  return out;
}

/** `a/b` for a base without trailing slashes (C's `join_paths` after its strip). */
function joinPath(base: Uint8Array, name: Uint8Array): Uint8Array {
  const out = new Uint8Array(base.length + 1 + name.length);
  out.set(base);
  out[base.length] = SLASH;
  out.set(name, base.length + 1);
  return out;
}

/** C's `join_paths` base: the source with its trailing slashes removed. */
function stripTrailingSlashes(p: Uint8Array): Uint8Array {
  let n = p.length;
  while (n > 0 && p[n - 1] === SLASH) n--;
  return p.subarray(0, n);
}

/** The `error accessing <path>: <reason>` error for any failure at `path`. */
function accessError(path: Uint8Array, e: unknown): ScanError {
  let code: string;
  let text: string;
  if (e instanceof SysError) {
    code = e.code;
    text = e.message;
  } else if (e instanceof ComposefsLimitError) {
    code = e.code;
    text = STRERROR[e.code];
  } else {
    throw e;
  }
  return new ScanError(code, `error accessing ${decoder.decode(path)}: ${text}`, path);
}

/** Runs `f`; any file-system or limit error becomes C's message for `path`. */
function at<T>(path: Uint8Array, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw accessError(path, e);
  }
}

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
    const arena = new ByteArena();
    const walker = useFfi
      ? new Walker(ffiOps(arena), options, pool, progress)
      : new Walker(denoOps(arena), options, pool, progress);
    const root = await walker.walk(src);
    walker.finishTotals();
    const outcomes = await pool.drain();
    applyDigests(root, walker, outcomes, arena);
    if (options.hardlinks) walker.linkHardlinks(root);
    return root;
  } finally {
    pool.close();
    progress.finish();
  }
}

/** Puts each outcome on its node, in C's DFS order; the first failure in that order wins. */
function applyDigests(
  root: Node,
  walker: Walker<unknown>,
  outcomes: DigestOutcome[],
  arena: ByteArena,
): void {
  if (walker.jobs.size === 0) return;
  forEachDfs(root, (node) => {
    const id = walker.jobs.get(node);
    if (id === undefined) return;
    const o = outcomes[id]!;
    if (o.error !== null) {
      // C's message has no path; the error still carries it for callers that want it.
      throw new ScanError(
        o.error.code,
        `error computing digest: ${o.error.message}`,
        o.path ?? null,
      );
    }
    const digest = arena.copy(o.digest!);
    node.digest = digest;
    node.payload = arena.copy(objectPathOf(digest));
    if (o.content !== null) node.content = arena.copy(o.content);
  });
}

/** Pre-order walk with sorted children: the order of C's `construct_compute_data`. */
function forEachDfs(root: Node, f: (node: Node) => void): void {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    f(node);
    const kids = node.children;
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
}

/**
 * The files a digest store receives (issue 5): regular files with a payload and no inline
 * content, in C's DFS order (`construct_copy_data`), each with the path C copies it from.
 *
 * @param root A tree from {@link readDirectoryTree}.
 * @param source The same source string.
 */
export function externalFiles(
  root: Node,
  source: string,
): { path: Uint8Array; payload: Uint8Array }[] {
  const out: { path: Uint8Array; payload: Uint8Array }[] = [];
  const src = encoder.encode(source);
  const visit = (node: Node, path: Uint8Array) => {
    if (node.linkTo !== null) return;
    if ((node.mode & S_IFMT) === S_IFDIR) {
      for (const child of node.children) {
        visit(child, joinPath(stripTrailingSlashes(path), child.name));
      }
    } else if ((node.mode & S_IFMT) === S_IFREG && node.content === null && node.payload !== null) {
      out.push({ path, payload: node.payload });
    }
  };
  visit(root, src);
  return out;
}

/** One open directory of the walk. */
interface Frame<D> {
  node: Node;
  handle: D;
  entries: DirEntry[];
  next: number;
  /** The path C names in `error accessing` messages. */
  errPath: Uint8Array;
  /** The path C opens files by in the digest phase, without trailing slashes. */
  hashBase: Uint8Array;
  /** st_dev/st_ino, to refuse a directory that contains itself (bind mounts). */
  inodeKey: string;
  /** Name in the parent; null for the root. */
  name: Uint8Array | null;
}

/** Yield to the event loop this often, so worker replies are taken in during the walk. */
const YIELD_MS = 5;

/**
 * Lets queued events (worker replies) run: a message to ourselves is a macrotask that fires in
 * about 0.1 ms, where `setTimeout(0)` waits milliseconds.
 */
class Yielder {
  #channel: MessageChannel | null = null;
  #resolve: (() => void) | null = null;

  yield(): Promise<void> {
    if (this.#channel === null) {
      this.#channel = new MessageChannel();
      this.#channel.port1.onmessage = () => {
        const r = this.#resolve;
        this.#resolve = null;
        r?.();
      };
    }
    const channel = this.#channel;
    return new Promise((resolve) => {
      this.#resolve = resolve;
      channel.port2.postMessage(0);
    });
  }

  close(): void {
    this.#channel?.port1.close();
    this.#channel?.port2.close();
    this.#channel = null;
  }
}

/** The walk of `lcfs_build`, iterative, over one {@link FsOps} backend. */
class Walker<D> {
  /** Digest job id of each submitted regular file. */
  readonly jobs = new Map<Node, number>();
  /** With `hardlinks`: st_dev/st_ino and st_nlink of each multiply linked non-directory. */
  readonly #inodes = new Map<Node, { key: string; nlink: number }>();
  readonly #hashedInodes = new Map<string, Node>();
  readonly #ops: FsOps<D>;
  readonly #o: ReadDirectoryOptions;
  readonly #pool: DigestPool;
  readonly #progress: Progress;
  #lastYield = performance.now();
  #bytes = 0;
  #pathBuf = new Uint8Array(4096);
  readonly #yielder = new Yielder();

  constructor(ops: FsOps<D>, options: ReadDirectoryOptions, pool: DigestPool, progress: Progress) {
    this.#ops = ops;
    this.#o = options;
    this.#pool = pool;
    this.#progress = progress;
  }

  /** Reads the tree under `src`, queueing the digests. */
  async walk(src: Uint8Array): Promise<Node> {
    const loaded = at(src, () => this.#load(null, src, src));
    const { node: root, stat } = loaded;
    if ((root.mode & S_IFMT) !== S_IFDIR) {
      this.#submit(root, stat, src);
      return root;
    }
    const stack: Frame<D>[] = [];
    try {
      stack.push(this.#open(null, src, loaded, src, stripTrailingSlashes(src), null));
      let count = 0;
      while (stack.length > 0) {
        const f = stack[stack.length - 1]!;
        if (f.next === f.entries.length) {
          stack.pop();
          this.#ops.closeDir(f.handle);
          const parent = stack[stack.length - 1];
          if (parent !== undefined) {
            at(parent.errPath, () => addChild(parent.node, f.node, f.name!));
          }
          continue;
        }
        const entry = f.entries[f.next++]!;
        this.#visit(stack, f, entry);
        if (++count % 64 === 0) {
          this.#progress.addScanned(64);
          await this.#maybeYield();
        }
      }
    } finally {
      for (const f of stack) this.#ops.closeDir(f.handle);
      this.#yielder.close();
    }
    return root;
  }

  /** One directory entry: a leaf is loaded and added, a directory gets a frame. */
  #visit(stack: Frame<D>[], f: Frame<D>, entry: DirEntry): void {
    // A view of a scratch buffer: copied only for a directory frame or a digest job.
    const full = this.#scratchPath(f.hashBase, entry.name);
    let loaded: { node: Node; stat: Stat };
    try {
      let type = entry.type;
      if (type === DT_UNKNOWN) {
        // As C: lstat decides only "directory or not"; devices stay unskippable.
        const st = this.#ops.lstat(f.handle, entry.name);
        if ((st.mode & S_IFMT) === S_IFDIR) type = DT_DIR;
      } else if (type !== DT_DIR && this.#o.skipDevices && (type === DT_BLK || type === DT_CHR)) {
        return;
      }
      loaded = this.#load(f.handle, entry.name, full);
      if (type === DT_DIR && (loaded.node.mode & S_IFMT) === S_IFDIR) {
        const key = inodeKey(loaded.stat);
        if (stack.some((s) => s.inodeKey === key)) {
          throw new SysError(ELOOP, "walk");
        }
        const path = joinErrorPath(f.errPath, entry.name);
        stack.push(this.#open(f.handle, entry.name, loaded, path, full.slice(), entry.name));
        return;
      }
    } catch (e) {
      // The error path is only built when needed: C names SRC/…/entry.
      if (e instanceof ScanError) throw e;
      throw accessError(joinErrorPath(f.errPath, entry.name), e);
    }
    // C's lcfs_build names the directory when adding the child fails.
    at(f.errPath, () => addChild(f.node, loaded.node, entry.name));
    this.#submit(loaded.node, loaded.stat, full);
  }

  #open(
    parent: D | null,
    name: Uint8Array,
    loaded: { node: Node; stat: Stat },
    errPath: Uint8Array,
    hashBase: Uint8Array,
    nameInParent: Uint8Array | null,
  ): Frame<D> {
    const handle = at(errPath, () => this.#ops.openDir(parent, name));
    let entries: DirEntry[];
    try {
      entries = at(errPath, () => this.#ops.list(handle));
    } catch (e) {
      this.#ops.closeDir(handle);
      throw e;
    }
    return {
      node: loaded.node,
      handle,
      entries,
      next: 0,
      errPath,
      hashBase,
      inodeKey: inodeKey(loaded.stat),
      name: nameInParent,
    };
  }

  /** `base/name` in a reused buffer; valid until the next call. */
  #scratchPath(base: Uint8Array, name: Uint8Array): Uint8Array {
    const n = base.length + 1 + name.length;
    if (this.#pathBuf.length < n) this.#pathBuf = new Uint8Array(n * 2);
    const buf = this.#pathBuf;
    buf.set(base);
    buf[base.length] = SLASH;
    buf.set(name, base.length + 1);
    return buf.subarray(0, n);
  }

  /** `lcfs_load_node_from_file` without the content: lstat, symlink target, mtime, xattrs. */
  #load(dir: D | null, name: Uint8Array, full: Uint8Array): { node: Node; stat: Stat } {
    const st = this.#ops.lstat(dir, name);
    const node = createNode(st.mode, { uid: st.uid, gid: st.gid, rdev: st.rdev, size: st.size });
    if ((st.mode & S_IFMT) === S_IFLNK) {
      const target = this.#ops.readlink(dir, name);
      // lcfs_node_set_symlink_payload: non-empty, shorter than PATH_MAX; size = its length.
      if (target.length === 0) throw new SysError(EINVAL, "readlink");
      if (target.length >= READLINK_MAX) throw new SysError(ENAMETOOLONG, "readlink");
      node.payload = target;
      node.size = BigInt(target.length);
    }
    if (!this.#o.useEpoch) {
      node.mtimeSec = st.mtimeSec;
      node.mtimeNsec = st.mtimeNsec;
    }
    if (!this.#o.skipXattrs) {
      const userOnly = this.#o.userXattrs ?? false;
      this.#ops.xattrs(dir, name, full, userOnly, (k, v) => setXattr(node, k, v));
    }
    return { node, stat: st };
  }

  /** Queues a regular file of size > 0 for its digest (empty files get nothing, as in C). */
  #submit(node: Node, stat: Stat, hashPath: Uint8Array): void {
    const type = node.mode & S_IFMT;
    if (this.#o.hardlinks && stat.nlink > 1 && type !== S_IFDIR) {
      const key = inodeKey(stat);
      this.#inodes.set(node, { key, nlink: stat.nlink });
      // One digest per inode: later names share the first name's job.
      const first = this.#hashedInodes.get(key);
      if (first !== undefined) {
        const id = this.jobs.get(first);
        if (id !== undefined) this.jobs.set(node, id);
        return;
      }
      this.#hashedInodes.set(key, node);
    }
    if (type !== S_IFREG || node.size === 0n) return;
    this.jobs.set(node, this.#pool.submit(hashPath.slice(), node.size));
    this.#bytes += Number(node.size);
    this.#progress.setTotals(this.#pool.size, this.#bytes, false);
  }

  /** Tells the progress line that the walk is over. */
  finishTotals(): void {
    this.#progress.setTotals(this.#pool.size, this.#bytes, true);
  }

  async #maybeYield(): Promise<void> {
    const now = performance.now();
    if (now - this.#lastYield < YIELD_MS || !this.#pool.busy) return;
    await this.#yielder.yield();
    this.#lastYield = performance.now();
  }

  /**
   * With `hardlinks`: in DFS order, the first name of each multiply linked inode keeps the node
   * (nlink = st_nlink) and every later name becomes a hardlink entry to it, as a dump would
   * list them.
   */
  linkHardlinks(root: Node): void {
    if (this.#inodes.size === 0) return;
    const targets = new Map<string, Node>();
    forEachDfs(root, (node) => {
      const info = this.#inodes.get(node);
      if (info === undefined) return;
      const target = targets.get(info.key);
      if (target === undefined) {
        targets.set(info.key, node);
        node.nlink = info.nlink;
        return;
      }
      const parent = node.parent!;
      const link = createNode(0);
      link.name = node.name;
      link.parent = parent;
      link.linkTo = target;
      parent.children[searchChild(parent, node.name)] = link;
    });
  }
}
