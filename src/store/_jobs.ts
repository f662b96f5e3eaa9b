/**
 * The store's work list in shared memory, as C's `execute_in_threads` shares one list and a
 * mutex-guarded cursor: every thread (workers and the main thread) claims the next job with one
 * atomic add, until the list is done or a thread has failed and set the cancel flag. Progress
 * counters live beside the cursor, so no messages flow while the work runs.
 *
 * @module
 */
import type { ObjectJob } from "./digest_store.ts";

/** Slots of {@link JobTable.control}. */
const NEXT = 0;
const CANCEL = 1;
const FILES_DONE = 2;
const CONTROL_SLOTS = 4;

/** The payload length: 2 hex digits, `/`, 62 hex digits. */
export const OBJECT_NAME_SIZE = 65;
/** SHA-256 digest length. */
const DIGEST_SIZE = 32;

/** Jobs encoded in shared buffers; structured clone shares them with workers. */
export interface JobTable {
  count: number;
  /** Source paths one after the other; job i is `sources[offsets[i], offsets[i+1])`. */
  sources: Uint8Array;
  offsets: Float64Array;
  /** 65 bytes per job. */
  objects: Uint8Array;
  /** 32 bytes per job. */
  digests: Uint8Array;
  sizes: Float64Array;
  /** Cursor, cancel flag, files done. */
  control: Int32Array;
  /** Bytes done (slot 0). */
  bytes: BigInt64Array;
}

function shared(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.max(8, bytes));
}

/** Encodes `jobs` (each object name must be 65 bytes). */
export function encodeJobs(jobs: readonly ObjectJob[]): JobTable {
  const n = jobs.length;
  let pathBytes = 0;
  for (const j of jobs) pathBytes += j.source.length;
  const t: JobTable = {
    count: n,
    sources: new Uint8Array(shared(pathBytes)),
    offsets: new Float64Array(shared((n + 1) * 8)),
    objects: new Uint8Array(shared(n * OBJECT_NAME_SIZE)),
    digests: new Uint8Array(shared(n * DIGEST_SIZE)),
    sizes: new Float64Array(shared(n * 8)),
    control: new Int32Array(shared(CONTROL_SLOTS * 4)),
    bytes: new BigInt64Array(shared(8)),
  };
  let off = 0;
  for (let i = 0; i < n; i++) {
    const j = jobs[i]!;
    if (j.object.length !== OBJECT_NAME_SIZE) {
      throw new RangeError(`Cannot queue the store job: object name of ${j.object.length} bytes`);
    }
    t.offsets[i] = off;
    t.sources.set(j.source, off);
    off += j.source.length;
    t.objects.set(j.object, i * OBJECT_NAME_SIZE);
    t.digests.set(j.digest, i * DIGEST_SIZE);
    t.sizes[i] = j.size;
  }
  t.offsets[n] = off;
  return t;
}

/** Job `i` as views of the shared buffers. */
export function jobAt(t: JobTable, i: number): ObjectJob {
  return {
    source: t.sources.subarray(t.offsets[i]!, t.offsets[i + 1]!),
    object: t.objects.subarray(i * OBJECT_NAME_SIZE, (i + 1) * OBJECT_NAME_SIZE),
    digest: t.digests.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE),
    size: t.sizes[i]!,
  };
}

/** Claims the next job index, or -1 when the list is done or cancelled. */
export function claimJob(t: JobTable): number {
  if (Atomics.load(t.control, CANCEL) !== 0) return -1;
  const i = Atomics.add(t.control, NEXT, 1);
  return i < t.count ? i : -1;
}

/** Counts a finished job of `size` bytes. */
export function finishJob(t: JobTable, size: number): void {
  Atomics.add(t.control, FILES_DONE, 1);
  Atomics.add(t.bytes, 0, BigInt(size));
}

/** Stops every thread at its next claim (a failure, or an interrupt). */
export function cancelJobs(t: JobTable): void {
  Atomics.store(t.control, CANCEL, 1);
}

/** Files and bytes done so far. */
export function jobsDone(t: JobTable): { files: number; bytes: number } {
  return { files: Atomics.load(t.control, FILES_DONE), bytes: Number(Atomics.load(t.bytes, 0)) };
}
