/**
 * Copies one open file into another by the cheapest means the file systems offer, in C
 * mkcomposefs's order (`copy_file_with_dirs_if_needed` and `copy_file_data`): a reflink
 * (`FICLONE`), then `copy_file_range`, then plain reads and writes.
 *
 * Fallbacks as in C: any reflink failure tries a copy. `copy_file_range` failing with ENOSYS or
 * EXDEV is not tried again by this copier (C: for the rest of the run); EOPNOTSUPP, EPERM,
 * EINVAL, EBADF, or a call that copies nothing before the end, fall back to reads and writes
 * for this file only. Other errors are real and thrown.
 *
 * @module
 */
import { EBADF, EINVAL, ENOSYS, EOPNOTSUPP, EPERM, EXDEV, SysError } from "../fs/errno.ts";
import * as libc from "../fs/libc.ts";

/** How a file was copied. */
export type CopyMethod = "reflink" | "copy_file_range" | "read_write";

/** Read/write buffer: larger than C's 8 KiB, for fewer calls; the bytes are the same. */
const BUFFER_SIZE = 1 << 20;
/** Largest request per `copy_file_range` call (the kernel caps one call near 2 GiB anyway). */
const RANGE_CHUNK = 1 << 30;
const EMPTY = new Uint8Array(0);

/** The outcome of one `copy_file_range` attempt. */
type RangeOutcome = "done" | "fallback";

/**
 * One thread's copier: remembers that `copy_file_range` is unusable (ENOSYS, EXDEV) and keeps
 * one read buffer.
 *
 * @example
 * ```ts ignore
 * const copier = new FileCopier();
 * const method = copier.copy(srcFd, dstFd); // "reflink" on XFS or btrfs, else a copy
 * ```
 */
export class FileCopier {
  #useRange = true;
  #buf: Uint8Array<ArrayBuffer> | null = null;
  readonly #tryReflink: boolean;

  /**
   * A copier that tries everything, unless told otherwise.
   *
   * @param options `reflink: false` skips `FICLONE`, `copyFileRange: false` skips
   *   `copy_file_range` (tests of the other paths).
   */
  constructor(options: { reflink?: boolean; copyFileRange?: boolean } = {}) {
    this.#tryReflink = options.reflink ?? true;
    this.#useRange = options.copyFileRange ?? true;
  }

  /** False once `copy_file_range` failed with ENOSYS or EXDEV. */
  get copyFileRangeEnabled(): boolean {
    return this.#useRange;
  }

  /**
   * Copies all of `srcFd` (from its current offset) to `dstFd`, which must be empty and
   * writable. Throws {@link SysError} from the call that failed (`syscall` is `read` when the
   * source could not be read).
   */
  copy(srcFd: number, dstFd: number): CopyMethod {
    if (this.#tryReflink && libc.ficlone(dstFd, srcFd) === 0) return "reflink";
    if (this.#useRange && this.#copyRange(srcFd, dstFd) === "done") return "copy_file_range";
    this.#copyReadWrite(srcFd, dstFd);
    return "read_write";
  }

  /** `copy_file_data_range`: the fstat size of the source, in as many calls as it takes. */
  #copyRange(srcFd: number, dstFd: number): RangeOutcome {
    let left = Number(libc.statxAt(srcFd, EMPTY, libc.AT_EMPTY_PATH).size);
    while (left > 0) {
      const n = libc.copyFileRange(srcFd, dstFd, Math.min(left, RANGE_CHUNK));
      if (n > 0) {
        left -= n;
        continue;
      }
      // 0 before the end: a kernel that cannot copy this file (procfs, some overlayfs); C
      // turns it into EINVAL and copies by hand.
      const e = n === 0 ? EINVAL : -n;
      if (e === ENOSYS || e === EXDEV) {
        this.#useRange = false;
        return "fallback";
      }
      if (e === EOPNOTSUPP || e === EPERM || e === EINVAL || e === EBADF) return "fallback";
      throw new SysError(e, "copy_file_range", libc.strerror(e));
    }
    return "done";
  }

  /** `copy_file_data_classic`: read until the end of file, write everything read. */
  #copyReadWrite(srcFd: number, dstFd: number): void {
    const buf = this.#buf ??= new Uint8Array(BUFFER_SIZE);
    for (;;) {
      const n = libc.readFd(srcFd, buf);
      if (n === 0) return;
      libc.writeAll(dstFd, buf.subarray(0, n));
    }
  }
}
