/**
 * Worker of the digest store: places jobs from the shared table with its own
 * {@link ObjectWriter} until none are left, then posts its {@link ThreadReport}.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { JobTable } from "./_jobs.ts";
import { newThreadReport, runJobs, type ThreadReport } from "./_thread.ts";
import { ObjectWriter, type ObjectWriterOptions } from "./digest_store.ts";

/** The one message a store worker receives. */
export interface StoreWorkerStart {
  table: JobTable;
  writer: Omit<ObjectWriterOptions, "beforeOpen">;
}

/** The one message a store worker sends back. */
export interface StoreWorkerDone {
  report: ThreadReport;
}

self.onmessage = (ev: MessageEvent<StoreWorkerStart>) => {
  const report = newThreadReport();
  try {
    runJobs(ev.data.table, new ObjectWriter(ev.data.writer), report);
  } catch (e) {
    // Not a StoreError (runJobs records those): a bug, reported as a failure of job -1.
    report.error = {
      index: -1,
      code: "EIO",
      path: new Uint8Array(0),
      reason: `store worker failed: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  const done: StoreWorkerDone = { report };
  self.postMessage(done);
};
