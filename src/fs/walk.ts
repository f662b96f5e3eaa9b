/**
 * The directory walk of C's `lcfs_build`, iterative, over one {@link FsOps} backend: loads each
 * entry (lstat, symlink target, mtime, xattrs), adds it to its parent and queues the digest of
 * every non-empty regular file on the pool while the walk goes on.
 *
 * @module
 */
import { compareBytes } from "../../spec/bytes/compare.ts";
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
import type { DigestPool } from "./digest_pool.ts";
import { EINVAL, ELOOP, ENAMETOOLONG, SysError } from "./errno.ts";
import type { FsOps } from "./fs_ops.ts";
import {
  dirName,
  type DirNames,
  DT_BLK,
  DT_CHR,
  DT_DIR,
  DT_UNKNOWN,
  inodeKey,
  READLINK_MAX,
  type Stat,
} from "./libc.ts";
import type { Progress } from "./progress.ts";
import { ScannedNode } from "./scanned_node.ts";
import { Yielder } from "./_yield.ts";
import type { ReadDirectoryOptions } from "./scan.ts";
import {
  accessError,
  at,
  forEachDfs,
  joinErrorPath,
  ScanError,
  stripTrailingSlashes,
} from "./walk_paths.ts";

const SLASH = 0x2f;

/** Adds `kids` (each with its name set, parent unset) to `dir` in byte order of their names. */
function addChildren(dir: Node, kids: Node[]): void {
  kids.sort((a, b) => compareBytes(a.name, b.name));
  for (const k of kids) addChild(dir, k, k.name);
}

/** One open directory of the walk. */
interface Frame<D> {
  node: Node;
  handle: D;
  entries: DirNames;
  next: number;
  /** The path C names in `error accessing` messages. */
  errPath: Uint8Array;
  /** The path C opens files by in the digest phase, without trailing slashes. */
  hashBase: Uint8Array;
  /** st_dev/st_ino, to refuse a directory that contains itself (bind mounts). */
  inodeKey: string;
  /** Name in the parent; null for the root. */
  name: Uint8Array | null;
  /**
   * Children loaded so far, in readdir order, each with its name set: added to the node in byte
   * order when the directory is done, so that each add is an append (inserting in readdir
   * order moved half of a large directory's list per entry).
   */
  kids: Node[];
}

/** Yield to the event loop this often, so worker replies are taken in during the walk. */
const YIELD_MS = 5;

/** The walk of `lcfs_build`, iterative, over one {@link FsOps} backend. */
export class Walker<D> {
  /** The node of each digest job, by job id (a list, not a map: one slot per file). */
  readonly jobNodes: ScannedNode[] = [];
  /** With `hardlinks`: later names of an inode, with the job id of its first name. */
  readonly jobAliases = new Map<ScannedNode, number>();
  /** With `hardlinks`: st_dev/st_ino and st_nlink of each multiply linked non-directory. */
  readonly #inodes = new Map<Node, { key: string; nlink: number }>();
  /** With `hardlinks`: the job id of each inode's first name, -1 when it has no job. */
  readonly #hashedInodes = new Map<string, number>();
  readonly #ops: FsOps<D>;
  readonly #o: ReadDirectoryOptions;
  readonly #pool: DigestPool;
  readonly #progress: Progress;
  #lastYield = performance.now();
  #bytes = 0;
  #pathBuf = new Uint8Array(4096);
  #lastMtimeSec = 0n;
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
        if (f.next === f.entries.count) {
          stack.pop();
          this.#ops.closeDir(f.handle);
          // C's lcfs_build names the directory when adding a child fails.
          at(f.errPath, () => addChildren(f.node, f.kids));
          const parent = stack[stack.length - 1];
          if (parent !== undefined) {
            f.node.name = f.name!;
            parent.kids.push(f.node);
          }
          continue;
        }
        const i = f.next++;
        this.#visit(stack, f, dirName(f.entries, i), f.entries.types[i]!);
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
  #visit(stack: Frame<D>[], f: Frame<D>, name: Uint8Array, dType: number): void {
    // A view of a scratch buffer: copied only for a directory frame or a digest job.
    const full = this.#scratchPath(f.hashBase, name);
    let loaded: { node: ScannedNode; stat: Stat };
    try {
      let type = dType;
      if (type === DT_UNKNOWN) {
        // As C: lstat decides only "directory or not"; devices stay unskippable.
        const st = this.#ops.lstat(f.handle, name);
        if ((st.mode & S_IFMT) === S_IFDIR) type = DT_DIR;
      } else if (type !== DT_DIR && this.#o.skipDevices && (type === DT_BLK || type === DT_CHR)) {
        return;
      }
      loaded = this.#load(f.handle, name, full);
      if (type === DT_DIR && (loaded.node.mode & S_IFMT) === S_IFDIR) {
        const key = inodeKey(loaded.stat);
        if (stack.some((s) => s.inodeKey === key)) {
          throw new SysError(ELOOP, "walk");
        }
        const path = joinErrorPath(f.errPath, name);
        stack.push(this.#open(f.handle, name, loaded, path, full.slice(), name));
        return;
      }
    } catch (e) {
      // The error path is only built when needed: C names SRC/…/entry.
      if (e instanceof ScanError) throw e;
      throw accessError(joinErrorPath(f.errPath, name), e);
    }
    loaded.node.name = name;
    f.kids.push(loaded.node);
    this.#submit(loaded.node, loaded.stat, full);
  }

  #open(
    parent: D | null,
    name: Uint8Array,
    loaded: { node: ScannedNode; stat: Stat },
    errPath: Uint8Array,
    hashBase: Uint8Array,
    nameInParent: Uint8Array | null,
  ): Frame<D> {
    const handle = at(errPath, () => this.#ops.openDir(parent, name));
    let entries: DirNames;
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
      kids: [],
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
  #load(dir: D | null, name: Uint8Array, full: Uint8Array): { node: ScannedNode; stat: Stat } {
    const st = this.#ops.lstat(dir, name);
    const node = new ScannedNode(st.mode, st.uid, st.gid, st.rdev, st.size);
    if ((st.mode & S_IFMT) === S_IFLNK) {
      const target = this.#ops.readlink(dir, name);
      // lcfs_node_set_symlink_payload: non-empty, shorter than PATH_MAX; size = its length.
      if (target.length === 0) throw new SysError(EINVAL, "readlink");
      if (target.length >= READLINK_MAX) throw new SysError(ENAMETOOLONG, "readlink");
      node.payload = target;
      node.size = BigInt(target.length);
    }
    if (!this.#o.useEpoch) {
      // Files of one package share their mtime: share the bigint too (24 bytes a node).
      if (st.mtimeSec !== this.#lastMtimeSec) this.#lastMtimeSec = st.mtimeSec;
      node.mtimeSec = this.#lastMtimeSec;
      node.mtimeNsec = st.mtimeNsec;
    }
    if (!this.#o.skipXattrs) {
      const userOnly = this.#o.userXattrs ?? false;
      this.#ops.xattrs(dir, name, full, userOnly, (k, v) => setXattr(node, k, v));
    }
    return { node, stat: st };
  }

  /** Queues a regular file of size > 0 for its digest (empty files get nothing, as in C). */
  #submit(node: ScannedNode, stat: Stat, hashPath: Uint8Array): void {
    const type = node.mode & S_IFMT;
    let key: string | null = null;
    if (this.#o.hardlinks && stat.nlink > 1 && type !== S_IFDIR) {
      key = inodeKey(stat);
      this.#inodes.set(node, { key, nlink: stat.nlink });
      // One digest per inode: later names share the first name's job.
      const first = this.#hashedInodes.get(key);
      if (first !== undefined) {
        if (first >= 0) this.jobAliases.set(node, first);
        return;
      }
      this.#hashedInodes.set(key, -1);
    }
    if (type !== S_IFREG || node.size === 0n) return;
    const id = this.#pool.submit(hashPath.slice(), node.size);
    this.jobNodes[id] = node;
    if (key !== null) this.#hashedInodes.set(key, id);
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
