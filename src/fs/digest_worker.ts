/**
 * Worker of the digest pool: hashes the batches it is sent with a {@link FileHasher} and posts
 * back digests, contents and errors, plus a progress message every 64 MiB inside large files.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { BatchReply, WorkerRequest } from "./digest_pool.ts";
import { FileHasher, fileSha256 } from "./file_hasher.ts";

/** Report progress inside large files every this many bytes. */
const PROGRESS_STEP = 64 << 20;

let hasher: Promise<FileHasher> | null = null;
/** Bytes hashed since the last progress report. */
let unreported = 0;

function countBytes(n: number): void {
  unreported += n;
  if (unreported >= PROGRESS_STEP) {
    self.postMessage({ kind: "progress", bytes: unreported });
    unreported = 0;
  }
}

self.onmessage = async (ev: MessageEvent<WorkerRequest>) => {
  const msg = ev.data;
  if (msg.kind === "init") {
    hasher = fileSha256(msg.useFfi).then((sha256) =>
      new FileHasher({
        sha256,
        useFfi: msg.useFfi,
        useKernelDigest: msg.useKernelDigest,
        onBytes: countBytes,
      })
    );
    return;
  }
  // Batches that arrive while the hasher is being set up wait for it, in order.
  const r = (await hasher!).hashBatch(msg);
  const reply: BatchReply = { kind: "done", id: msg.id, ...r, bytes: unreported };
  unreported = 0;
  self.postMessage(reply, [r.digests.buffer]);
};
