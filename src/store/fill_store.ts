/**
 * `--digest-store=PATH`: copies every external file of a directory source into the store as
 * C mkcomposefs 1.0.8's `fill_store` does (same object names, bytes, file mode 0644 and
 * directory mode 0755 less the umask), with `--threads` threads: `threads - 1` workers plus
 * the calling thread, all claiming jobs from one shared list as C's `execute_in_threads`.
 *
 * Before the threads start, the calling thread makes the store's folders, drops duplicate
 * objects and objects the store already has (C checks these per file in each thread, with a
 * `stat` per path component), so a second run into a full store costs one `lstat` per object.
 *
 * @module
 */
import { equalBytes } from "../../spec/bytes/compare.ts";
import { cancelJobs, encodeJobs, jobsDone, type JobTable } from "./_jobs.ts";
import { newThreadReport, runJobs, type ThreadReport } from "./_thread.ts";
import {
  type ObjectJob,
  ObjectWriter,
  type ObjectWriterOptions,
  StoreError,
} from "./digest_store.ts";
import { StoreDirs } from "./store_dirs.ts";
import { StoreProgress } from "./store_progress.ts";
import type { StoreWorkerDone, StoreWorkerStart } from "./store_worker.ts";

export { StoreError };

/** One external file of the tree (see `externalFiles` in `src/fs/scan.ts`). */
export interface StoreFile {
  /** The path C copies from. */
  path: Uint8Array;
  /** `xx/yyyy…`: the object's name in the store. */
  payload: Uint8Array;
  /** The lstat size its digest was computed from. */
  size: bigint;
  /** The 32-byte fs-verity digest. */
  digest: Uint8Array;
}

/** Options of {@link fillDigestStore}. */
export interface FillStoreOptions {
  /** `--threads`: threads that copy, this one included (default 1). */
  threads?: number;
  /** Draw a progress line on stderr (only on a terminal, for long fills). */
  progress?: boolean;
  /** Try fs-verity on new objects (default true, as C). */
  verity?: boolean;
  /** Try `FICLONE` (default true). */
  reflink?: boolean;
  /** Try `copy_file_range` (default true). */
  copyFileRange?: boolean;
  /**
   * Test hook: runs on this thread before each source is opened. Setting it copies on this
   * thread only, so the hook sees every job in order.
   */
  beforeOpen?: (job: ObjectJob) => void;
}

/** What a fill did. */
export interface FillStoreStats {
  /** Distinct objects the tree needs. */
  objects: number;
  /** Of those, already in the store before the fill. */
  existing: number;
  /** Objects placed by a reflink (`FICLONE`). */
  reflink: number;
  /** Objects placed by `copy_file_range`. */
  copyFileRange: number;
  /** Objects placed by reads and writes. */
  readWrite: number;
  /** Placed objects that got fs-verity (digest checked against ours). */
  verity: number;
  /** Objects another writer placed while we copied them. */
  raced: number;
  /** Worker threads started. */
  workers: number;
}

/** Start a worker only for at least this many jobs each: a worker costs tens of ms to start. */
const JOBS_PER_WORKER = 4;
/** The calling thread lets events in (signals, progress) this often while it copies. */
const SLICE_MS = 200;

const encoder = new TextEncoder();

/**
 * Fills the store `store` with `files`. Nothing is created when `files` is empty, as in C.
 *
 * @param store The store path (`--digest-store=PATH`); `""` is the current directory.
 * @param files The external files, in C's order.
 * @param options Threads, progress and test switches.
 * @returns Counts of what was done.
 * @throws {StoreError} The first failure (`<path>: <reason>`); temporary files are removed and
 *   objects already placed stay whole. SIGINT or SIGTERM during the fill stops it the same way
 *   (code `EINTR`).
 */
export async function fillDigestStore(
  store: string | Uint8Array,
  files: readonly StoreFile[],
  options: FillStoreOptions = {},
): Promise<FillStoreStats> {
  const stats: FillStoreStats = {
    objects: 0,
    existing: 0,
    reflink: 0,
    copyFileRange: 0,
    readWrite: 0,
    verity: 0,
    raced: 0,
    workers: 0,
  };
  if (files.length === 0) return stats;
  const storePath = typeof store === "string" ? encoder.encode(store) : store;
  const dirs = new StoreDirs(storePath);
  try {
    const jobs = missingObjects(dirs, files, stats);
    if (jobs.length === 0) return stats;
    const runId = crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36);
    const writer: Omit<ObjectWriterOptions, "tempPrefix"> = { storeFd: dirs.open(), storePath };
    if (options.verity !== undefined) writer.verity = options.verity;
    if (options.reflink !== undefined) writer.reflink = options.reflink;
    if (options.copyFileRange !== undefined) writer.copyFileRange = options.copyFileRange;
    const reports = await runThreads(jobs, runId, writer, options, stats);
    for (const r of reports) {
      stats.reflink += r.reflink;
      stats.copyFileRange += r.copyFileRange;
      stats.readWrite += r.readWrite;
      stats.verity += r.verity;
      stats.raced += r.raced;
    }
    const failed = reports.map((r) => r.error).filter((e) => e !== null);
    if (failed.length > 0) {
      // The failure first in C's order (a worker's internal error, index -1, before all).
      failed.sort((a, b) => a.index - b.index);
      const e = failed[0]!;
      throw new StoreError(e.code, e.path, e.reason);
    }
    return stats;
  } finally {
    dirs.close();
  }
}

/** Makes the folders and keeps each object that is neither a duplicate nor in the store. */
function missingObjects(
  dirs: StoreDirs,
  files: readonly StoreFile[],
  stats: FillStoreStats,
): ObjectJob[] {
  const seen = new ObjectSet();
  const jobs: ObjectJob[] = [];
  dirs.open();
  for (const f of files) {
    if (!seen.add(f.payload)) continue;
    stats.objects++;
    dirs.ensureFanout(f.payload);
    if (dirs.has(f.payload)) {
      stats.existing++;
      continue;
    }
    jobs.push({ source: f.path, object: f.payload, size: Number(f.size), digest: f.digest });
  }
  return jobs;
}

/**
 * A set of object names, keyed by a number made of their first 12 hex digits (no string per
 * name: this runs once per file of the tree).
 */
class ObjectSet {
  readonly #buckets = new Map<number, Uint8Array[]>();

  /** Adds `name`; false when it was there already. */
  add(name: Uint8Array): boolean {
    let key = 0;
    for (let i = 0; i < 13; i++) {
      if (i === 2) continue; // the `/`
      const c = name[i]!;
      key = key * 16 + (c <= 0x39 ? c - 0x30 : c - 0x57);
    }
    const bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      this.#buckets.set(key, [name]);
      return true;
    }
    if (bucket.some((b) => equalBytes(b, name))) return false;
    bucket.push(name);
    return true;
  }
}

/** Runs the jobs on workers and this thread; resolves with every thread's report. */
async function runThreads(
  jobs: ObjectJob[],
  runId: string,
  writer: Omit<ObjectWriterOptions, "tempPrefix">,
  options: FillStoreOptions,
  stats: FillStoreStats,
): Promise<ThreadReport[]> {
  const table = encodeJobs(jobs);
  const total = { files: jobs.length, bytes: jobs.reduce((n, j) => n + j.size, 0) };
  const progress = new StoreProgress(options.progress ?? false, total);
  const threads = Math.max(1, Math.floor(options.threads ?? 1));
  const nWorkers = options.beforeOpen !== undefined
    ? 0
    : Math.min(threads - 1, Math.floor(jobs.length / JOBS_PER_WORKER));
  const workers: Worker[] = [];
  const pending: Promise<ThreadReport>[] = [];
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    cancelJobs(table);
  };
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  try {
    for (let i = 1; i <= nWorkers; i++) {
      const w = new Worker(new URL("./store_worker.ts", import.meta.url), { type: "module" });
      workers.push(w);
      pending.push(startWorker(w, table, { ...writer, tempPrefix: `.tmp.${runId}.${i}.` }));
    }
    stats.workers = nWorkers;
    const local = newThreadReport();
    const mine = new ObjectWriter({
      ...writer,
      tempPrefix: `.tmp.${runId}.0.`,
      ...(options.beforeOpen ? { beforeOpen: options.beforeOpen } : {}),
    });
    // This thread copies too, letting events in between slices.
    while (runJobs(table, mine, local, performance.now() + SLICE_MS)) {
      progress.update(jobsDone(table));
      await new Promise((r) => setTimeout(r, 0));
    }
    const reports = await waitWithProgress(pending, table, progress);
    reports.push(local);
    if (interrupted && reports.every((r) => r.error === null)) {
      local.error = { index: -1, code: "EINTR", path: writer.storePath, reason: "Interrupted" };
    }
    return reports;
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    for (const w of workers) w.terminate();
    progress.finish();
  }
}

/** Starts a worker on the table; resolves with its report (a crash becomes an error). */
function startWorker(
  w: Worker,
  table: JobTable,
  writer: ObjectWriterOptions,
): Promise<ThreadReport> {
  return new Promise((resolve) => {
    w.onmessage = (ev: MessageEvent<StoreWorkerDone>) => resolve(ev.data.report);
    w.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      cancelJobs(table);
      const report = newThreadReport();
      report.error = {
        index: -1,
        code: "EIO",
        path: new Uint8Array(0),
        reason: `store worker failed: ${ev.message}`,
      };
      resolve(report);
    };
    const start: StoreWorkerStart = { table, writer };
    w.postMessage(start);
  });
}

/** Awaits the workers, redrawing the progress line meanwhile. */
async function waitWithProgress(
  pending: Promise<ThreadReport>[],
  table: JobTable,
  progress: StoreProgress,
): Promise<ThreadReport[]> {
  const all = Promise.all(pending);
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = new Promise<null>((r) => {
      timer = setTimeout(() => r(null), 200);
    });
    const r = await Promise.race([all, tick]);
    clearTimeout(timer);
    if (r !== null) return r;
    progress.update(jobsDone(table));
  }
}
