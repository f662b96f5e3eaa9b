/**
 * The directories of a digest store, made as C's `mkdir_parents` makes them before each copy:
 * every ancestor of `PATH/XX/REST` (PATH itself and its parents, then `PATH/XX`) is created
 * with mode 0755 (less the umask) when `stat` does not find it; an existing non-directory is
 * ENOTDIR; a concurrent creator (EEXIST) is fine. The ancestors of PATH are checked once per
 * run and each `XX` once, instead of C's walk per file.
 *
 * @module
 */
import { EEXIST, ENOTDIR, SysError } from "../fs/errno.ts";
import * as libc from "../fs/libc.ts";
import { S_IFDIR, S_IFMT } from "../../spec/tree/node.ts";
import { joinStorePath, StoreError } from "./digest_store.ts";

const SLASH = 0x2f;
/** Mode of the directories C creates: `mkdir_parents(pathbuf, 0755)`. */
export const STORE_DIR_MODE = 0o755;

/**
 * The directory prefixes C's `mkdir_parents` visits for `path` (each ends before a run of
 * slashes; leading slashes are skipped; the last component is not included).
 */
export function parentPrefixes(path: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 0;
  while (p < path.length && path[p] === SLASH) p++;
  for (;;) {
    while (p < path.length && path[p] !== SLASH) p++;
    if (p >= path.length) return out;
    out.push(path.subarray(0, p));
    while (p < path.length && path[p] === SLASH) p++;
  }
}

/**
 * C's `ensure_dir` for `name` relative to `dirfd`: `stat` (following symlinks) decides; a
 * missing directory is made with mode 0755.
 */
export function ensureDir(dirfd: number, name: Uint8Array, shown: Uint8Array): void {
  try {
    const st = libc.statxAt(dirfd, name, 0);
    if ((st.mode & S_IFMT) === S_IFDIR) return;
    throw new StoreError("ENOTDIR", shown, new SysError(ENOTDIR, "stat").message);
  } catch (e) {
    if (e instanceof StoreError) throw e;
  }
  try {
    libc.mkdirAt(dirfd, name, STORE_DIR_MODE);
  } catch (e) {
    if (e instanceof SysError && e.errno === EEXIST) return;
    throw StoreError.of(e, shown);
  }
}

/** The store root and its `XX` folders, made on first need. */
export class StoreDirs {
  readonly #store: Uint8Array;
  readonly #made = new Set<number>();
  #fd = -1;

  /**
   * Nothing is made before {@link StoreDirs.open}.
   *
   * @param store The store path as given (`--digest-store=PATH`).
   */
  constructor(store: Uint8Array) {
    this.#store = store;
  }

  /** The store root's descriptor (O_PATH), after making it and its parents. */
  open(): number {
    if (this.#fd >= 0) return this.#fd;
    // The prefixes of PATH/XX/REST up to PATH itself: the same for every object.
    const sample = joinStorePath(this.#store, new TextEncoder().encode("00/x"));
    const chain = parentPrefixes(sample).slice(0, -1);
    for (const dir of chain) ensureDir(libc.AT_FDCWD, dir, dir);
    let len = this.#store.length;
    while (len > 0 && this.#store[len - 1] === SLASH) len--;
    // An empty PATH is the current directory (C joins no slash); "/" stripped is the root.
    const root = len > 0
      ? this.#store.subarray(0, len)
      : new Uint8Array([this.#store.length === 0 ? 0x2e : SLASH]);
    try {
      this.#fd = libc.openAt(libc.AT_FDCWD, root, libc.O_PATH | libc.O_DIRECTORY);
    } catch (e) {
      throw StoreError.of(e, this.#store);
    }
    return this.#fd;
  }

  /** Makes `PATH/XX` for the object name `object` (`xx/yyyy…`) unless done already. */
  ensureFanout(object: Uint8Array): void {
    const key = (object[0]! << 8) | object[1]!;
    if (this.#made.has(key)) return;
    const name = object.subarray(0, 2);
    ensureDir(this.open(), name, joinStorePath(this.#store, name));
    this.#made.add(key);
  }

  /** True when `object` exists in the store (lstat, as C checks; not verified). */
  has(object: Uint8Array): boolean {
    return libc.existsAt(this.open(), object);
  }

  /** Closes the root descriptor. */
  close(): void {
    if (this.#fd >= 0) libc.closeFd(this.#fd);
    this.#fd = -1;
  }
}
