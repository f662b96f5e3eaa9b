/**
 * Placing one object in a digest store (`--digest-store=PATH`), as C mkcomposefs 1.0.8 names,
 * modes and fills it (`copy_file_with_dirs_if_needed`), without ever exposing a partial
 * object: the source is copied into a temporary file in the store root (mode 0600 while it is
 * written), which is then set to 0644, fsynced, given fs-verity where the file system has it,
 * and renamed to `XX/REST` without replacing an object that appeared meanwhile.
 *
 * Differences from C, none of which changes a placed object: the temporary name carries a run
 * id (so an interrupted run can remove its own), the rename does not replace an existing
 * object (`RENAME_NOREPLACE`, plain rename where the file system lacks it), and a source that
 * changed since its digest was computed (size, or the kernel's fs-verity digest) is an error
 * instead of an object whose name lies about its content.
 *
 * @module
 */
import { toHex } from "../../spec/bytes/compare.ts";
import { EEXIST, EINVAL, ENOSYS, ENOTTY, EOPNOTSUPP, SysError } from "../fs/errno.ts";
import * as libc from "../fs/libc.ts";
import { enableVerity, measureVerity } from "../fs/verity_ioctl.ts";
import { type CopyMethod, FileCopier } from "./copy.ts";

const SLASH = 0x2f;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A store failure: `message` is `<path>: <reason>`, `code` the errno name (or `ECHANGED`). */
export class StoreError extends Error {
  /** The errno name (`"ENOSPC"`), or `"ECHANGED"` for a source that changed during the run. */
  readonly code: string;
  /** The path the failure concerns: the source file or the object in the store. */
  readonly path: Uint8Array;
  /** The reason alone (a `strerror` text, or what changed). */
  readonly reason: string;

  /**
   * An error about `path`; the message is `<path>: <reason>`.
   *
   * @param code The errno name, or `ECHANGED`.
   * @param path The source or object path.
   * @param reason The `strerror` text or what changed.
   */
  constructor(code: string, path: Uint8Array, reason: string) {
    super(`${decoder.decode(path)}: ${reason}`);
    this.name = "StoreError";
    this.code = code;
    this.path = path;
    this.reason = reason;
  }

  /** A store error from a failed system call on `path`. */
  static of(e: unknown, path: Uint8Array): StoreError {
    if (e instanceof StoreError) return e;
    if (e instanceof SysError) return new StoreError(e.code, path, e.message);
    return new StoreError("EIO", path, e instanceof Error ? e.message : String(e));
  }
}

/**
 * `PATH/PAYLOAD` as C's `join_paths` builds it: trailing slashes of PATH dropped, no `/` after
 * an empty PATH (so `--digest-store=` fills the current directory).
 */
export function joinStorePath(store: Uint8Array, rel: Uint8Array): Uint8Array {
  let len = store.length;
  while (len > 0 && store[len - 1] === SLASH) len--;
  const sep = store.length === 0 ? 0 : 1;
  const out = new Uint8Array(len + sep + rel.length);
  out.set(store.subarray(0, len));
  if (sep) out[len] = SLASH;
  out.set(rel, len + sep);
  return out;
}

/** One file to place: where C reads it and the object it becomes. */
export interface ObjectJob {
  /** The source path, as C opens it (`SRC/a/b`). */
  source: Uint8Array;
  /** The payload `xx/yyyy…` (65 bytes), the object's path inside the store. */
  object: Uint8Array;
  /** The lstat size the digest was computed from. */
  size: number;
  /** The 32-byte fs-verity digest computed from the source. */
  digest: Uint8Array;
}

/** What placing one job did. */
export type PlaceOutcome =
  /** Copied; `verity` when fs-verity was enabled (and its digest checked). */
  | { kind: "placed"; method: CopyMethod; verity: boolean }
  /** Another writer placed the same object first; ours was dropped. */
  | { kind: "existing" };

/** Options of {@link ObjectWriter}. */
export interface ObjectWriterOptions {
  /** A descriptor of the store directory (O_PATH is enough). */
  storeFd: number;
  /** The store path as given, for messages. */
  storePath: Uint8Array;
  /** Temporary names start with this (`.tmp.<run>.<thread>.`), unique to the thread. */
  tempPrefix: string;
  /** Try `FS_IOC_ENABLE_VERITY` on each new object (default true). */
  verity?: boolean;
  /** Try `FICLONE` (default true). */
  reflink?: boolean;
  /** Try `copy_file_range` (default true). */
  copyFileRange?: boolean;
  /** Test hook: runs before the source is opened (tests remove or change it there). */
  beforeOpen?: (job: ObjectJob) => void;
}

/** One thread's object writer: places jobs one at a time, synchronously. */
export class ObjectWriter {
  readonly #o: ObjectWriterOptions;
  readonly #copier: FileCopier;
  #tempCount = 0;
  /** False after fs-verity was found unsupported on the store: no reopen per object. */
  #verity: boolean;
  /** False after the store's file system refused RENAME_NOREPLACE. */
  #noReplace = true;

  /**
   * A writer for one thread.
   *
   * @param options The store and what to try.
   */
  constructor(options: ObjectWriterOptions) {
    this.#o = options;
    this.#verity = options.verity ?? true;
    const copier: { reflink?: boolean; copyFileRange?: boolean } = {};
    if (options.reflink !== undefined) copier.reflink = options.reflink;
    if (options.copyFileRange !== undefined) copier.copyFileRange = options.copyFileRange;
    this.#copier = new FileCopier(copier);
  }

  /**
   * Copies `job.source` into the store as `job.object`. On failure the temporary file is
   * removed and a {@link StoreError} naming the source or the object is thrown; objects placed
   * before stay whole.
   */
  place(job: ObjectJob): PlaceOutcome {
    const objectPath = () => joinStorePath(this.#o.storePath, job.object);
    let src = -1;
    let dst = -1;
    let temp: Uint8Array | null = null;
    try {
      // The source first: a vanished source then leaves nothing to clean up.
      this.#o.beforeOpen?.(job);
      try {
        src = libc.openAt(libc.AT_FDCWD, job.source, libc.O_RDONLY);
      } catch (e) {
        throw StoreError.of(e, job.source);
      }
      [temp, dst] = this.#createTemp(objectPath);
      let method: CopyMethod;
      try {
        method = this.#copier.copy(src, dst);
      } catch (e) {
        const onSource = e instanceof SysError && e.syscall === "read";
        throw StoreError.of(e, onSource ? job.source : objectPath());
      }
      libc.closeFd(src);
      src = -1;
      const size = Number(libc.statxAt(dst, new Uint8Array(0), libc.AT_EMPTY_PATH).size);
      if (size !== job.size) throw changed(job.source, `size ${size}, expected ${job.size}`);
      try {
        // Readable by all (mkostemp made it 0600), and durable before it gets its name.
        libc.fchmodFd(dst, 0o644);
        libc.fsyncFd(dst);
      } catch (e) {
        throw StoreError.of(e, objectPath());
      }
      libc.closeFd(dst);
      dst = -1;
      const verity = this.#verity ? this.#enableVerity(temp, job) : false;
      if (!this.#rename(temp, job.object, objectPath)) {
        this.#unlink(temp);
        temp = null;
        return { kind: "existing" };
      }
      temp = null;
      return { kind: "placed", method, verity };
    } finally {
      if (src >= 0) libc.closeFd(src);
      if (dst >= 0) libc.closeFd(dst);
      if (temp !== null) this.#unlink(temp);
    }
  }

  /** A new temporary file in the store root, opened for writing, mode 0600 as mkostemp's. */
  #createTemp(objectPath: () => Uint8Array): [Uint8Array, number] {
    for (;;) {
      const name = encoder.encode(`${this.#o.tempPrefix}${this.#tempCount++}`);
      try {
        const fd = libc.openAt(
          this.#o.storeFd,
          name,
          libc.O_RDWR | libc.O_CREAT | libc.O_EXCL,
          0o600,
        );
        return [name, fd];
      } catch (e) {
        if (e instanceof SysError && e.errno === EEXIST) continue;
        throw StoreError.of(e, objectPath());
      }
    }
  }

  /**
   * C's "try to enable fs-verity": reopen read-only (no writer may remain) and ask; failures
   * are ignored. When enabled, the kernel's digest must be ours, else the source changed.
   */
  #enableVerity(temp: Uint8Array, job: ObjectJob): boolean {
    let fd: number;
    try {
      fd = libc.openAt(this.#o.storeFd, temp, libc.O_RDONLY);
    } catch (e) {
      throw StoreError.of(e, joinStorePath(this.#o.storePath, job.object));
    }
    try {
      const err = enableVerity(fd);
      if (err === EOPNOTSUPP || err === ENOTTY) {
        // No fs-verity on this file system: later objects need not reopen to find out.
        this.#verity = false;
        return false;
      }
      if (err !== 0) return false;
      const kernel = measureVerity(fd);
      if (kernel !== null && toHex(kernel) !== toHex(job.digest)) {
        throw changed(job.source, `its fs-verity digest is now ${toHex(kernel)}`);
      }
      return true;
    } finally {
      libc.closeFd(fd);
    }
  }

  /** Renames the temporary file to the object; false when the object exists already. */
  #rename(temp: Uint8Array, object: Uint8Array, objectPath: () => Uint8Array): boolean {
    const fd = this.#o.storeFd;
    for (;;) {
      try {
        libc.renameAt(fd, temp, fd, object, this.#noReplace ? libc.RENAME_NOREPLACE : 0);
        return true;
      } catch (e) {
        if (!(e instanceof SysError)) throw e;
        if (e.errno === EEXIST && this.#noReplace) return false;
        if ((e.errno === EINVAL || e.errno === ENOSYS) && this.#noReplace) {
          // No RENAME_NOREPLACE here: C's plain rename, which replaces a twin object.
          this.#noReplace = false;
          continue;
        }
        throw StoreError.of(e, objectPath());
      }
    }
  }

  #unlink(temp: Uint8Array): void {
    try {
      libc.unlinkAt(this.#o.storeFd, temp);
    } catch { /* already gone */ }
  }
}

function changed(source: Uint8Array, detail: string): StoreError {
  return new StoreError(
    "ECHANGED",
    source,
    `file changed since its digest was computed (${detail})`,
  );
}
