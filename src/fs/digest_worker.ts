/**
 * Worker of the digest pool: hashes batches of files with the fs-verity hasher, reading each in
 * 1 MiB blocks (never a whole file), and returns digests plus the content of files of at most
 * 64 bytes. Files are opened by path, as C's `process_compute` does (`openat(AT_FDCWD, path)`),
 * so the errors match: an open error keeps its errno, a read error becomes ENODATA.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { FsVerityHasher, type Sha256 } from "../../spec/fsverity/merkle.ts";
import { nodeSha256 } from "../crypto/sha256.ts";
import { ENODATA, SysError } from "./errno.ts";
import { sysErrorOfDeno } from "./fs_ops.ts";
import * as libc from "./libc.ts";
import { measureVerity } from "./verity_ioctl.ts";
import type { BatchReply, WorkerRequest } from "./digest_pool.ts";

/** Read block size: large reads, one buffer per worker. */
const READ_SIZE = 1 << 20;
/** Ask the kernel for a digest (FS_IOC_MEASURE_VERITY) only from this size on: below it, the
 * extra ioctl costs more than reading the file. */
const KERNEL_DIGEST_MIN = 64 * 1024;
/** Report progress inside one file every this many bytes. */
const PROGRESS_STEP = 64 << 20;

const buf = new Uint8Array(READ_SIZE);
let useFfi = true;
let useKernelDigest = true;
/** libcrypto's SHA-256 when FFI is allowed (faster, and no native garbage), else node:crypto. */
let sha256: Sha256 = nodeSha256;
/** Bytes hashed since the last progress report. */
let unreported = 0;

function countBytes(n: number): void {
  unreported += n;
  if (unreported >= PROGRESS_STEP) {
    self.postMessage({ kind: "progress", bytes: unreported });
    unreported = 0;
  }
}

/** One hasher per worker, reset for each file: hashing a small file then allocates nothing. */
let hasher: FsVerityHasher | null = null;

/**
 * Reads the open file to its end, feeding the hasher; `head` receives the first bytes.
 *
 * C reads until read(2) returns 0. A short read that reaches the lstat size is the end of a
 * regular file too, so we stop there and save one call per small file; a file that grew since
 * lstat fills the buffer and is read on to its real end, as C would.
 */
function hashStream(
  read: (b: Uint8Array<ArrayBuffer>) => number,
  size: number,
  head: Uint8Array | null,
): { digest: Uint8Array; total: number } {
  const h = hasher ??= new FsVerityHasher(sha256);
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
    countBytes(n);
    if (n < buf.length && total >= size) break;
  }
  return { digest: h.digest(), total };
}

/** Digest and (for `inline` sizes) content of one file. */
function hashFile(path: Uint8Array, size: number, inline: boolean) {
  const head = inline ? new Uint8Array(size) : null;
  let result: { digest: Uint8Array; total: number };
  if (useFfi) {
    const fd = libc.openAt(libc.AT_FDCWD, path, libc.O_RDONLY);
    try {
      const kernel = size >= KERNEL_DIGEST_MIN && useKernelDigest ? measureVerity(fd) : null;
      if (kernel !== null) {
        countBytes(size);
        return { digest: kernel, content: null };
      }
      result = hashStream((b) => libc.readFd(fd, b), size, head);
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
      result = hashStream((b) => file.readSync(b) ?? 0, size, head);
    } finally {
      file.close();
    }
  }
  // read_content: fewer bytes than lstat said is ENODATA.
  if (head !== null && result.total < size) throw new SysError(ENODATA, "read");
  return { digest: result.digest, content: head };
}

self.onmessage = (ev: MessageEvent<WorkerRequest>) => {
  const msg = ev.data;
  if (msg.kind === "init") {
    useFfi = msg.useFfi;
    useKernelDigest = msg.useKernelDigest;
    if (useFfi) sha256 = libc.opensslSha256() ?? nodeSha256;
    hasher = null;
    return;
  }
  const n = msg.sizes.length;
  const digests = new Uint8Array(n * 32);
  const contents: (Uint8Array | null)[] = new Array(n).fill(null);
  const errors: ({ errno: number; text: string; path: Uint8Array } | null)[] = new Array(n).fill(
    null,
  );
  let start = 0;
  for (let i = 0; i < n; i++) {
    let end = start;
    while (msg.paths[end] !== 0) end++;
    const path = msg.paths.subarray(start, end);
    start = end + 1;
    const size = msg.sizes[i]!;
    try {
      const r = hashFile(path, size, msg.inline[i] === 1);
      digests.set(r.digest, i * 32);
      contents[i] = r.content;
    } catch (e) {
      const se = e instanceof SysError ? e : sysErrorOfDeno(e, "digest");
      errors[i] = { errno: se.errno, text: se.message, path: path.slice() };
    }
  }
  const reply: BatchReply = {
    kind: "done",
    id: msg.id,
    digests,
    contents,
    errors,
    bytes: unreported,
  };
  unreported = 0;
  self.postMessage(reply, [digests.buffer]);
};
