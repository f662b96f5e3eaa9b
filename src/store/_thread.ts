/**
 * The loop every store thread runs (C's `thread_proc`): claim a job, place it, count it; on a
 * failure, record it and cancel the others.
 *
 * @module
 */
import { cancelJobs, claimJob, finishJob, jobAt, type JobTable } from "./_jobs.ts";
import { type ObjectWriter, StoreError } from "./digest_store.ts";

/** What one thread did. */
export interface ThreadReport {
  /** Objects this thread placed, by copy method. */
  reflink: number;
  copyFileRange: number;
  readWrite: number;
  /** Placed objects that got fs-verity. */
  verity: number;
  /** Objects another writer placed while we copied (ours dropped). */
  raced: number;
  /** The failure that stopped this thread, with its job index. */
  error: { index: number; code: string; path: Uint8Array; reason: string } | null;
}

/** An empty report. */
export function newThreadReport(): ThreadReport {
  return { reflink: 0, copyFileRange: 0, readWrite: 0, verity: 0, raced: 0, error: null };
}

/**
 * Places jobs until the table is done, cancelled, or `deadline` (a `performance.now()` time)
 * has passed. Returns true when there may be more to do (the deadline hit).
 */
export function runJobs(
  t: JobTable,
  writer: ObjectWriter,
  report: ThreadReport,
  deadline = Infinity,
): boolean {
  for (;;) {
    if (report.error !== null) return false;
    const i = claimJob(t);
    if (i < 0) return false;
    const job = jobAt(t, i);
    try {
      const r = writer.place(job);
      if (r.kind === "existing") report.raced++;
      else {
        if (r.method === "reflink") report.reflink++;
        else if (r.method === "copy_file_range") report.copyFileRange++;
        else report.readWrite++;
        if (r.verity) report.verity++;
      }
    } catch (e) {
      const se = StoreError.of(e, job.source);
      // The path is a view of shared memory: copy it out.
      report.error = { index: i, code: se.code, path: se.path.slice(), reason: se.reason };
      cancelJobs(t);
      return false;
    }
    finishJob(t, job.size);
    if (performance.now() > deadline) return true;
  }
}
