/**
 * Hashes files by path for the digest pool, on a worker or on the main thread: the fs-verity
 * digest read in 1 MiB blocks (never a whole file) and the content of files of 1..64 bytes.
 * Files are opened by path as C's `process_compute` opens them (`openat(AT_FDCWD, path)`), so
 * the errors match: an open error keeps its errno, a read error becomes ENODATA.
 *
 * @module
 */
import { FsVerityHasher, type Sha256 } from "../../spec/fsverity/merkle.ts";
import { ENODATA, SysError } from "./errno.ts";
import { sysErrorOfDeno } from "./fs_ops.ts";
import * as libc from "./libc.ts";
import { measureVerity } from "./verity_ioctl.ts";

/** Read block size: large reads into one reused buffer. */
const READ_SIZE = 1 << 20;
/**
 * Ask the kernel for a digest (FS_IOC_MEASURE_VERITY) only from this size on: below it the
 * extra ioctl costs more than reading the file.
 */
const KERNEL_DIGEST_MIN = 64 * 1024;

/** A batch of files: NUL-terminated paths one after the other, and per file its size. */
export interface HashBatch {
  paths: Uint8Array<ArrayBuffer>;
  /** lstat sizes. */
  sizes: Float64Array<ArrayBuffer>;
  /** 1 where the content is wanted (size 1..64). */
  inline: Uint8Array<ArrayBuffer>;
}

/** What became of a batch: 32 digest bytes per file, contents, and errors with their path. */
export interface HashBatchResult {
  digests: Uint8Array<ArrayBuffer>;
  contents: (Uint8Array | null)[];
  errors: ({ errno: number; text: string; path: Uint8Array } | null)[];
}

/**
 * The SHA-256 for hashing files: libcrypto's through FFI when allowed (faster, and without the
 * native garbage of `node:crypto` hash objects, which made a thread's memory grow with the
 * blocks hashed), else `node:crypto`'s, loaded only then (it pulls in much of Deno's Node layer).
 */
export async function fileSha256(useFfi: boolean): Promise<Sha256> {
  const native = useFfi ? libc.opensslSha256() : null;
  return native ?? (await import("../crypto/sha256.ts")).nodeSha256;
}

/** Options of {@link FileHasher}. */
export interface FileHasherOptions {
  /** From {@link fileSha256}. */
  sha256: Sha256;
  /** Open and read through libc (raw byte paths); false uses Deno's APIs. */
  useFfi: boolean;
  /** Take the digest of a file with fs-verity enabled from the kernel. */
  useKernelDigest: boolean;
  /** Told about every chunk of bytes hashed. */
  onBytes?: (n: number) => void;
}

/** One thread's file hasher: one read buffer and one fs-verity hasher, reused for every file. */
export class FileHasher {
  readonly #o: FileHasherOptions;
  readonly #buf = new Uint8Array(READ_SIZE);
  readonly #hasher: FsVerityHasher;

  constructor(options: FileHasherOptions) {
    this.#o = options;
    this.#hasher = new FsVerityHasher(options.sha256);
  }

  /** Hashes every file of `batch`; a failing file gets an error entry, the others go on. */
  hashBatch(batch: HashBatch): HashBatchResult {
    const n = batch.sizes.length;
    const digests = new Uint8Array(n * 32);
    const contents: HashBatchResult["contents"] = new Array(n).fill(null);
    const errors: HashBatchResult["errors"] = new Array(n).fill(null);
    let start = 0;
    for (let i = 0; i < n; i++) {
      let end = start;
      while (batch.paths[end] !== 0) end++;
      const path = batch.paths.subarray(start, end);
      start = end + 1;
      try {
        const r = this.hashFile(path, batch.sizes[i]!, batch.inline[i] === 1);
        digests.set(r.digest, i * 32);
        contents[i] = r.content;
      } catch (e) {
        const se = e instanceof SysError ? e : sysErrorOfDeno(e, "digest");
        errors[i] = { errno: se.errno, text: se.message, path: path.slice() };
      }
    }
    return { digests, contents, errors };
  }

  /** Digest and (for `inline` sizes) content of one file. */
  hashFile(path: Uint8Array, size: number, inline: boolean): {
    digest: Uint8Array;
    content: Uint8Array | null;
  } {
    const head = inline ? new Uint8Array(size) : null;
    let result: { digest: Uint8Array; total: number };
    if (this.#o.useFfi) {
      const fd = libc.openAt(libc.AT_FDCWD, path, libc.O_RDONLY);
      try {
        const kernel = size >= KERNEL_DIGEST_MIN && this.#o.useKernelDigest
          ? measureVerity(fd)
          : null;
        if (kernel !== null) {
          this.#o.onBytes?.(size);
          return { digest: kernel, content: null };
        }
        result = this.#hashStream((b) => libc.readFd(fd, b), size, head);
      } finally {
        libc.closeFd(fd);
      }
    } else {
      let file: Deno.FsFile;
      try {
        file = Deno.openSync(new TextDecoder().decode(path));
      } catch (e) {
        throw sysErrorOfDeno(e, "open");
      }
      try {
        result = this.#hashStream((b) => file.readSync(b) ?? 0, size, head);
      } finally {
        file.close();
      }
    }
    // read_content: fewer bytes than lstat said is ENODATA.
    if (head !== null && result.total < size) throw new SysError(ENODATA, "read");
    return { digest: result.digest, content: head };
  }

  /**
   * Reads the open file to its end, feeding the hasher; `head` receives the first bytes.
   *
   * C reads until read(2) returns 0. A short read that reaches the lstat size is the end of a
   * regular file too, so we stop there and save one call per small file; a file that grew since
   * lstat fills the buffer and is read on to its real end, as C would.
   */
  #hashStream(
    read: (b: Uint8Array<ArrayBuffer>) => number,
    size: number,
    head: Uint8Array | null,
  ): { digest: Uint8Array; total: number } {
    const h = this.#hasher;
    const buf = this.#buf;
    h.reset();
    let total = 0;
    for (;;) {
      let n: number;
      try {
        n = read(buf);
      } catch {
        // lcfs_compute_fsverity_from_content reports every read failure as ENODATA.
        throw new SysError(ENODATA, "read");
      }
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      if (head !== null && total < head.length) {
        head.set(chunk.subarray(0, Math.min(n, head.length - total)), total);
      }
      h.update(chunk);
      total += n;
      this.#o.onBytes?.(n);
      if (n < buf.length && total >= size) break;
    }
    return { digest: h.digest(), total };
  }
}
